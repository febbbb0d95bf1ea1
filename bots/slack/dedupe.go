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

// Bounds of the in-memory deduper.
const (
	DefaultDedupeEntries = 100000
	DefaultDedupeBytes   = 32 << 20
)

// MemoryDeduper is the in-memory Deduper. It holds at most a bounded number
// of keys and bytes; when full it forgets the oldest keys first, and every
// call takes constant time.
type MemoryDeduper struct {
	m *recent.Map[struct{}]
}

// NewMemoryDeduper returns a Deduper holding at most max keys (100,000 when
// max <= 0) and 32 MiB.
func NewMemoryDeduper(max int) *MemoryDeduper {
	if max <= 0 {
		max = DefaultDedupeEntries
	}
	return &MemoryDeduper{m: recent.New[struct{}](max, DefaultDedupeBytes, nil)}
}

// Seen implements Deduper.
func (d *MemoryDeduper) Seen(_ context.Context, key string, ttl time.Duration) bool {
	return !d.m.Add(key, struct{}{}, ttl)
}
