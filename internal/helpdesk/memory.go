package helpdesk

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Turn is what the assistant remembers of a conversation's last exchange.
type Turn struct {
	// Intent is the intent of the last answer.
	Intent Intent
	// Topic is the knowledge key of the last answer.
	Topic string
	// Targets are the addresses and domains last checked (at most
	// maxRemembered), as typed.
	Targets []string
	// Pending is the intent waiting for an address, when the assistant has
	// just asked for one.
	Pending Intent
}

// maxRemembered bounds the targets a Turn keeps.
const maxRemembered = 10

// Memory keeps the last turn of each conversation. Implementations expire
// conversations after a while and bound how many they keep.
type Memory interface {
	Load(ctx context.Context, conversation string) (Turn, bool)
	Save(ctx context.Context, conversation string, t Turn)
}

// MemoryStore is the in-memory Memory: least recently used conversations
// go first when it is full, and idle ones expire after the TTL.
type MemoryStore struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	ll    *list.List
	items map[string]*list.Element
	now   func() time.Time
}

type memItem struct {
	key  string
	turn Turn
	at   time.Time
}

// NewMemoryStore returns a store keeping at most max conversations (100,000
// when max <= 0) for ttl each (30 minutes when ttl <= 0).
func NewMemoryStore(max int, ttl time.Duration) *MemoryStore {
	if max <= 0 {
		max = 100000
	}
	if ttl <= 0 {
		ttl = 30 * time.Minute
	}
	return &MemoryStore{ttl: ttl, max: max, ll: list.New(), items: map[string]*list.Element{}, now: time.Now}
}

// Load returns the conversation's last turn, if it has not expired.
func (s *MemoryStore) Load(_ context.Context, conversation string) (Turn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.items[conversation]
	if !ok {
		return Turn{}, false
	}
	it := el.Value.(*memItem)
	if s.now().Sub(it.at) > s.ttl {
		s.ll.Remove(el)
		delete(s.items, conversation)
		return Turn{}, false
	}
	return it.turn, true
}

// Save stores the conversation's last turn.
func (s *MemoryStore) Save(_ context.Context, conversation string, t Turn) {
	if len(t.Targets) > maxRemembered {
		t.Targets = t.Targets[:maxRemembered]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if el, ok := s.items[conversation]; ok {
		it := el.Value.(*memItem)
		it.turn, it.at = t, now
		s.ll.MoveToFront(el)
		return
	}
	s.items[conversation] = s.ll.PushFront(&memItem{key: conversation, turn: t, at: now})
	for s.ll.Len() > s.max {
		old := s.ll.Back()
		s.ll.Remove(old)
		delete(s.items, old.Value.(*memItem).key)
	}
}

// Len returns the number of conversations held.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ll.Len()
}
