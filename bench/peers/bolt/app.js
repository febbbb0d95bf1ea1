// A minimal Slack Bolt app, the peer for whichaccount's Slack load run: the
// HTTP receiver with signature verification on, at POST /slack/events,
// answering the /whichaccount slash command with a fixed text.
//
//   PORT=3982 SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=xoxb-... node app.js
//
// @slack/bolt is resolved from NODE_PATH (bench/compare.sh installs it into
// a temporary folder). Token verification at start (auth.test) is off and
// the Web API URL points at a closed loopback port, so nothing leaves the
// machine; the slash command is answered in the HTTP response, as
// whichaccount and the bare handler do.
const { App, LogLevel } = require('@slack/bolt');

const app = new App({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  token: process.env.SLACK_BOT_TOKEN || 'xoxb-load',
  // With the bot's IDs given, Bolt's single-workspace authorization needs
  // no auth.test call (which would go to Slack) at start or per request.
  tokenVerificationEnabled: false,
  botId: 'B0LOAD',
  botUserId: 'U0LOAD',
  clientOptions: { slackApiUrl: 'http://127.0.0.1:9/api/' },
  logLevel: process.env.BOLT_LOG_LEVEL || LogLevel.ERROR,
  // endpoints defaults to /slack/events; signature verification is on by
  // default and stays on.
});

app.command('/whichaccount', async ({ ack }) => {
  await ack('sam@outlook.com is a personal Microsoft account.');
});

(async () => {
  const port = Number(process.env.PORT || 3982);
  await app.start({ port, host: '127.0.0.1' });
  console.error(`bolt: listening on 127.0.0.1:${port}`);
})();
