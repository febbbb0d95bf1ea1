package main

import (
	"context"
	"log/slog"
	"time"

	slackbot "github.com/gosmarter/whichaccount/bots/slack"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/journal"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/redisstore"
)

// sharedState is the state replicas share through Redis when REDIS_URL is
// set, and the process keeps in memory otherwise. In memory, the lookup
// cache and the pace of calls to Microsoft are left nil: msaccount.New
// supplies its own defaults.
type sharedState struct {
	store            *redisstore.Store // nil in memory
	cache            msaccount.Cache
	memory           helpdesk.Memory
	userLimiter      helpdesk.Limiter
	deduper          slackbot.Deduper
	microsoftLimiter msaccount.Limiter
	// votes remembers votes and hand-offs so that each counts once: the
	// deduper, without its count of dropped deliveries.
	votes helpdesk.Seen
	// journal is where the journal is kept: Redis, or the data directory.
	journal     journal.Store
	journalDesc string
}

func newSharedState(ctx context.Context, cfg config, log *slog.Logger, m *metrics) (*sharedState, error) {
	s := &sharedState{}
	localDedupe := slackbot.NewMemoryDeduper(0)
	if cfg.RedisURL == "" {
		s.memory = helpdesk.NewMemoryStore(0, 0)
		s.userLimiter = helpdesk.NewWindowLimiter(cfg.UserPerMinute)
		s.deduper = localDedupe
		fs := journal.NewFileStore(cfg.DataDir)
		s.journal, s.journalDesc = fs, fs.Path()
	} else {
		st, err := redisstore.New(ctx, redisstore.Config{URL: cfg.RedisURL, KeySecret: cfg.RedisKeySecret}, log)
		if err != nil {
			return nil, err
		}
		st.OnError = m.redisErrors.Inc
		m.watchRedis(st)
		s.store = st
		s.cache = st.Cache(10000)
		s.memory = st.Memory(30 * time.Minute)
		s.userLimiter = st.UserLimiter(cfg.UserPerMinute)
		s.deduper = st.Deduper(localDedupe)
		perSecond := cfg.Lookup.RatePerSecond
		if perSecond <= 0 {
			perSecond = msaccount.DefaultRatePerSecond
		}
		s.microsoftLimiter = st.MicrosoftLimiter(perSecond)
		s.journal, s.journalDesc = st.Journal(), "Redis"
	}
	s.votes = s.deduper
	s.deduper = countingDeduper{s.deduper, m}
	s.userLimiter = countingLimiter{s.userLimiter, m}
	return s, nil
}

// ping checks Redis when it is configured.
func (s *sharedState) ping(ctx context.Context) error {
	if s.store == nil {
		return nil
	}
	return s.store.Ping(ctx)
}

func (s *sharedState) close() {
	if s.store != nil {
		s.store.Close()
	}
}

type countingDeduper struct {
	d slackbot.Deduper
	m *metrics
}

func (c countingDeduper) Seen(ctx context.Context, key string, ttl time.Duration) bool {
	seen := c.d.Seen(ctx, key, ttl)
	if seen {
		c.m.dedupeHits.Inc()
	}
	return seen
}

// SeenAny records several keys at once: one Redis round trip when the
// deduper is Redis's.
func (c countingDeduper) SeenAny(ctx context.Context, ttl time.Duration, keys ...string) bool {
	var seen bool
	if md, ok := c.d.(interface {
		SeenAny(context.Context, time.Duration, ...string) bool
	}); ok {
		seen = md.SeenAny(ctx, ttl, keys...)
	} else {
		for _, k := range keys {
			if c.d.Seen(ctx, k, ttl) {
				seen = true
			}
		}
	}
	if seen {
		c.m.dedupeHits.Inc()
	}
	return seen
}

type countingLimiter struct {
	l helpdesk.Limiter
	m *metrics
}

func (c countingLimiter) Take(ctx context.Context, user string, n int) int {
	got := c.l.Take(ctx, user, n)
	if got < n {
		c.m.limited.Add(float64(n - got))
	}
	return got
}
