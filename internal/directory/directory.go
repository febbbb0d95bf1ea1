// Package directory reads the organisation's own tenant from Microsoft
// Graph: who an address belongs to (a member or a guest, enabled or not,
// the state of a guest's invitation and where the guest signs in), a user
// by object ID, and every member of the tenant for the whole-tenant
// overlap audit.
//
// It signs in as an app registration of the tenant with the application
// permission User.Read.All, through the client-credentials flow (scope
// https://graph.microsoft.com/.default), and keeps the token until shortly
// before it expires. Answers are cached for a short time, identical
// lookups in flight share one request, calls are limited in rate and
// concurrency, and a 429 (or 503) with Retry-After pauses the whole client
// for as long as Graph asks. Every URL is configurable, so tests point the
// client at directorytest's fake on loopback.
//
// Addresses never appear in its logs, only their domain.
package directory

import (
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

// Defaults of a Client.
const (
	// DefaultAPIURL is the base of Microsoft Graph in the global cloud.
	DefaultAPIURL = "https://graph.microsoft.com"
	// Scope is what the client-credentials token is asked for: the
	// application permissions the app has been granted on Graph.
	Scope = "https://graph.microsoft.com/.default"
	// DefaultTTL is how long an answer about an address or a user is kept.
	DefaultTTL = 5 * time.Minute
	// DefaultRatePerSecond bounds the calls started per second to Graph.
	DefaultRatePerSecond = 10
	// PageSize is the $top of the member listing: the most Graph gives
	// per page of users.
	PageSize = 999
)

// DefaultTokenURL returns Microsoft's token endpoint for tenant.
func DefaultTokenURL(tenant string) string {
	return "https://login.microsoftonline.com/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
}

// Config configures a Client. Zero values take the defaults noted.
type Config struct {
	// TenantID is the organisation's tenant (a GUID); ClientID and
	// ClientSecret identify its app registration.
	TenantID, ClientID, ClientSecret string
	// APIURL is the base of Graph (DefaultAPIURL).
	APIURL string
	// TokenURL is the token endpoint (DefaultTokenURL(TenantID)).
	TokenURL string
	// HTTPClient makes the calls; its Timeout is ignored in favour of
	// CallTimeout. Default: a client of its own.
	HTTPClient *http.Client
	// CallTimeout bounds one call (5s); Budget one lookup, waits for a
	// token included (8s).
	CallTimeout, Budget time.Duration
	// TTL keeps answers, "no such user" included (DefaultTTL).
	TTL time.Duration
	// CacheSize bounds the answers kept (10,000).
	CacheSize int
	// RatePerSecond bounds calls started per second (DefaultRatePerSecond);
	// MaxConcurrent the calls in flight (4).
	RatePerSecond float64
	MaxConcurrent int
	// DefaultPause is the pause after a 429 that names no Retry-After
	// (10s); MaxPause caps any pause Graph asks for (5m).
	DefaultPause, MaxPause time.Duration
}

// The kinds of failure. A failed call's error wraps one of them.
var (
	// ErrNotFound: no user of the tenant has that address or ID.
	ErrNotFound = errors.New("no such user in the directory")
	// ErrThrottled: Graph asked for a pause, which has not ended.
	ErrThrottled = errors.New("Microsoft Graph asked us to wait")
	// ErrDenied: the token was refused or the app lacks the permission.
	ErrDenied = errors.New("Microsoft Graph refused the app")
	// ErrUnavailable: Graph or the token endpoint failed, timed out or
	// could not be reached.
	ErrUnavailable = errors.New("Microsoft Graph did not answer")
	// ErrBadAnswer: an answer could not be read.
	ErrBadAnswer = errors.New("Microsoft Graph sent an answer that could not be read")
)

// Error is a failed call to Graph or its token endpoint.
type Error struct {
	// Op is "token", "find", "user" or "members".
	Op string
	// Kind is one of the Err values above.
	Kind error
	// Status is the HTTP status, or 0.
	Status int
	// Code is Graph's error code or the OAuth error (e.g.
	// Authorization_RequestDenied, invalid_client), or "".
	Code string
	// Until is when a throttling pause ends.
	Until time.Time
	// Err is the underlying transport error, if any.
	Err error
}

func (e *Error) Error() string {
	s := "directory: " + e.Op + ": " + e.Kind.Error()
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d", e.Status)
		if e.Code != "" {
			s += " " + e.Code
		}
		s += ")"
	} else if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap gives the kind and the transport error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// Stats counts what a Client did.
type Stats struct {
	// Calls counts requests sent, by operation: token, find (an address),
	// user (by ID) and members (a page of the member listing).
	Calls map[string]int64
	// Failures counts calls that failed or answered unusably.
	Failures map[string]int64
	// CacheHits counts lookups answered from the cache; Coalesced those
	// that shared another lookup's call; Throttled the pauses Graph asked
	// for.
	CacheHits, Coalesced, Throttled int64
}

type op int

const (
	opToken op = iota
	opFind
	opUser
	opMembers
	numOps
)

var opNames = [numOps]string{"token", "find", "user", "members"}

func (o op) String() string { return opNames[o] }

// Client reads the tenant's users from Graph. It is safe for concurrent
// use.
type Client struct {
	cfg      Config
	api      string
	tokenURL string
	hc       *http.Client
	log      *slog.Logger
	limiter  *rate.Limiter
	sem      chan struct{}
	group    singleflight.Group
	now      func() time.Time

	tokenLock chan struct{} // one token request at a time
	tokMu     sync.Mutex
	tok       string
	tokUntil  time.Time // refresh from then on
	tokErr    error     // the last refusal, kept briefly
	tokErrEnd time.Time

	pauseMu    sync.Mutex
	pauseUntil time.Time

	cacheMu sync.Mutex
	cache   map[string]cacheEntry

	calls     [numOps]atomic.Int64
	failures  [numOps]atomic.Int64
	cacheHits atomic.Int64
	coalesced atomic.Int64
	throttled atomic.Int64
}

type cacheEntry struct {
	user    User
	found   bool
	expires time.Time
}

// New returns a Client for cfg. The configuration is checked by the
// caller's configuration loading; New only applies defaults.
func New(cfg Config, log *slog.Logger) *Client {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL(cfg.TenantID)
	}
	def(&cfg.CallTimeout, 5*time.Second)
	def(&cfg.Budget, 8*time.Second)
	def(&cfg.TTL, DefaultTTL)
	def(&cfg.DefaultPause, 10*time.Second)
	def(&cfg.MaxPause, 5*time.Minute)
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 10000
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = DefaultRatePerSecond
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 4
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
		cfg:       cfg,
		api:       strings.TrimRight(cfg.APIURL, "/"),
		tokenURL:  cfg.TokenURL,
		hc:        hc,
		log:       log.With("component", "directory"),
		limiter:   rate.NewLimiter(rate.Limit(cfg.RatePerSecond), max(1, int(cfg.RatePerSecond))),
		sem:       make(chan struct{}, cfg.MaxConcurrent),
		now:       time.Now,
		tokenLock: make(chan struct{}, 1),
		cache:     map[string]cacheEntry{},
	}
}

// TenantID is the tenant the client reads.
func (c *Client) TenantID() string { return c.cfg.TenantID }

// Stats returns a snapshot of the client's counters.
func (c *Client) Stats() Stats {
	s := Stats{Calls: map[string]int64{}, Failures: map[string]int64{}}
	for o := op(0); o < numOps; o++ {
		s.Calls[o.String()] = c.calls[o].Load()
		s.Failures[o.String()] = c.failures[o].Load()
	}
	s.CacheHits = c.cacheHits.Load()
	s.Coalesced = c.coalesced.Load()
	s.Throttled = c.throttled.Load()
	return s
}

// The properties a lookup selects: only what a verdict needs.
const lookupSelect = "id,userPrincipalName,mail,userType,accountEnabled,creationType,externalUserState,identities"

// The properties the member listing selects: who, their addresses, when
// the account was created.
const memberSelect = "id,userPrincipalName,mail,proxyAddresses,userType,accountEnabled,createdDateTime"

// FindAddress returns the user of the tenant an address belongs to: the
// one whose userPrincipalName, mail or SMTP proxy address it is, or a
// guest invited at it (otherMails). It asks Graph once, for only the
// properties a verdict needs, with the advanced-query parameters
// (ConsistencyLevel: eventual, $count) that filters over otherMails and
// proxyAddresses combined with "or" need. No match is ErrNotFound. Guests'
// user principal names are "jane_fabrikam.com#EXT#@contoso.onmicrosoft.com",
// so they are found by mail. User.Match says how the user was found; a
// member found through MatchOther holds the address either as an alias (in
// a domain the tenant owns) or as a contact address in otherMails (which
// is not an account), and the caller tells them apart by the domain.
func (c *Client) FindAddress(ctx context.Context, address string) (User, error) {
	address = strings.ToLower(strings.TrimSpace(address))
	if address == "" || !strings.Contains(address, "@") {
		return User{}, &Error{Op: "find", Kind: ErrNotFound}
	}
	return c.cached(ctx, "a:"+address, func(ctx context.Context) (User, error) {
		lit := odataString(address)
		filter := "userPrincipalName eq " + lit + " or mail eq " + lit +
			" or otherMails/any(m:m eq " + lit + ") or proxyAddresses/any(p:p eq " + odataString("smtp:"+address) + ")"
		u := c.api + "/v1.0/users?" + query("$filter", filter, "$select", lookupSelect, "$count", "true")
		status, body, err := c.do(ctx, opFind, u, true, false)
		if err != nil {
			c.log.Debug("directory lookup failed", "domain", domainOf(address), "error", err.Error())
			return User{}, err
		}
		if status != http.StatusOK {
			return User{}, c.statusError(opFind, status, body)
		}
		p, err := decodePage(body)
		if err != nil {
			c.failures[opFind].Add(1)
			return User{}, &Error{Op: "find", Kind: ErrBadAnswer, Err: err}
		}
		if found, ok := best(p.Users, address); ok {
			return found, nil
		}
		return User{}, &Error{Op: "find", Kind: ErrNotFound}
	})
}

// UserByID returns the user with the object ID id (Teams gives it as the
// sender's aadObjectId). An unknown ID is ErrNotFound.
func (c *Client) UserByID(ctx context.Context, id string) (User, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if !isObjectID(id) {
		return User{}, &Error{Op: "user", Kind: ErrNotFound}
	}
	return c.cached(ctx, "id:"+id, func(ctx context.Context) (User, error) {
		u := c.api + "/v1.0/users/" + url.PathEscape(id) + "?" + query("$select", lookupSelect)
		status, body, err := c.do(ctx, opUser, u, false, false)
		if err != nil {
			return User{}, err
		}
		switch status {
		case http.StatusOK:
		case http.StatusNotFound:
			return User{}, &Error{Op: "user", Kind: ErrNotFound, Status: status, Code: decodeAPIError(body).Code}
		default:
			return User{}, c.statusError(opUser, status, body)
		}
		usr, err := decodeUser(body)
		if err != nil {
			c.failures[opUser].Add(1)
			return User{}, &Error{Op: "user", Kind: ErrBadAnswer, Err: err}
		}
		return usr, nil
	})
}

// Members pages through every member of the tenant (userType Member,
// PageSize at a time, following @odata.nextLink) and hands each page to
// each. It waits out Graph's throttling pauses and retries a page that
// failed for a passing reason a few times; it stops at the first other
// failure, at an error from each, or when ctx ends.
func (c *Client) Members(ctx context.Context, each func([]User) error) error {
	next := c.api + "/v1.0/users?" + query("$filter", "userType eq 'Member'", "$select", memberSelect, "$top", strconv.Itoa(PageSize))
	for next != "" {
		var p page
		for attempt := 1; ; attempt++ {
			status, body, err := c.do(ctx, opMembers, next, false, true)
			if err == nil && status != http.StatusOK {
				err = c.statusError(opMembers, status, body)
			}
			if err == nil {
				if p, err = decodePage(body); err != nil {
					c.failures[opMembers].Add(1)
					err = &Error{Op: "members", Kind: ErrBadAnswer, Err: err}
				}
			}
			if err == nil {
				break
			}
			if !errors.Is(err, ErrUnavailable) || attempt >= 4 || ctx.Err() != nil {
				return err
			}
			if !sleep(ctx, time.Duration(attempt)*time.Second) {
				return ctx.Err()
			}
		}
		if err := each(p.Users); err != nil {
			return err
		}
		if p.NextLink != "" && !strings.HasPrefix(p.NextLink, c.api+"/") {
			// The token goes only to the configured Graph.
			return &Error{Op: "members", Kind: ErrBadAnswer, Err: errors.New("@odata.nextLink points away from the Graph URL")}
		}
		next = p.NextLink
	}
	return nil
}

// cached answers key from the cache, or runs fetch once for every caller
// asking at the same time and keeps a found user or ErrNotFound for TTL.
func (c *Client) cached(ctx context.Context, key string, fetch func(context.Context) (User, error)) (User, error) {
	if u, found, ok := c.cacheGet(key); ok {
		c.cacheHits.Add(1)
		if !found {
			return User{}, &Error{Op: opOf(key), Kind: ErrNotFound}
		}
		return u, nil
	}
	var led atomic.Bool // this caller's fetch is the one that ran
	ch := c.group.DoChan(key, func() (any, error) {
		led.Store(true)
		// Shared work, bounded by the budget rather than one caller.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Budget)
		defer cancel()
		u, err := fetch(wctx)
		switch {
		case err == nil:
			c.cacheSet(key, u, true)
		case errors.Is(err, ErrNotFound):
			c.cacheSet(key, User{}, false)
		}
		return u, err
	})
	select {
	case res := <-ch:
		if res.Shared && !led.Load() {
			c.coalesced.Add(1)
		}
		if res.Err != nil {
			return User{}, res.Err
		}
		return res.Val.(User), nil
	case <-ctx.Done():
		return User{}, &Error{Op: opOf(key), Kind: ErrUnavailable, Err: ctx.Err()}
	}
}

func opOf(key string) string {
	if strings.HasPrefix(key, "id:") {
		return "user"
	}
	return "find"
}

func (c *Client) cacheGet(key string) (User, bool, bool) {
	c.cacheMu.Lock()
	defer c.cacheMu.Unlock()
	e, ok := c.cache[key]
	if !ok {
		return User{}, false, false
	}
	if !c.now().Before(e.expires) {
		delete(c.cache, key)
		return User{}, false, false
	}
	return e.user, e.found, true
}

func (c *Client) cacheSet(key string, u User, found bool) {
	c.cacheMu.Lock()
	defer c.cacheMu.Unlock()
	now := c.now()
	if len(c.cache) >= c.cfg.CacheSize {
		for k, e := range c.cache {
			if !now.Before(e.expires) {
				delete(c.cache, k)
			}
		}
		for k := range c.cache {
			if len(c.cache) < c.cfg.CacheSize {
				break
			}
			delete(c.cache, k)
		}
	}
	c.cache[key] = cacheEntry{user: u, found: found, expires: now.Add(c.cfg.TTL)}
}

// do sends one GET to Graph within the limits, with a token, and returns
// the status and body. advanced adds the advanced-query header. A call
// made while Graph's pause lasts fails with ErrThrottled at once, unless
// wait is set: then it waits the pause out (and any new one, a few
// times). A 401 drops the token and tries once more with a new one.
func (c *Client) do(ctx context.Context, o op, u string, advanced, wait bool) (int, []byte, error) {
	for attempt := 1; ; attempt++ {
		if attempt > 8 {
			until, _ := c.paused()
			return 0, nil, &Error{Op: o.String(), Kind: ErrThrottled, Until: until}
		}
		if until, paused := c.paused(); paused {
			if !wait {
				return 0, nil, &Error{Op: o.String(), Kind: ErrThrottled, Until: until}
			}
			if !sleep(ctx, until.Sub(c.now())) {
				return 0, nil, &Error{Op: o.String(), Kind: ErrUnavailable, Err: ctx.Err()}
			}
			continue
		}
		tok, err := c.token(ctx)
		if err != nil {
			return 0, nil, err
		}
		status, body, hdr, err := c.send(ctx, o, func(ctx context.Context) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return nil, err
			}
			req.Header.Set("Authorization", "Bearer "+tok)
			if advanced {
				req.Header.Set("ConsistencyLevel", "eventual")
			}
			return req, nil
		})
		if err != nil {
			return 0, nil, err
		}
		switch {
		case status == http.StatusUnauthorized && attempt == 1:
			c.dropToken(tok)
			continue
		case status == http.StatusTooManyRequests || (status == http.StatusServiceUnavailable && hdr.Get("Retry-After") != ""):
			until := c.pause(hdr.Get("Retry-After"))
			if !wait {
				return 0, nil, &Error{Op: o.String(), Kind: ErrThrottled, Status: status, Code: decodeAPIError(body).Code, Until: until}
			}
			continue
		}
		return status, body, nil
	}
}

// send makes one request within the rate and concurrency limits.
func (c *Client) send(ctx context.Context, o op, build func(context.Context) (*http.Request, error)) (int, []byte, http.Header, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		return 0, nil, nil, &Error{Op: o.String(), Kind: ErrUnavailable, Err: context.DeadlineExceeded}
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, nil, &Error{Op: o.String(), Kind: ErrUnavailable, Err: ctx.Err()}
	}
	defer func() { <-c.sem }()
	cctx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()
	req, err := build(cctx)
	if err != nil {
		return 0, nil, nil, &Error{Op: o.String(), Kind: ErrUnavailable, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "whichaccount")
	c.calls[o].Add(1)
	resp, err := c.hc.Do(req)
	if err != nil {
		c.failures[o].Add(1)
		return 0, nil, nil, &Error{Op: o.String(), Kind: ErrUnavailable, Err: redact(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		c.failures[o].Add(1)
		return 0, nil, nil, &Error{Op: o.String(), Kind: ErrUnavailable, Err: redact(err)}
	}
	if resp.StatusCode != http.StatusOK {
		c.failures[o].Add(1)
	}
	return resp.StatusCode, body, resp.Header, nil
}

// statusError turns an unexpected status into an Error.
func (c *Client) statusError(o op, status int, body []byte) error {
	e := &Error{Op: o.String(), Status: status, Code: decodeAPIError(body).Code, Kind: ErrUnavailable}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = ErrDenied
	case status == http.StatusNotFound && o != opMembers:
		e.Kind = ErrNotFound
	case status >= 400 && status < 500:
		e.Kind = ErrBadAnswer
	}
	return e
}

// paused reports whether Graph's pause lasts, and until when.
func (c *Client) paused() (time.Time, bool) {
	c.pauseMu.Lock()
	defer c.pauseMu.Unlock()
	return c.pauseUntil, c.now().Before(c.pauseUntil)
}

// pause starts or lengthens the pause Graph asked for: Retry-After
// seconds (or an HTTP date), DefaultPause when it names none, at most
// MaxPause.
func (c *Client) pause(retryAfter string) time.Time {
	d := c.cfg.DefaultPause
	if n, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(retryAfter); err == nil {
		d = t.Sub(c.now())
	}
	d = min(max(d, 0), c.cfg.MaxPause)
	c.throttled.Add(1)
	c.pauseMu.Lock()
	defer c.pauseMu.Unlock()
	if until := c.now().Add(d); until.After(c.pauseUntil) {
		c.pauseUntil = until
	}
	c.log.Warn("microsoft graph is throttling; pausing", "pause", d)
	return c.pauseUntil
}

// sleep waits d and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// query encodes OData query options, keeping their "$" readable.
func query(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(strings.ReplaceAll(url.QueryEscape(kv[i+1]), "+", "%20"))
	}
	return b.String()
}

// odataString quotes s as an OData string literal (” inside).
func odataString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// isObjectID reports whether s can be an object ID: a GUID.
func isObjectID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case (r < '0' || r > '9') && (r < 'a' || r > 'f'):
			return false
		}
	}
	return true
}

func domainOf(address string) string {
	if i := strings.LastIndexByte(address, '@'); i >= 0 {
		return address[i+1:]
	}
	return ""
}

// redact drops the URL (which can carry an address) from a transport
// error.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
