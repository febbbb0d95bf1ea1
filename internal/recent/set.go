package recent

import (
	"hash/maphash"
	"sync"
	"time"
)

// Set remembers which keys were seen recently, for deduplication: a
// retried event, a replayed request. It keeps a keyed 64-bit hash of each
// key, not the key, in a ring of fixed-size slots, so it holds no pointers
// the garbage collector must walk and costs SetEntryBytes an entry whatever
// the keys' length. Past maxEntries it forgets the oldest keys first. Two
// keys sharing a hash would be taken for one; with a per-process random
// seed nobody can arrange that, and by chance it is about 1 in 10^10 for a
// full set of 100,000.
type Set struct {
	mu    sync.Mutex
	seed  maphash.Seed
	index map[uint64]int32 // hash → its slot in ring
	ring  []slot           // grows to max, then wraps: oldest at next
	next  int
	max   int
	now   func() time.Time
}

type slot struct {
	hash    uint64
	expires int64 // Unix nanoseconds
}

// SetEntryBytes is about what one entry of a Set costs: its slot and its
// index entry.
const SetEntryBytes = 48

// NewSet returns a Set holding at most maxEntries keys.
func NewSet(maxEntries int) *Set {
	return &Set{seed: maphash.MakeSeed(), index: map[uint64]int32{}, max: max(1, maxEntries), now: time.Now}
}

// SetClock replaces the clock (time.Now), for tests.
func (s *Set) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// Add records key for ttl and reports whether it is new: not seen, or seen
// longer than its ttl ago. Of two concurrent calls with the same key,
// exactly one gets true.
func (s *Set) Add(key string, ttl time.Duration) bool {
	h := maphash.String(s.seed, key)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UnixNano()
	if i, ok := s.index[h]; ok && s.ring[i].expires > now {
		return false
	}
	at := s.next
	if len(s.ring) < s.max {
		s.ring = append(s.ring, slot{})
	} else if old := s.ring[at].hash; s.index[old] == int32(at) {
		delete(s.index, old) // the oldest is forgotten
	}
	s.ring[at] = slot{hash: h, expires: now + int64(ttl)}
	s.index[h] = int32(at)
	s.next = (at + 1) % s.max
	return true
}

// Len returns the number of keys remembered (expired or not).
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index)
}
