package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/journal"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/redisstore/redistest"
)

// testStore connects to a redis-server of the test's own.
func testStore(t *testing.T) *Store {
	t.Helper()
	srv := redistest.Start(t)
	s, err := New(context.Background(), Config{URL: srv.URL}, nil)
	if err == nil {
		err = s.Ping(context.Background())
	}
	if err != nil {
		t.Fatalf("redis-server of the test at %s: %v", srv.URL, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestEveryKeyExpires uses every store once and checks that each key it
// left has a TTL: nothing in Redis grows without bound.
func TestEveryKeyExpires(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	c := s.Cache(10)
	c.Set(ctx, "a:x@contoso.com", msaccount.Verdict{Input: "x@contoso.com", Kind: msaccount.KindWork}, time.Hour)
	if v, ok := s.Cache(10).Get(ctx, "a:x@contoso.com"); !ok || v.Kind != msaccount.KindWork {
		t.Errorf("cache from another replica = %+v, %v", v, ok)
	}
	m := s.Memory(time.Minute)
	m.Save(ctx, "conv", helpdesk.Turn{Intent: helpdesk.Classify, Pending: "classify.need_address"})
	if turn, ok := s.Memory(time.Minute).Load(ctx, "conv"); !ok || turn.Pending != "classify.need_address" {
		t.Errorf("memory from another replica = %+v, %v", turn, ok)
	}
	d := s.Deduper(nil)
	if d.Seen(ctx, "e1", time.Minute) || !d.Seen(ctx, "e1", time.Minute) {
		t.Error("deduper: first call must be unseen, the second seen")
	}
	l := s.UserLimiter(2)
	if got := l.Take(ctx, "u", 3); got != 2 {
		t.Errorf("Take(3) with a limit of 2 = %d", got)
	}
	if got := s.UserLimiter(2).Take(ctx, "u", 1); got != 0 {
		t.Errorf("Take after the limit on another replica = %d", got)
	}
	if err := s.MicrosoftLimiter(100).Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Journal().Append(ctx, journal.Batch{Counts: map[journal.Key]int{{Day: journal.Day(time.Now()), Topic: "a.b", Event: helpdesk.NoteAnswered}: 1},
		Unanswered: []helpdesk.Unanswered{{Text: "x", Why: "unmatched", At: time.Now()}}}); err != nil {
		t.Fatal(err)
	}
	keys, err := s.rdb.Keys(ctx, "wa:*").Result()
	if err != nil || len(keys) < 7 {
		t.Fatalf("keys = %v, %v", keys, err)
	}
	for _, k := range keys {
		if ttl := s.rdb.TTL(ctx, k).Val(); ttl <= 0 {
			t.Errorf("key %s has no TTL (%v)", k, ttl)
		}
	}
}

// TestMicrosoftLimiterIsGlobal checks two replicas together start no more
// calls in a second than the shared limit.
func TestMicrosoftLimiterIsGlobal(t *testing.T) {
	s := testStore(t)
	a, b := s.MicrosoftLimiter(5), s.MicrosoftLimiter(5)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	// Align to the start of a second, then take as many as are granted
	// without waiting into the next one.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)) + 10*time.Millisecond)
	start := time.Now().Unix()
	granted := 0
	for i := range 12 {
		l := a
		if i%2 == 1 {
			l = b
		}
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if time.Now().Unix() != start {
			break
		}
		granted++
	}
	if granted != 5 {
		t.Errorf("calls granted in one second across two replicas = %d, want 5", granted)
	}
}

// TestKeysAreHashed: no address, conversation or user id appears in a key
// name; names are keyed hashes, the same for every replica with the same
// secret and different with another.
func TestKeysAreHashed(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	s.Cache(10).Set(ctx, "a:someone@contoso.com", msaccount.Verdict{Input: "someone@contoso.com", Kind: msaccount.KindWork}, time.Hour)
	s.Memory(time.Minute).Save(ctx, "T0001:C0001:someone", helpdesk.Turn{Intent: helpdesk.Classify})
	s.Deduper(nil).Seen(ctx, "slack:event:Ev0001", time.Minute)
	s.UserLimiter(5).Take(ctx, "slack:T0001:U0001", 1)
	keys, err := s.rdb.Keys(ctx, "*").Result()
	if err != nil || len(keys) != 4 {
		t.Fatalf("keys = %q, %v", keys, err)
	}
	for _, k := range keys {
		for _, leak := range []string{"someone", "contoso", "@", "C0001", "Ev0001", "U0001"} {
			if strings.Contains(strings.ToLower(k), strings.ToLower(leak)) {
				t.Errorf("key %q shows %q", k, leak)
			}
		}
		if len(k) > 40 {
			t.Errorf("key %q is %d bytes long", k, len(k))
		}
	}
	other, err := New(ctx, Config{URL: s.url, KeySecret: "another"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.key("v", "a:x@y.com") == s.key("v", "a:x@y.com") {
		t.Error("another secret names keys the same")
	}
	// Another replica with the same configuration finds them.
	same, err := New(ctx, Config{URL: s.url}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer same.Close()
	if v, ok := same.Cache(10).Get(ctx, "a:someone@contoso.com"); !ok || v.Kind != msaccount.KindWork {
		t.Errorf("another replica's Get = %+v, %v", v, ok)
	}
}

// TestSeenAnyOneRoundTrip: deduplicating by two keys costs one round trip.
func TestSeenAnyOneRoundTrip(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	d := s.Deduper(nil)
	before := s.Ops()
	if d.SeenAny(ctx, time.Minute, "slack:event:E1", "slack:msg:C1:1.1") {
		t.Fatal("new keys seen")
	}
	if n := s.Ops() - before; n != 1 {
		t.Errorf("%d round trips for two keys, want 1", n)
	}
	if !d.SeenAny(ctx, time.Minute, "slack:event:E2", "slack:msg:C1:1.1") {
		t.Error("a delivery whose message key was seen is not a duplicate")
	}
	if !d.Seen(ctx, "slack:event:E2", time.Minute) {
		t.Error("SeenAny did not record every key")
	}
	before = s.Ops()
	s.Cache(10).Get(ctx, "a:nobody@contoso.com")
	if n := s.Ops() - before; n != 1 {
		t.Errorf("cache get: %d round trips, want 1", n)
	}
}

// fakeClock is a settable clock for the breaker.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestHungRedisBreaker points a store at a Redis that accepts connections
// and never answers: after three timeouts the breaker skips it, every
// operation returns at once from local state, Ping says so, and after the
// open time one probe tries again.
func TestHungRedisBreaker(t *testing.T) {
	hung := redistest.StartHung(t)
	ctx := context.Background()
	clock := &fakeClock{t: time.Now()}
	s, err := New(ctx, Config{URL: hung.URL}, nil) // its start-up ping fails: one failure
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.now = clock.now
	d := s.Deduper(noLocal{})
	for i := range 2 {
		start := time.Now()
		d.Seen(ctx, fmt.Sprint("k", i), time.Minute)
		if el := time.Since(start); el < opTimeout/2 || el > 4*opTimeout {
			t.Errorf("operation %d against the hung Redis took %v", i, el)
		}
	}
	if !s.CircuitOpen() || s.Trips() != 1 {
		t.Fatalf("breaker open %v, trips %d after three timeouts", s.CircuitOpen(), s.Trips())
	}
	start := time.Now()
	for i := range 1000 {
		d.Seen(ctx, fmt.Sprint("fast", i), time.Minute)
		s.Memory(time.Minute).Load(ctx, "conv")
	}
	if el := time.Since(start); el > 200*time.Millisecond {
		t.Errorf("2,000 operations with the breaker open took %v", el)
	}
	if err := s.Ping(ctx); !errors.Is(err, ErrCircuitOpen) {
		t.Errorf("Ping with the breaker open = %v", err)
	}
	// After the open time one operation probes; it times out too, and the
	// breaker opens again.
	clock.advance(breakerOpen + time.Second)
	start = time.Now()
	d.Seen(ctx, "probe", time.Minute)
	if el := time.Since(start); el < opTimeout/2 {
		t.Errorf("the probe took %v: it did not try Redis", el)
	}
	if !s.CircuitOpen() || s.Trips() != 2 {
		t.Errorf("after a failed probe: open %v, trips %d", s.CircuitOpen(), s.Trips())
	}
}

// TestBreakerCloses pauses a real Redis until the breaker opens, then lets
// it answer again: the next probe closes the breaker.
func TestBreakerCloses(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	clock := &fakeClock{t: time.Now()}
	s.now = clock.now
	if err := s.rdb.Do(ctx, "CLIENT", "PAUSE", "1500", "ALL").Err(); err != nil {
		t.Fatal(err)
	}
	d := s.Deduper(noLocal{})
	for i := range breakerFailures {
		d.Seen(ctx, fmt.Sprint("k", i), time.Minute)
	}
	if !s.CircuitOpen() {
		t.Fatal("breaker not open after three timeouts")
	}
	time.Sleep(1600 * time.Millisecond) // the pause ends
	clock.advance(breakerOpen + time.Second)
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("probe after the pause: %v", err)
	}
	if s.CircuitOpen() {
		t.Error("breaker still open after a successful probe")
	}
	if d.Seen(ctx, "fresh", time.Minute) || !d.Seen(ctx, "fresh", time.Minute) {
		t.Error("dedupe through Redis does not work after the breaker closed")
	}
}

// TestUserLimitAcrossTheMinute: lookups just before the turn of a minute
// still count just after it, and fade out over the next minute.
func TestUserLimitAcrossTheMinute(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	turn := time.Date(2026, 11, 30, 12, 1, 0, 0, time.UTC)
	at := func(d time.Duration) { s.now = func() time.Time { return turn.Add(d) } }
	at(-100 * time.Millisecond)
	if got := s.UserLimiter(2).Take(ctx, "u", 2); got != 2 {
		t.Fatalf("Take(2) with a limit of 2 = %d", got)
	}
	at(100 * time.Millisecond)
	if got := s.UserLimiter(2).Take(ctx, "u", 1); got != 0 {
		t.Errorf("Take just after the turn of the minute = %d, want 0", got)
	}
	at(59 * time.Second) // the previous minute's two count for about 0.03
	if got := s.UserLimiter(2).Take(ctx, "u", 1); got != 0 {
		t.Errorf("Take with the refused one of this minute counted = %d, want 0", got)
	}
	at(90 * time.Second) // the last minute holds half of the two counted since
	if got := s.UserLimiter(2).Take(ctx, "u", 1); got != 1 {
		t.Errorf("Take a minute and a half later = %d, want 1", got)
	}
}
