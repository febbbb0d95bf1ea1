// A minimal Bot Framework SDK (botbuilder) app, the peer for whichaccount's
// Teams load run: a plain node http server at POST /api/messages, a
// CloudAdapter that authenticates every activity against the fake Bot
// Framework (bench/fakebf), and a bot that answers each message with a
// fixed text through the Bot Connector (sendActivity).
//
//   PORT=3983 MICROSOFT_APP_ID=... MICROSOFT_APP_PASSWORD=... FAKEBF=http://127.0.0.1:3990 node app.js
//
// botbuilder is resolved from NODE_PATH (bench/compare.sh installs it into a
// temporary folder). Nothing leaves the machine:
//   - inbound tokens: ToBotFromChannelOpenIdMetadataUrl is the fake's
//     metadata, so keys (with endorsements) come from the fake;
//   - outbound tokens: botbuilder gets them from MSAL, which insists on an
//     https authority and, for an authority it does not know, asks
//     login.microsoftonline.com for instance discovery. So the MSAL client
//     is built here (MsalServiceClientCredentialsFactory, a public API):
//     the authority is the real one, declared known (knownAuthorities) with
//     its metadata given inline (cloudDiscoveryMetadata, authorityMetadata),
//     so MSAL does no discovery; and its network client sends the one token
//     request to the fake instead, refusing any other host.
//   - replies go to the activity's serviceUrl, the fake's connector.
const http = require('http');
const path = require('path');
const { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } = require('botbuilder');
const connectorDir = path.dirname(require.resolve('botframework-connector/package.json', { paths: [path.dirname(require.resolve('botbuilder'))] }));
const { MsalServiceClientCredentialsFactory } = require(connectorDir);
const { ConfidentialClientApplication } = require(require.resolve('@azure/msal-node', { paths: [connectorDir] }));

const appId = process.env.MICROSOFT_APP_ID;
const appPassword = process.env.MICROSOFT_APP_PASSWORD;
const fake = (process.env.FAKEBF || 'http://127.0.0.1:3990').replace(/\/$/, '');
const login = 'https://login.microsoftonline.com';
const tenant = 'botframework.com';

// The network client MSAL uses: requests to login.microsoftonline.com go to
// the fake, anything else is refused.
let msalRequests = 0;
async function send(method, url, options) {
  if (!url.startsWith(login + '/')) throw new Error(`botbuilder peer: refusing to reach ${url}`);
  msalRequests++;
  const res = await fetch(fake + url.slice(login.length), { method, headers: options && options.headers, body: options && options.body });
  const headers = {};
  res.headers.forEach((v, k) => { headers[k] = v; });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { headers, body, status: res.status };
}
const networkClient = {
  sendGetRequestAsync: (url, options) => send('GET', url, options),
  sendPostRequestAsync: (url, options) => send('POST', url, options),
};

const authority = `${login}/${tenant}`;
const msal = new ConfidentialClientApplication({
  auth: {
    clientId: appId,
    clientSecret: appPassword,
    authority,
    knownAuthorities: ['login.microsoftonline.com'],
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com'] }],
    }),
    authorityMetadata: JSON.stringify({
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      issuer: `${login}/${tenant}/v2.0`,
      jwks_uri: `${authority}/discovery/v2.0/keys`,
    }),
  },
  system: { networkClient },
});

const auth = new ConfigurationBotFrameworkAuthentication(
  {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: appPassword,
    MicrosoftAppType: 'MultiTenant',
    ToChannelFromBotLoginUrl: authority,
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    ToBotFromChannelOpenIdMetadataUrl: `${fake}/v1/.well-known/openidconfiguration`,
    ToBotFromEmulatorOpenIdMetadataUrl: `${fake}/v1/.well-known/openidconfiguration`,
    OAuthUrl: `${fake}/oauth`,
    ValidateAuthority: true,
  },
  new MsalServiceClientCredentialsFactory(appId, msal),
);
const adapter = new CloudAdapter(auth);
adapter.onTurnError = async (context, err) => {
  console.error('botbuilder: turn error:', err && err.message);
};

class Bot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity('sam@outlook.com is a personal Microsoft account.');
      await next();
    });
  }
}
const bot = new Bot();

// The adapter takes an express-like request and response; this is the
// least of that over node's own.
function wrap(res) {
  return {
    socket: res.socket,
    header(name, value) { res.setHeader(name, value); return this; },
    status(code) { res.statusCode = code; return this; },
    send(body) {
      if (body !== undefined && body !== null) {
        if (typeof body === 'object' && !Buffer.isBuffer(body)) {
          res.setHeader('Content-Type', 'application/json');
          body = JSON.stringify(body);
        }
        res.write(body);
      }
      return this;
    },
    end(...args) { res.end(...args); return this; },
  };
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ msalRequests }));
    return;
  }
  if (req.method !== 'POST' || req.url !== '/api/messages') {
    res.statusCode = 404;
    res.end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch {
      res.statusCode = 400;
      res.end();
      return;
    }
    adapter.process({ body, headers: req.headers, method: req.method }, wrap(res), (context) => bot.run(context))
      .catch((err) => {
        console.error('botbuilder: process:', err && err.message);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  });
});
server.keepAliveTimeout = 65000;
const port = Number(process.env.PORT || 3983);
server.listen(port, '127.0.0.1', () => console.error(`botbuilder: listening on 127.0.0.1:${port}`));
