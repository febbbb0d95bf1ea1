package slack

import (
	"context"
	"time"

	"github.com/gosmarter/whichaccount/internal/recent"
)

// Deduper remembers keys for a while. Seen reports whether key was already
// recorded within ttl, and records it if not, atomically: of two concurrent
// calls with the same key exactly one gets false.
type Deduper interface {
	Seen(ctx context.Context, key string, ttl time.Duration) bool
}

// DefaultDedupeEntries bounds the in-memory deduper.
const DefaultDedupeEntries = 100000

// MemoryDeduper is the in-memory Deduper. It holds at most a bounded number
// of keys, each in a fixed-size entry (recent.Set: about 5 MB for
// 100,000, whatever the keys); when full it forgets the oldest keys
// first, and every call takes constant time.
type MemoryDeduper struct {
	s *recent.Set
}

// NewMemoryDeduper returns a Deduper holding at most max keys (100,000 when
// max <= 0).
func NewMemoryDeduper(max int) *MemoryDeduper {
	if max <= 0 {
		max = DefaultDedupeEntries
	}
	return &MemoryDeduper{s: recent.NewSet(max)}
}

// Seen implements Deduper.
func (d *MemoryDeduper) Seen(_ context.Context, key string, ttl time.Duration) bool {
	return !d.s.Add(key, ttl)
}
