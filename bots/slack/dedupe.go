package slack

import (
	"context"
	"sync"
	"time"
)

// Deduper remembers keys for a while. Seen reports whether key was already
// recorded within ttl, and records it if not, atomically: of two concurrent
// calls with the same key exactly one gets false.
type Deduper interface {
	Seen(ctx context.Context, key string, ttl time.Duration) bool
}

// MemoryDeduper is the in-memory Deduper, bounded by size.
type MemoryDeduper struct {
	mu   sync.Mutex
	m    map[string]time.Time
	max  int
	now  func() time.Time
	last time.Time
}

// NewMemoryDeduper returns a Deduper holding at most max keys (100,000 when
// max <= 0).
func NewMemoryDeduper(max int) *MemoryDeduper {
	if max <= 0 {
		max = 100000
	}
	return &MemoryDeduper{m: map[string]time.Time{}, max: max, now: time.Now}
}

// Seen implements Deduper.
func (d *MemoryDeduper) Seen(_ context.Context, key string, ttl time.Duration) bool {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if exp, ok := d.m[key]; ok && now.Before(exp) {
		return true
	}
	if len(d.m) >= d.max || now.Sub(d.last) > time.Minute {
		for k, exp := range d.m {
			if !now.Before(exp) {
				delete(d.m, k)
			}
		}
		d.last = now
		for k := range d.m {
			if len(d.m) < d.max {
				break
			}
			delete(d.m, k)
		}
	}
	d.m[key] = now.Add(ttl)
	return false
}
