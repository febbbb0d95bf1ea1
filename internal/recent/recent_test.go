package recent

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestOldestFirst(t *testing.T) {
	m := New[int](3, 0, nil)
	for i := range 4 {
		m.Put(fmt.Sprint(i), i, time.Hour)
	}
	if _, ok := m.Get("0"); ok {
		t.Error("the oldest entry survived past the bound")
	}
	for _, k := range []string{"1", "2", "3"} {
		if v, ok := m.Get(k); !ok || fmt.Sprint(v) != k {
			t.Errorf("Get(%s) = %d, %v", k, v, ok)
		}
	}
	// Putting again makes an entry the newest.
	m.Put("1", 10, time.Hour)
	m.Put("4", 4, time.Hour)
	if _, ok := m.Get("2"); ok {
		t.Error("2 should have gone before the re-put 1")
	}
	if v, ok := m.Get("1"); !ok || v != 10 {
		t.Errorf("Get(1) = %d, %v", v, ok)
	}
}

func TestByteBound(t *testing.T) {
	key := strings.Repeat("k", 200)
	m := New[string](1000000, 10*(200+EntryOverhead+50), func(v string) int { return len(v) })
	for i := range 1000 {
		m.Put(fmt.Sprintf("%s%05d", key, i), strings.Repeat("v", 45), time.Hour)
	}
	if n := m.Len(); n > 10 || n < 9 {
		t.Errorf("Len = %d, want the 9 or 10 that fit", n)
	}
	if b := m.Bytes(); b > 10*(200+EntryOverhead+50) {
		t.Errorf("Bytes = %d over the bound", b)
	}
	if _, ok := m.Get(fmt.Sprintf("%s%05d", key, 999)); !ok {
		t.Error("the newest entry is gone")
	}
	// One entry larger than the whole bound is not kept.
	m.Put("huge", strings.Repeat("x", 100000), time.Hour)
	if _, ok := m.Get("huge"); ok || m.Bytes() > 10*(200+EntryOverhead+50) {
		t.Errorf("an entry over the bound was kept (%d bytes)", m.Bytes())
	}
}

func TestExpiry(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	m := New[int](10, 0, nil)
	m.SetClock(c.now)
	if !m.Add("a", 1, time.Minute) || m.Add("a", 2, time.Minute) {
		t.Fatal("Add: first must store, second must not")
	}
	c.t = c.t.Add(time.Minute)
	if _, ok := m.Get("a"); ok {
		t.Error("an expired entry was returned")
	}
	if !m.Add("a", 3, time.Minute) {
		t.Error("Add after expiry did not store")
	}
	m.Delete("a")
	if _, ok := m.Get("a"); ok || m.Len() != 0 {
		t.Error("Delete did not forget")
	}
	// Expired entries at the old end are dropped as new ones come.
	for i := range 5 {
		m.Put(fmt.Sprint(i), i, time.Second)
	}
	c.t = c.t.Add(2 * time.Second)
	m.Put("new", 0, time.Hour)
	if n := m.Len(); n != 1 {
		t.Errorf("Len = %d after the short-lived entries expired, want 1", n)
	}
}

// TestMemoryStaysBounded fills a Map with far more large keys than its
// bound and checks the heap holds about the bound, not the keys offered.
func TestMemoryStaysBounded(t *testing.T) {
	const bound = 4 << 20
	m := New[struct{}](1000000, bound, nil)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pad := strings.Repeat("x", 240)
	for i := range 200000 { // 200,000 × ~350 B offered: ~70 MB
		m.Add(fmt.Sprintf("%s%08d", pad, i), struct{}{}, time.Hour)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if grown > 3*bound {
		t.Errorf("heap grew %d bytes for a %d-byte bound", grown, bound)
	}
	if m.Bytes() > bound {
		t.Errorf("Bytes = %d over %d", m.Bytes(), bound)
	}
	runtime.KeepAlive(m)
}

// BenchmarkAddFull measures Add on a full map: constant time, whatever the
// size.
func BenchmarkAddFull(b *testing.B) {
	for _, size := range []int{1000, 100000} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			m := New[struct{}](size, 0, nil)
			keys := make([]string, size*2)
			for i := range keys {
				keys[i] = fmt.Sprintf("slack:event:Ev%010d", i)
			}
			for i := range size {
				m.Add(keys[i], struct{}{}, time.Hour)
			}
			b.ResetTimer()
			for i := range b.N {
				m.Add(keys[i%len(keys)], struct{}{}, time.Hour)
			}
		})
	}
}
