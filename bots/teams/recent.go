package teams

import (
	"context"
	"time"

	"github.com/gosmarter/whichaccount/internal/recent"
)

// Deduper remembers the activities already answered, so that a redelivery
// (same conversation and activity id) is answered once. Seen records key and
// reports whether it was recorded already within ttl, atomically. Replicas
// share one (Redis) so that a redelivery landing on another replica is
// caught too.
type Deduper interface {
	Seen(ctx context.Context, key string, ttl time.Duration) bool
}

// Bounds of the default, in-memory Deduper: the oldest keys are forgotten
// first past them.
const (
	recentCap = 20000
	recentTTL = 10 * time.Minute
)

// memoryDeduper is the Deduper of a single replica: fixed-size entries
// (recent.Set), whatever the keys.
type memoryDeduper struct {
	s *recent.Set
}

func newMemoryDeduper(entries int, now func() time.Time) *memoryDeduper {
	s := recent.NewSet(entries)
	s.SetClock(now)
	return &memoryDeduper{s: s}
}

func (d *memoryDeduper) Seen(_ context.Context, key string, ttl time.Duration) bool {
	return !d.s.Add(key, ttl)
}
