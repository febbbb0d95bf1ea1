package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

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

	s := newSender(nil, http.DefaultClient, "https://slack.com/api/", slog.New(slog.DiscardHandler), time.Millisecond, 1, time.Millisecond, time.Now, nil)
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

// TestNoRetryAfterTimeout: a Slack that takes the message but answers after
// the client gave up gets it once, not once per retry; a response_url the
// same.
func TestNoRetryAfterTimeout(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	h.fake.SetLatency("chat.postMessage", 500*time.Millisecond)
	h.fake.SetLatency("response_url", 500*time.Millisecond)
	h.event(t, "EvSlow", map[string]any{"type": "message", "channel_type": "im", "user": "U0002", "text": "sam@outlook.com", "ts": "1700000000.000900", "channel": "D0002"})
	h.post(t, "application/x-www-form-urlencoded", blockAction(t, actionSuggest+"0", "why?", true, "", h.fake.ResponseURL()))
	time.Sleep(2500 * time.Millisecond)
	methods := map[string]int{}
	for _, p := range h.fake.Posts() {
		methods[p.Method]++
	}
	if methods["chat.postMessage"] != 1 || methods["response_url"] != 1 || len(methods) != 2 {
		t.Errorf("a slow Slack got the answers by %v, want chat.postMessage once and response_url once", methods)
	}
}

// TestRetryWhatWasNotDelivered: explicit 5xx answers and refused
// connections are retried; other failures are not.
func TestRetryWhatWasNotDelivered(t *testing.T) {
	h := newHarness(t, 0, nil)
	h.fake.Fail("chat.postMessage", http.StatusServiceUnavailable, http.StatusInternalServerError)
	h.event(t, "Ev5xx", map[string]any{"type": "message", "channel_type": "im", "user": "U0002", "text": "sam@outlook.com", "ts": "1700000000.000950", "channel": "D0002"})
	if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Posts()) == 1 }) {
		t.Fatal("an answer refused with 503 then 500 was not retried")
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	addr := closed.URL
	closed.Close()
	s := newSender(nil, http.DefaultClient, "https://slack.com/api/", slog.New(slog.DiscardHandler), time.Millisecond, 3, time.Millisecond, time.Now, nil)
	calls := 0
	err := s.retry(context.Background(), "test", func() error {
		calls++
		res, err := http.Post(addr, "text/plain", nil)
		if err == nil {
			res.Body.Close()
		}
		return err
	})
	if err == nil || calls != 3 {
		t.Errorf("refused connection: %d calls, err %v; want 3 and an error", calls, err)
	}
	calls = 0
	s.retry(context.Background(), "test", func() error { calls++; return slackapi.StatusCodeError{Code: 400, Status: "400 Bad Request"} })
	if calls != 1 {
		t.Errorf("a 400 was tried %d times", calls)
	}
}

// TestReplayedCommandAndClick: the same signed slash command or button
// click sent again within the signature window is answered once.
func TestReplayedCommandAndClick(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.AckWait = time.Second })
	body := slacktest.FormBody(url.Values{"team_id": {"T0001"}, "channel_id": {"C0001"}, "user_id": {"U0001"}, "command": {"/whichaccount"},
		"text": {"sam@outlook.com"}, "response_url": {h.fake.ResponseURL()}, "trigger_id": {"13345224609.738474920.8088930838d88f008e0"}})
	first := h.post(t, "application/x-www-form-urlencoded", body)
	if a := decodeAckText(t, first); !strings.Contains(a, "sam@outlook.com") {
		t.Fatalf("first ack = %q", a)
	}
	again := h.post(t, "application/x-www-form-urlencoded", body)
	if again.StatusCode != http.StatusOK {
		t.Errorf("replayed command: status %d", again.StatusCode)
	}
	if a := decodeAckText(t, again); a != "" {
		t.Errorf("replayed command answered again: %q", a)
	}

	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": "U0001"},
		"channel": map[string]string{"id": "C0001"}, "container": map[string]any{"type": "message", "channel_id": "C0001", "is_ephemeral": true},
		"response_url": h.fake.ResponseURL(), "trigger_id": "1.2",
		"actions": []map[string]string{{"action_id": actionSuggest + "0", "block_id": "wa_actions", "value": "why?", "type": "button", "action_ts": "1700000123.456789"}},
	})
	click := slacktest.FormBody(url.Values{"payload": {string(payload)}})
	h.post(t, "application/x-www-form-urlencoded", click)
	h.post(t, "application/x-www-form-urlencoded", click)
	time.Sleep(300 * time.Millisecond)
	if n := len(h.resp.messages()); n != 2 {
		t.Errorf("Respond called %d times for one command and one click, each sent twice; want 2", n)
	}
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d answers posted for the click sent twice, want 1", n)
	}
}

// TestResponseURLOnlySlacks: a response_url is used only on Slack's hosts
// or the exact origin of the configured Web API, and redirects are not
// followed; anything else is answered through the Web API instead.
func TestResponseURLOnlySlacks(t *testing.T) {
	h := newHarness(t, 0, nil)
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the bot posted to %s%s", r.Host, r.URL.Path)
	}))
	defer elsewhere.Close()
	for i, u := range []string{elsewhere.URL + "/commands/T1/1/x", h.fake.RedirectURL(), "https://evil.example/commands/T1/1/x",
		"http://hooks.slack.com/commands/T1/1/x", "https://user:pw@hooks.slack.com/x"} {
		h.post(t, "application/x-www-form-urlencoded", blockAction(t, actionSuggest+"0", fmt.Sprintf("is u%d@outlook.com personal?", i), true, "", u))
		want := i + 1
		if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Posts()) == want }) {
			t.Fatalf("%s: no answer", u)
		}
		if p := h.fake.Posts()[i]; p.Method != "chat.postEphemeral" {
			t.Errorf("answer for response_url %s went by %s %s, want chat.postEphemeral", u, p.Method, p.URL)
		}
	}
	s := h.bot.send
	for u, want := range map[string]bool{
		"https://hooks.slack.com/commands/T1/2/x":                                true,
		"https://HOOKS.slack.com/actions/T1/2/x":                                 true,
		"https://hooks.slack-gov.com/commands/T1/2/x":                            true,
		"https://hooks.slack.com:8443/commands/T1/2":                             false,
		"https://hooks.slack.com.evil.io/commands":                               false,
		h.fake.URL + "/response/9":                                               true,
		strings.Replace(h.fake.URL, "127.0.0.1", "localhost", 1) + "/response/9": false,
		"file:///etc/passwd":                                                     false,
		"":                                                                       false,
	} {
		if got := s.allowedResponseURL(u); got != want {
			t.Errorf("allowedResponseURL(%q) = %v, want %v", u, got, want)
		}
	}
}

// TestIdentityInBackground: auth.test is asked at start and retried until
// it answers, and a message's acknowledgement never waits for it.
func TestIdentityInBackground(t *testing.T) {
	fake := slacktest.New(t)
	fake.FailAuthTest(2)
	bot, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: fake.APIURL, Backoff: 10 * time.Millisecond}, newRecorder(nil, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bot.Shutdown(context.Background())
	if !fake.Wait(3*time.Second, func() bool { return bot.botUserID() == slacktest.BotUserID }) {
		t.Fatalf("identity never learned after %d auth.test calls", fake.AuthTestCalls())
	}
	if n := fake.AuthTestCalls(); n != 3 {
		t.Errorf("%d auth.test calls for two failures, want 3", n)
	}

	slow := slacktest.New(t)
	slow.SetLatency("auth.test", 3*time.Second)
	h := &harness{fake: slow, resp: newRecorder(nil, 0)}
	h.bot, err = New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: slow.APIURL}, h.resp, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(h.bot)
	defer h.srv.Close()
	defer h.bot.Shutdown(context.Background())
	start := time.Now()
	res := h.event(t, "EvFirst", map[string]any{"type": "message", "channel_type": "im", "user": "U0002", "text": "sam@outlook.com", "ts": "1700000000.000100", "channel": "D0001"})
	if d := time.Since(start); res.StatusCode != 200 || d > time.Second {
		t.Errorf("first message acknowledged with %d after %v while auth.test is slow", res.StatusCode, d)
	}
}
