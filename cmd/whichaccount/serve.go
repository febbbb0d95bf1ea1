package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	slackbot "github.com/gosmarter/whichaccount/bots/slack"
	"github.com/gosmarter/whichaccount/bots/teams"
	"github.com/gosmarter/whichaccount/bots/web"
	"github.com/gosmarter/whichaccount/internal/directory"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/journal"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/redisstore"
	"github.com/gosmarter/whichaccount/internal/webhook"
)

// app is the server: the shared assistant and the platform adapters that
// are switched on, with their metrics.
type app struct {
	cfg     config
	log     *slog.Logger
	lookup  *msaccount.Client
	dir     *directory.Client // nil without Microsoft Graph
	handler *helpdesk.Handler
	slack   *slackbot.Bot
	teams   *teams.Bot
	web     *web.Bot // nil when the web chat is off
	shared  *sharedState
	journal *journal.Journal
	metrics *metrics
	status  []string // one line per platform: on, or off and why
	mux     *http.ServeMux
}

// newApp builds the server from the configuration. ctx bounds start-up
// checks (Redis).
func newApp(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log, metrics: newMetrics()}
	shared, err := newSharedState(ctx, cfg, log, a.metrics)
	if err != nil {
		return nil, err
	}
	a.shared = shared
	lc := cfg.Lookup
	lc.Cache = shared.cache
	lc.Limiter = shared.microsoftLimiter
	a.lookup = msaccount.New(lc, log)
	a.metrics.watchLookups(a.lookup)
	hc := helpdesk.Config{
		UserLookupsPerMinute: cfg.UserPerMinute,
		Memory:               shared.memory,
		Limiter:              web.Limiter(shared.userLimiter),
		Organisation:         organisation(cfg),
		Catalogue:            cfg.Catalogue,
		Lang:                 cfg.Lang,
		Votes:                shared.votes,
	}
	a.journal = journal.New(shared.journal, journal.Config{}, log)
	hc.Journal = countingJournal{j: a.journal, m: a.metrics}
	// Hand-offs: the targets are added as the bots are made, below, before
	// any request is served.
	var desk *handoffs
	var hook *webhook.Client
	if cfg.Handoff.on() {
		desk = &handoffs{m: a.metrics, log: log.With("component", "handoff")}
		hc.Helpdesk = desk
	}
	if cfg.Handoff.Webhook != "" {
		hook, err = webhook.New(webhook.Config{URL: cfg.Handoff.Webhook, UserAgent: "whichaccount/" + version, OnRetry: func() { a.metrics.retries.WithLabelValues("webhook", "handoff").Inc() }}, log)
		if err != nil {
			return nil, err
		}
		desk.targets = append(desk.targets, handoffTarget{name: "webhook", send: hook.Send})
	}
	if cfg.directoryOn() {
		a.dir = directory.New(cfg.Directory, log)
		a.metrics.watchDirectory(a.dir)
		hc.Directory = msaccount.NewDirectoryLookup(a.lookup, a.dir)
	}
	a.handler = helpdesk.New(hc, a.lookup, log)
	responder := a.metrics.countAnswers(a.handler)

	a.mux = http.NewServeMux()
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	a.mux.HandleFunc("GET /readyz", a.ready)
	a.mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{}))

	switch s := cfg.Slack; {
	case s.BotToken == "":
		a.status = append(a.status, "Slack: off — set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, or SLACK_BOT_TOKEN and SLACK_APP_TOKEN for Socket Mode")
	default:
		bot, err := slackbot.New(slackbot.Config{
			BotToken: s.BotToken, SigningSecret: s.SigningSecret, AppToken: s.AppToken, APIURL: s.APIURL,
			TriageChannels: s.TriageChannels, AllowedTeams: s.AllowedTeams, Deduper: shared.deduper,
			OnRetry: a.metrics.retried("slack"), HandoffChannel: cfg.Handoff.SlackChannel, HandoffLang: cfg.Lang,
		}, responder, log)
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		a.slack = bot
		if cfg.Handoff.SlackChannel != "" {
			desk.targets = append(desk.targets, handoffTarget{name: "slack", send: bot.SendHandoff})
		}
		mode := "HTTP at POST /slack/events"
		if s.SigningSecret != "" {
			a.mux.Handle("POST /slack/events", a.instrument("slack", "/slack/events", bot))
		}
		switch {
		case s.AppToken != "" && s.SigningSecret != "":
			mode = "Socket Mode, and HTTP at POST /slack/events"
		case s.AppToken != "":
			mode = "Socket Mode (no public URL needed)"
		}
		a.status = append(a.status, "Slack: on — "+mode)
	}
	switch t := cfg.Teams; {
	case t.AppID == "" && (!t.Emulator || cfg.Env == "production"):
		// Off, and said so: the route answers 404 rather than falling to
		// whatever else the mux serves.
		a.mux.Handle("POST /api/messages", a.instrument("teams", "/api/messages", http.NotFoundHandler()))
		a.status = append(a.status, "Teams: off — POST /api/messages answers 404; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (or TEAMS_EMULATOR=true for the Bot Framework Emulator or Agents Playground on this machine)")
	default:
		bot, err := teams.New(teams.Config{
			AppID: t.AppID, AppPassword: t.AppPassword, AppType: t.AppType, AppTenantID: t.AppTenantID,
			Emulator: t.Emulator, OpenIDMetadataURL: t.OpenIDMetadataURL, TokenURL: t.TokenURL,
			TriageChannels: t.TriageChannels, AllowedTenants: t.AllowedTenants,
			OnRetry: a.metrics.retried("teams"), Deduper: shared.deduper,
			HandoffChannel: cfg.Handoff.TeamsChannel, HandoffLang: cfg.Lang, ServiceURL: cfg.Handoff.TeamsServiceURL,
		}, responder, log)
		if err != nil {
			return nil, fmt.Errorf("teams: %w", err)
		}
		a.teams = bot
		if cfg.Handoff.TeamsChannel != "" {
			desk.targets = append(desk.targets, handoffTarget{name: "teams", send: bot.SendHandoff})
		}
		a.mux.Handle("POST /api/messages", a.instrument("teams", "/api/messages", bot))
		if bot.AuthDisabled() {
			a.status = append(a.status, "Teams: on in emulator mode (TEAMS_EMULATOR=true) at POST /api/messages — NO AUTHENTICATION: loopback callers only, others get 403; never in production")
		} else {
			a.status = append(a.status, "Teams: on — POST /api/messages ("+t.AppType+")")
		}
	}
	if cfg.Web.Enabled {
		bot, err := web.New(web.Config{FrameAncestors: cfg.Web.FrameAncestors, TrustedProxies: cfg.Web.TrustedProxies}, responder, log)
		if err != nil {
			return nil, err
		}
		a.web = bot
		a.mux.Handle("GET /{$}", a.instrument("web", "/", bot))
		a.mux.Handle("/webchat/", a.instrument("web", "/webchat/", bot))
		embed := "set WEBCHAT_FRAME_ANCESTORS to embed /?embed=1 in your intranet"
		if len(cfg.Web.FrameAncestors) > 0 {
			embed = "/?embed=1 may be framed by " + strings.Join(cfg.Web.FrameAncestors, " ")
		}
		a.status = append(a.status, fmt.Sprintf("Web chat: on — open http://localhost:%d/ (%s)", cfg.Port, embed))
	} else {
		a.status = append(a.status, "Web chat: off — set WEBCHAT_ENABLED=true to serve it at / (behind your sign-in proxy)")
	}
	a.status = append(a.status, directoryStatus(cfg), orgStatus(cfg), knowledgeStatus(cfg))
	a.status = append(a.status, handoffStatus(cfg, hook), journalStatus(shared))
	if cfg.RedisURL != "" {
		a.status = append(a.status, "Shared state: Redis")
	} else {
		a.status = append(a.status, "Shared state: in memory (set REDIS_URL to run several replicas)")
	}
	return a, nil
}

// ready reports whether the server can take traffic: the configuration was
// valid (or it would not have started) and Redis, when configured, answers.
func (a *app) ready(w http.ResponseWriter, r *http.Request) {
	if err := a.shared.ping(r.Context()); err != nil {
		msg := "not ready: redis unreachable (answers still flow from local state)\n"
		if errors.Is(err, redisstore.ErrCircuitOpen) {
			msg = "not ready: redis circuit open, skipped for a few seconds after consecutive failures (answers still flow from local state)\n"
		}
		http.Error(w, msg, http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ready\n")
}

// handler is the whole HTTP surface with logging and panic recovery.
func (a *app) handlerChain() http.Handler {
	return a.recoverPanics(a.logRequests(a.mux))
}

// serve runs the server until ctx ends, then shuts down gracefully: it stops
// accepting, finishes requests in flight and the replies they started,
// within a deadline.
func serve(ctx context.Context, args []string, cfg config, log *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if cfg.Env == "production" && cfg.Teams.AppID == "" && cfg.Slack.BotToken == "" && !cfg.Web.Enabled {
		return usageError("WHICHACCOUNT_ENV=production refuses to start with no chat platform configured: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD for Teams, configure Slack, or set WEBCHAT_ENABLED=true for the web chat")
	}
	if cfg.Env == "production" && cfg.Teams.AppID == "" && (len(cfg.Teams.TriageChannels) > 0 || len(cfg.Teams.AllowedTenants) > 0) {
		return usageError("WHICHACCOUNT_ENV=production: TEAMS_* settings are set but MICROSOFT_APP_ID is not")
	}
	a, err := newApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.shared.close()
	for _, s := range a.status {
		fmt.Fprintln(stdout, "whichaccount: "+s)
	}
	if a.slack == nil && (a.teams == nil || a.teams.AuthDisabled()) {
		if a.web != nil {
			fmt.Fprintf(stdout, "whichaccount: local mode — no chat platform credentials are set; open http://localhost:%d/ to talk to the assistant in your browser, or try `whichaccount chat` in this terminal\n", cfg.Port)
		} else {
			fmt.Fprintln(stdout, "whichaccount: local mode — no chat platform credentials are set; try `whichaccount chat` to talk to the assistant in this terminal")
		}
	}

	ln, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listen on port %d: %w", cfg.Port, err)
	}
	srv := &http.Server{
		Handler:           a.handlerChain(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "whichaccount: listening on %s\n", ln.Addr())

	var wg sync.WaitGroup
	sockCtx, stopSock := context.WithCancel(ctx)
	defer stopSock()
	if a.slack != nil && cfg.Slack.AppToken != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.slack.RunSocketMode(sockCtx); err != nil {
				log.Error("socket mode stopped", "error", err.Error())
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 25*time.Second)
	defer cancel()
	stopSock()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("shutdown: requests still open", "error", err.Error())
	}
	wg.Wait()
	if a.slack != nil {
		if err := a.slack.Shutdown(sctx); err != nil {
			log.Warn("shutdown: slack replies unfinished", "error", err.Error())
		}
	}
	if a.teams != nil {
		if err := a.teams.Shutdown(sctx); err != nil {
			log.Warn("shutdown: teams replies unfinished", "error", err.Error())
		}
	}
	if err := a.journal.Close(sctx); err != nil {
		log.Warn("shutdown: journal not flushed", "error", err.Error())
	}
	log.Info("stopped")
	return nil
}

// logRequests logs one line per request with a request ID; never bodies,
// addresses or tokens.
func (a *app) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			id = requestIDs.next()
		}
		w.Header().Set("X-Request-ID", id)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		if a.log.Enabled(r.Context(), slog.LevelInfo) {
			a.log.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000)
		}
	})
}

// requestIDs numbers requests: 16 hex digits, a random half drawn once per
// process and a counter, unique across replicas without a random read per
// request.
var requestIDs = func() *idSource {
	var b [4]byte
	rand.Read(b[:])
	return &idSource{prefix: uint64(binary.BigEndian.Uint32(b[:])) << 32}
}()

type idSource struct {
	prefix uint64
	n      atomic.Uint32
}

func (s *idSource) next() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], s.prefix|uint64(s.n.Add(1)))
	return hex.EncodeToString(b[:])
}

// recoverPanics answers 500 to a request whose handler panicked, and logs it
// once.
func (a *app) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				a.log.Error("request handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(p))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection beneath, to
// flush a Slack command's early acknowledgement.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// instrument counts and times a platform's requests.
func (a *app) instrument(platform, route string, h http.Handler) http.Handler {
	// The series of this route, and of its usual status, are looked up once.
	latency := a.metrics.latency.WithLabelValues(platform, route)
	ok := a.metrics.requests.WithLabelValues(platform, route, "200")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if sw.status == http.StatusOK {
			ok.Inc()
		} else {
			a.metrics.requests.WithLabelValues(platform, route, strconv.Itoa(sw.status)).Inc()
		}
		latency.Observe(time.Since(start).Seconds())
	})
}

// metrics are the server's Prometheus series, on a registry of its own.
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	answers     *prometheus.CounterVec
	verdicts    *prometheus.CounterVec
	retries     *prometheus.CounterVec
	dedupeHits  prometheus.Counter
	limited     prometheus.Counter
	redisErrors prometheus.Counter
	feedback    *prometheus.CounterVec
	handoffs    *prometheus.CounterVec
	handoffFail *prometheus.CounterVec
	unmatched   prometheus.Counter
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "whichaccount_http_requests_total", Help: "Platform requests by route and status."}, []string{"platform", "route", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "whichaccount_http_request_duration_seconds", Help: "Time to answer a platform request.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"platform", "route"})
	m.answers = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "whichaccount_answers_total", Help: "Answers by intent."}, []string{"intent"})
	m.verdicts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "whichaccount_verdicts_total", Help: "Verdicts given, by kind."}, []string{"kind"})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "whichaccount_outbound_retries_total", Help: "Retried calls to a platform."}, []string{"platform", "op"})
	m.dedupeHits = prometheus.NewCounter(prometheus.CounterOpts{Name: "whichaccount_dedupe_hits_total", Help: "Deliveries dropped as duplicates (retries, double deliveries)."})
	m.limited = prometheus.NewCounter(prometheus.CounterOpts{Name: "whichaccount_rate_limited_lookups_total", Help: "Lookups answered offline because a user reached the per-user limit."})
	m.redisErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "whichaccount_redis_errors_total", Help: "Redis operations that failed and fell back to local state."})
	m.feedback = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "whichaccount_feedback_total", Help: "Votes on answers, by catalogue topic and vote (helpful, not_helpful), each person's vote on an answer once."}, []string{"topic", "vote"})
	m.handoffs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "whichaccount_handoffs_total", Help: "Hand-offs to a person each target took (slack, teams, webhook)."}, []string{"target"})
	m.handoffFail = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "whichaccount_handoff_failures_total", Help: "Hand-offs a target did not take, after its retries."}, []string{"target"})
	m.unmatched = prometheus.NewCounter(prometheus.CounterOpts{Name: "whichaccount_unmatched_total", Help: "Questions the assistant found no topic for (nothing matched, or \"None of these\")."})
	m.reg.MustRegister(m.requests, m.latency, m.answers, m.verdicts, m.retries, m.dedupeHits, m.limited, m.redisErrors, m.feedback, m.handoffs, m.handoffFail, m.unmatched)
	return m
}

// watchDirectory exports the Graph client's counters.
func (m *metrics) watchDirectory(d *directory.Client) {
	for _, op := range []string{"token", "find", "user"} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_graph_calls_total", Help: "Calls to Microsoft Graph and its token endpoint.", ConstLabels: prometheus.Labels{"op": op}},
			func() float64 { return float64(d.Stats().Calls[op]) }))
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_graph_failures_total", Help: "Calls to Microsoft Graph that failed or answered unusably.", ConstLabels: prometheus.Labels{"op": op}},
			func() float64 { return float64(d.Stats().Failures[op]) }))
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_graph_cache_hits_total", Help: "Directory lookups answered from the cache."}, func() float64 { return float64(d.Stats().CacheHits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_graph_throttled_total", Help: "Pauses Microsoft Graph asked for."}, func() float64 { return float64(d.Stats().Throttled) }),
	)
}

// watchRedis exports the Redis circuit breaker's state.
func (m *metrics) watchRedis(st *redisstore.Store) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "whichaccount_redis_circuit_open", Help: "1 while Redis is skipped after consecutive failures or timeouts, else 0."},
			func() float64 {
				if st.CircuitOpen() {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_redis_circuit_trips_total", Help: "Times the Redis circuit breaker opened."},
			func() float64 { return float64(st.Trips()) }),
	)
}

// watchLookups exports the verdict client's counters.
func (m *metrics) watchLookups(c *msaccount.Client) {
	for _, ep := range []string{"realm", "openid", "credential_type"} {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_microsoft_calls_total", Help: "Calls to Microsoft's sign-in endpoints.", ConstLabels: prometheus.Labels{"endpoint": ep}},
			func() float64 { return float64(c.Stats().Calls[ep]) }))
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_microsoft_failures_total", Help: "Calls to Microsoft that failed or answered unusably.", ConstLabels: prometheus.Labels{"endpoint": ep}},
			func() float64 { return float64(c.Stats().Failures[ep]) }))
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_lookup_cache_hits_total", Help: "Lookups answered from the cache."}, func() float64 { return float64(c.Stats().CacheHits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_lookups_coalesced_total", Help: "Lookups that shared another's calls."}, func() float64 { return float64(c.Stats().Coalesced) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "whichaccount_microsoft_throttled_total", Help: "Throttling signals from Microsoft."}, func() float64 { return float64(c.Stats().Throttled) }),
	)
}

func (m *metrics) retried(platform string) func(op string) {
	return func(op string) { m.retries.WithLabelValues(platform, op).Inc() }
}

// countAnswers wraps the assistant to count answers and verdicts.
func (m *metrics) countAnswers(h *helpdesk.Handler) *countingResponder {
	return &countingResponder{h: h, m: m}
}

type countingResponder struct {
	h *helpdesk.Handler
	m *metrics
}

func (c *countingResponder) Respond(ctx context.Context, msg helpdesk.Message) (helpdesk.Reply, error) {
	r, err := c.h.Respond(ctx, msg)
	if err == nil {
		c.m.answers.WithLabelValues(string(r.Intent)).Inc()
		for _, v := range r.Verdicts {
			c.m.verdicts.WithLabelValues(string(v.Kind)).Inc()
		}
	}
	return r, err
}
