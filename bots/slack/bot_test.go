package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// recorder is a Responder that answers with the real helpdesk (offline
// rules), after an optional delay, and records what it was asked.
type recorder struct {
	h    *helpdesk.Handler
	mu   sync.Mutex
	msgs []helpdesk.Message
}

// newRecorder answers from the offline rules, or, given a testing.TB and a
// latency, from a fake Microsoft that answers every call after it.
func newRecorder(tb testing.TB, latency time.Duration) *recorder {
	cfg := msaccount.Config{Offline: true}
	if latency > 0 {
		ms := msaccounttest.New(tb)
		ms.SetLatency(latency)
		cfg = msaccount.Config{LoginURL: ms.URL, RatePerSecond: 1000}
	}
	return &recorder{h: helpdesk.New(helpdesk.Config{}, msaccount.New(cfg, nil), nil)}
}

func (r *recorder) Respond(ctx context.Context, m helpdesk.Message) (helpdesk.Reply, error) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
	return r.h.Respond(ctx, m)
}

func (r *recorder) messages() []helpdesk.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]helpdesk.Message(nil), r.msgs...)
}

type harness struct {
	fake *slacktest.Server
	bot  *Bot
	srv  *httptest.Server
	resp *recorder
}

// newHarness serves a bot whose lookups answer offline, or, with a
// latency, from a fake Microsoft that takes that long per call.
func newHarness(t *testing.T, latency time.Duration, tweak func(*Config)) *harness {
	t.Helper()
	fake := slacktest.New(t)
	resp := newRecorder(t, latency)
	cfg := Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: fake.APIURL, TriageChannels: []string{"CTRIAGE"},
		ChannelInterval: time.Millisecond, Backoff: 10 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	bot, err := New(cfg, resp, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(bot)
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		bot.Shutdown(ctx)
	})
	// The bot learns who it is in the background; tests that send its own
	// messages need that done.
	if !fake.Wait(2*time.Second, func() bool { return bot.botUserID() != "" }) {
		t.Fatal("the bot never learned its identity")
	}
	return &harness{fake: fake, bot: bot, srv: srv, resp: resp}
}

// post sends a signed request.
func (h *harness) post(t *testing.T, contentType string, body []byte, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL, bytes.NewReader(body))
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", Sign(testSecret, ts, body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// triggerSeq numbers the commands' trigger IDs: Slack gives each its own.
var triggerSeq atomic.Int64

func (h *harness) command(t *testing.T, text string) (*http.Response, string) {
	respURL := h.fake.ResponseURL()
	trigger := fmt.Sprintf("%d.2.3", triggerSeq.Add(1))
	body := slacktest.FormBody(url.Values{"team_id": {"T0001"}, "channel_id": {"C0001"}, "user_id": {"U0001"}, "command": {"/whichaccount"}, "text": {text}, "response_url": {respURL}, "trigger_id": {trigger}})
	return h.post(t, "application/x-www-form-urlencoded", body), respURL
}

func (h *harness) event(t *testing.T, id string, event map[string]any, header ...string) *http.Response {
	body, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0001", "event_id": id, "event": event})
	return h.post(t, "application/json", body, header...)
}

func decodeAck(t *testing.T, res *http.Response) ackMessage {
	t.Helper()
	var a ackMessage
	var raw struct {
		ResponseType string            `json:"response_type"`
		Text         string            `json:"text"`
		Blocks       []json.RawMessage `json:"blocks"`
	}
	if err := json.NewDecoder(res.Body).Decode(&raw); err != nil {
		t.Fatalf("ack body: %v", err)
	}
	a.ResponseType, a.Text = raw.ResponseType, raw.Text
	if len(raw.Blocks) == 0 {
		t.Errorf("ack has no blocks")
	}
	return a
}

func TestPublishedSignatureVector(t *testing.T) {
	body := []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	now := time.Unix(1531420618, 0).Add(2 * time.Minute)
	if err := verify(h, body, "8f742231b10e8888abcd99yyyzzz85a5", now); err != nil {
		t.Errorf("published vector: %v", err)
	}
	if got := Sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body); got != h.Get("X-Slack-Signature") {
		t.Errorf("Sign = %s", got)
	}
	tests := []struct {
		name   string
		body   []byte
		secret string
		now    time.Time
		want   error
	}{
		{"tampered body", append(append([]byte{}, body...), 'x'), "8f742231b10e8888abcd99yyyzzz85a5", now, errSignature},
		{"wrong secret", body, "other", now, errSignature},
		{"stale", body, "8f742231b10e8888abcd99yyyzzz85a5", now.Add(10 * time.Minute), errStale},
		{"from the future", body, "8f742231b10e8888abcd99yyyzzz85a5", now.Add(-10 * time.Minute), errStale},
		{"no secret", body, "", now, errNoSignature},
	}
	for _, tt := range tests {
		if err := verify(h, tt.body, tt.secret, tt.now); err != tt.want {
			t.Errorf("%s: verify = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestRejections(t *testing.T) {
	h := newHarness(t, 0, nil)
	body := []byte(`{"type":"url_verification","challenge":"abc"}`)
	send := func(mutate func(*http.Request)) int {
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL, bytes.NewReader(body))
		ts := time.Now().Unix()
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", Sign(testSecret, ts, body))
		mutate(req)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	tests := []struct {
		name   string
		mutate func(*http.Request)
		want   int
	}{
		{"valid", func(*http.Request) {}, 200},
		{"bad signature", func(r *http.Request) { r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64)) }, 401},
		{"no signature", func(r *http.Request) { r.Header.Del("X-Slack-Signature") }, 401},
		{"garbage signature", func(r *http.Request) { r.Header.Set("X-Slack-Signature", "v1=zz") }, 401},
		{"stale timestamp", func(r *http.Request) {
			ts := time.Now().Add(-6 * time.Minute).Unix()
			r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
			r.Header.Set("X-Slack-Signature", Sign(testSecret, ts, body))
		}, 401},
		{"GET", func(r *http.Request) { r.Method = http.MethodGet }, 405},
	}
	for _, tt := range tests {
		if got := send(tt.mutate); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if res := h.post(t, "application/json", bytes.Repeat([]byte("x"), maxBody+1)); res.StatusCode != 413 {
		t.Errorf("oversized body: %d, want 413", res.StatusCode)
	}
	if res := h.post(t, "application/json", []byte(`{"type":`)); res.StatusCode != 400 {
		t.Errorf("malformed JSON: %d, want 400", res.StatusCode)
	}
	if res := h.post(t, "application/x-www-form-urlencoded", []byte("payload=%7Bnot-json")); res.StatusCode != 400 {
		t.Errorf("malformed payload: %d, want 400", res.StatusCode)
	}
	if res := h.post(t, "application/x-www-form-urlencoded", []byte("a=%zz")); res.StatusCode != 400 {
		t.Errorf("malformed form: %d, want 400", res.StatusCode)
	}
	if res := h.post(t, "application/json", []byte(`{"type":"something_new"}`)); res.StatusCode != 200 {
		t.Errorf("unknown type: %d, want 200", res.StatusCode)
	}
	if len(h.resp.messages()) != 0 || len(h.fake.Posts()) != 0 {
		t.Errorf("rejected requests reached the assistant or Slack")
	}
}

func TestURLVerificationAndSSLCheck(t *testing.T) {
	h := newHarness(t, 0, nil)
	res := h.post(t, "application/json", []byte(`{"type":"url_verification","token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`))
	var m map[string]string
	json.NewDecoder(res.Body).Decode(&m)
	if res.StatusCode != 200 || m["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification = %d %v", res.StatusCode, m)
	}
	if res := h.post(t, "application/x-www-form-urlencoded", []byte("ssl_check=1&token=x")); res.StatusCode != 200 {
		t.Errorf("ssl_check = %d", res.StatusCode)
	}
}

func TestSlashCommandOfflineInAck(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.AckWait = time.Second })
	res, _ := h.command(t, "is sam@outlook.com a work account?")
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	a := decodeAck(t, res)
	if a.ResponseType != "ephemeral" || !strings.Contains(a.Text, "sam@outlook.com") {
		t.Errorf("ack = %+v", a)
	}
	if got := h.resp.messages(); len(got) != 1 || got[0].Conversation != "T0001:C0001:U0001" || got[0].Platform != helpdesk.PlatformSlack {
		t.Errorf("messages = %+v", got)
	}
	// Empty text is help.
	res, _ = h.command(t, "  ")
	if a := decodeAck(t, res); !strings.Contains(a.Text, "email address or a domain") {
		t.Errorf("empty command ack = %q", a.Text)
	}
	time.Sleep(20 * time.Millisecond)
	if n := len(h.fake.Posts()); n != 0 {
		t.Errorf("an answer given in the ack was also posted (%d posts)", n)
	}
}

func TestSlashCommandSlowAnswerViaResponseURL(t *testing.T) {
	h := newHarness(t, 300*time.Millisecond, nil)
	start := time.Now()
	res, respURL := h.command(t, "alex@contoso.com")
	if took := time.Since(start); took > 250*time.Millisecond {
		t.Errorf("ack took %v", took)
	}
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Posts()) == 1 }) {
		t.Fatalf("no answer through response_url: %+v", h.fake.Posts())
	}
	p := h.fake.Posts()[0]
	if p.Method != "response_url" || !strings.HasSuffix(respURL, p.URL) || p.ResponseType != "ephemeral" || !strings.Contains(p.Text, "alex@contoso.com") {
		t.Errorf("post = %+v", p)
	}
	// The early acknowledgement is complete and its connection closes, so
	// that nothing else waits behind the late answer.
	if !res.Close || res.ContentLength != 0 {
		t.Errorf("early ack: Close=%v ContentLength=%d, want a closed connection and an empty body", res.Close, res.ContentLength)
	}
}

// panicky answers every message by panicking.
type panicky struct{}

func (panicky) Respond(context.Context, helpdesk.Message) (helpdesk.Reply, error) { panic("boom") }

// TestSlashCommandPanic: an answer that panics is an apology in the
// acknowledgement, not a dropped request.
func TestSlashCommandPanic(t *testing.T) {
	fake := slacktest.New(t)
	bot, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: fake.APIURL}, panicky{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	h := &harness{fake: fake, bot: bot, srv: srv}
	res, _ := h.command(t, "sam@outlook.com")
	var a ackMessage
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || res.StatusCode != 200 || a.Text != helpdesk.Phrase("", "slack.error") {
		t.Errorf("status %d, ack %+v (%v)", res.StatusCode, a, err)
	}
}

// TestSlashCommandSlowUsersInfo: a users.info slower than AckWait gets the
// command acknowledged at AckWait, and the answer, through response_url,
// is still in the asker's language.
func TestSlashCommandSlowUsersInfo(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.AckWait = 100 * time.Millisecond })
	h.fake.SetLocale("U0001", "fr-FR")
	h.fake.SetLatency("users.info", 600*time.Millisecond)
	start := time.Now()
	res, _ := h.command(t, "sam@outlook.com")
	took := time.Since(start)
	if res.StatusCode != 200 || res.ContentLength != 0 {
		t.Fatalf("status %d, length %d: want an empty acknowledgement", res.StatusCode, res.ContentLength)
	}
	if took > 500*time.Millisecond {
		t.Errorf("ack took %v, waiting for users.info past AckWait", took)
	}
	if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Posts()) == 1 }) {
		t.Fatalf("no answer through response_url: %+v", h.fake.Posts())
	}
	if p := h.fake.Posts()[0]; p.Method != "response_url" || !strings.Contains(p.Text, "sam@outlook.com") || !strings.Contains(p.Text, "personnel") {
		t.Errorf("late answer is not the French verdict:\n%+v", p)
	}
	// Known now: the next command's answer is in its acknowledgement.
	res, _ = h.command(t, "sam@outlook.com")
	if a := decodeAck(t, res); !strings.Contains(a.Text, "personnel") {
		t.Errorf("second ack = %q", a.Text)
	}
}

func TestShareInChannel(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.AckWait = time.Second })
	res, _ := h.command(t, "share sam@outlook.com")
	if a := decodeAck(t, res); a.ResponseType != "in_channel" {
		t.Errorf("share ack type = %q", a.ResponseType)
	}
}

func blockAction(t *testing.T, actionID, value string, ephemeral bool, thread, responseURL string) []byte {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": "U0001"},
		"channel":      map[string]string{"id": "C0001"},
		"container":    map[string]any{"type": "message", "channel_id": "C0001", "is_ephemeral": ephemeral},
		"message":      map[string]any{"ts": "1700000000.000200", "thread_ts": thread},
		"response_url": responseURL, "trigger_id": "1.2",
		"actions": []map[string]string{{"action_id": actionID, "block_id": "wa_actions", "value": value, "type": "button"}},
	})
	return slacktest.FormBody(url.Values{"payload": {string(payload)}})
}

func TestButtonContinuesTheConversation(t *testing.T) {
	h := newHarness(t, 0, nil)
	// A mention starts a conversation in a thread; the "why?" button on the
	// answer continues it there.
	h.event(t, "Ev1", map[string]any{"type": "app_mention", "user": "U0001", "text": "<@UBOT0001> is alex@contoso.onmicrosoft.com personal?", "ts": "1700000000.000100", "channel": "C0001", "event_ts": "1700000000.000100"})
	if !h.fake.Wait(2*time.Second, func() bool { return len(h.fake.Posts()) == 1 }) {
		t.Fatal("no answer to the mention")
	}
	res := h.post(t, "application/x-www-form-urlencoded", blockAction(t, actionSuggest+"0", "why", false, "1700000000.000100", h.fake.ResponseURL()))
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if !h.fake.Wait(2*time.Second, func() bool { return len(h.fake.Posts()) == 2 }) {
		t.Fatal("no answer to the button")
	}
	p := h.fake.Posts()[1]
	if p.Method != "chat.postMessage" || p.ThreadTS != "1700000000.000100" || !strings.Contains(p.Text, "initial Microsoft domain") {
		t.Errorf("button answer = %+v", p)
	}
	msgs := h.resp.messages()
	if msgs[0].Conversation != msgs[1].Conversation {
		t.Errorf("conversations differ: %q, %q", msgs[0].Conversation, msgs[1].Conversation)
	}
	// A share click posts in the channel through the response_url.
	h.post(t, "application/x-www-form-urlencoded", blockAction(t, actionShare, "sam@outlook.com", true, "", h.fake.ResponseURL()))
	if !h.fake.Wait(2*time.Second, func() bool { return len(h.fake.Posts()) == 3 }) {
		t.Fatal("no shared answer")
	}
	if p := h.fake.Posts()[2]; p.Method != "response_url" || p.ResponseType != "in_channel" {
		t.Errorf("shared answer = %+v", p)
	}
}

func TestResponseURLBudget(t *testing.T) {
	h := newHarness(t, 0, nil)
	respURL := h.fake.ResponseURL()
	for i := range 6 {
		h.post(t, "application/x-www-form-urlencoded", blockAction(t, actionSuggest+"0", fmt.Sprintf("is u%d@outlook.com personal?", i), true, "", respURL))
		want := i + 1
		if !h.fake.Wait(2*time.Second, func() bool { return len(h.fake.Posts()) == want }) {
			t.Fatalf("click %d: no answer", i)
		}
	}
	posts := h.fake.Posts()
	for i, p := range posts[:5] {
		if p.Method != "response_url" {
			t.Errorf("answer %d went by %s", i, p.Method)
		}
	}
	if p := posts[5]; p.Method != "chat.postEphemeral" || p.User != "U0001" {
		t.Errorf("sixth answer = %+v, want chat.postEphemeral", p)
	}
}

func TestMentionDMAndDedupe(t *testing.T) {
	h := newHarness(t, 0, nil)
	mention := map[string]any{"type": "app_mention", "user": "U0001", "text": "<@UBOT0001> is sam@outlook.com work?", "ts": "1700000000.000100", "channel": "C0001", "event_ts": "1700000000.000100"}
	h.event(t, "Ev1", mention)
	h.event(t, "Ev1", mention, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	// The same mention delivered as a channel message.
	h.event(t, "Ev2", map[string]any{"type": "message", "channel_type": "channel", "user": "U0001", "text": "<@UBOT0001> is sam@outlook.com work?", "ts": "1700000000.000100", "channel": "C0001"})
	h.event(t, "Ev3", map[string]any{"type": "message", "channel_type": "im", "user": "U0002", "text": "what's the difference between a personal and a work account?", "ts": "1700000000.000300", "channel": "D0001"})
	if !h.fake.Wait(2*time.Second, func() bool { return len(h.fake.Posts()) >= 2 }) {
		t.Fatalf("posts = %+v", h.fake.Posts())
	}
	time.Sleep(100 * time.Millisecond)
	posts := h.fake.Posts()
	if len(posts) != 2 {
		t.Fatalf("posts = %d, want 2 (one per user action): %+v", len(posts), posts)
	}
	var thread, dm *slacktest.Post
	for i := range posts {
		switch posts[i].Channel {
		case "C0001":
			thread = &posts[i]
		case "D0001":
			dm = &posts[i]
		}
	}
	if thread == nil || thread.ThreadTS != "1700000000.000100" {
		t.Errorf("mention answer = %+v", thread)
	}
	if dm == nil || dm.ThreadTS != "" {
		t.Errorf("DM answer = %+v", dm)
	}
}

func TestIgnoredMessages(t *testing.T) {
	h := newHarness(t, 0, nil)
	for i, ev := range []map[string]any{
		{"type": "message", "subtype": "message_changed", "channel": "CTRIAGE", "ts": "1.1"},
		{"type": "message", "bot_id": "B999", "user": "U9", "text": "alex@contoso.com", "channel": "CTRIAGE", "ts": "1.2"},
		{"type": "message", "user": slacktest.BotUserID, "text": "alex@contoso.com", "channel": "CTRIAGE", "ts": "1.3"},
		{"type": "message", "user": "U1", "text": "alex@contoso.com", "channel": "CTRIAGE", "ts": "1.4", "thread_ts": "1.0"},
		{"type": "message", "user": "U1", "text": "hello everyone", "channel": "CTRIAGE", "ts": "1.5"},
		{"type": "message", "user": "U1", "text": "alex@contoso.com", "channel": "COTHER", "ts": "1.6"},
		{"type": "reaction_added", "user": "U1", "reaction": "thumbsup"},
	} {
		h.event(t, fmt.Sprint("EvI", i), ev)
	}
	time.Sleep(200 * time.Millisecond)
	if posts := h.fake.Posts(); len(posts) != 0 {
		t.Errorf("ignored messages were answered: %+v", posts)
	}
}

func TestTriageAnswerAndReaction(t *testing.T) {
	h := newHarness(t, 0, nil)
	h.event(t, "EvT", map[string]any{"type": "message", "channel_type": "channel", "user": "U0003", "text": "new starter can't log in, is <mailto:x@contoso.onmicrosoft.com|x@contoso.onmicrosoft.com> a personal account?", "ts": "1700000000.000500", "channel": "CTRIAGE"})
	if !h.fake.Wait(2*time.Second, func() bool { return len(h.fake.Reactions()) == 1 }) {
		t.Fatalf("posts %+v reactions %+v", h.fake.Posts(), h.fake.Reactions())
	}
	p := h.fake.Posts()
	if len(p) != 1 || p[0].ThreadTS != "1700000000.000500" || p[0].Channel != "CTRIAGE" {
		t.Errorf("triage answer = %+v", p)
	}
	if r := h.fake.Reactions()[0]; r.Timestamp != "1700000000.000500" || r.Name == "" {
		t.Errorf("reaction = %+v", r)
	}
}

func TestRateLimitedPostDeliveredOnce(t *testing.T) {
	h := newHarness(t, 0, nil)
	h.fake.RateLimit("chat.postMessage", 2)
	h.event(t, "EvR", map[string]any{"type": "message", "channel_type": "im", "user": "U0002", "text": "sam@outlook.com", "ts": "1700000000.000900", "channel": "D0002"})
	if !h.fake.Wait(5*time.Second, func() bool { return len(h.fake.Posts()) == 1 }) {
		t.Fatal("rate-limited answer never delivered")
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("delivered %d times", n)
	}
}

func TestAllowedTeams(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.AllowedTeams = []string{"TOTHER"}; c.AckWait = time.Second })
	res, _ := h.command(t, "alex@contoso.com")
	a := decodeAckText(t, res)
	if !strings.Contains(a, "isn't set up") || len(h.resp.messages()) != 0 {
		t.Errorf("refusal = %q, messages %d", a, len(h.resp.messages()))
	}
}

func decodeAckText(t *testing.T, res *http.Response) string {
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	s, _ := m["text"].(string)
	return s
}

func TestManifest(t *testing.T) {
	m := Manifest("https://bot.example.com/", "whichaccount", false)
	for _, want := range []string{"command: /whichaccount", "url: https://bot.example.com/slack/events", "request_url: https://bot.example.com/slack/events", "- commands", "- chat:write", "- app_mentions:read", "- im:history", "- channels:history", "- reactions:write", "- users:read", "- message.im", "socket_mode_enabled: false"} {
		if !strings.Contains(m, want) {
			t.Errorf("manifest lacks %q:\n%s", want, m)
		}
	}
	for _, unwanted := range []string{"users:read.email", "groups:history", "chat:write.public"} {
		if strings.Contains(m, unwanted) {
			t.Errorf("manifest asks for %s", unwanted)
		}
	}
	if s := Manifest("", "", true); strings.Contains(s, "url:") || !strings.Contains(s, "socket_mode_enabled: true") {
		t.Errorf("socket mode manifest:\n%s", s)
	}
}

func TestSafeErrDropsURLs(t *testing.T) {
	_, err := http.Post("http://127.0.0.1:1/commands/T1/123/secret-token", "text/plain", nil)
	if err == nil {
		t.Skip("something listens on port 1")
	}
	got := safeErr(err)
	if strings.Contains(got, "secret-token") || !strings.Contains(got, "127.0.0.1:1") {
		t.Errorf("safeErr = %q", got)
	}
}
