package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gosmarter/whichaccount/bots/web"
	"github.com/gosmarter/whichaccount/internal/directory"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// config is everything the environment decides, read once by loadConfig.
type config struct {
	Port      int
	LogLevel  slog.Level
	LogFormat string
	Env       string // development or production

	Lookup         msaccount.Config
	UserPerMinute  int
	RedisURL       string
	RedisKeySecret string

	Slack slackConfig
	Teams teamsConfig
	Web   webConfig

	// Directory is Microsoft Graph for the organisation's own tenant; it
	// is on when TenantID is set (GRAPH_TENANT_ID, GRAPH_CLIENT_ID and
	// GRAPH_CLIENT_SECRET all are).
	Directory directory.Config

	// Org are the organisation's own facts (WHICHACCOUNT_ORG_NAME,
	// WHICHACCOUNT_ORG_DOMAINS, WHICHACCOUNT_HELPDESK, WHICHACCOUNT_SSPR_URL);
	// empty ones leave the catalogue's general words.
	Org orgConfig
	// Lang is WHICHACCOUNT_LANG, the fallback language of answers.
	Lang string
	// KnowledgeDir is WHICHACCOUNT_KNOWLEDGE_DIR, and Catalogue the built-in
	// catalogue with its topics added (nil without one: the built-in
	// catalogue as it is). A broken file is a configuration error naming
	// it and its line.
	KnowledgeDir string
	Catalogue    *helpdesk.Catalogue
	// Knowledge says what the knowledge directory changed, for the
	// start-up summary.
	Knowledge knowledgeChange
	// DataDir is WHICHACCOUNT_DATA_DIR: where a server without Redis keeps
	// its journal.
	DataDir string
	// Handoff is where hand-offs to a person go.
	Handoff handoffConfig
}

// orgConfig is the organisation's own facts.
type orgConfig struct {
	Name, Helpdesk, SSPRURL string
	Domains                 []string
}

// knowledgeChange counts the topics a knowledge directory added and
// replaced.
type knowledgeChange struct{ Added, Replaced, Topics int }

// handoffConfig is where hand-offs go: any of a webhook, a Slack channel
// and a Teams channel. None configured: no hand-off is offered.
type handoffConfig struct {
	// Webhook is WHICHACCOUNT_HANDOFF_WEBHOOK.
	Webhook string
	// SlackChannel is SLACK_HANDOFF_CHANNEL, a channel ID.
	SlackChannel string
	// TeamsChannel is TEAMS_HANDOFF_CHANNEL, a channel ID the bot is
	// installed in; TeamsServiceURL is TEAMS_SERVICE_URL, the Bot
	// Connector to create the conversation with (default: the one of the
	// activities the bot has seen).
	TeamsChannel, TeamsServiceURL string
}

// on reports whether any hand-off target is configured.
func (h handoffConfig) on() bool {
	return h.Webhook != "" || h.SlackChannel != "" || h.TeamsChannel != ""
}

// directoryOn reports whether Microsoft Graph is configured.
func (c config) directoryOn() bool { return c.Directory.TenantID != "" }

type slackConfig struct {
	BotToken, SigningSecret, AppToken, APIURL string
	TriageChannels, AllowedTeams              []string
}

type teamsConfig struct {
	AppID, AppPassword, AppType, AppTenantID string
	OpenIDMetadataURL, TokenURL              string
	TriageChannels, AllowedTenants           []string
	// Emulator is TEAMS_EMULATOR=true: with no app ID, unauthenticated
	// activities from loopback callers, for local tools.
	Emulator bool
}

// webConfig is the built-in web chat.
type webConfig struct {
	// Enabled is WEBCHAT_ENABLED: on by default outside production.
	Enabled bool
	// FrameAncestors are the origins allowed to embed the page
	// (WEBCHAT_FRAME_ANCESTORS); none when empty.
	FrameAncestors []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For tells
	// the client's address (WEBCHAT_TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
}

// The defaults of the design's environment contract.
const (
	defaultPort              = 3978
	defaultSlackAPIURL       = "https://slack.com/api/"
	defaultOpenIDMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	defaultBotTokenURL       = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
	defaultUserPerMinute     = 30
	defaultDataDir           = "./data"
)

// loadConfig reads the environment through getenv, applies defaults, and
// reports every problem at once.
func loadConfig(getenv func(string) string) (config, error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	get := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v
			}
		}
		return ""
	}
	c := config{Port: defaultPort, LogFormat: "text", Env: "development", UserPerMinute: defaultUserPerMinute}

	if v := get("PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 0 || p > 65535 {
			bad("PORT %q is not a port number", v)
		} else {
			c.Port = p
		}
	}
	if v := get("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			bad("LOG_LEVEL %q is not one of debug, info, warn, error", v)
		}
	}
	switch v := strings.ToLower(get("LOG_FORMAT")); v {
	case "", "text":
	case "json":
		c.LogFormat = "json"
	default:
		bad("LOG_FORMAT %q is not text or json", v)
	}
	switch v := strings.ToLower(get("WHICHACCOUNT_ENV")); v {
	case "", "development":
	case "production":
		c.Env = v
	default:
		bad("WHICHACCOUNT_ENV %q is not development or production", v)
	}
	switch v := strings.ToLower(get("WHICHACCOUNT_LOOKUP")); v {
	case "", "online":
	case "offline":
		c.Lookup.Offline = true
	default:
		bad("WHICHACCOUNT_LOOKUP %q is not online or offline", v)
	}
	c.Lookup.LoginURL = urlVar(get("WHICHACCOUNT_LOGIN_URL"), msaccount.DefaultLoginURL, "WHICHACCOUNT_LOGIN_URL", bad)
	if v := get("WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad("WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE %q is not a whole number", v)
		} else {
			c.UserPerMinute = n
		}
	}
	if v := get("REDIS_URL"); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			bad("REDIS_URL is not a redis://, rediss:// or unix:// URL")
		} else {
			c.RedisURL = v
		}
	}
	c.RedisKeySecret = get("REDIS_KEY_SECRET")

	// Slack.
	c.Slack.BotToken = get("SLACK_BOT_TOKEN")
	c.Slack.SigningSecret = get("SLACK_SIGNING_SECRET")
	c.Slack.AppToken = get("SLACK_APP_TOKEN")
	c.Slack.APIURL = urlVar(get("SLACK_API_URL"), defaultSlackAPIURL, "SLACK_API_URL", bad)
	c.Slack.TriageChannels = list(get("SLACK_TRIAGE_CHANNELS"))
	c.Slack.AllowedTeams = list(get("SLACK_ALLOWED_TEAMS"))
	if t := c.Slack.BotToken; t != "" && !strings.HasPrefix(t, "xoxb-") {
		bad("SLACK_BOT_TOKEN does not start with xoxb-")
	}
	if t := c.Slack.AppToken; t != "" && !strings.HasPrefix(t, "xapp-") {
		bad("SLACK_APP_TOKEN does not start with xapp-")
	}
	if c.Slack.AppToken != "" && c.Slack.BotToken == "" {
		bad("SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: Socket Mode needs both")
	}
	if c.Slack.AppToken == "" && (c.Slack.BotToken == "") != (c.Slack.SigningSecret == "") {
		bad("Slack over HTTP needs both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
	}

	// Teams: the Bot Framework's own spellings are accepted too.
	c.Teams.AppID = get("MICROSOFT_APP_ID", "MicrosoftAppId")
	c.Teams.AppPassword = get("MICROSOFT_APP_PASSWORD", "MicrosoftAppPassword")
	c.Teams.AppType = get("MICROSOFT_APP_TYPE", "MicrosoftAppType")
	c.Teams.AppTenantID = get("MICROSOFT_APP_TENANT_ID", "MicrosoftAppTenantId")
	c.Teams.OpenIDMetadataURL = urlVar(get("BOTFRAMEWORK_OPENID_METADATA_URL"), defaultOpenIDMetadataURL, "BOTFRAMEWORK_OPENID_METADATA_URL", bad)
	c.Teams.TokenURL = urlVar(get("BOTFRAMEWORK_TOKEN_URL"), defaultBotTokenURL, "BOTFRAMEWORK_TOKEN_URL", bad)
	c.Teams.TriageChannels = list(get("TEAMS_TRIAGE_CHANNELS"))
	c.Teams.AllowedTenants = list(get("TEAMS_ALLOWED_TENANTS"))
	switch strings.ToLower(c.Teams.AppType) {
	case "":
		c.Teams.AppType = "MultiTenant"
	case "multitenant":
		c.Teams.AppType = "MultiTenant"
	case "singletenant":
		c.Teams.AppType = "SingleTenant"
		if c.Teams.AppTenantID == "" {
			bad("MICROSOFT_APP_TYPE SingleTenant needs MICROSOFT_APP_TENANT_ID")
		}
	default:
		bad("MICROSOFT_APP_TYPE %q is not MultiTenant or SingleTenant", c.Teams.AppType)
	}
	if c.Teams.AppID != "" && c.Teams.AppPassword == "" {
		bad("MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is not")
	}
	if c.Teams.AppID == "" && c.Teams.AppPassword != "" {
		bad("MICROSOFT_APP_PASSWORD is set but MICROSOFT_APP_ID is not")
	}
	switch v := strings.ToLower(get("TEAMS_EMULATOR")); v {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		c.Teams.Emulator = true
		if c.Env == "production" {
			bad("TEAMS_EMULATOR=true (unauthenticated Teams activities) is refused with WHICHACCOUNT_ENV=production")
		}
		if c.Teams.AppID != "" {
			bad("TEAMS_EMULATOR=true is for running without MICROSOFT_APP_ID, and MICROSOFT_APP_ID is set: unset one of them")
		}
	default:
		bad("TEAMS_EMULATOR %q is not true or false", v)
	}

	// The web chat: on by default outside production, where it is meant to
	// sit behind the organisation's sign-in proxy and must be asked for.
	c.Web.Enabled = c.Env != "production"
	switch v := strings.ToLower(get("WEBCHAT_ENABLED")); v {
	case "":
	case "true", "1", "yes":
		c.Web.Enabled = true
	case "false", "0", "no":
		c.Web.Enabled = false
	default:
		bad("WEBCHAT_ENABLED %q is not true or false", v)
	}
	c.Web.FrameAncestors = list(get("WEBCHAT_FRAME_ANCESTORS"))
	if len(c.Web.FrameAncestors) == 1 && c.Web.FrameAncestors[0] == "'none'" {
		c.Web.FrameAncestors = nil
	}
	if _, err := web.FrameAncestors(c.Web.FrameAncestors); err != nil {
		bad("WEBCHAT_FRAME_ANCESTORS: %s", strings.TrimPrefix(err.Error(), "web: frame ancestors "))
	}
	for _, v := range list(get("WEBCHAT_TRUSTED_PROXIES")) {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				bad("WEBCHAT_TRUSTED_PROXIES %q is not an IP address or a CIDR range such as 10.0.0.0/8", v)
				continue
			}
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.Web.TrustedProxies = append(c.Web.TrustedProxies, p.Masked())
	}

	// Microsoft Graph: all three of the app registration's settings, or
	// none.
	graph := map[string]string{"GRAPH_TENANT_ID": get("GRAPH_TENANT_ID"), "GRAPH_CLIENT_ID": get("GRAPH_CLIENT_ID"), "GRAPH_CLIENT_SECRET": get("GRAPH_CLIENT_SECRET")}
	var missing []string
	for _, k := range []string{"GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET"} {
		if graph[k] == "" {
			missing = append(missing, k)
		}
	}
	apiURL := urlVar(get("GRAPH_API_URL"), directory.DefaultAPIURL, "GRAPH_API_URL", bad)
	tokenURL := urlVar(get("GRAPH_TOKEN_URL"), "https://login.microsoftonline.com/", "GRAPH_TOKEN_URL", bad)
	switch {
	case len(missing) == 3:
	case len(missing) > 0:
		bad("Microsoft Graph needs GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET together: %s %s missing", strings.Join(missing, " and "), map[bool]string{true: "is", false: "are"}[len(missing) == 1])
	case !isGUID(graph["GRAPH_TENANT_ID"]):
		bad("GRAPH_TENANT_ID %q is not a tenant ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)", graph["GRAPH_TENANT_ID"])
	default:
		c.Directory = directory.Config{
			TenantID:     strings.ToLower(graph["GRAPH_TENANT_ID"]),
			ClientID:     graph["GRAPH_CLIENT_ID"],
			ClientSecret: graph["GRAPH_CLIENT_SECRET"],
			APIURL:       apiURL,
			TokenURL:     directory.DefaultTokenURL(strings.ToLower(graph["GRAPH_TENANT_ID"])),
		}
		if get("GRAPH_TOKEN_URL") != "" {
			c.Directory.TokenURL = tokenURL
		}
	}
	c.orgAndHandoff(get, bad)
	return c, errors.Join(errs...)
}

// orgAndHandoff reads the organisation's facts, its knowledge, where the
// journal is kept and where hand-offs go.
func (c *config) orgAndHandoff(get func(...string) string, bad func(string, ...any)) {
	c.Org.Name = get("WHICHACCOUNT_ORG_NAME")
	if strings.ContainsAny(c.Org.Name, "\r\n{}") || len(c.Org.Name) > 100 {
		bad("WHICHACCOUNT_ORG_NAME is not a name of one line (at most 100 characters, no braces)")
	}
	for _, d := range list(strings.ToLower(get("WHICHACCOUNT_ORG_DOMAINS"))) {
		d = strings.TrimPrefix(d, "@")
		if !isDomain(d) {
			bad("WHICHACCOUNT_ORG_DOMAINS: %q is not a mail domain such as contoso.com", d)
			continue
		}
		c.Org.Domains = append(c.Org.Domains, d)
	}
	c.Org.Helpdesk = get("WHICHACCOUNT_HELPDESK")
	if strings.ContainsAny(c.Org.Helpdesk, "\r\n{}<>") || len(c.Org.Helpdesk) > 200 {
		bad("WHICHACCOUNT_HELPDESK is not one line of at most 200 characters without braces or angle brackets (a URL, an address or a channel name)")
	}
	if v := get("WHICHACCOUNT_SSPR_URL"); v != "" {
		c.Org.SSPRURL = urlVar(v, "", "WHICHACCOUNT_SSPR_URL", bad)
	}
	c.Lang = helpdesk.BaseLang
	if v := strings.ToLower(get("WHICHACCOUNT_LANG")); v != "" {
		if !slices.Contains(helpdesk.Languages, v) {
			bad("WHICHACCOUNT_LANG %q is not one of %s", v, strings.Join(helpdesk.Languages, ", "))
		} else {
			c.Lang = v
		}
	}
	if dir := get("WHICHACCOUNT_KNOWLEDGE_DIR"); dir != "" {
		c.KnowledgeDir = dir
		if err := c.loadKnowledge(dir); err != nil {
			bad("WHICHACCOUNT_KNOWLEDGE_DIR: %s", err)
		}
	}
	c.DataDir = get("WHICHACCOUNT_DATA_DIR")
	if c.DataDir == "" {
		c.DataDir = defaultDataDir
	}
	if st, err := os.Stat(c.DataDir); err == nil && !st.IsDir() {
		bad("WHICHACCOUNT_DATA_DIR %q is a file, not a directory", c.DataDir)
	}

	if v := get("WHICHACCOUNT_HANDOFF_WEBHOOK"); v != "" {
		c.Handoff.Webhook = urlVar(v, "", "WHICHACCOUNT_HANDOFF_WEBHOOK", bad)
		if u, err := url.Parse(c.Handoff.Webhook); err == nil && c.Env == "production" && u.Scheme != "https" && !loopbackHost(u.Hostname()) {
			bad("WHICHACCOUNT_HANDOFF_WEBHOOK must be https:// in production (hand-offs carry people's questions and addresses)")
		}
	}
	if v := get("SLACK_HANDOFF_CHANNEL"); v != "" {
		switch {
		case !slackChannelID.MatchString(v):
			bad("SLACK_HANDOFF_CHANNEL %q is not a Slack channel ID (such as C0123ABCD: in Slack, the channel's details show it)", v)
		case c.Slack.BotToken == "":
			bad("SLACK_HANDOFF_CHANNEL is set but Slack is not configured (SLACK_BOT_TOKEN)")
		default:
			c.Handoff.SlackChannel = v
		}
	}
	if v := get("TEAMS_HANDOFF_CHANNEL"); v != "" {
		switch {
		case !strings.HasPrefix(v, "19:") || !strings.Contains(v, "@thread.") || strings.ContainsAny(v, " ;/?#"):
			bad("TEAMS_HANDOFF_CHANNEL %q is not a Teams channel ID (19:…@thread.tacv2: in Teams, the channel's \"Get link to channel\" holds it)", v)
		case c.Teams.AppID == "" && !c.Teams.Emulator:
			bad("TEAMS_HANDOFF_CHANNEL is set but Teams is not configured (MICROSOFT_APP_ID)")
		default:
			c.Handoff.TeamsChannel = v
		}
	}
	if v := get("TEAMS_SERVICE_URL"); v != "" {
		c.Handoff.TeamsServiceURL = urlVar(v, "", "TEAMS_SERVICE_URL", bad)
	}
}

// slackChannelID is a Slack channel's ID: public (C), private (G) or a
// DM (D).
var slackChannelID = regexp.MustCompile(`^[CGD][A-Z0-9]{6,30}$`)

// loadKnowledge loads the built-in catalogue with the topics of dir.
func (c *config) loadKnowledge(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%q: %w", dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%q is not a directory", dir)
	}
	cat, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		return err
	}
	before := map[string]*helpdesk.Topic{}
	for id, t := range cat.Topics {
		before[id] = t
	}
	if err := cat.LoadDir(dir); err != nil {
		return fmt.Errorf("%q has problems:\n%s", dir, err)
	}
	for id, t := range cat.Topics {
		switch old, ok := before[id]; {
		case !ok:
			c.Knowledge.Added++
		case old != t:
			c.Knowledge.Replaced++
		}
	}
	c.Knowledge.Topics = len(cat.Topics)
	c.Catalogue = cat
	return nil
}

// isDomain reports whether s looks like a mail domain: labels of letters,
// digits and hyphens, at least two of them.
func isDomain(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r > 127) {
				return false
			}
		}
	}
	return true
}

// loopbackHost reports whether host is this machine.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isGUID reports whether s is a GUID (8-4-4-4-12 hexadecimal digits).
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", r):
			return false
		}
	}
	return true
}

// urlVar checks an http(s) URL variable, returning def when it is unset.
func urlVar(v, def, name string, bad func(string, ...any)) string {
	if v == "" {
		return def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("%s %q is not an http(s) URL", name, v)
		return def
	}
	return v
}

// list splits a comma- or space-separated list.
func list(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
}
