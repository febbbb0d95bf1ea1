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
	recentCap   = 20000
	recentBytes = 8 << 20
	recentTTL   = 10 * time.Minute
)

// memoryDeduper is the Deduper of a single replica.
type memoryDeduper struct {
	m *recent.Map[struct{}]
}

func newMemoryDeduper(entries int, bytes int64, now func() time.Time) *memoryDeduper {
	m := recent.New[struct{}](entries, bytes, nil)
	m.SetClock(now)
	return &memoryDeduper{m: m}
}

func (d *memoryDeduper) Seen(_ context.Context, key string, ttl time.Duration) bool {
	return !d.m.Add(key, struct{}{}, ttl)
}
