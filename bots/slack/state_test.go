package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"
)

// TestDeduperForgetsOldestFirst fills the deduper to its bound: the next
// key pushes out the oldest, never a recent one.
func TestDeduperForgetsOldestFirst(t *testing.T) {
	ctx := context.Background()
	d := NewMemoryDeduper(1000)
	for i := range 1000 {
		if d.Seen(ctx, fmt.Sprint("k", i), time.Hour) {
			t.Fatalf("k%d seen before it was added", i)
		}
	}
	d.Seen(ctx, "new", time.Hour)
	for i := 1; i < 1000; i++ {
		if !d.Seen(ctx, fmt.Sprint("k", i), time.Hour) {
			t.Fatalf("k%d, newer than the oldest, was forgotten at the bound", i)
		}
	}
	if d.Seen(ctx, "k0", time.Hour) {
		t.Error("the oldest key was kept past the bound")
	}
}

// TestStateOpsConstantTime times many operations on full structures: the
// old deduper scanned its whole map on every call at its bound, and the
// response_url budgets on every new URL past 10,000 (quadratic).
func TestStateOpsConstantTime(t *testing.T) {
	ctx := context.Background()
	d := NewMemoryDeduper(0)
	for i := range DefaultDedupeEntries {
		d.Seen(ctx, fmt.Sprint("slack:event:Ev", i), time.Hour)
	}
	start := time.Now()
	for i := range 5000 {
		d.Seen(ctx, fmt.Sprint("slack:event:Fresh", i), time.Hour)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("5,000 calls on a full deduper took %v", el)
	}

	s := newSender(nil, http.DefaultClient, slog.New(slog.DiscardHandler), time.Millisecond, 1, time.Millisecond, time.Now, nil)
	start = time.Now()
	for i := range 30000 {
		if !s.spend(fmt.Sprintf("https://hooks.slack.com/commands/T1/%d/x", i)) {
			t.Fatalf("fresh URL %d refused", i)
		}
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("30,000 fresh response_urls took %v", el)
	}
	if n := s.urls.Len(); n > budgetedURLs {
		t.Errorf("%d budgets held, bound %d", n, budgetedURLs)
	}
}
