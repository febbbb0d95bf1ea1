package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Defaults of Config.
const (
	DefaultOpenIDMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	DefaultTokenURL          = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
)

// App types of Config.AppType.
const (
	MultiTenant  = "MultiTenant"
	SingleTenant = "SingleTenant"
)

const (
	// maxBody bounds an activity; Teams' are a few kilobytes.
	maxBody = 256 << 10
	// replyTimeout bounds composing and sending one answer. Microsoft asks
	// for a first response within 15 seconds; lookups have their own,
	// shorter, limits inside it.
	replyTimeout = 45 * time.Second
)

// Responder answers one message; *helpdesk.Handler satisfies it.
type Responder interface {
	Respond(ctx context.Context, m helpdesk.Message) (helpdesk.Reply, error)
}

// Config configures a Bot. Zero values take the defaults noted.
type Config struct {
	// AppID and AppPassword are the bot's Microsoft app credentials. An
	// empty AppID needs Emulator.
	AppID, AppPassword string
	// Emulator, with no AppID, runs the local emulator mode for the Bot
	// Framework Emulator and the Microsoft 365 Agents Playground: no
	// inbound authentication, so only callers on this machine (loopback,
	// with no proxy headers) are served, others get 403; replies go only
	// to loopback serviceUrls, without a token. Never in production.
	Emulator bool
	// AppType is MultiTenant (the default) or SingleTenant; a single-tenant
	// bot needs AppTenantID.
	AppType, AppTenantID string
	// OpenIDMetadataURL is where the inbound token keys are found
	// (DefaultOpenIDMetadataURL).
	OpenIDMetadataURL string
	// TokenURL is where outbound tokens come from (DefaultTokenURL). For a
	// single-tenant bot, a "botframework.com" tenant segment at the start of
	// its path is replaced by AppTenantID, so the default becomes
	// https://login.microsoftonline.com/{AppTenantID}/oauth2/v2.0/token.
	TokenURL string
	// TriageChannels are Teams channel IDs (19:…@thread.tacv2) where every
	// new post that asks an account question is answered, @mention or not.
	TriageChannels []string
	// AllowedTenants, when not empty, are the only tenant IDs served;
	// others get 403.
	AllowedTenants []string
	// HTTPClient makes the outbound calls (a client of its own with
	// timeouts).
	HTTPClient *http.Client
	// Now is the clock (time.Now).
	Now func() time.Time
	// OnRetry, when set, is told of every retried call to the connector.
	OnRetry func(op string)
	// Deduper remembers the activities answered (in memory, per replica);
	// give replicas a shared one so that a redelivery is answered once
	// whichever replica it lands on.
	Deduper Deduper
	// HandoffChannel is the Teams channel ID (19:…@thread.tacv2) where
	// SendHandoff starts a conversation with each hand-off's summary; the
	// bot must be installed in its team. HandoffLang is the language of
	// the summaries (en).
	HandoffChannel, HandoffLang string
	// ServiceURL is the Bot Connector to start those conversations with
	// (e.g. https://smba.trafficmanager.net/emea/). Empty: the serviceUrl
	// of the latest authenticated activity from the hand-off channel's
	// team, else of any.
	ServiceURL string
}

// Bot is the Teams adapter, an http.Handler for POST /api/messages.
type Bot struct {
	responder Responder
	log       *slog.Logger
	verifier  *verifier // nil in emulator mode
	conn      *connector
	triage    map[string]bool
	allowed   map[string]bool
	dedupe    Deduper

	appID    string
	handoff  handoffConfig
	services serviceURLs

	slots  chan struct{} // one per answer in flight
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
	ctx    context.Context // parent of the answers in flight
	cancel context.CancelFunc
}

// New returns a Bot that answers through r. It makes no network calls: the
// signing keys and the outbound token are fetched when first needed.
func New(cfg Config, r Responder, log *slog.Logger) (*Bot, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "teams")
	var problems []error
	if r == nil {
		problems = append(problems, errors.New("teams: no responder"))
	}
	switch {
	case cfg.AppType == "" || strings.EqualFold(cfg.AppType, MultiTenant):
		cfg.AppType = MultiTenant
	case strings.EqualFold(cfg.AppType, SingleTenant):
		cfg.AppType = SingleTenant
	default:
		problems = append(problems, fmt.Errorf("teams: app type %q is not %s or %s", cfg.AppType, MultiTenant, SingleTenant))
	}
	if cfg.AppType == SingleTenant && cfg.AppTenantID == "" {
		problems = append(problems, errors.New("teams: a SingleTenant bot needs its app tenant ID"))
	}
	if cfg.AppID != "" && cfg.AppPassword == "" {
		problems = append(problems, errors.New("teams: an app ID needs its app password"))
	}
	if cfg.AppID == "" && cfg.AppPassword != "" {
		problems = append(problems, errors.New("teams: an app password without an app ID"))
	}
	if cfg.AppID == "" && cfg.AppPassword == "" && !cfg.Emulator {
		problems = append(problems, errors.New("teams: an app ID is required (or Emulator, for local tools)"))
	}
	if cfg.AppID != "" && cfg.Emulator {
		problems = append(problems, errors.New("teams: Emulator is for running without an app ID, and one is set"))
	}
	if cfg.OpenIDMetadataURL == "" {
		cfg.OpenIDMetadataURL = DefaultOpenIDMetadataURL
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	if _, err := parseServiceURL(cfg.OpenIDMetadataURL); err != nil {
		problems = append(problems, fmt.Errorf("teams: OpenID metadata URL %q is not an absolute http(s) URL", cfg.OpenIDMetadataURL))
	}
	tokenURL, err := tenantTokenURL(cfg.TokenURL, cfg.AppType, cfg.AppTenantID)
	if err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = newHTTPClient()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Deduper == nil {
		cfg.Deduper = newMemoryDeduper(recentCap, cfg.Now)
	}

	b := &Bot{
		slots:     make(chan struct{}, maxInFlight),
		responder: r,
		log:       log,
		triage:    set(cfg.TriageChannels, false),
		allowed:   set(cfg.AllowedTenants, true),
		dedupe:    cfg.Deduper,
		conn:      &connector{client: cfg.HTTPClient, sleep: sleepCtx, onRetry: cfg.OnRetry},
		appID:     cfg.AppID,
		handoff:   handoffConfig{channel: cfg.HandoffChannel, lang: cfg.HandoffLang, serviceURL: cfg.ServiceURL, tenant: cfg.AppTenantID},
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	if cfg.AppID == "" {
		log.Warn("TEAMS AUTHENTICATION IS OFF: emulator mode accepts unauthenticated activities at /api/messages from this machine (loopback callers) only; never run this way in production")
	} else {
		keys := &keySet{metadataURL: cfg.OpenIDMetadataURL, client: cfg.HTTPClient, now: cfg.Now, log: log}
		b.verifier = newVerifier(cfg.AppID, keys, cfg.Now)
		b.conn.tokens = newTokenSource(tokenURL, cfg.AppID, cfg.AppPassword, cfg.HTTPClient, cfg.Now)
	}
	return b, nil
}

// tenantTokenURL is the token URL of a bot: for a single-tenant bot, the
// botframework.com tenant in the URL becomes the bot's own.
func tenantTokenURL(tokenURL, appType, tenant string) (string, error) {
	u, err := parseServiceURL(tokenURL)
	if err != nil {
		return "", fmt.Errorf("teams: token URL %q is not an absolute http(s) URL", tokenURL)
	}
	if appType == SingleTenant && tenant != "" {
		if rest, ok := strings.CutPrefix(u.Path, "/botframework.com/"); ok {
			u.Path = "/" + url.PathEscape(tenant) + "/" + rest
			u.RawPath = ""
		}
	}
	return u.String(), nil
}

func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 15 * time.Second,
			ExpectContinueTimeout: time.Second,
			MaxIdleConns:          maxInFlight,
			MaxIdleConnsPerHost:   maxInFlight, // as many as replies in flight, so none reconnects
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func set(items []string, fold bool) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			if fold {
				it = strings.ToLower(it)
			}
			m[it] = true
		}
	}
	return m
}

// AuthDisabled reports whether the bot runs in local emulator mode, with no
// inbound authentication.
func (b *Bot) AuthDisabled() bool { return b.verifier == nil }

// ServeHTTP handles one activity. The token is checked before the body is
// read; any authentication failure is 401 and nothing runs. Accepted
// activities get 200 at once and their answer is sent asynchronously.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if b.verifier == nil && !localCaller(r) {
		b.reject(w, http.StatusForbidden, errors.New("emulator mode serves loopback callers only"), nil)
		return
	}
	var id identity
	if b.verifier != nil {
		tok, err := bearer(r.Header.Get("Authorization"))
		if err == nil {
			id, err = b.verifier.verify(r.Context(), tok)
		}
		if err != nil {
			b.reject(w, http.StatusUnauthorized, err, nil)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			b.reject(w, http.StatusRequestEntityTooLarge, errors.New("body too large"), nil)
			return
		}
		b.reject(w, http.StatusBadRequest, errors.New("reading the body failed"), nil)
		return
	}
	a, err := decodeActivity(body)
	if err != nil {
		b.reject(w, http.StatusBadRequest, errors.New("malformed activity"), nil)
		return
	}
	if b.verifier != nil {
		err = id.admits(a)
	} else if a.ServiceURL != "" && !isLoopback(a.ServiceURL) {
		err = errNotLoopback
	}
	if err != nil {
		b.reject(w, http.StatusUnauthorized, err, a)
		return
	}
	if len(b.allowed) > 0 && !b.allowed[strings.ToLower(a.tenantID())] {
		b.reject(w, http.StatusForbidden, errors.New("tenant not allowed"), a)
		return
	}
	b.services.saw(a, b.handoff.channel)

	j, ok := b.route(a)
	b.log.Debug("activity", "type", string(a.Type), "conversation_type", a.conversationType(), "tenant", a.tenantID(), "answered", ok)
	if ok && a.ID != "" && b.dedupe.Seen(r.Context(), "teams:activity:"+a.Conversation.ID+"\x00"+a.ID, recentTTL) {
		b.log.Info("duplicate activity ignored", "type", string(a.Type), "conversation_type", a.conversationType(), "tenant", a.tenantID())
		ok = false
	}
	if ok && !b.start(r.Context(), j) {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// localCaller reports whether a request comes from this machine: a
// loopback peer, and no proxy header saying it was forwarded for someone
// else (a local reverse proxy makes every caller look local).
func localCaller(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip", "X-Forwarded-Host"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// reject answers a refused request and logs why, without the token, the
// text or any address.
func (b *Bot) reject(w http.ResponseWriter, status int, err error, a *activity) {
	attrs := []any{"status", status, "reason", err.Error()}
	if a != nil {
		attrs = append(attrs, "type", string(a.Type), "conversation_type", a.conversationType(), "tenant", a.tenantID(), "channel_id", a.ChannelID)
	}
	b.log.Info("rejected activity", attrs...)
	http.Error(w, http.StatusText(status), status)
}

// job is one answer to compose and send.
type job struct {
	a       *activity
	msg     helpdesk.Message
	replyTo string // activity id to reply to; "" posts to the conversation
	triage  bool   // unprompted: send only if it is an account question
}

// route decides whether and how an activity is answered.
func (b *Bot) route(a *activity) (job, bool) {
	msg := helpdesk.Message{
		Platform:     helpdesk.PlatformTeams,
		Conversation: a.Conversation.ID,
		User:         a.user(),
		Locale:       a.Locale,
		TenantID:     a.tenantID(),
		UserObjectID: a.From.AadObjectID,
		UserName:     clipName(a.From.Name),
	}
	switch a.Type {
	case schema.Message:
		if a.From.ID != "" && a.From.ID == a.Recipient.ID {
			return job{}, false // our own message
		}
		if a.isSubmit {
			msg.Action = a.submitted
		} else {
			msg.Text = a.text()
		}
		if msg.Action == "" && helpdesk.Normalise(helpdesk.PlatformTeams, msg.Text) == "" {
			return job{}, false
		}
		j := job{a: a, msg: msg, replyTo: a.ID}
		switch a.conversationType() {
		case conversationPersonal:
			return j, true
		case conversationChannel:
			if a.isSubmit || a.mentionsBot() {
				return j, true
			}
			if b.triage[a.channel()] && a.topLevel() {
				j.triage = true
				return j, true
			}
			return job{}, false
		default: // group chats, and anything new: only when asked
			return j, a.isSubmit || a.mentionsBot()
		}
	case schema.ConversationUpdate:
		if !a.addsBot() {
			return job{}, false
		}
		msg.Action = helpdesk.WelcomeAction
		return job{a: a, msg: msg}, true
	}
	return job{}, false
}

// maxInFlight bounds the answers being composed and sent at once. Past it,
// a new activity waits for a slot before its HTTP response: accepting work
// faster than replies can be sent would only pile up memory.
const maxInFlight = 256

// start runs j on its own goroutine, unless the bot is shutting down or
// the request gives up while waiting for a slot.
func (b *Bot) start(ctx context.Context, j job) bool {
	select {
	case b.slots <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		<-b.slots
		return false
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer func() { <-b.slots }()
		ctx, cancel := context.WithTimeout(b.ctx, replyTimeout)
		defer cancel()
		b.answer(ctx, j)
	}()
	return true
}

// answer composes the reply to j and sends it.
func (b *Bot) answer(ctx context.Context, j job) {
	attrs := []any{"type", string(j.a.Type), "conversation_type", j.a.conversationType(), "tenant", j.a.tenantID()}
	reply, err := b.responder.Respond(ctx, j.msg)
	if err != nil {
		// The helpdesk has no words for its own failure yet, and the
		// adapter composes none: the person gets no answer, the log says why.
		b.log.Error("composing the answer failed", append(attrs, "err", err)...)
		return
	}
	if j.triage && !reply.AccountQuestion() {
		b.log.Debug("triage post is not an account question", attrs...)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(renderActivity(j.a, reply, j.replyTo)); err != nil {
		b.log.Error("rendering the answer failed", append(attrs, "err", err)...)
		return
	}
	attempts, err := b.conn.send(ctx, activityURL(j.a.ServiceURL, j.a.Conversation.ID, j.replyTo), buf.Bytes())
	if err != nil {
		b.log.Error("sending the answer failed", append(attrs, "attempts", attempts, "err", err)...)
		return
	}
	b.log.Debug("answer sent", append(attrs, "intent", string(reply.Intent), "attempts", attempts)...)
}

// Shutdown stops taking activities (503) and waits for the answers in
// flight. When ctx ends first, the answers still running are cancelled (not
// waited for) and ctx's error is returned.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		b.cancel()
		return nil
	case <-ctx.Done():
		b.cancel()
		return ctx.Err()
	}
}
