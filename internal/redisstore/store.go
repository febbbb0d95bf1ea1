// Package redisstore keeps the state several replicas share in Redis: the
// lookup cache, conversation memory, event deduplication, the per-user
// lookup limit and the global pace of calls to Microsoft. Every key has a
// TTL, so nothing grows without bound.
//
// Redis being down degrades rather than fails: each operation has a short
// timeout and, on error, falls back to the replica's own in-memory state
// (with a warning, at most once a minute), so answers keep flowing; Ping
// lets readiness report it.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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

// Store is a connection to Redis with the state stores built on it.
type Store struct {
	rdb    *goredis.Client
	log    *slog.Logger
	prefix string
	// OnError, when set, is called for each operation that fell back.
	OnError func()

	warnMu   sync.Mutex
	lastWarn time.Time
	ops      atomic.Int64
}

// New connects to the Redis at url (redis://, rediss:// or unix://). It
// does not fail when Redis is unreachable: the stores fall back until it
// answers.
func New(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisstore: parse REDIS_URL: %w", err)
	}
	opt.DialTimeout = time.Second
	opt.ReadTimeout = opTimeout
	opt.WriteTimeout = opTimeout
	opt.MaxRetries = 1
	if opt.PoolSize < 128 {
		opt.PoolSize = 128 // a request holds a connection for each round trip; 64 concurrent requests must not queue for one
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	goredis.SetLogger(quietLogger{}) // failures are reported through Store's own warnings
	s := &Store{rdb: goredis.NewClient(opt), log: log.With("component", "redis"), prefix: "wa:"}
	if err := s.Ping(ctx); err != nil {
		s.log.Warn("redis unreachable at start; using local state until it answers", "error", err.Error())
	}
	return s, nil
}

// Ping checks that Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	return s.rdb.Ping(ctx).Err()
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.rdb.Close() }

// Ops returns the number of Redis round trips made, for measurements.
func (s *Store) Ops() int64 { return s.ops.Load() }

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

func (s *Store) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	s.ops.Add(1)
	return context.WithTimeout(context.WithoutCancel(parent), opTimeout)
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

// Get implements msaccount.Cache.
func (c *Cache) Get(ctx context.Context, key string) (msaccount.Verdict, bool) {
	if v, ok := c.local.Get(ctx, key); ok {
		return v, true
	}
	rctx, cancel := c.s.ctx(ctx)
	defer cancel()
	b, err := c.s.rdb.Get(rctx, c.s.prefix+"v:"+key).Bytes()
	if err != nil {
		if !errors.Is(err, goredis.Nil) {
			c.s.failed("cache get", err)
		}
		return msaccount.Verdict{}, false
	}
	var v msaccount.Verdict
	if err := json.Unmarshal(b, &v); err != nil {
		return msaccount.Verdict{}, false
	}
	if ttl := c.s.rdb.TTL(rctx, c.s.prefix+"v:"+key).Val(); ttl > 0 {
		c.local.Set(ctx, key, v, ttl)
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
	rctx, cancel := c.s.ctx(ctx)
	defer cancel()
	if err := c.s.rdb.Set(rctx, c.s.prefix+"v:"+key, b, ttl).Err(); err != nil {
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
	rctx, cancel := m.s.ctx(ctx)
	defer cancel()
	b, err := m.s.rdb.Get(rctx, m.s.prefix+"c:"+conversation).Bytes()
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
	rctx, cancel := m.s.ctx(ctx)
	defer cancel()
	if err := m.s.rdb.Set(rctx, m.s.prefix+"c:"+conversation, b, m.ttl).Err(); err != nil {
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
	rctx, cancel := d.s.ctx(ctx)
	defer cancel()
	ok, err := d.s.rdb.SetNX(rctx, d.s.prefix+"d:"+key, 1, ttl).Result()
	if err != nil {
		d.s.failed("dedupe", err)
		return d.local.Seen(ctx, key, ttl)
	}
	return !ok
}

// UserLimiter is the per-user lookup limit, counted across replicas in
// one-minute windows.
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
	window := time.Now().Unix() / 60
	key := l.s.prefix + "u:" + user + ":" + strconv.FormatInt(window, 10)
	rctx, cancel := l.s.ctx(ctx)
	defer cancel()
	pipe := l.s.rdb.TxPipeline()
	incr := pipe.IncrBy(rctx, key, int64(n))
	pipe.Expire(rctx, key, 2*time.Minute)
	if _, err := pipe.Exec(rctx); err != nil {
		l.s.failed("user limit", err)
		return l.local.Take(ctx, user, n)
	}
	before := int(incr.Val()) - n
	return min(n, max(0, l.perMinute-before))
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
		rctx, cancel := l.s.ctx(ctx)
		pipe := l.s.rdb.TxPipeline()
		incr := pipe.Incr(rctx, key)
		pipe.Expire(rctx, key, 5*time.Second)
		_, err := pipe.Exec(rctx)
		cancel()
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
