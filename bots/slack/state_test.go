package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
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
	el := time.Since(start)
	t.Logf("5,000 new keys on a full deduper: %v", el)
	if el > 2*time.Second {
		t.Errorf("5,000 calls on a full deduper took %v", el)
	}

	s := newSender(nil, http.DefaultClient, slog.New(slog.DiscardHandler), time.Millisecond, 1, time.Millisecond, time.Now, nil)
	start = time.Now()
	for i := range 30000 {
		if !s.spend(fmt.Sprintf("https://hooks.slack.com/commands/T1/%d/x", i)) {
			t.Fatalf("fresh URL %d refused", i)
		}
	}
	el = time.Since(start)
	t.Logf("30,000 new response_urls: %v", el)
	if el > 2*time.Second {
		t.Errorf("30,000 fresh response_urls took %v", el)
	}
	if n := s.urls.Len(); n > budgetedURLs {
		t.Errorf("%d budgets held, bound %d", n, budgetedURLs)
	}
}

// TestOverlongIDs: ids that would become keys are capped; a request with a
// longer one is refused with 400 and never answered.
func TestOverlongIDs(t *testing.T) {
	h := newHarness(t, 0, nil)
	long := strings.Repeat("x", MaxIDLen+1)
	form := func(v url.Values) []byte { return slacktest.FormBody(v) }
	cmd := func(k, v string) []byte {
		f := url.Values{"team_id": {"T0001"}, "channel_id": {"C0001"}, "user_id": {"U0001"}, "command": {"/whichaccount"},
			"text": {"sam@outlook.com"}, "response_url": {h.fake.ResponseURL()}, "trigger_id": {"1.2.3"}}
		f.Set(k, v)
		return form(f)
	}
	for _, k := range []string{"team_id", "channel_id", "user_id", "trigger_id"} {
		if res := h.post(t, "application/x-www-form-urlencoded", cmd(k, long)); res.StatusCode != http.StatusBadRequest {
			t.Errorf("command with a long %s: %d, want 400", k, res.StatusCode)
		}
	}
	if res := h.post(t, "application/x-www-form-urlencoded", cmd("response_url", h.fake.URL+"/response/"+strings.Repeat("r", 2000))); res.StatusCode != http.StatusBadRequest {
		t.Errorf("command with a long response_url: %d, want 400", res.StatusCode)
	}
	mention := map[string]any{"type": "app_mention", "user": "U0001", "text": "<@UBOT0001> sam@outlook.com", "ts": "1700000000.000100", "channel": long}
	if res := h.event(t, "EvLong1", mention); res.StatusCode != http.StatusBadRequest {
		t.Errorf("event with a long channel: %d, want 400", res.StatusCode)
	}
	if res := h.event(t, long, map[string]any{"type": "app_mention", "user": "U0001", "text": "hi", "ts": "1.1", "channel": "C1"}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("event with a long event_id: %d, want 400", res.StatusCode)
	}
	dm := map[string]any{"type": "message", "channel_type": "im", "user": long, "text": "sam@outlook.com", "ts": "1700000000.000300", "channel": "D0001"}
	if res := h.event(t, "EvLong2", dm); res.StatusCode != http.StatusBadRequest {
		t.Errorf("message with a long user: %d, want 400", res.StatusCode)
	}
	var payload map[string]any
	_ = json.Unmarshal([]byte(mustPayload(t, blockAction(t, actionSuggest+"0", "why?", true, "", h.fake.ResponseURL()))), &payload)
	payload["user"] = map[string]string{"id": long}
	b, _ := json.Marshal(payload)
	if res := h.post(t, "application/x-www-form-urlencoded", form(url.Values{"payload": {string(b)}})); res.StatusCode != http.StatusBadRequest {
		t.Errorf("click with a long user: %d, want 400", res.StatusCode)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(h.resp.messages()); n != 0 {
		t.Errorf("%d requests with over-long ids were answered", n)
	}
}

func mustPayload(t *testing.T, body []byte) string {
	t.Helper()
	v, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return v.Get("payload")
}
