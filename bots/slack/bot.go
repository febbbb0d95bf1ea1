// Package slack is the Slack adapter: it verifies Slack's requests, turns
// slash commands, @mentions, direct messages, triage-channel messages and
// button clicks into helpdesk messages, and renders the replies as Block Kit.
// It serves HTTP (POST /slack/events, as Bolt does) and Socket Mode with the
// same behaviour.
//
// slack-go supplies the Web API client, the event types and Socket Mode; the
// adapter adds what it leaves out: signature checks with a settable clock,
// fast acknowledgements with the work done afterwards, response_url
// budgets (and only Slack's response_urls, without redirects),
// deduplication of retries, double deliveries and replayed commands and
// clicks, filtering of bot and edited messages, retries of what cannot have
// been delivered, per-channel pacing, Block Kit limits, ids capped at
// MaxIDLen, and the bot's identity learned in the background.
//
// SendHandoff posts the summary of a hand-off to a person in the helpdesk's
// channel (Config.HandoffChannel), with a link to the conversation; the
// asker's name comes from the same users.info call as their locale.
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/recent"
	"golang.org/x/sync/singleflight"
)

// Responder answers helpdesk messages; *helpdesk.Handler satisfies it.
type Responder interface {
	Respond(ctx context.Context, m helpdesk.Message) (helpdesk.Reply, error)
}

// Config configures a Bot. Zero values take the defaults noted.
type Config struct {
	// BotToken (xoxb-…) authorises Web API calls.
	BotToken string
	// SigningSecret verifies HTTP requests. Required unless AppToken is set.
	SigningSecret string
	// AppToken (xapp-…) enables Socket Mode (see Bot.RunSocketMode).
	AppToken string
	// APIURL is the Web API base (https://slack.com/api/).
	APIURL string
	// Command is the slash command's name (/whichaccount).
	Command string
	// TriageChannels are channel IDs whose new top-level requests get a
	// threaded answer and a label reaction.
	TriageChannels []string
	// AllowedTeams limits the bot to these workspace IDs; empty allows all.
	AllowedTeams []string
	// Deduper remembers events already handled (in memory).
	Deduper Deduper
	// AckWait is how long, at most, a slash command waits for an answer
	// to put in its acknowledgement (1s): over HTTP, how long it waits for
	// Slack's users.info; over Socket Mode, for the whole answer. An
	// answer that has to wait for Microsoft or the directory is not waited
	// for: the acknowledgement goes at once and the answer follows through
	// response_url.
	AckWait time.Duration
	// ChannelInterval paces posts to one channel (1s); Attempts and
	// Backoff govern retries of Web API calls (5, 500ms).
	ChannelInterval time.Duration
	Attempts        int
	Backoff         time.Duration
	// OnRetry, when set, is told of every retried Web API call.
	OnRetry func(op string)
	// WorkTimeout bounds the work after an acknowledgement (60s).
	WorkTimeout time.Duration
	// HandoffChannel is the channel ID where SendHandoff posts the
	// summaries of hand-offs to a person; HandoffLang the language they
	// are written in (en).
	HandoffChannel, HandoffLang string
	// HTTPClient makes outbound calls (its own, with timeouts).
	HTTPClient *http.Client
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Bot is the Slack adapter. It is an http.Handler for POST /slack/events.
type Bot struct {
	cfg       Config
	responder Responder
	log       *slog.Logger
	api       *slackapi.Client
	send      *sender
	dedupe    Deduper
	triage    map[string]bool
	allowed   map[string]bool
	now       func() time.Time

	ident      atomic.Pointer[identity] // nil until auth.test answered
	people     *recent.Map[person]      // team:user → locale and name (users.info)
	localeCall singleflight.Group       // one users.info per user at a time
	stop       context.Context          // ends at Shutdown: background work stops
	stopCancel context.CancelFunc

	wg   sync.WaitGroup
	jobs chan func()
}

// workers is the number of long-lived goroutines that do the work after an
// acknowledgement. Their stacks stay grown between jobs, which a fresh
// goroutine per request would pay for each time; when all are busy (waiting
// on Microsoft, say) a job gets a goroutine of its own.
const workers = 64

// Dedupe windows. A signed request can be replayed for as long as its
// timestamp is fresh (5 minutes either way), so commands and clicks are
// remembered for longer than that.
const (
	eventTTL  = time.Hour // an event id, and a message's channel and ts
	replayTTL = 15 * time.Minute
	maxBody   = 1 << 20
)

// Limits of what a request may carry. Every id becomes a key in memory or
// Redis (dedupe, conversation memory, per-user limits, response_url
// budgets), so none may be longer; Slack's own are a few dozen bytes. A
// request with a longer one is refused (400 over HTTP, dropped over
// Socket Mode).
const (
	MaxIDLen          = 256
	maxResponseURLLen = 1024
)

var errIDTooLong = errors.New("slack: an id is longer than 256 bytes")

// idsFit reports whether every id is at most MaxIDLen bytes.
func idsFit(ids ...string) bool {
	for _, id := range ids {
		if len(id) > MaxIDLen {
			return false
		}
	}
	return true
}

func commandFits(c slackapi.SlashCommand) bool {
	return idsFit(c.TeamID, c.EnterpriseID, c.ChannelID, c.UserID, c.TriggerID, c.APIAppID) && len(c.ResponseURL) <= maxResponseURLLen
}

func interactionFits(cb slackapi.InteractionCallback) bool {
	ok := idsFit(cb.Team.ID, cb.User.ID, cb.Channel.ID, cb.Container.ChannelID, cb.Message.Timestamp, cb.Message.ThreadTimestamp,
		cb.TriggerID, cb.ActionTs) && len(cb.ResponseURL) <= maxResponseURLLen
	for _, a := range cb.ActionCallback.BlockActions {
		ok = ok && idsFit(a.ActionTs, a.ActionID, a.BlockID)
	}
	return ok
}

// New returns a Bot answering through responder.
func New(cfg Config, responder Responder, log *slog.Logger) (*Bot, error) {
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		return nil, errors.New("slack: a signing secret (HTTP) or an app token (Socket Mode) is required")
	}
	if cfg.BotToken == "" {
		return nil, errors.New("slack: a bot token is required")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = "https://slack.com/api/"
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		cfg.APIURL += "/"
	}
	if cfg.Command == "" {
		cfg.Command = "/whichaccount"
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = time.Second
	}
	if cfg.ChannelInterval <= 0 {
		cfg.ChannelInterval = time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.WorkTimeout <= 0 {
		cfg.WorkTimeout = time.Minute
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Deduper == nil {
		cfg.Deduper = NewMemoryDeduper(0)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "slack")
	opts := []slackapi.Option{slackapi.OptionAPIURL(cfg.APIURL), slackapi.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.AppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	api := slackapi.New(cfg.BotToken, opts...)
	b := &Bot{
		cfg: cfg, responder: responder, log: log, api: api, dedupe: cfg.Deduper, now: cfg.Now,
		triage: set(cfg.TriageChannels), allowed: set(cfg.AllowedTeams),
		send:   newSender(api, cfg.HTTPClient, cfg.APIURL, log, cfg.ChannelInterval, cfg.Attempts, cfg.Backoff, cfg.Now, cfg.OnRetry),
		people: recent.New[person](localeUsers, localeBytes, func(p person) int { return len(p.locale) + len(p.name) }),
	}
	b.stop, b.stopCancel = context.WithCancel(context.Background())
	go b.resolveIdentity(b.stop)
	b.jobs = make(chan func())
	for range workers {
		go func() {
			for job := range b.jobs {
				job()
			}
		}()
	}
	return b, nil
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

// Shutdown waits for the work started by earlier requests, until ctx ends,
// and stops the bot's background work.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.stopCancel()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("slack: shutdown: %w", ctx.Err())
	}
}

// spawn runs f after the request that started it has been answered; Shutdown
// waits for it.
func (b *Bot) spawn(parent context.Context, f func(ctx context.Context)) {
	b.wg.Add(1)
	job := func() {
		defer b.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), b.cfg.WorkTimeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("slack work panicked", "panic", fmt.Sprint(p))
			}
		}()
		f(ctx)
	}
	select {
	case b.jobs <- job:
	default:
		go job()
	}
}

func (b *Bot) teamAllowed(team string) bool {
	return len(b.allowed) == 0 || b.allowed[team]
}

// ServeHTTP handles every Slack request: slash commands, Events API and
// interactivity. Nothing is parsed before the signature is verified.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return
	}
	if b.cfg.SigningSecret == "" {
		http.Error(w, "unauthorized", http.StatusUnauthorized) // Socket Mode only: HTTP is off
		return
	}
	if err := verify(r.Header, body, b.cfg.SigningSecret, b.now()); err != nil {
		b.log.Warn("rejected unsigned or badly signed request", "reason", err.Error())
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		b.serveEvent(w, r, body)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	switch {
	case form.Get("ssl_check") == "1":
		w.WriteHeader(http.StatusOK)
	case form.Has("payload"):
		var cb slackapi.InteractionCallback
		if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
			http.Error(w, "malformed payload", http.StatusBadRequest)
			return
		}
		if !interactionFits(cb) {
			http.Error(w, "id too long", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
		b.interaction(r.Context(), cb)
	case form.Has("command"):
		c := commandFromForm(form)
		if !commandFits(c) {
			http.Error(w, "id too long", http.StatusBadRequest)
			return
		}
		ack, acked := b.commandNow(r.Context(), c, func() {
			// The answer will come through response_url. The acknowledgement
			// goes now, complete (Content-Length 0), on a connection that
			// closes when the answer is sent, so that Slack sends nothing
			// else on it meanwhile.
			h := w.Header()
			h.Set("Content-Length", "0")
			h.Set("Connection", "close")
			w.WriteHeader(http.StatusOK)
			if err := http.NewResponseController(w).Flush(); err != nil {
				// Sent only when the answer is: Slack may give up first.
				b.log.Error("could not send the early acknowledgement", "error", err.Error())
			}
		})
		if !acked {
			writeAck(w, ack)
		}
	default:
		http.Error(w, "unknown request", http.StatusBadRequest)
	}
}

func commandFromForm(f url.Values) slackapi.SlashCommand {
	return slackapi.SlashCommand{
		TeamID: f.Get("team_id"), TeamDomain: f.Get("team_domain"), EnterpriseID: f.Get("enterprise_id"),
		ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"), UserID: f.Get("user_id"),
		UserName: f.Get("user_name"), Command: f.Get("command"), Text: f.Get("text"),
		ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"), APIAppID: f.Get("api_app_id"),
	}
}

// ackMessage is a slash command's immediate answer.
type ackMessage struct {
	ResponseType string  `json:"response_type,omitempty"`
	Text         string  `json:"text"`
	Blocks       []block `json:"blocks,omitempty"`
}

// envelope is the outer shape of an Events API request.
type envelope struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	TeamID    string          `json:"team_id"`
	EventID   string          `json:"event_id"`
	Event     json.RawMessage `json:"event"`
}

func (b *Bot) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	switch env.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"challenge": env.Challenge})
		return
	case "event_callback":
		if err := b.event(r.Context(), env); errors.Is(err, errIDTooLong) {
			http.Error(w, "id too long", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusOK) // app_rate_limited and future types: nothing to do
	}
}

// event handles one event_callback, once per event ID and once per
// message (a mention also arrives as a channel message). It fails only with
// errIDTooLong. Events that will not be answered touch no shared state;
// the others are deduplicated by both keys in one round trip.
func (b *Bot) event(ctx context.Context, env envelope) error {
	if !idsFit(env.EventID, env.TeamID) {
		return errIDTooLong
	}
	if env.EventID == "" {
		return nil
	}
	inner, err := slackevents.ParseEvent(json.RawMessage(`{"type":"event_callback","team_id":`+jsonString(env.TeamID)+`,"event":`+string(env.Event)+`}`), slackevents.OptionNoVerifyToken())
	if err != nil {
		b.log.Debug("ignored undecodable event", "error", safeErr(err))
		return nil
	}
	var m incoming
	switch ev := inner.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if !idsFit(ev.Channel, ev.User, ev.TimeStamp, ev.ThreadTimeStamp) {
			return errIDTooLong
		}
		if ev.BotID != "" {
			return nil
		}
		m = incoming{channel: ev.Channel, user: ev.User, ts: ev.TimeStamp, thread: ev.ThreadTimeStamp, text: ev.Text}
		if m.thread == "" {
			m.thread = ev.TimeStamp
		}
	case *slackevents.MessageEvent:
		if !idsFit(ev.Channel, ev.User, ev.TimeStamp, ev.ThreadTimeStamp) {
			return errIDTooLong
		}
		var ok bool
		if m, ok = b.message(ev); !ok {
			return nil
		}
	default:
		return nil
	}
	if b.seenAny(ctx, eventTTL, "slack:event:"+env.EventID, "slack:msg:"+m.channel+":"+m.ts) {
		return nil
	}
	b.answerMessage(ctx, env.TeamID, m)
	return nil
}

// incoming is a message the bot answers: in its thread (or DM), and for a
// triage channel only when it is an account question.
type incoming struct {
	channel, user, ts, thread, text string
	triage                          bool
}

// message decides whether a message event is for the bot.
func (b *Bot) message(ev *slackevents.MessageEvent) (incoming, bool) {
	if ev.SubType != "" || ev.BotID != "" || ev.User == "" {
		return incoming{}, false // edits, deletions, joins, bot posts
	}
	self := b.botUserID()
	if self != "" && ev.User == self {
		return incoming{}, false
	}
	m := incoming{channel: ev.Channel, user: ev.User, ts: ev.TimeStamp, thread: ev.ThreadTimeStamp, text: ev.Text}
	switch {
	case ev.ChannelType == "im":
		return m, true
	case b.triage[ev.Channel] && ev.ThreadTimeStamp == "":
		m.thread, m.triage = ev.TimeStamp, true
		return m, true
	case self != "" && strings.Contains(ev.Text, "<@"+self+">"):
		// A mention also delivered as a channel message: one answer, thanks
		// to the channel+ts dedupe.
		if m.thread == "" {
			m.thread = ev.TimeStamp
		}
		return m, true
	}
	return incoming{}, false
}

// seenAny records every key and reports whether any was seen before, in
// one round trip when the Deduper can (Redis's can).
func (b *Bot) seenAny(ctx context.Context, ttl time.Duration, keys ...string) bool {
	if md, ok := b.dedupe.(interface {
		SeenAny(context.Context, time.Duration, ...string) bool
	}); ok {
		return md.SeenAny(ctx, ttl, keys...)
	}
	seen := false
	for _, k := range keys {
		if b.dedupe.Seen(ctx, k, ttl) {
			seen = true
		}
	}
	return seen
}

// identity is who the bot is in its workspace, from auth.test: its user
// and bot IDs, and the workspace's URL (https://contoso.slack.com/).
type identity struct{ userID, botID, url string }

// botUserID is the bot's own user ID, or "" while it is not known yet (its
// own posts are still recognised by their bot_id then).
func (b *Bot) botUserID() string {
	if id := b.ident.Load(); id != nil {
		return id.userID
	}
	return ""
}

// The people cache: users whose Slack locale and name are kept, and for
// how long.
const (
	localeUsers = 50000
	localeBytes = 8 << 20
	localeTTL   = 12 * time.Hour
	localeRetry = 10 * time.Minute // after users.info failed
)

// person is what users.info says of a user: their Slack locale (fr-FR…)
// and their name (real name, else display name, else handle).
type person struct{ locale, name string }

// maxNameLen bounds a kept name.
const maxNameLen = 200

// person returns what Slack says of a user, from users.info with
// include_locale, kept per user; empty fields when Slack would not say. It
// runs on the answering path, never on an acknowledgement's.
func (b *Bot) person(ctx context.Context, team, user string) person {
	if user == "" {
		return person{}
	}
	key := team + ":" + user
	if p, ok := b.people.Get(key); ok {
		return p
	}
	p, _, _ := b.localeCall.Do(key, func() (any, error) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		u, err := b.api.GetUserInfoContext(ctx, user)
		if err != nil {
			b.log.Debug("users.info failed; answering without the user's locale and name", "error", safeErr(err))
			b.people.Put(key, person{}, localeRetry)
			return person{}, nil
		}
		p := person{locale: u.Locale, name: firstNonEmpty(u.RealName, u.Profile.RealName, u.Profile.DisplayName, u.Name)}
		if len(p.name) > maxNameLen {
			p.name = clip(p.name, maxNameLen)
		}
		b.people.Put(key, p, localeTTL)
		return p, nil
	})
	return p.(person)
}

// helpdeskMessage is a helpdesk message from a Slack user, with what Slack
// says of them.
func (b *Bot) helpdeskMessage(ctx context.Context, team, user, conv string) helpdesk.Message {
	p := b.person(ctx, team, user)
	return helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: conv, User: team + ":" + user, UserName: p.name, Locale: p.locale}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x = strings.TrimSpace(x); x != "" {
			return x
		}
	}
	return ""
}

// resolveIdentity asks auth.test who the bot is, from the start and in the
// background, never on a request's path: a failure is retried with backoff
// (from Config.Backoff up to a minute) until it answers or ctx ends.
func (b *Bot) resolveIdentity(ctx context.Context) {
	delay := b.cfg.Backoff
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := b.api.AuthTestContext(actx)
		cancel()
		if err == nil {
			b.ident.Store(&identity{userID: res.UserID, botID: res.BotID, url: res.URL})
			return
		}
		if ctx.Err() != nil {
			return
		}
		if attempt == 1 || attempt%10 == 0 {
			b.log.Warn("auth.test failed; retrying in the background (own messages are still skipped by bot_id)", "attempt", attempt, "error", safeErr(err))
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, time.Minute)
	}
}

// answerMessage answers a message, already deduplicated, in its thread (or DM).
// A triage message gets an answer only if it is an account question, and a
// reaction that labels it.
func (b *Bot) answerMessage(ctx context.Context, team string, m incoming) {
	channel, user, ts, thread, text, triage := m.channel, m.user, m.ts, m.thread, m.text, m.triage
	b.spawn(ctx, func(ctx context.Context) {
		if !b.teamAllowed(team) {
			if !triage {
				b.postText(ctx, channel, thread, helpdesk.Phrase("", "slack.not_allowed"))
			}
			return
		}
		conv := team + ":" + channel
		if thread != "" {
			conv += ":" + thread
		}
		m := b.helpdeskMessage(ctx, team, user, conv)
		m.Text = text
		reply, err := b.responder.Respond(ctx, m)
		if err != nil {
			b.log.Error("answer failed", "error", safeErr(err))
			if !triage {
				b.postText(ctx, channel, thread, helpdesk.Phrase("", "slack.error"))
			}
			return
		}
		if triage && !reply.AccountQuestion() {
			return
		}
		blocks, fallback := render(reply, renderOptions{})
		if _, err := b.send.postMessage(ctx, channel, thread, toSlack(blocks), fallback); err != nil {
			b.log.Error("posting the answer failed", "error", safeErr(err))
			return
		}
		if triage {
			if err := b.send.addReaction(ctx, channel, ts, reactionFor(reply)); err != nil {
				b.log.Warn("labelling reaction failed", "error", safeErr(err))
			}
		}
	})
}

func (b *Bot) postText(ctx context.Context, channel, thread, text string) {
	if _, err := b.send.postMessage(ctx, channel, thread, nil, text); err != nil {
		b.log.Error("posting failed", "error", safeErr(err))
	}
}

// The reactions that label triage requests (emoji names, without colons).
const (
	reactPersonal = "bust_in_silhouette"  // 👤 a personal account
	reactWork     = "office"              // 🏢 a work or school account
	reactBoth     = "busts_in_silhouette" // 👥 both: the account picker
	reactNone     = "o"                   // ⭕ no account found
	reactUnknown  = "grey_question"       // ❔ couldn't confirm
	reactTopic    = "information_source"  // ℹ️ an account question without an address
)

// reactionFor labels a triage answer by the most pressing kind among its
// verdicts.
func reactionFor(r helpdesk.Reply) string {
	switch r.Pressing() {
	case "":
		return reactTopic
	case msaccount.KindBoth:
		return reactBoth
	case msaccount.KindWork:
		return reactWork
	case msaccount.KindPersonal:
		return reactPersonal
	case msaccount.KindNone:
		return reactNone
	}
	return reactUnknown
}

// commandMessage reads a slash command's question (commandQuestion) into
// the helpdesk's message. It returns false, with the acknowledgement to
// give, when there is nothing to ask the helpdesk: a replayed command or a
// workspace not allowed.
func (b *Bot) commandMessage(ctx context.Context, c slackapi.SlashCommand, text string) (helpdesk.Message, bool, *ackMessage) {
	if c.TriggerID != "" && b.dedupe.Seen(ctx, "slack:cmd:"+c.TeamID+":"+c.TriggerID, replayTTL) {
		return helpdesk.Message{}, false, nil // the same command again (a replayed request): answered once already
	}
	if !b.teamAllowed(c.TeamID) {
		return helpdesk.Message{}, false, &ackMessage{ResponseType: "ephemeral", Text: helpdesk.Phrase("", "slack.not_allowed")}
	}
	m := helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: c.TeamID + ":" + c.ChannelID + ":" + c.UserID, User: c.TeamID + ":" + c.UserID, Text: text}
	if m.Text == "" {
		m.Action = helpdesk.WelcomeAction // an empty command asks what the assistant does
	}
	return m, true, nil
}

// commandQuestion is the question of a slash command, without a leading
// "share", and whether it had one (the answer goes to the channel).
func commandQuestion(c slackapi.SlashCommand) (text string, share bool) {
	text = strings.TrimSpace(c.Text)
	if rest, ok := cutWord(text, "share"); ok {
		return rest, true
	}
	return text, false
}

// answerCommand asks the helpdesk, with the asker's locale and name.
func (b *Bot) answerCommand(ctx context.Context, c slackapi.SlashCommand, m helpdesk.Message) result {
	p := b.person(ctx, c.TeamID, c.UserID)
	m.Locale, m.UserName = p.locale, p.name
	reply, err := b.responder.Respond(ctx, m)
	return result{reply: reply, err: err}
}

// resultAck is the acknowledgement that carries a command's answer.
func (b *Bot) resultAck(res result, question string, share bool) *ackMessage {
	if res.err != nil {
		b.log.Error("answer failed", "error", safeErr(res.err))
		return &ackMessage{ResponseType: "ephemeral", Text: helpdesk.Phrase("", "slack.error")}
	}
	return commandAck(res.reply, question, share)
}

// commandNow answers a slash command that came over HTTP in the request's
// own goroutine, with no hand-over to a worker: an answer that needs no
// wait (an offline or cached verdict, a question about accounts) goes in
// the acknowledgement it returns. When the answer must wait, for
// Microsoft, the directory or, past AckWait, Slack's users.info, ackNow is
// called at once to acknowledge the command empty; the answer then goes
// through response_url when it is ready, and commandNow reports that the
// command is acknowledged already.
func (b *Bot) commandNow(ctx context.Context, c slackapi.SlashCommand, ackNow func()) (ack *ackMessage, acknowledged bool) {
	text, share := commandQuestion(c)
	m, ok, ack := b.commandMessage(ctx, c, text)
	if !ok {
		return ack, false
	}
	b.wg.Add(1) // Shutdown waits for a late answer, as for spawned work
	defer b.wg.Done()
	// Not cancelled when Slack, acknowledged, hangs up: the lookups have
	// budgets of their own, and a late answer gets WorkTimeout to be sent.
	ctx = context.WithoutCancel(ctx)
	e := &early{ackNow: ackNow}
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("slack work panicked", "panic", fmt.Sprint(p))
			ack, acknowledged = nil, e.acked.Load()
			if !acknowledged {
				ack = &ackMessage{ResponseType: "ephemeral", Text: helpdesk.Phrase("", "slack.error")}
			}
		}
	}()
	ctx = msaccount.WithWaitNotice(ctx, e.notice) // lookups may call it from their own goroutines
	b.personWithin(ctx, c.TeamID, c.UserID, b.cfg.AckWait, e.notice)
	res := b.answerCommand(ctx, c, m)
	if !e.acked.Load() {
		return b.resultAck(res, text, share), false
	}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.WorkTimeout)
	defer cancel()
	b.deliverCommand(ctx, c, text, share, res)
	return nil, true
}

// early acknowledges a command once, when its answer has to wait.
type early struct {
	once   sync.Once
	acked  atomic.Bool
	ackNow func()
}

func (e *early) notice() { e.once.Do(func() { e.ackNow(); e.acked.Store(true) }) }

// personWithin makes sure the asker's locale and name are known, waiting at
// most wait for users.info before calling notice; it keeps waiting after
// that, so that the answer, late, is in the asker's language.
func (b *Bot) personWithin(ctx context.Context, team, user string, wait time.Duration, notice func()) {
	if user == "" {
		return
	}
	if _, ok := b.people.Get(team + ":" + user); ok {
		return
	}
	done := make(chan struct{})
	go func() { b.person(ctx, team, user); close(done) }()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-done:
		return
	case <-timer.C:
		notice()
		<-done
	}
}

// command answers a slash command that came over Socket Mode, whose events
// are read one at a time: the answer is worked out by a worker, waited for
// at most AckWait, and sent through response_url when it comes later.
func (b *Bot) command(ctx context.Context, c slackapi.SlashCommand) *ackMessage {
	text, share := commandQuestion(c)
	m, ok, ack := b.commandMessage(ctx, c, text)
	if !ok {
		return ack
	}
	h := &handoff{ready: make(chan struct{}), waits: make(chan struct{})}
	b.spawn(ctx, func(ctx context.Context) {
		ctx = msaccount.WithWaitNotice(ctx, h.waiting)
		res := b.answerCommand(ctx, c, m)
		h.mu.Lock()
		if !h.deferred {
			h.res = &res
			close(h.ready)
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		b.deliverCommand(ctx, c, text, share, res)
	})
	timer := time.NewTimer(b.cfg.AckWait)
	defer timer.Stop()
	select {
	case <-h.ready:
	case <-h.waits: // the answer waits for Microsoft: acknowledge now
	case <-timer.C:
	}
	h.mu.Lock()
	res := h.res
	h.deferred = res == nil
	h.mu.Unlock()
	if res == nil {
		return nil
	}
	return b.resultAck(*res, text, share)
}

type result struct {
	reply helpdesk.Reply
	err   error
}

// handoff passes an answer from the worker to the acknowledgement, or tells
// the worker to deliver it itself.
type handoff struct {
	mu       sync.Mutex
	res      *result
	deferred bool
	ready    chan struct{}
	waits    chan struct{} // closed when the answer waits for a lookup
	once     sync.Once
}

// waiting is the answer's wait notice: it has to wait for Microsoft.
func (h *handoff) waiting() { h.once.Do(func() { close(h.waits) }) }

func commandAck(r helpdesk.Reply, question string, share bool) *ackMessage {
	o := renderOptions{ShareText: question}
	typ := "ephemeral"
	if share {
		o, typ = renderOptions{}, "in_channel"
	}
	blocks, text := render(r, o)
	return &ackMessage{ResponseType: typ, Text: text, Blocks: blocks}
}

// deliverCommand sends a slash command's late answer through its
// response_url, or, when that is spent, through the Web API.
func (b *Bot) deliverCommand(ctx context.Context, c slackapi.SlashCommand, question string, share bool, res result) {
	if res.err != nil {
		b.log.Error("answer failed", "error", safeErr(res.err))
		res.reply = helpdesk.Reply{Text: helpdesk.Phrase("", "slack.error")}
	}
	ack := commandAck(res.reply, question, share)
	b.respondOrPost(ctx, c.ResponseURL, c.ChannelID, c.UserID, "", ack)
}

// respondOrPost uses a response_url while its budget lasts, then the Web API.
func (b *Bot) respondOrPost(ctx context.Context, responseURL, channel, user, thread string, ack *ackMessage) {
	blocks := toSlack(ack.Blocks)
	msg := &slackapi.WebhookMessage{ResponseType: ack.ResponseType, Text: ack.Text, Blocks: &slackapi.Blocks{BlockSet: blocks}}
	err := b.send.respond(ctx, responseURL, msg)
	if err == nil {
		return
	}
	if mayHaveDelivered(err) {
		// Slack may have taken it (a timeout after the request went out):
		// sending it again by another way could show it twice.
		b.log.Warn("response_url did not answer; the answer is not sent again", "error", safeErr(err))
		return
	}
	switch {
	case errors.Is(err, errURLNotAllowed):
		b.log.Warn("response_url is not on a Slack host; answering through the Web API", "host", redactedHost(responseURL))
	case !errors.Is(err, errURLSpent):
		b.log.Warn("response_url failed; falling back to the Web API", "error", safeErr(err))
	}
	if ack.ResponseType == "in_channel" {
		_, err = b.send.postMessage(ctx, channel, thread, blocks, ack.Text)
	} else {
		err = b.send.postEphemeral(ctx, channel, user, thread, blocks, ack.Text)
	}
	if err != nil {
		b.log.Error("delivering the answer failed", "error", safeErr(err))
	}
}

// cutWord reports whether s starts with word followed by a space or the end,
// and returns the rest.
func cutWord(s, word string) (string, bool) {
	if len(s) < len(word) || !strings.EqualFold(s[:len(word)], word) {
		return s, false
	}
	rest := s[len(word):]
	if rest != "" && rest[0] != ' ' {
		return s, false
	}
	return strings.TrimSpace(rest), true
}

// interaction handles a button click.
func (b *Bot) interaction(ctx context.Context, cb slackapi.InteractionCallback) {
	if cb.Type != slackapi.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	share := act.ActionID == actionShare
	if !share && !strings.HasPrefix(act.ActionID, actionSuggest) && !strings.HasPrefix(act.ActionID, actionFeedback) {
		return
	}
	team := cb.Team.ID
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	user := cb.User.ID
	ephemeral := cb.Container.IsEphemeral
	thread := cb.Message.ThreadTimestamp
	text := strings.TrimSpace(act.Value)
	if text == "" {
		return
	}
	// One click, one answer: a replay of the same signed request carries
	// the same action_ts.
	ts := act.ActionTs
	if ts == "" {
		ts = cb.ActionTs
	}
	if ts != "" && b.dedupe.Seen(ctx, "slack:action:"+team+":"+user+":"+ts, replayTTL) {
		return
	}
	b.spawn(ctx, func(ctx context.Context) {
		if !b.teamAllowed(team) {
			return
		}
		conv := team + ":" + channel + ":" + user // slash-command conversations
		if !ephemeral {
			conv = team + ":" + channel
			if thread != "" {
				conv += ":" + thread
			}
		}
		m := b.helpdeskMessage(ctx, team, user, conv)
		m.Action = text
		if share {
			m.Text, m.Action = text, "" // the share button carries the question
		}
		reply, err := b.responder.Respond(ctx, m)
		if err != nil {
			b.log.Error("answer failed", "error", safeErr(err))
			reply = helpdesk.Reply{Text: helpdesk.Phrase("", "slack.error")}
		}
		switch {
		case share:
			b.respondOrPost(ctx, cb.ResponseURL, channel, user, "", commandAck(reply, text, true))
		case ephemeral:
			b.respondOrPost(ctx, cb.ResponseURL, channel, user, "", commandAck(reply, text, false))
		default:
			blocks, fallback := render(reply, renderOptions{})
			if _, err := b.send.postMessage(ctx, channel, thread, toSlack(blocks), fallback); err != nil {
				b.log.Error("posting the answer failed", "error", safeErr(err))
			}
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
