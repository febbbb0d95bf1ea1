// Package redisstore keeps the state several replicas share in Redis: the
// lookup cache, conversation memory, event deduplication, the per-user
// lookup limit and the global pace of calls to Microsoft. Every key has a
// TTL, so nothing grows without bound, and key names are keyed hashes of
// what they stand for (an address, a conversation, a user), never the thing
// itself.
//
// Redis being down or hung degrades rather than fails: each operation has a
// short timeout and, on error, falls back to the replica's own in-memory
// state (with a warning, at most once a minute), so answers keep flowing.
// After a few consecutive failures a circuit breaker skips Redis altogether
// for a few seconds, then lets one operation through to see whether it is
// back; while it is open every operation uses local state at once, so a
// hung Redis does not slow acknowledgements. Ping and CircuitOpen let
// readiness and metrics report it.
package redisstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// opTimeout bounds one Redis operation before falling back.
const opTimeout = 250 * time.Millisecond

// The circuit breaker: after breakerFailures consecutive failures (errors
// or timeouts), Redis is skipped for breakerOpen.
const (
	breakerFailures = 3
	breakerOpen     = 5 * time.Second
)

// ErrCircuitOpen is Ping's error while the breaker skips Redis.
var ErrCircuitOpen = errors.New("redisstore: skipping redis for a few seconds after consecutive failures")

// Config configures a Store.
type Config struct {
	// URL is the Redis to use: redis://, rediss:// or unix://.
	URL string
	// KeySecret keys the hash that names keys; every replica needs the
	// same. Empty derives one from URL, which keeps key names opaque to
	// whoever reads Redis without knowing the URL.
	KeySecret string
}

// Store is a connection to Redis with the state stores built on it.
type Store struct {
	rdb    *goredis.Client
	log    *slog.Logger
	prefix string
	secret []byte
	// OnError, when set, is called for each operation that fell back.
	OnError func()

	warnMu   sync.Mutex
	lastWarn time.Time
	ops      atomic.Int64

	// The breaker.
	fails     atomic.Int32 // consecutive failures
	openUntil atomic.Int64 // unix nanoseconds; 0 when closed
	probing   atomic.Bool  // one operation is testing whether Redis is back
	trips     atomic.Int64
	now       func() time.Time

	url string // for tests
}

// New connects to the Redis at cfg.URL. It does not fail when Redis is
// unreachable: the stores fall back until it answers.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	opt, err := goredis.ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("redisstore: parse REDIS_URL: %w", err)
	}
	opt.DialTimeout = time.Second
	opt.ReadTimeout = opTimeout
	opt.WriteTimeout = opTimeout
	opt.MaxRetries = 0 // a failure falls back at once; the breaker decides when to try again
	if opt.PoolSize < 128 {
		opt.PoolSize = 128 // a request holds a connection for each round trip; 64 concurrent requests must not queue for one
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	secret := cfg.KeySecret
	if secret == "" {
		secret = "whichaccount redis key names\x00" + cfg.URL
	}
	sum := sha256.Sum256([]byte(secret))
	goredis.SetLogger(quietLogger{}) // failures are reported through Store's own warnings
	s := &Store{rdb: goredis.NewClient(opt), log: log.With("component", "redis"), prefix: "wa:", secret: sum[:], now: time.Now, url: cfg.URL}
	if err := s.Ping(ctx); err != nil {
		s.log.Warn("redis unreachable at start; using local state until it answers", "error", err.Error())
	}
	return s, nil
}

// Ping checks that Redis answers; while the breaker is open it fails at
// once with ErrCircuitOpen.
func (s *Store) Ping(ctx context.Context) error {
	rctx, cancel, ok := s.begin(ctx)
	if !ok {
		return ErrCircuitOpen
	}
	defer cancel()
	err := s.rdb.Ping(rctx).Err()
	s.end(ctx, err)
	return err
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.rdb.Close() }

// Ops returns the number of Redis round trips made, for measurements.
func (s *Store) Ops() int64 { return s.ops.Load() }

// CircuitOpen reports whether the breaker is skipping Redis now.
func (s *Store) CircuitOpen() bool {
	until := s.openUntil.Load()
	return until != 0 && s.now().UnixNano() < until
}

// Trips returns how many times the breaker has opened.
func (s *Store) Trips() int64 { return s.trips.Load() }

// key names a key: the kind of state and a keyed hash of what it is for, so
// no address, conversation or user id appears in Redis, and every name has
// the same short length whatever it stands for.
func (s *Store) key(kind, name string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(name))
	return s.prefix + kind + ":" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// failed records a fallback and warns at most once a minute.
func (s *Store) failed(op string, err error) {
	if s.OnError != nil {
		s.OnError()
	}
	s.warnMu.Lock()
	defer s.warnMu.Unlock()
	if time.Since(s.lastWarn) > time.Minute {
		s.lastWarn = time.Now()
		s.log.Warn("redis operation failed; using local state", "op", op, "error", err.Error())
	}
}

// begin starts an operation: a context with the operation's timeout, or
// ok false when the breaker says to use local state without trying. While
// it is open nothing goes to Redis; once the open time is over, one
// operation at a time goes through to test it.
func (s *Store) begin(parent context.Context) (context.Context, context.CancelFunc, bool) {
	if until := s.openUntil.Load(); until != 0 {
		if s.now().UnixNano() < until || !s.probing.CompareAndSwap(false, true) {
			return nil, nil, false
		}
	}
	s.ops.Add(1)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), opTimeout)
	return ctx, cancel, true
}

// end records how an operation begun with begin went. goredis.Nil (no such
// key) is an answer, not a failure.
func (s *Store) end(_ context.Context, err error) {
	probe := s.probing.Load()
	if err == nil || errors.Is(err, goredis.Nil) {
		s.fails.Store(0)
		if s.openUntil.Load() != 0 {
			s.openUntil.Store(0)
			s.log.Info("redis answers again; shared state back in use")
		}
		if probe {
			s.probing.Store(false)
		}
		return
	}
	if n := s.fails.Add(1); n >= breakerFailures || probe {
		if s.openUntil.Swap(s.now().Add(breakerOpen).UnixNano()) == 0 || probe {
			s.trips.Add(1)
		}
		s.fails.Store(0)
	}
	if probe {
		s.probing.Store(false)
	}
}

// Cache is a msaccount.Cache in Redis, with the replica's own cache in
// front of it for speed and behind it for outages.
type Cache struct {
	s     *Store
	local *msaccount.MemoryCache
}

// Cache returns the shared lookup cache.
func (s *Store) Cache(localSize int) *Cache {
	return &Cache{s: s, local: msaccount.NewMemoryCache(localSize)}
}

// Get implements msaccount.Cache. The value and its time to live come in
// one round trip.
func (c *Cache) Get(ctx context.Context, key string) (msaccount.Verdict, bool) {
	if v, ok := c.local.Get(ctx, key); ok {
		return v, true
	}
	rctx, cancel, ok := c.s.begin(ctx)
	if !ok {
		return msaccount.Verdict{}, false
	}
	defer cancel()
	k := c.s.key("v", key)
	pipe := c.s.rdb.Pipeline()
	get := pipe.Get(rctx, k)
	ttl := pipe.PTTL(rctx, k)
	_, err := pipe.Exec(rctx)
	c.s.end(ctx, err)
	if err != nil {
		if !errors.Is(err, goredis.Nil) {
			c.s.failed("cache get", err)
		}
		return msaccount.Verdict{}, false
	}
	var v msaccount.Verdict
	if err := json.Unmarshal([]byte(get.Val()), &v); err != nil {
		return msaccount.Verdict{}, false
	}
	if d := ttl.Val(); d > 0 {
		c.local.Set(ctx, key, v, d)
	}
	return v, true
}

// Set implements msaccount.Cache.
func (c *Cache) Set(ctx context.Context, key string, v msaccount.Verdict, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	c.local.Set(ctx, key, v, ttl)
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	rctx, cancel, ok := c.s.begin(ctx)
	if !ok {
		return
	}
	defer cancel()
	err = c.s.rdb.Set(rctx, c.s.key("v", key), b, ttl).Err()
	c.s.end(ctx, err)
	if err != nil {
		c.s.failed("cache set", err)
	}
}

// Memory is a helpdesk.Memory in Redis: a follow-up that lands on another
// replica still knows the previous turn.
type Memory struct {
	s     *Store
	ttl   time.Duration
	local *helpdesk.MemoryStore
}

// Memory returns the shared conversation memory; conversations expire after
// ttl of silence.
func (s *Store) Memory(ttl time.Duration) *Memory {
	if ttl <= 0 {
		ttl = 30 * time.Minute
	}
	return &Memory{s: s, ttl: ttl, local: helpdesk.NewMemoryStore(0, ttl)}
}

// Load implements helpdesk.Memory.
func (m *Memory) Load(ctx context.Context, conversation string) (helpdesk.Turn, bool) {
	rctx, cancel, ok := m.s.begin(ctx)
	if !ok {
		return m.local.Load(ctx, conversation)
	}
	defer cancel()
	b, err := m.s.rdb.Get(rctx, m.s.key("c", conversation)).Bytes()
	m.s.end(ctx, err)
	if err != nil {
		if errors.Is(err, goredis.Nil) {
			return helpdesk.Turn{}, false
		}
		m.s.failed("memory load", err)
		return m.local.Load(ctx, conversation)
	}
	var t helpdesk.Turn
	if err := json.Unmarshal(b, &t); err != nil {
		return helpdesk.Turn{}, false
	}
	return t, true
}

// Save implements helpdesk.Memory.
func (m *Memory) Save(ctx context.Context, conversation string, t helpdesk.Turn) {
	m.local.Save(ctx, conversation, t)
	b, err := json.Marshal(t)
	if err != nil {
		return
	}
	rctx, cancel, ok := m.s.begin(ctx)
	if !ok {
		return
	}
	defer cancel()
	err = m.s.rdb.Set(rctx, m.s.key("c", conversation), b, m.ttl).Err()
	m.s.end(ctx, err)
	if err != nil {
		m.s.failed("memory save", err)
	}
}

// Deduper remembers handled deliveries across replicas, so a retry that
// lands on another replica still produces one answer.
type Deduper struct {
	s     *Store
	local localDeduper
}

type localDeduper interface {
	Seen(ctx context.Context, key string, ttl time.Duration) bool
}

// Deduper returns the shared deduper; local is used while Redis is down.
func (s *Store) Deduper(local localDeduper) *Deduper {
	if local == nil {
		local = noLocal{}
	}
	return &Deduper{s: s, local: local}
}

// Seen records key and reports whether it was already there (SET NX).
func (d *Deduper) Seen(ctx context.Context, key string, ttl time.Duration) bool {
	return d.SeenAny(ctx, ttl, key)
}

// SeenAny records every key and reports whether any was already there, in
// one round trip whatever the number of keys (SET NX each, pipelined).
func (d *Deduper) SeenAny(ctx context.Context, ttl time.Duration, keys ...string) bool {
	local := func() bool {
		seen := false
		for _, k := range keys {
			if d.local.Seen(ctx, k, ttl) {
				seen = true
			}
		}
		return seen
	}
	rctx, cancel, ok := d.s.begin(ctx)
	if !ok {
		return local()
	}
	defer cancel()
	pipe := d.s.rdb.Pipeline()
	cmds := make([]*goredis.BoolCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.SetNX(rctx, d.s.key("d", k), 1, ttl)
	}
	_, err := pipe.Exec(rctx)
	d.s.end(ctx, err)
	if err != nil {
		d.s.failed("dedupe", err)
		return local()
	}
	seen := false
	for _, c := range cmds {
		if !c.Val() {
			seen = true
		}
	}
	return seen
}

// UserLimiter is the per-user lookup limit, counted across replicas over
// a sliding minute: the count of the current one-minute window plus the
// previous window's, weighted by how much of it the last minute still
// covers. (Counting whole calendar minutes alone would allow twice the
// limit around the turn of a minute.)
type UserLimiter struct {
	s         *Store
	perMinute int
	local     *helpdesk.WindowLimiter
}

// UserLimiter returns the shared per-user limiter.
func (s *Store) UserLimiter(perMinute int) *UserLimiter {
	return &UserLimiter{s: s, perMinute: perMinute, local: helpdesk.NewWindowLimiter(perMinute)}
}

// Take implements helpdesk.Limiter.
func (l *UserLimiter) Take(ctx context.Context, user string, n int) int {
	if n <= 0 {
		return 0
	}
	now := l.s.now()
	window := now.Unix() / 60
	key := func(w int64) string { return l.s.key("u", user+"\x00"+strconv.FormatInt(w, 10)) }
	rctx, cancel, ok := l.s.begin(ctx)
	if !ok {
		return l.local.Take(ctx, user, n)
	}
	defer cancel()
	pipe := l.s.rdb.TxPipeline()
	incr := pipe.IncrBy(rctx, key(window), int64(n))
	pipe.Expire(rctx, key(window), 2*time.Minute)
	prev := pipe.Get(rctx, key(window-1))
	_, err := pipe.Exec(rctx)
	if errors.Is(err, goredis.Nil) {
		err = nil // no lookups in the previous minute
	}
	l.s.end(ctx, err)
	if err != nil {
		l.s.failed("user limit", err)
		return l.local.Take(ctx, user, n)
	}
	earlier, _ := prev.Int64()
	past := float64(now.UnixNano()%int64(time.Minute)) / float64(time.Minute)
	before := float64(incr.Val()-int64(n)) + float64(earlier)*(1-past)
	return min(n, max(0, int(math.Floor(float64(l.perMinute)-before))))
}

// MicrosoftLimiter paces calls to Microsoft across all replicas: at most
// perSecond calls start in any one-second window.
type MicrosoftLimiter struct {
	s         *Store
	perSecond int
	local     *rate.Limiter
}

// MicrosoftLimiter returns the shared pace of calls to Microsoft.
func (s *Store) MicrosoftLimiter(perSecond float64) *MicrosoftLimiter {
	n := max(1, int(perSecond))
	return &MicrosoftLimiter{s: s, perSecond: n, local: rate.NewLimiter(rate.Limit(perSecond), n)}
}

// Wait implements msaccount.Limiter.
func (l *MicrosoftLimiter) Wait(ctx context.Context) error {
	for {
		now := time.Now()
		sec := now.Unix()
		key := l.s.prefix + "ms:" + strconv.FormatInt(sec, 10)
		rctx, cancel, ok := l.s.begin(ctx)
		if !ok {
			return l.local.Wait(ctx)
		}
		pipe := l.s.rdb.TxPipeline()
		incr := pipe.Incr(rctx, key)
		pipe.Expire(rctx, key, 5*time.Second)
		_, err := pipe.Exec(rctx)
		cancel()
		l.s.end(ctx, err)
		if err != nil {
			l.s.failed("microsoft pace", err)
			return l.local.Wait(ctx)
		}
		if int(incr.Val()) <= l.perSecond {
			return nil
		}
		next := time.Unix(sec+1, 0)
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// quietLogger drops go-redis's own log lines.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// noLocal is the fallback of a Deduper given none: it lets everything
// through, preferring a rare double answer to a lost one.
type noLocal struct{}

func (noLocal) Seen(context.Context, string, time.Duration) bool { return false }
