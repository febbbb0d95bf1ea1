package msaccount

import (
	"context"
	"sync"
	"time"
)

// Cache keeps verdicts between lookups. Keys are Target.Key values. The
// default is an in-memory cache; replicas can share one through another
// implementation.
type Cache interface {
	Get(ctx context.Context, key string) (Verdict, bool)
	Set(ctx context.Context, key string, v Verdict, ttl time.Duration)
}

// MemoryCache is a bounded in-memory Cache with per-entry expiry. It is safe
// for concurrent use.
type MemoryCache struct {
	mu  sync.RWMutex
	m   map[string]memEntry
	max int
	now func() time.Time
}

type memEntry struct {
	v       Verdict
	expires time.Time
}

// NewMemoryCache returns a cache holding at most max entries (10,000 when
// max <= 0).
func NewMemoryCache(max int) *MemoryCache {
	if max <= 0 {
		max = 10000
	}
	return &MemoryCache{m: make(map[string]memEntry), max: max, now: time.Now}
}

// Get returns the live entry for key.
func (c *MemoryCache) Get(_ context.Context, key string) (Verdict, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || !c.now().Before(e.expires) {
		return Verdict{}, false
	}
	return e.v, true
}

// Set stores v under key for ttl. When the cache is full it first drops
// expired entries, then arbitrary ones, down to seven eighths of its bound.
func (c *MemoryCache) Set(_ context.Context, key string, v Verdict, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok && len(c.m) >= c.max {
		c.evict(now)
	}
	c.m[key] = memEntry{v: v, expires: now.Add(ttl)}
}

func (c *MemoryCache) evict(now time.Time) {
	target := c.max - c.max/8
	for k, e := range c.m {
		if !now.Before(e.expires) {
			delete(c.m, k)
		}
	}
	for k := range c.m {
		if len(c.m) < target {
			break
		}
		delete(c.m, k)
	}
}

// Len returns the number of entries, live or expired.
func (c *MemoryCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
