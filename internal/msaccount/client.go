package msaccount

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"
)

// DefaultLoginURL is the base of Microsoft's global sign-in endpoints.
const DefaultLoginURL = "https://login.microsoftonline.com"

// DefaultRatePerSecond is the pace of calls to Microsoft unless configured.
const DefaultRatePerSecond = 10

// Config configures a Client. Zero values take the defaults noted.
type Config struct {
	// LoginURL is the base of the sign-in endpoints (DefaultLoginURL).
	LoginURL string
	// Offline answers from the built-in rules only and never calls out.
	Offline bool
	// HTTPClient makes the calls; its Timeout is ignored in favour of
	// CallTimeout. Default: a client of its own.
	HTTPClient *http.Client
	// Budget bounds one lookup, all its calls included (8s): it covers the
	// whole verdict, not each call. Past it the verdict says what was settled
	// by then and which call ran out of time.
	Budget time.Duration
	// CallTimeout bounds one call to Microsoft on its own (by default only
	// the Budget does). Bulk runs with a long Budget set it.
	CallTimeout time.Duration
	// MaxConcurrent bounds calls in flight to Microsoft (8).
	MaxConcurrent int
	// RatePerSecond bounds calls started per second to Microsoft
	// (DefaultRatePerSecond);
	// Burst is the bucket size (RatePerSecond).
	RatePerSecond float64
	Burst         int
	// AddressTTL keeps per-address answers (1h); DomainTTL keeps domain facts
	// (24h); NegativeTTL keeps "no tenant" domains (1h); ErrorTTL keeps
	// answers spoiled by an error or throttling (1m).
	AddressTTL, DomainTTL, NegativeTTL, ErrorTTL time.Duration
	// Backoff is the first pause after Microsoft signals throttling (15s); it
	// doubles on each further signal up to MaxBackoff (5m).
	Backoff, MaxBackoff time.Duration
	// Limiter, when set, replaces the in-process limit of RatePerSecond, for
	// example with one shared by several replicas. *rate.Limiter fits.
	Limiter Limiter
	// WaitOnBackoff makes lookups wait out a throttling pause instead of
	// answering from the rules at once: for bulk runs that prefer complete
	// answers to quick ones. The wait still ends with the Budget.
	WaitOnBackoff bool
	// PersonalOnly skips GetCredentialType: an address's work side stays
	// unknown, for callers that know it already (the whole-tenant audit,
	// where the directory settles it). Such a client's per-address answers
	// must not be cached where others read them.
	PersonalOnly bool
	// Cache stores verdicts (an in-memory cache of CacheSize entries, 100,000).
	Cache     Cache
	CacheSize int
}

// Limiter paces calls to Microsoft: Wait returns when one more call may
// start, or with ctx's error.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Stats counts what a Client did. Read it with Client.Stats.
type Stats struct {
	// Calls counts requests sent, by endpoint (realm, openid, credential_type).
	Calls map[string]int64
	// Failures counts calls that failed or answered unusably, by endpoint.
	Failures map[string]int64
	// CacheHits counts lookups answered from the cache.
	CacheHits int64
	// Coalesced counts lookups that shared another lookup's calls.
	Coalesced int64
	// Throttled counts throttling signals from Microsoft.
	Throttled int64
}

// Client decides verdicts from Microsoft's public sign-in endpoints, with
// caching, coalescing of identical lookups, and limits on what it sends.
type Client struct {
	base    string
	offline bool
	hc      *http.Client
	log     *slog.Logger
	cfg     Config

	cache   Cache
	group   singleflight.Group
	tenants tenantMemo
	limiter Limiter
	sem     chan struct{}

	mu           sync.Mutex
	backoffUntil time.Time
	backoff      time.Duration
	now          func() time.Time

	calls     [numEndpoints]atomic.Int64
	failures  [numEndpoints]atomic.Int64
	cacheHits atomic.Int64
	coalesced atomic.Int64
	throttled atomic.Int64
}

type endpoint int

const (
	epRealm endpoint = iota
	epOpenID
	epCredential
	numEndpoints
)

var endpointNames = [numEndpoints]string{"realm", "openid", "credential_type"}

func (e endpoint) String() string { return endpointNames[e] }

// New returns a Client. It validates nothing at call time: the base URL is
// checked by the caller's configuration loading.
func New(cfg Config, log *slog.Logger) *Client {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.LoginURL == "" {
		cfg.LoginURL = DefaultLoginURL
	}
	def(&cfg.Budget, 8*time.Second)
	def(&cfg.CallTimeout, cfg.Budget)
	def(&cfg.AddressTTL, time.Hour)
	def(&cfg.DomainTTL, 24*time.Hour)
	def(&cfg.NegativeTTL, time.Hour)
	def(&cfg.ErrorTTL, time.Minute)
	def(&cfg.Backoff, 15*time.Second)
	def(&cfg.MaxBackoff, 5*time.Minute)
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 8
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = DefaultRatePerSecond
	}
	if cfg.Burst <= 0 {
		cfg.Burst = max(1, int(cfg.RatePerSecond))
	}
	if cfg.Limiter == nil {
		cfg.Limiter = rate.NewLimiter(rate.Limit(cfg.RatePerSecond), cfg.Burst)
	}
	if cfg.Cache == nil {
		size := cfg.CacheSize
		if size <= 0 {
			size = 100000
		}
		cfg.Cache = NewMemoryCache(size)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConnsPerHost: cfg.MaxConcurrent,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 5 * time.Second,
		}}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{
		base:    strings.TrimRight(cfg.LoginURL, "/"),
		offline: cfg.Offline,
		hc:      hc,
		log:     log.With("component", "msaccount"),
		cfg:     cfg,
		cache:   cfg.Cache,
		limiter: cfg.Limiter,
		sem:     make(chan struct{}, cfg.MaxConcurrent),
		now:     time.Now,
	}
}

// Offline reports whether the client only applies the built-in rules.
func (c *Client) Offline() bool { return c.offline }

// Stats returns a snapshot of the client's counters.
func (c *Client) Stats() Stats {
	s := Stats{Calls: map[string]int64{}, Failures: map[string]int64{}}
	for e := endpoint(0); e < numEndpoints; e++ {
		s.Calls[e.String()] = c.calls[e].Load()
		s.Failures[e.String()] = c.failures[e].Load()
	}
	s.CacheHits = c.cacheHits.Load()
	s.Coalesced = c.coalesced.Load()
	s.Throttled = c.throttled.Load()
	return s
}

// Check parses input and returns its verdict. It never fails: an input that
// is not an address or a domain gets a verdict with Error set, and Microsoft
// failing leaves the facts it could not settle unknown, with evidence.
func (c *Client) Check(ctx context.Context, input string) Verdict {
	t, err := Parse(input)
	if err != nil {
		return invalid(input, err)
	}
	return c.Lookup(ctx, t)
}

// Lookup returns the verdict for a parsed target.
func (c *Client) Lookup(ctx context.Context, t Target) Verdict {
	if c.offline {
		v := Offline(t)
		v.Evidence = append([]Evidence{evidence("rules", CodeLookupOfflineMode, "lookups with Microsoft's sign-in service are turned off (offline), so this answer comes from the built-in rules")}, v.Evidence...)
		return v
	}
	key := t.Key()
	if v, ok := c.cache.Get(ctx, key); ok && coded(v) {
		c.cacheHits.Add(1)
		return c.relabel(v, t)
	}
	noticeWait(ctx)
	ch := c.group.DoChan(key, func() (any, error) {
		// The work outlives any one caller: it is shared, and bounded by the
		// budget instead.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Budget)
		defer cancel()
		v, ttl := c.resolve(wctx, t)
		c.cache.Set(wctx, key, v, ttl)
		return v, nil
	})
	select {
	case res := <-ch:
		if res.Shared {
			c.coalesced.Add(1)
		}
		return c.relabel(res.Val.(Verdict), t)
	case <-ctx.Done():
		v := Offline(t)
		v.Evidence = append(v.Evidence, evidence("limits", CodeLookupCancelled, "the question was withdrawn before Microsoft answered"))
		v.finish(false)
		return v
	}
}

// coded reports whether every evidence line of a cached verdict has a
// code: a verdict cached by a version without codes (in a shared cache) is
// looked up again.
func coded(v Verdict) bool {
	for _, e := range v.Evidence {
		if e.Code == "" {
			return false
		}
	}
	return true
}

// relabel returns a private copy of a shared verdict carrying t's input.
func (c *Client) relabel(v Verdict, t Target) Verdict {
	v = v.clone()
	v.Input = t.Input
	return v
}

// realm calls user realm v2.1 for login.
func (c *Client) realm(ctx context.Context, login string, checkMSA bool) (realmAnswer, error) {
	q := url.Values{"user": {login}, "api-version": {"2.1"}}
	if checkMSA {
		q.Set("checkForMicrosoftAccount", "true")
	}
	status, body, err := c.do(ctx, epRealm, http.MethodGet, c.base+"/common/userrealm?"+q.Encode(), nil)
	if err != nil {
		return realmAnswer{}, err
	}
	if status != http.StatusOK {
		c.failures[epRealm].Add(1)
		return realmAnswer{}, &statusError{status}
	}
	r, err := decodeRealm(body)
	if err != nil {
		c.failures[epRealm].Add(1)
		return realmAnswer{}, &malformedError{err}
	}
	return r, nil
}

// fallback is the offline verdict with evidence of what failed.
func (c *Client) fallback(base Verdict, err error, ep endpoint) Verdict {
	c.failed(err)
	code, kv := failure(ep, err)
	base.Evidence = append(base.Evidence, evidence(ep.String(), code, "couldn't confirm with Microsoft's sign-in service ("+describe(err)+"); this answer comes from the built-in rules", kv...))
	base.finish(false)
	return base
}

// failed starts a pause when a call failed because Microsoft asked us to
// slow down (HTTP 429).
func (c *Client) failed(err error) {
	var se *statusError
	if errors.As(err, &se) && se.status == http.StatusTooManyRequests {
		c.signalThrottle()
	}
}

type statusError struct{ status int }

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d", e.status) }

// malformedError is an answer that could not be decoded.
type malformedError struct{ err error }

func (e *malformedError) Error() string { return e.err.Error() }
func (e *malformedError) Unwrap() error { return e.err }

// budgetError is a call cut short because the verdict's time budget ran
// out. It is a context.DeadlineExceeded.
type budgetError struct{ op string }

func (e *budgetError) Error() string {
	return "msaccount: " + e.op + ": the verdict's time budget ran out"
}
func (e *budgetError) Unwrap() error { return context.DeadlineExceeded }

// failure returns the evidence code and args of a failed call to ep.
func failure(ep endpoint, err error) (string, []string) {
	var se *statusError
	var me *malformedError
	var be *budgetError
	name := ep.String()
	switch {
	case errors.As(err, &be):
		return CodeLookupBudgetExceeded, []string{"endpoint", name}
	case errors.Is(err, context.Canceled):
		return CodeLookupCancelled, []string{"endpoint", name}
	case errors.As(err, &se) && se.status == http.StatusTooManyRequests:
		return CodeLookupFailed, []string{"endpoint", name, "reason", ReasonThrottled, "status", strconv.Itoa(se.status)}
	case errors.As(err, &se):
		return CodeLookupFailed, []string{"endpoint", name, "reason", ReasonHTTPStatus, "status", strconv.Itoa(se.status)}
	case errors.Is(err, context.DeadlineExceeded):
		return CodeLookupFailed, []string{"endpoint", name, "reason", ReasonTimeout}
	case errors.As(err, &me):
		return CodeLookupFailed, []string{"endpoint", name, "reason", ReasonMalformed}
	}
	return CodeLookupFailed, []string{"endpoint", name, "reason", ReasonUnreachable}
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// describe says in a few words what went wrong, for evidence lines.
func describe(err error) string {
	var se *statusError
	switch {
	case errors.As(err, &se) && se.status == http.StatusTooManyRequests:
		return "it asked us to slow down"
	case errors.As(err, &se):
		return fmt.Sprintf("it answered HTTP %d", se.status)
	case errors.Is(err, context.DeadlineExceeded):
		return "it did not answer in time"
	case errors.Is(err, context.Canceled):
		return "the lookup was cancelled"
	case strings.Contains(err.Error(), "decode"):
		return "its answer could not be read"
	}
	return "it could not be reached"
}

const maxBody = 1 << 20

// do sends one request within the global limits and returns the status and
// body.
func (c *Client) do(ctx context.Context, ep endpoint, method, u string, body []byte) (int, []byte, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return 0, nil, fmt.Errorf("msaccount: %s: wait for rate limit: %w", ep, ctx.Err())
		}
		// The limiter refuses at once when the wait would outlast ctx.
		return 0, nil, &budgetError{ep.String() + ": wait for rate limit"}
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, cut(ctx, ep, "wait for a slot")
	}
	defer func() { <-c.sem }()

	cctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(cctx, method, u, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("msaccount: %s: %w", ep, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "whichaccount")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	c.calls[ep].Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		c.failures[ep].Add(1)
		c.log.Debug("lookup failed", "endpoint", ep.String(), "error", redactURL(err))
		if ctx.Err() != nil {
			return 0, nil, cut(ctx, ep, "call")
		}
		return 0, nil, fmt.Errorf("msaccount: %s: %w", ep, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		c.failures[ep].Add(1)
		if ctx.Err() != nil {
			return 0, nil, cut(ctx, ep, "read")
		}
		return 0, nil, fmt.Errorf("msaccount: %s: read: %w", ep, err)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		c.failures[ep].Add(1)
		return 0, nil, &statusError{resp.StatusCode}
	}
	return resp.StatusCode, data, nil
}

// cut is the error of a call that ctx, the verdict's context, ended: the
// budget ran out, or the question was withdrawn.
func cut(ctx context.Context, ep endpoint, op string) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &budgetError{ep.String() + ": " + op}
	}
	return fmt.Errorf("msaccount: %s: %s: %w", ep, op, ctx.Err())
}

// redactURL drops the URL (which carries the address) from a transport error.
func redactURL(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

// signalThrottle starts or lengthens the pause after Microsoft throttles.
func (c *Client) signalThrottle() {
	c.throttled.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backoff == 0 {
		c.backoff = c.cfg.Backoff
	} else {
		c.backoff = min(2*c.backoff, c.cfg.MaxBackoff)
	}
	c.backoffUntil = c.now().Add(c.backoff)
	c.log.Warn("microsoft is throttling lookups; pausing", "pause", c.backoff)
}

// backingOff reports whether lookups are paused, and until when. A pause
// that has ended halves the next one.
func (c *Client) backingOff() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backoffUntil.IsZero() {
		return time.Time{}, false
	}
	if c.now().Before(c.backoffUntil) {
		return c.backoffUntil, true
	}
	c.backoffUntil = time.Time{}
	c.backoff /= 2
	if c.backoff < c.cfg.Backoff {
		c.backoff = 0
	}
	return time.Time{}, false
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
