package helpdesk

import (
	"container/list"
	"context"
	"strings"
	"sync"
	"time"
)

// Turn is what the assistant remembers of a conversation's last exchange.
// personMark and assistantMark open the Transcript's lines: what the
// person said and what the assistant answered.
const (
	personMark    = "> "
	assistantMark = "< "
)

// personSaid is what the person said on a Transcript line, and whether
// the line is theirs.
func personSaid(line string) (string, bool) { return strings.CutPrefix(line, personMark) }

type Turn struct {
	// Intent is the intent of the last answer.
	Intent Intent `json:"intent,omitempty"`
	// Topic is the catalogue topic last answered.
	Topic string `json:"topic,omitempty"`
	// Base is the topic the last question was about, before a variant was
	// chosen for what its addresses are.
	Base string `json:"base,omitempty"`
	// Targets are the addresses and domains last checked, as typed, at
	// most maxRemembered of them.
	Targets []string `json:"targets,omitempty"`
	// Pending is the topic waiting for an address, when the assistant has
	// just asked for one.
	Pending string `json:"pending,omitempty"`
	// Choices are the topics last offered as "did you mean".
	Choices []string `json:"choices,omitempty"`
	// Unmatched counts the questions in a row the assistant could not
	// answer.
	Unmatched int `json:"unmatched,omitempty"`
	// Lang is the language of the last reply.
	Lang string `json:"lang,omitempty"`
	// AnswerID identifies the last answer, for its feedback buttons.
	AnswerID string `json:"answer,omitempty"`
	// Question is the conversation's first question, for a hand-off.
	Question string `json:"question,omitempty"`
	// Transcript is the conversation's last turns ("> " the person, "< "
	// the assistant), at most maxTranscript lines of maxTurnText runes.
	Transcript []string `json:"transcript,omitempty"`
	// Comment is the topic of an answer just voted "not helpful": the next
	// message may say what was missing.
	Comment string `json:"comment,omitempty"`
	// HandoffTries counts hand-offs of this conversation that reached no
	// one, so that asking again tries again.
	HandoffTries int `json:"handoff_tries,omitempty"`
	// Told is set when the last answer gave the topic's details: it has
	// said all it knows about it.
	Told bool `json:"told,omitempty"`
	// Admin is the user who has said, in this conversation, that they are
	// an admin or the helpdesk asking for someone else: in a channel's
	// thread, others asking there are not.
	Admin string `json:"admin_user,omitempty"`
	// Earlier are the topics answered before the last one, the latest
	// last, at most maxEarlier of them.
	Earlier []string `json:"earlier,omitempty"`
	// Kind is the kind of account, work or personal, the person has said
	// the conversation is about ("it's my work account"), until an
	// address is checked or they say another.
	Kind string `json:"kind,omitempty"`
}

// maxRemembered bounds the targets a Turn keeps.
const maxRemembered = 10

// maxEarlier bounds the earlier topics a Turn keeps.
const maxEarlier = 4

// Memory keeps the last turn of each conversation. Implementations expire
// conversations after a while and bound how many they keep.
type Memory interface {
	Load(ctx context.Context, conversation string) (Turn, bool)
	Save(ctx context.Context, conversation string, t Turn)
}

// MemoryStore is the in-memory Memory: least recently used conversations
// go first when it is full, and idle ones expire after the TTL. It is
// bounded by conversations and by bytes (MemoryStoreBytes), whatever the
// length of the conversation keys and targets it is given.
type MemoryStore struct {
	mu       sync.Mutex
	ttl      time.Duration
	max      int
	maxBytes int64
	bytes    int64
	ll       *list.List
	items    map[string]*list.Element
	now      func() time.Time
}

type memItem struct {
	key  string
	turn Turn
	at   time.Time
	cost int64
}

// MemoryStoreBytes bounds the bytes a MemoryStore holds: keys, topics and
// targets, plus memItemOverhead per conversation.
const MemoryStoreBytes = 64 << 20

// memItemOverhead is what a conversation costs besides its strings: the
// list element, the map slot, the item.
const memItemOverhead = 160

func (it *memItem) size() int64 {
	t := &it.turn
	n := len(it.key) + len(t.Admin) + len(t.Kind) + len(t.Topic) + len(t.Base) + len(t.Intent) + len(t.Pending) + len(t.Lang) + len(t.AnswerID) + len(t.Question) + len(t.Comment) + memItemOverhead
	for _, s := range t.Targets {
		n += len(s) + 16
	}
	for _, s := range t.Choices {
		n += len(s) + 16
	}
	for _, s := range t.Transcript {
		n += len(s) + 16
	}
	for _, s := range t.Earlier {
		n += len(s) + 16
	}
	return int64(n)
}

// NewMemoryStore returns a store keeping at most max conversations (100,000
// when max <= 0) and MemoryStoreBytes, for ttl each (30 minutes when
// ttl <= 0).
func NewMemoryStore(max int, ttl time.Duration) *MemoryStore {
	if max <= 0 {
		max = 100000
	}
	if ttl <= 0 {
		ttl = 30 * time.Minute
	}
	return &MemoryStore{ttl: ttl, max: max, maxBytes: MemoryStoreBytes, ll: list.New(), items: map[string]*list.Element{}, now: time.Now}
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
		s.remove(el)
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
		s.bytes -= it.cost
		it.cost = it.size()
		s.bytes += it.cost
		s.ll.MoveToFront(el)
	} else {
		it := &memItem{key: conversation, turn: t, at: now}
		it.cost = it.size()
		s.bytes += it.cost
		s.items[conversation] = s.ll.PushFront(it)
	}
	for s.ll.Len() > 0 && (s.ll.Len() > s.max || s.bytes > s.maxBytes) {
		s.remove(s.ll.Back())
	}
}

func (s *MemoryStore) remove(el *list.Element) {
	it := el.Value.(*memItem)
	s.ll.Remove(el)
	delete(s.items, it.key)
	s.bytes -= it.cost
}

// Bytes returns the bytes counted against MemoryStoreBytes.
func (s *MemoryStore) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// Len returns the number of conversations held.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ll.Len()
}
