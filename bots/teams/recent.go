package teams

import (
	"sync"
	"time"
)

// A redelivered activity (same conversation and id) is answered once.
const (
	recentCap = 20000
	recentTTL = 10 * time.Minute
)

// recentSet remembers keys for a while, up to a bounded number, oldest
// forgotten first. It is safe for concurrent use.
type recentSet struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	order []string // ring of keys in insertion order
	next  int
	ttl   time.Duration
	now   func() time.Time
}

func newRecentSet(capacity int, ttl time.Duration, now func() time.Time) *recentSet {
	return &recentSet{seen: make(map[string]time.Time), order: make([]string, capacity), ttl: ttl, now: now}
}

// add records key and reports whether it was new (or seen too long ago).
func (s *recentSet) add(key string) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.seen[key]; ok && now.Sub(at) < s.ttl {
		return false
	}
	if old := s.order[s.next]; old != "" {
		delete(s.seen, old)
	}
	// A key seen long ago and added again keeps its old ring slot too; when
	// that slot is reused the key is forgotten early, which is harmless.
	s.order[s.next] = key
	s.next = (s.next + 1) % len(s.order)
	s.seen[key] = now
	return true
}
