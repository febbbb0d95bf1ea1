package recent

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSetSeenOnce(t *testing.T) {
	s := NewSet(10)
	if !s.Add("a", time.Hour) || s.Add("a", time.Hour) || !s.Add("b", time.Hour) {
		t.Fatal("a key is new once, then seen")
	}
}

func TestSetOldestFirst(t *testing.T) {
	s := NewSet(3)
	for i := range 4 {
		s.Add(fmt.Sprint(i), time.Hour)
	}
	if !s.Add("0", time.Hour) {
		t.Error("the oldest key is still remembered past the bound")
	}
	// Adding "0" again forgot "1", the oldest then.
	if s.Add("2", time.Hour) || s.Add("3", time.Hour) {
		t.Error("the newer keys were forgotten")
	}
	if !s.Add("1", time.Hour) {
		t.Error("\"1\" was not forgotten")
	}
	if s.Len() != 3 {
		t.Errorf("Len = %d, want 3", s.Len())
	}
}

func TestSetExpiry(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	s := NewSet(10)
	s.SetClock(c.now)
	s.Add("a", time.Minute)
	c.t = c.t.Add(59 * time.Second)
	if s.Add("a", time.Minute) {
		t.Error("seen within its ttl, taken for new")
	}
	c.t = c.t.Add(2 * time.Second)
	if !s.Add("a", time.Minute) {
		t.Error("expired, still seen")
	}
	// The key re-added after expiry lives in a new slot: filling the set
	// forgets the stale slot without forgetting the key.
	for i := range 9 {
		s.Add(fmt.Sprint(i), time.Hour)
	}
	if s.Add("a", time.Minute) {
		t.Error("the re-added key was forgotten with its stale slot")
	}
}

func TestSetConcurrentExactlyOne(t *testing.T) {
	s := NewSet(1000)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.Add("same", time.Hour) {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d concurrent Adds of one key got true, want 1", wins.Load())
	}
}

// TestSetMemoryStaysBounded: a Set's memory depends on its bound, not on
// the keys offered or their length.
func TestSetMemoryStaysBounded(t *testing.T) {
	const bound = 50000
	s := NewSet(bound)
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pad := strings.Repeat("x", 240)
	for i := range 200000 { // 200,000 keys of ~250 B offered: ~50 MB
		s.Add(fmt.Sprintf("%s%08d", pad, i), time.Hour)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 2*bound*SetEntryBytes {
		t.Errorf("heap grew %d bytes for %d entries of about %d", grown, bound, SetEntryBytes)
	}
	if s.Len() != bound {
		t.Errorf("Len = %d, want %d", s.Len(), bound)
	}
	runtime.KeepAlive(s)
}

// BenchmarkSetAddFull measures Add on a full set against Map's.
func BenchmarkSetAddFull(b *testing.B) {
	const size = 100000
	keys := make([]string, size*2)
	for i := range keys {
		keys[i] = fmt.Sprintf("slack:cmd:T0001:%d.%d.trigger", i, i*7919)
	}
	b.Run("Set", func(b *testing.B) {
		s := NewSet(size)
		for i := range size {
			s.Add(keys[i], time.Hour)
		}
		i := 0
		for b.Loop() {
			s.Add(keys[i%len(keys)], time.Hour)
			i++
		}
	})
	b.Run("Map", func(b *testing.B) {
		m := New[struct{}](size, 0, nil)
		for i := range size {
			m.Add(keys[i], struct{}{}, time.Hour)
		}
		i := 0
		for b.Loop() {
			m.Add(keys[i%len(keys)], struct{}{}, time.Hour)
			i++
		}
	})
}
