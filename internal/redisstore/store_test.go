package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/redisstore/redistest"
)

// testStore connects to a redis-server of the test's own.
func testStore(t *testing.T) *Store {
	t.Helper()
	srv := redistest.Start(t)
	s, err := New(context.Background(), srv.URL, nil)
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
	keys, err := s.rdb.Keys(ctx, "wa:*").Result()
	if err != nil || len(keys) < 5 {
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
