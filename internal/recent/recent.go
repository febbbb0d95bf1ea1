// Package recent remembers recent keys, each with a value and an expiry, in
// memory. A Map is bounded both by its number of entries and by the bytes
// they hold, forgets the oldest entries first when it is full, and does every
// operation in constant time: no scans, no random eviction. The adapters'
// deduplication, response_url budgets and pacing are built on it.
package recent

import (
	"sync"
	"time"
)

// EntryOverhead is what one entry costs on top of its key and value: the map
// slot, the entry and its list links. Map counts it in its byte bound, so the
// bound stays honest when keys are short.
const EntryOverhead = 96

// Map is a bounded map of expiring entries, oldest first out. It is safe for
// concurrent use.
type Map[V any] struct {
	mu         sync.Mutex
	items      map[string]*entry[V]
	head, tail *entry[V] // oldest at head, newest at tail
	bytes      int64
	maxEntries int
	maxBytes   int64
	size       func(V) int
	now        func() time.Time
}

type entry[V any] struct {
	key        string
	val        V
	expires    time.Time
	cost       int64
	prev, next *entry[V]
}

// New returns a Map holding at most maxEntries entries and maxBytes bytes
// (keys, the values' sizes as size reports them, nil for none, and
// EntryOverhead each).
func New[V any](maxEntries int, maxBytes int64, size func(V) int) *Map[V] {
	if maxEntries <= 0 {
		maxEntries = 1
	}
	return &Map[V]{items: make(map[string]*entry[V]), maxEntries: maxEntries, maxBytes: maxBytes, size: size, now: time.Now}
}

// SetClock replaces the clock (time.Now), for tests.
func (m *Map[V]) SetClock(now func() time.Time) {
	m.mu.Lock()
	m.now = now
	m.mu.Unlock()
}

// Get returns key's value if it is there and has not expired.
func (m *Map[V]) Get(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	if !m.now().Before(e.expires) {
		m.remove(e)
		var zero V
		return zero, false
	}
	return e.val, true
}

// Put stores key's value for ttl as the newest entry, replacing any other.
func (m *Map[V]) Put(key string, v V, ttl time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.items[key]; ok {
		m.remove(e)
	}
	m.insert(key, v, ttl)
}

// Add stores key's value for ttl unless key is there and live, and reports
// whether it stored it: of two calls with the same key within ttl, exactly
// one gets true.
func (m *Map[V]) Add(key string, v V, ttl time.Duration) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.items[key]; ok {
		if m.now().Before(e.expires) {
			return false
		}
		m.remove(e)
	}
	m.insert(key, v, ttl)
	return true
}

// Delete forgets key.
func (m *Map[V]) Delete(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.items[key]; ok {
		m.remove(e)
	}
}

// Len returns the number of entries held, live or expired.
func (m *Map[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Bytes returns the bytes counted against the bound.
func (m *Map[V]) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}

func (m *Map[V]) insert(key string, v V, ttl time.Duration) {
	now := m.now()
	cost := int64(len(key) + EntryOverhead)
	if m.size != nil {
		cost += int64(m.size(v))
	}
	e := &entry[V]{key: key, val: v, expires: now.Add(ttl), cost: cost, prev: m.tail}
	if m.tail != nil {
		m.tail.next = e
	} else {
		m.head = e
	}
	m.tail = e
	m.items[key] = e
	m.bytes += cost
	// Expired entries at the old end go first (each is removed once, so
	// this is constant time on average), then the oldest until the bounds
	// hold. An entry larger than the whole byte bound is not kept.
	for m.head != nil && m.head != e && !now.Before(m.head.expires) {
		m.remove(m.head)
	}
	for m.head != nil && (len(m.items) > m.maxEntries || m.maxBytes > 0 && m.bytes > m.maxBytes) {
		m.remove(m.head)
	}
}

func (m *Map[V]) remove(e *entry[V]) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		m.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		m.tail = e.prev
	}
	e.prev, e.next = nil, nil
	delete(m.items, e.key)
	m.bytes -= e.cost
}
