package teams_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/teams"
	"github.com/gosmarter/whichaccount/bots/teams/teamstest"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// fakeResponder answers every message with a fixed-shape reply and records
// what it was asked. A message naming an address ("@") gets a classify
// reply; "hello" a greeting; anything else is out of scope.
type fakeResponder struct {
	mu   sync.Mutex
	got  []helpdesk.Message
	err  error
	gate chan struct{} // when set, Respond waits for it
}

func (f *fakeResponder) Respond(ctx context.Context, m helpdesk.Message) (helpdesk.Reply, error) {
	f.mu.Lock()
	f.got = append(f.got, m)
	gate, err := f.gate, f.err
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return helpdesk.Reply{}, ctx.Err()
		}
	}
	if err != nil {
		return helpdesk.Reply{}, err
	}
	r := helpdesk.Reply{Intent: helpdesk.OutOfScope, Headline: helpdesk.Plain("Headline"), Summary: helpdesk.Plain("Summary"), Text: "Headline\nSummary\n"}
	switch {
	case strings.Contains(m.Text, "@"):
		r.Intent, r.Emails = helpdesk.Classify, []string{"jane@contoso.com"}
		r.Lines = []helpdesk.Rich{{{Text: "jane@contoso.com", Quoted: true}, {Text: " is a "}, {Text: "work or school", Strong: true}, {Text: " account"}}}
		r.Suggestions = []helpdesk.Suggestion{{Label: "Why?", Action: "why"}}
	case m.Text == "help":
		r.Intent = helpdesk.Help
	case strings.HasPrefix(m.Text, "how do I"):
		r.Intent = helpdesk.PasswordReset
	case m.Text == "hello":
		r.Intent = helpdesk.Greeting
	}
	return r, nil
}

func (f *fakeResponder) messages() []helpdesk.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]helpdesk.Message(nil), f.got...)
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type harness struct {
	fake *teamstest.Server
	bot  *teams.Bot
	url  string
	resp *fakeResponder
	log  *logBuffer
}

// newHarness runs a Bot against a fake Bot Framework. edit, when not nil,
// changes the configuration first.
func newHarness(t *testing.T, fake *teamstest.Server, r teams.Responder, edit func(*teams.Config)) *harness {
	t.Helper()
	if fake == nil {
		fake = teamstest.New(t)
	}
	h := &harness{fake: fake, log: &logBuffer{}}
	if r == nil {
		h.resp = &fakeResponder{}
		r = h.resp
	}
	cfg := teams.Config{
		AppID:             fake.AppID,
		AppPassword:       fake.AppPassword,
		OpenIDMetadataURL: fake.MetadataURL,
		TokenURL:          fake.TokenURL,
	}
	if edit != nil {
		edit(&cfg)
	}
	log := slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	bot, err := teams.New(cfg, r, log)
	if err != nil {
		t.Fatalf("teams.New: %v", err)
	}
	h.bot = bot
	mux := http.NewServeMux()
	mux.Handle("POST /api/messages", bot)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		bot.Shutdown(ctx)
	})
	h.url = srv.URL + "/api/messages"
	return h
}

// post sends activity with a fresh valid token.
func (h *harness) post(t *testing.T, activity any, opts ...teamstest.TokenOption) int {
	t.Helper()
	return teamstest.Post(t, h.url, h.fake.Token(t, opts...), activity)
}

// drain waits for every answer in flight.
func (h *harness) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.bot.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// sent is the part of a posted activity the tests look at.
type sent struct {
	Type      string `json:"type"`
	ReplyToID string `json:"replyToId"`
	Text      string `json:"text"`
	Summary   string `json:"summary"`
	From      struct {
		ID string `json:"id"`
	} `json:"from"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Conversation struct {
		ID string `json:"id"`
	} `json:"conversation"`
	Attachments []struct {
		ContentType string `json:"contentType"`
		Content     struct {
			Type         string `json:"type"`
			Version      string `json:"version"`
			FallbackText string `json:"fallbackText"`
			Body         []struct {
				Text string `json:"text"`
			} `json:"body"`
			Actions []struct {
				Type  string            `json:"type"`
				Title string            `json:"title"`
				Data  map[string]string `json:"data"`
			} `json:"actions"`
		} `json:"content"`
	} `json:"attachments"`
}

func decodeSent(t *testing.T, a teamstest.Activity) sent {
	t.Helper()
	var s sent
	if err := a.Decode(&s); err != nil {
		t.Fatalf("decoding the sent activity: %v\n%s", err, a.Body)
	}
	return s
}

func (s sent) cardText() string {
	var b strings.Builder
	for _, at := range s.Attachments {
		for _, tb := range at.Content.Body {
			b.WriteString(tb.Text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestPersonalMessage(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	in := h.fake.Message("is jane@contoso.com personal or work?")
	if got := h.post(t, in); got != http.StatusOK {
		t.Fatalf("POST = %d, want 200", got)
	}
	acts := h.fake.WaitActivities(t, 1)
	h.drain(t)

	msgs := h.resp.messages()
	want := helpdesk.Message{
		Platform:     helpdesk.PlatformTeams,
		Conversation: "a:1personal-chat-with-alex",
		User:         "00000000-0000-0000-0000-00000000a1e5",
		UserName:     "Alex Wilber",
		Text:         "is jane@contoso.com personal or work?",
		Locale:       "en-GB",
		TenantID:     teamstest.TenantID,
		UserObjectID: "00000000-0000-0000-0000-00000000a1e5",
	}
	if len(msgs) != 1 || msgs[0] != want {
		t.Fatalf("Respond got %+v, want [%+v]", msgs, want)
	}

	a := acts[0]
	if a.ConversationID != "a:1personal-chat-with-alex" || a.ReplyToID != in["id"] {
		t.Errorf("posted to conversation %q activity %q, want %q, %q", a.ConversationID, a.ReplyToID, "a:1personal-chat-with-alex", in["id"])
	}
	if a.Authorization != "Bearer fake-access-token-1" {
		t.Errorf("Authorization = %q, want the issued token", a.Authorization)
	}
	s := decodeSent(t, a)
	if s.Type != "message" || s.ReplyToID != in["id"] || s.From.ID != h.fake.BotID() || s.Recipient.ID != "29:1user-alex" || s.Conversation.ID != "a:1personal-chat-with-alex" {
		t.Errorf("sent activity = %+v", s)
	}
	if len(s.Attachments) != 1 || s.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" ||
		s.Attachments[0].Content.Type != "AdaptiveCard" || s.Attachments[0].Content.Version != "1.5" {
		t.Fatalf("attachments = %+v, want one Adaptive Card 1.5", s.Attachments)
	}
	if got := s.cardText(); !strings.Contains(got, "**work or school**") {
		t.Errorf("card text %q lacks the bold verdict", got)
	}
	if s.Attachments[0].Content.FallbackText != "Headline\nSummary\n" || s.Summary != "Headline" {
		t.Errorf("fallbackText %q, summary %q", s.Attachments[0].Content.FallbackText, s.Summary)
	}
	if acts := s.Attachments[0].Content.Actions; len(acts) != 1 || acts[0].Type != "Action.Submit" || acts[0].Data["action"] != "why" {
		t.Errorf("actions = %+v, want one Action.Submit with action why", acts)
	}

	reqs := h.fake.TokenRequests()
	if len(reqs) != 1 {
		t.Fatalf("%d token requests, want 1", len(reqs))
	}
	if r := reqs[0]; r.Tenant != "botframework.com" || r.Form.Get("client_id") != h.fake.AppID ||
		r.Form.Get("scope") != "https://api.botframework.com/.default" || r.Form.Get("grant_type") != "client_credentials" {
		t.Errorf("token request = %+v", r)
	}
	if h.fake.MetadataFetches() != 1 || h.fake.KeyFetches() != 1 {
		t.Errorf("metadata fetched %d times, keys %d times; want 1, 1", h.fake.MetadataFetches(), h.fake.KeyFetches())
	}
	if l := h.log.String(); strings.Contains(l, "jane@contoso.com") || strings.Contains(l, "fake-access-token") || !strings.Contains(l, "component=teams") {
		t.Errorf("log leaks text or tokens, or lacks the component:\n%s", l)
	}
}

func TestTokenIsCached(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	for i := 0; i < 5; i++ {
		if got := h.post(t, h.fake.Message("is jane@contoso.com personal?")); got != http.StatusOK {
			t.Fatalf("POST = %d", got)
		}
	}
	h.fake.WaitActivities(t, 5)
	h.drain(t)
	if n := len(h.fake.TokenRequests()); n != 1 {
		t.Errorf("%d token requests for 5 replies, want 1", n)
	}
}

func TestChannelMention(t *testing.T) {
	const channel = "19:helpdesk@thread.tacv2"
	h := newHarness(t, nil, nil, nil)

	in := h.fake.ChannelMessage(channel, "is jane@contoso.com personal or work?", true)
	// Another person mentioned in the same message stays in the text.
	in["text"] = "<at>whichaccount</at> <at>Megan</at> is jane@contoso.com personal or work?"
	in["entities"] = append(in["entities"].([]any), map[string]any{"type": "mention", "text": "<at>Megan</at>", "mentioned": map[string]any{"id": "29:megan"}})
	if got := h.post(t, in); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	unmentioned := h.fake.ChannelMessage(channel, "is jane@contoso.com personal or work?", false)
	if got := h.post(t, unmentioned); got != http.StatusOK {
		t.Fatalf("POST unmentioned = %d", got)
	}
	group := h.fake.Message("is jane@contoso.com personal or work?")
	group["conversation"] = map[string]any{"conversationType": "groupChat", "id": "19:group@thread.v2", "tenantId": teamstest.TenantID, "isGroup": true}
	if got := h.post(t, group); got != http.StatusOK {
		t.Fatalf("POST group = %d", got)
	}
	h.fake.WaitActivities(t, 1)
	h.drain(t)

	msgs := h.resp.messages()
	if len(msgs) != 1 || msgs[0].Text != "<at>Megan</at> is jane@contoso.com personal or work?" {
		t.Fatalf("Respond got %+v, want only the mentioned message without the bot's mention", msgs)
	}
	conv := in["conversation"].(map[string]any)["id"].(string)
	if msgs[0].Conversation != conv || !strings.Contains(conv, ";messageid=") {
		t.Errorf("Conversation = %q, want %q", msgs[0].Conversation, conv)
	}
	acts := h.fake.Activities()
	if len(acts) != 1 || acts[0].ConversationID != conv || acts[0].ReplyToID != in["id"] {
		t.Fatalf("activities = %+v, want one reply in the thread %q to %q", acts, conv, in["id"])
	}
}

func TestCardSubmit(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	personal := h.fake.Message("")["conversation"].(map[string]any)
	in := h.fake.Submit(personal, "topic:password.reset")
	if got := h.post(t, in); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	// In a channel a submission needs no mention.
	ch := h.fake.ChannelMessage("19:c@thread.tacv2", "", false)["conversation"].(map[string]any)
	if got := h.post(t, h.fake.Submit(ch, "why")); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	// A value that is not a submission of ours is not fatal, and without
	// text there is nothing to answer.
	odd := h.fake.Message("")
	odd["value"] = []any{1, 2}
	if got := h.post(t, odd); got != http.StatusOK {
		t.Fatalf("POST odd value = %d", got)
	}
	h.fake.WaitActivities(t, 2)
	h.drain(t)
	// The two submissions are answered by workers, in either order.
	msgs := h.resp.messages()
	if len(msgs) == 2 && msgs[0].Action == "why" {
		msgs[0], msgs[1] = msgs[1], msgs[0]
	}
	if len(msgs) != 2 || msgs[0].Action != "topic:password.reset" || msgs[0].Text != "" || msgs[0].Conversation != "a:1personal-chat-with-alex" || msgs[1].Action != "why" {
		t.Fatalf("Respond got %+v", msgs)
	}
	for _, a := range h.fake.Activities() {
		if a.ReplyToID == "" {
			t.Errorf("submission answer posted to %q without replying", a.ConversationID)
		}
	}
}

func TestWelcome(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	if got := h.post(t, h.fake.BotAdded()); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	other := h.fake.BotAdded()
	other["membersAdded"] = []any{map[string]any{"id": "29:someone-else"}}
	if got := h.post(t, other); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	acts := h.fake.WaitActivities(t, 1)
	h.drain(t)
	msgs := h.resp.messages()
	if len(msgs) != 1 || msgs[0].Action != helpdesk.WelcomeAction || msgs[0].TenantID != teamstest.TenantID {
		t.Fatalf("Respond got %+v, want one help request", msgs)
	}
	if len(acts) != 1 || acts[0].ReplyToID != "" || acts[0].ConversationID != "a:1personal-chat-with-alex" {
		t.Fatalf("activities = %+v, want one post to the conversation", acts)
	}
	if s := decodeSent(t, acts[0]); s.ReplyToID != "" || len(s.Attachments) != 1 {
		t.Errorf("welcome = %+v", s)
	}
}

func TestSingleTenantTokenURL(t *testing.T) {
	const tenant = "5d1a8c3b-1111-4222-8333-944455556666"
	h := newHarness(t, nil, nil, func(c *teams.Config) {
		c.AppType = "SingleTenant"
		c.AppTenantID = tenant
	})
	if got := h.post(t, h.fake.Message("is jane@contoso.com personal?")); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	acts := h.fake.WaitActivities(t, 1)
	h.drain(t)
	reqs := h.fake.TokenRequests()
	if len(reqs) != 1 || reqs[0].Tenant != tenant {
		t.Fatalf("token requests = %+v, want one to tenant %s", reqs, tenant)
	}
	if acts[0].Authorization != "Bearer fake-access-token-1" {
		t.Errorf("Authorization = %q", acts[0].Authorization)
	}
}

func TestKeyRotation(t *testing.T) {
	clk := newClock()
	h := newHarness(t, nil, nil, func(c *teams.Config) { c.Now = clk.Now })
	msg := func() map[string]any { return h.fake.Message("is jane@contoso.com personal?") }
	old := h.fake.Key()
	first := h.fake.Token(t, teamstest.At(clk.Now()))
	for i := 0; i < 2; i++ { // the second time from the verified tokens
		if got := teamstest.Post(t, h.url, first, msg()); got != http.StatusOK {
			t.Fatalf("POST = %d", got)
		}
	}
	if n := h.fake.KeyFetches(); n != 1 {
		t.Fatalf("keys fetched %d times, want 1", n)
	}

	// A rollover: the new key is unknown, which triggers one refresh.
	clk.Advance(2 * time.Minute)
	k := h.fake.Rotate(t)
	if got := h.post(t, msg(), teamstest.At(clk.Now()), teamstest.SignedBy(k)); got != http.StatusOK {
		t.Fatalf("POST with the new key = %d, want 200", got)
	}
	if n := h.fake.KeyFetches(); n != 2 {
		t.Fatalf("keys fetched %d times, want 2", n)
	}
	// The retired key is gone, and asking again within a minute fetches
	// nothing.
	if got := h.post(t, msg(), teamstest.At(clk.Now()), teamstest.SignedBy(old)); got != http.StatusUnauthorized {
		t.Errorf("POST with the retired key = %d, want 401", got)
	}
	// A token of the retired key verified before the rollover is no longer
	// taken either.
	if got := teamstest.Post(t, h.url, first, msg()); got != http.StatusUnauthorized {
		t.Errorf("POST with a remembered token of the retired key = %d, want 401", got)
	}
	if n := h.fake.KeyFetches(); n != 2 {
		t.Errorf("keys fetched %d times, want still 2", n)
	}
	// Known keys are fetched again after 24 hours.
	clk.Advance(25 * time.Hour)
	if got := h.post(t, msg(), teamstest.At(clk.Now()), teamstest.SignedBy(k)); got != http.StatusOK {
		t.Fatalf("POST a day later = %d", got)
	}
	if n := h.fake.KeyFetches(); n != 3 {
		t.Errorf("keys fetched %d times after a day, want 3", n)
	}
	h.fake.WaitActivities(t, 4)
}

// TestRememberedTokenExpires checks that a token verified once still
// expires.
func TestRememberedTokenExpires(t *testing.T) {
	clk := newClock()
	h := newHarness(t, nil, nil, func(c *teams.Config) { c.Now = clk.Now })
	tok := h.fake.Token(t, teamstest.At(clk.Now()))
	if got := teamstest.Post(t, h.url, tok, h.fake.Message("hello")); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	clk.Advance(time.Hour + 4*time.Minute)
	if got := teamstest.Post(t, h.url, tok, h.fake.Message("hello")); got != http.StatusOK {
		t.Fatalf("POST within the skew = %d, want 200", got)
	}
	clk.Advance(2 * time.Minute)
	if got := teamstest.Post(t, h.url, tok, h.fake.Message("hello")); got != http.StatusUnauthorized {
		t.Fatalf("POST of an expired remembered token = %d, want 401", got)
	}
}

func TestConcurrentRotationFetchesOnce(t *testing.T) {
	clk := newClock()
	h := newHarness(t, nil, nil, func(c *teams.Config) { c.Now = clk.Now })
	if got := h.post(t, h.fake.Message("is jane@contoso.com personal?"), teamstest.At(clk.Now())); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	clk.Advance(2 * time.Minute)
	k := h.fake.Rotate(t)
	tok := h.fake.Token(t, teamstest.At(clk.Now()), teamstest.SignedBy(k))
	var wg sync.WaitGroup
	statuses := make([]int, 32)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = teamstest.Post(t, h.url, tok, h.fake.Message("is jane@contoso.com personal?"))
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("request %d = %d, want 200", i, s)
		}
	}
	if n := h.fake.KeyFetches(); n != 2 {
		t.Errorf("keys fetched %d times, want 2 (one refresh for 32 requests)", n)
	}
	h.fake.WaitActivities(t, 33)
}

func TestRetryOn429(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	h.fake.Throttle(1, time.Second)
	if got := h.post(t, h.fake.Message("is jane@contoso.com personal?")); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	h.fake.WaitActivities(t, 1)
	h.drain(t)
	if n := len(h.fake.Activities()); n != 1 {
		t.Errorf("%d activities delivered, want exactly 1", n)
	}
	calls := h.fake.Calls()
	if len(calls) != 2 || calls[0].Status != http.StatusTooManyRequests || calls[1].Status != http.StatusOK {
		t.Fatalf("calls = %+v, want 429 then 200", calls)
	}
	if gap := calls[1].Received.Sub(calls[0].Received); gap < time.Second {
		t.Errorf("retried after %v, want at least the Retry-After of 1s", gap)
	}
}

func TestTriageChannel(t *testing.T) {
	const triage, other = "19:triage@thread.tacv2", "19:other@thread.tacv2"
	h := newHarness(t, nil, nil, func(c *teams.Config) { c.TriageChannels = []string{triage} })

	question := h.fake.ChannelMessage(triage, "is jane@contoso.com a work account?", false)
	chatter := h.fake.ChannelMessage(triage, "lunch anyone?", false)
	hello := h.fake.ChannelMessage(triage, "hello", false)
	reply := h.fake.ChannelMessage(triage, "is bob@contoso.com a work account?", false)
	reply["replyToId"] = "1111"
	reply["conversation"].(map[string]any)["id"] = triage + ";messageid=1111"
	elsewhere := h.fake.ChannelMessage(other, "is jane@contoso.com a work account?", false)
	for _, a := range []map[string]any{question, chatter, hello, reply, elsewhere} {
		if got := h.post(t, a); got != http.StatusOK {
			t.Fatalf("POST = %d", got)
		}
	}
	h.drain(t)

	acts := h.fake.Activities()
	conv := question["conversation"].(map[string]any)["id"].(string)
	if len(acts) != 1 || acts[0].ConversationID != conv || acts[0].ReplyToID != question["id"] {
		t.Fatalf("activities = %+v, want only the question answered in its thread", acts)
	}
	// Thread replies and other channels never reach the helpdesk; the
	// chatter does, and its out-of-scope answer stays unsent.
	var texts []string
	for _, m := range h.resp.messages() {
		texts = append(texts, m.Text)
	}
	if len(texts) != 3 {
		t.Errorf("Respond got %q, want the three top-level posts of the triage channel", texts)
	}
}

func TestRejections(t *testing.T) {
	fake := teamstest.New(t)
	stranger := fake.NewKey(t)
	emulatorOnly := fake.NewKey(t, "emulator")
	orig := fake.Key()
	now := time.Now()

	tests := []struct {
		name     string
		header   string // used as the whole Authorization header when token is nil
		token    func() string
		activity func(map[string]any)
		publish  []*teamstest.Key
		want     int
		reason   string // in the log
	}{
		{name: "no header", header: "", want: 401, reason: "no bearer token"},
		{name: "not bearer", header: "Basic " + "dXNlcjpwYXNz", want: 401, reason: "no bearer token"},
		{name: "empty bearer", header: "Bearer ", want: 401, reason: "no bearer token"},
		{name: "alg none", token: func() string { return fake.Token(t, teamstest.AlgNone()) }, want: 401, reason: "signing method none is invalid"},
		{name: "HMAC-signed", token: func() string { return fake.Token(t, teamstest.HMAC([]byte("secret"))) }, want: 401, reason: "signing method HS256 is invalid"},
		{name: "HMAC with the public key as secret", token: func() string {
			k := fake.Key().Private.PublicKey
			return fake.Token(t, teamstest.HMAC(k.N.Bytes()))
		}, want: 401, reason: "signing method HS256 is invalid"},
		{name: "wrong key", token: func() string {
			return fake.Token(t, teamstest.SignedBy(stranger), teamstest.KeyID(fake.Key().ID))
		}, want: 401, reason: "verification error"},
		{name: "unknown kid", token: func() string { return fake.Token(t, teamstest.SignedBy(stranger)) }, want: 401, reason: "unknown key"},
		{name: "no kid", token: func() string { return fake.Token(t, teamstest.KeyID("")) }, want: 401, reason: "names no signing key"},
		{name: "wrong issuer", token: func() string {
			return fake.Token(t, teamstest.Claims(map[string]any{"iss": "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"}))
		}, want: 401, reason: "invalid issuer"},
		{name: "issuer with a trailing slash", token: func() string {
			return fake.Token(t, teamstest.Claims(map[string]any{"iss": "https://api.botframework.com/"}))
		}, want: 401, reason: "invalid issuer"},
		{name: "wrong audience", token: func() string {
			return fake.Token(t, teamstest.Claims(map[string]any{"aud": "11111111-2222-3333-4444-555555555555"}))
		}, want: 401, reason: "audience is not this bot"},
		{name: "audience among others", token: func() string {
			return fake.Token(t, teamstest.Claims(map[string]any{"aud": []string{fake.AppID, "someone-else"}}))
		}, want: 401, reason: "audience is not this bot"},
		{name: "expired beyond the skew", token: func() string { return fake.Token(t, teamstest.At(now.Add(-time.Hour-6*time.Minute))) }, want: 401, reason: "token is expired"},
		{name: "not yet valid beyond the skew", token: func() string { return fake.Token(t, teamstest.At(now.Add(6*time.Minute))) }, want: 401, reason: "not valid yet"},
		{name: "missing endorsement", publish: []*teamstest.Key{emulatorOnly}, token: func() string { return fake.Token(t, teamstest.SignedBy(emulatorOnly)) }, want: 401, reason: "not endorsed"},
		{name: "serviceurl claim of another service", token: func() string {
			return fake.Token(t, teamstest.Claims(map[string]any{"serviceurl": "https://smba.trafficmanager.net/emea/"}))
		}, want: 401, reason: "serviceurl claim does not match"},
		{name: "activity serviceUrl elsewhere", token: func() string { return fake.Token(t) }, activity: func(a map[string]any) { a["serviceUrl"] = "https://attacker.example/" }, want: 401, reason: "serviceurl claim does not match"},
		{name: "activity without channelId", token: func() string { return fake.Token(t) }, activity: func(a map[string]any) { delete(a, "channelId") }, want: 401, reason: "no channelId"},
		{name: "missing serviceurl claim", token: func() string { return fake.Token(t, teamstest.Claims(map[string]any{"serviceurl": nil})) }, want: 401, reason: "no serviceurl claim"},
		{name: "non-string serviceurl claim", token: func() string { return fake.Token(t, teamstest.Claims(map[string]any{"serviceurl": 42})) }, want: 401, reason: "malformed"},
		{name: "missing exp", token: func() string { return fake.Token(t, teamstest.Claims(map[string]any{"exp": nil})) }, want: 401, reason: "exp claim is required"},
		{name: "missing aud", token: func() string { return fake.Token(t, teamstest.Claims(map[string]any{"aud": nil})) }, want: 401, reason: "audience is not this bot"},
		{name: "missing iss", token: func() string { return fake.Token(t, teamstest.Claims(map[string]any{"iss": nil})) }, want: 401, reason: "iss claim is required"},
		{name: "exp not a number", token: func() string { return fake.Token(t, teamstest.Claims(map[string]any{"exp": "tomorrow"})) }, want: 401, reason: "malformed"},
		{name: "garbage", header: "Bearer not-a-token", want: 401, reason: "malformed"},
		{name: "garbage with dots", header: "Bearer a.b.c", want: 401, reason: "malformed"},
		{name: "garbage base64", header: "Bearer eyJhbGciOiJSUzI1NiJ9.eyJ9.AAAA", want: 401, reason: "malformed"},
		{name: "huge token", header: "Bearer " + strings.Repeat("A", 20000) + ".B.C", want: 401, reason: "token too long"},
		{name: "within the skew: expired 4 minutes ago", token: func() string { return fake.Token(t, teamstest.At(now.Add(-time.Hour-4*time.Minute))) }, want: 200},
		{name: "within the skew: valid in 4 minutes", token: func() string { return fake.Token(t, teamstest.At(now.Add(4*time.Minute))) }, want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.publish != nil {
				fake.Publish(tt.publish...)
				defer fake.Publish(orig)
			}
			h := newHarness(t, fake, nil, nil)
			a := fake.Message("is jane@contoso.com personal?")
			if tt.activity != nil {
				tt.activity(a)
			}
			body, _ := json.Marshal(a)
			req, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(body))
			if tt.token != nil {
				req.Header.Set("Authorization", "Bearer "+tt.token())
			} else if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("POST: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("POST = %d, want %d", resp.StatusCode, tt.want)
			}
			h.drain(t)
			if tt.reason != "" && !strings.Contains(h.log.String(), tt.reason) {
				t.Errorf("log does not give the reason %q:\n%s", tt.reason, h.log.String())
			}
			if tt.want != 200 && len(h.resp.messages()) != 0 {
				t.Errorf("a rejected activity reached the helpdesk")
			}
		})
	}
	// Nothing rejected was ever answered: every reply came from the two
	// accepted cases.
	if n := len(fake.Activities()); n != 2 {
		t.Errorf("%d activities sent, want 2", n)
	}
}

func TestUnknownKidRefreshesAtMostOncePerMinute(t *testing.T) {
	clk := newClock()
	h := newHarness(t, nil, nil, func(c *teams.Config) { c.Now = clk.Now })
	stranger := h.fake.NewKey(t)
	for i := 0; i < 3; i++ {
		if got := h.post(t, h.fake.Message("hi"), teamstest.At(clk.Now()), teamstest.SignedBy(stranger)); got != http.StatusUnauthorized {
			t.Fatalf("POST = %d, want 401", got)
		}
	}
	// The first request loads the keys; the unknown kid may not refetch
	// within a minute of that.
	if n := h.fake.KeyFetches(); n != 1 {
		t.Errorf("keys fetched %d times, want 1", n)
	}
	clk.Advance(61 * time.Second)
	if got := h.post(t, h.fake.Message("hi"), teamstest.At(clk.Now()), teamstest.SignedBy(stranger)); got != http.StatusUnauthorized {
		t.Fatalf("POST = %d, want 401", got)
	}
	if n := h.fake.KeyFetches(); n != 2 {
		t.Errorf("keys fetched %d times after a minute, want 2", n)
	}
}

func TestEmulatorMode(t *testing.T) {
	fake := teamstest.New(t)
	fake.AllowAnonymous()
	h := newHarness(t, fake, nil, func(c *teams.Config) { c.AppID, c.AppPassword, c.Emulator = "", "", true })
	if !h.bot.AuthDisabled() {
		t.Fatal("AuthDisabled() = false with no app ID")
	}
	// Only callers on this machine are served: not a remote peer, and not
	// a request a local proxy forwarded for someone else.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/messages", strings.NewReader(`{"type":"message"}`))
	req.RemoteAddr = "203.0.113.7:40000"
	h.bot.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("remote caller: %d, want 403", rec.Code)
	}
	fwd, _ := json.Marshal(fake.Message("is jane@contoso.com personal?"))
	req, _ = http.NewRequest(http.MethodPost, h.url, bytes.NewReader(fwd))
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
		t.Errorf("forwarded caller: %v %v, want 403", res, err)
	} else {
		res.Body.Close()
	}
	if got := teamstest.Post(t, h.url, "", fake.Message("is jane@contoso.com personal?")); got != http.StatusOK {
		t.Fatalf("POST without a header = %d, want 200", got)
	}
	remote := fake.Message("is jane@contoso.com personal?")
	remote["serviceUrl"] = "https://smba.trafficmanager.net/emea/"
	if got := teamstest.Post(t, h.url, "", remote); got != http.StatusUnauthorized {
		t.Errorf("POST with a remote serviceUrl = %d, want 401", got)
	}
	acts := fake.WaitActivities(t, 1)
	h.drain(t)
	if acts[0].Authorization != "" {
		t.Errorf("Authorization = %q, want none in emulator mode", acts[0].Authorization)
	}
	if n := len(fake.TokenRequests()); n != 0 {
		t.Errorf("%d token requests in emulator mode", n)
	}
	if !strings.Contains(h.log.String(), "AUTHENTICATION IS OFF") {
		t.Errorf("no warning that authentication is off:\n%s", h.log.String())
	}
}

func TestRequestShapes(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	tok := h.fake.Token(t)
	big := h.fake.Message(strings.Repeat("x", 300<<10))
	mentionOnly := h.fake.ChannelMessage("19:c@thread.tacv2", "", true)
	tests := []struct {
		name string
		body any
		want int
	}{
		{"too large", big, http.StatusRequestEntityTooLarge},
		{"malformed JSON", []byte(`{"type":"message",`), http.StatusBadRequest},
		{"not an object", []byte(`["message"]`), http.StatusBadRequest},
		{"null", []byte(`null`), http.StatusBadRequest},
		{"no type", []byte(`{"id":"1"}`), http.StatusBadRequest},
		{"wrong field type", []byte(`{"type":"message","text":42}`), http.StatusBadRequest},
		{"message without a conversation", func() any { a := h.fake.Message("hi"); delete(a, "conversation"); return a }(), http.StatusBadRequest},
		{"typing", func() any { a := h.fake.Message(""); a["type"] = "typing"; return a }(), http.StatusOK},
		{"messageReaction", func() any { a := h.fake.Message(""); a["type"] = "messageReaction"; return a }(), http.StatusOK},
		{"installationUpdate", func() any { a := h.fake.Message(""); a["type"] = "installationUpdate"; return a }(), http.StatusOK},
		{"invoke", func() any { a := h.fake.Message(""); a["type"] = "invoke"; a["name"] = "adaptiveCard/action"; return a }(), http.StatusOK},
		{"empty message", h.fake.Message("   "), http.StatusOK},
		{"only markup", h.fake.Message("<p>&nbsp;</p>"), http.StatusOK},
		{"only the mention", mentionOnly, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := teamstest.Post(t, h.url, tok, tt.body); got != tt.want {
				t.Errorf("POST = %d, want %d", got, tt.want)
			}
		})
	}
	req, _ := http.NewRequest(http.MethodGet, strings.TrimSuffix(h.url, "/api/messages")+"/api/messages", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET = %d, want 405", resp.StatusCode)
	}
	// The handler itself refuses other methods too, wherever it is mounted.
	rec := httptest.NewRecorder()
	h.bot.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/api/messages", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT = %d, want 405", rec.Code)
	}
	h.drain(t)
	if n := len(h.resp.messages()); n != 0 {
		t.Errorf("Respond called %d times, want 0", n)
	}
	if n := len(h.fake.Activities()); n != 0 {
		t.Errorf("%d activities sent, want 0", n)
	}
}

// TestOverlongIDs: every id that becomes a key is capped; an activity
// with a longer one is refused before anything keeps it.
func TestOverlongIDs(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	long := strings.Repeat("x", teams.MaxIDLen+1)
	edits := map[string]func(a map[string]any){
		"conversation": func(a map[string]any) { a["conversation"].(map[string]any)["id"] = long },
		"tenant":       func(a map[string]any) { a["conversation"].(map[string]any)["tenantId"] = long },
		"user":         func(a map[string]any) { a["from"] = map[string]any{"id": "29:u", "aadObjectId": long} },
		"from":         func(a map[string]any) { a["from"] = map[string]any{"id": long} },
		"activity":     func(a map[string]any) { a["id"] = long },
		"channel":      func(a map[string]any) { a["channelData"] = map[string]any{"channel": map[string]any{"id": long}} },
		"team":         func(a map[string]any) { a["channelData"] = map[string]any{"team": map[string]any{"id": long}} },
		"replyTo":      func(a map[string]any) { a["replyToId"] = long },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			a := h.fake.Message("is jane@contoso.com personal?")
			edit(a)
			if got := h.post(t, a); got != http.StatusBadRequest {
				t.Errorf("POST with a %d-byte %s id = %d, want 400", len(long), name, got)
			}
		})
	}
	ok := h.fake.Message("is jane@contoso.com personal?")
	ok["conversation"].(map[string]any)["id"] = strings.Repeat("c", teams.MaxIDLen)
	if got := h.post(t, ok); got != http.StatusOK {
		t.Errorf("POST with a %d-byte conversation id = %d, want 200", teams.MaxIDLen, got)
	}
	h.drain(t)
	if n := len(h.resp.messages()); n != 1 {
		t.Errorf("Respond called %d times, want 1", n)
	}
}

func TestAllowedTenants(t *testing.T) {
	h := newHarness(t, nil, nil, func(c *teams.Config) {
		c.AllowedTenants = []string{"AAAAAAAA-0000-0000-0000-000000000000", strings.ToUpper(teamstest.TenantID)}
	})
	if got := h.post(t, h.fake.Message("is jane@contoso.com personal?")); got != http.StatusOK {
		t.Errorf("allowed tenant: POST = %d, want 200", got)
	}
	other := h.fake.Message("is jane@contoso.com personal?")
	other["conversation"].(map[string]any)["tenantId"] = "bbbbbbbb-0000-0000-0000-000000000000"
	other["channelData"] = map[string]any{"tenant": map[string]any{"id": "bbbbbbbb-0000-0000-0000-000000000000"}}
	if got := h.post(t, other); got != http.StatusForbidden {
		t.Errorf("other tenant: POST = %d, want 403", got)
	}
	none := h.fake.Message("is jane@contoso.com personal?")
	delete(none["conversation"].(map[string]any), "tenantId")
	delete(none, "channelData")
	if got := h.post(t, none); got != http.StatusForbidden {
		t.Errorf("no tenant: POST = %d, want 403", got)
	}
	h.drain(t)
	if n := len(h.fake.Activities()); n != 1 {
		t.Errorf("%d activities sent, want 1", n)
	}
}

func TestRedeliveryAnsweredOnce(t *testing.T) {
	h := newHarness(t, nil, nil, nil)
	in := h.fake.Message("is jane@contoso.com personal?")
	for i := 0; i < 3; i++ {
		if got := h.post(t, in); got != http.StatusOK {
			t.Fatalf("POST = %d", got)
		}
	}
	h.drain(t)
	if n := len(h.fake.Activities()); n != 1 {
		t.Errorf("%d replies to one activity delivered three times, want 1", n)
	}
}

func TestShutdownWaitsForAnswers(t *testing.T) {
	gate := make(chan struct{})
	r := &fakeResponder{gate: gate}
	h := newHarness(t, nil, r, nil)
	start := time.Now()
	if got := h.post(t, h.fake.Message("is jane@contoso.com personal?")); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the HTTP response waited %v for the answer", d)
	}
	done := make(chan error, 1)
	go func() { done <- h.bot.Shutdown(context.Background()) }()
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v before the answer was sent", err)
	case <-time.After(100 * time.Millisecond):
	}
	if got := h.post(t, h.fake.Message("is jane@contoso.com personal?")); got != http.StatusServiceUnavailable {
		t.Errorf("POST while shutting down = %d, want 503", got)
	}
	close(gate)
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := len(h.fake.Activities()); n != 1 {
		t.Errorf("%d activities sent, want the one in flight", n)
	}
}

func TestShutdownBoundedByContext(t *testing.T) {
	r := &fakeResponder{gate: make(chan struct{})} // never opens
	h := newHarness(t, nil, r, nil)
	if got := h.post(t, h.fake.Message("is jane@contoso.com personal?")); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.bot.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the context's deadline", err)
	}
}

func TestResponderError(t *testing.T) {
	r := &fakeResponder{err: errors.New("helpdesk: broken")}
	h := newHarness(t, nil, r, nil)
	if got := h.post(t, h.fake.Message("is jane@contoso.com personal?")); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	h.drain(t)
	if n := len(h.fake.Activities()); n != 0 {
		t.Errorf("%d activities sent after an error, want 0", n)
	}
	if !strings.Contains(h.log.String(), "composing the answer failed") {
		t.Errorf("error not logged:\n%s", h.log.String())
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	r := &fakeResponder{}
	tests := []struct {
		name string
		cfg  teams.Config
		want string
	}{
		{"unknown app type", teams.Config{AppID: "a", AppPassword: "p", AppType: "UserAssignedMSI"}, "app type"},
		{"single tenant without tenant", teams.Config{AppID: "a", AppPassword: "p", AppType: "SingleTenant"}, "tenant"},
		{"app ID without password", teams.Config{AppID: "a"}, "password"},
		{"password without app ID", teams.Config{AppPassword: "p"}, "without an app ID"},
		{"bad metadata URL", teams.Config{AppID: "a", AppPassword: "p", OpenIDMetadataURL: "ftp://x"}, "metadata"},
		{"bad token URL", teams.Config{AppID: "a", AppPassword: "p", TokenURL: "/relative"}, "token URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := teams.New(tt.cfg, r, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New(%+v) = %v, want an error mentioning %q", tt.cfg, err, tt.want)
			}
		})
	}
	if _, err := teams.New(teams.Config{Emulator: true}, nil, nil); err == nil {
		t.Error("New with no responder succeeded")
	}
	// No app ID is no authentication: only with Emulator, never with an
	// app ID.
	if _, err := teams.New(teams.Config{}, r, nil); err == nil || !strings.Contains(err.Error(), "app ID is required") {
		t.Errorf("New without an app ID or Emulator = %v", err)
	}
	if _, err := teams.New(teams.Config{AppID: "a", AppPassword: "p", Emulator: true}, r, nil); err == nil {
		t.Error("New with an app ID and Emulator succeeded")
	}
	b, err := teams.New(teams.Config{AppID: "a", AppPassword: "p"}, r, nil)
	if err != nil || b.AuthDisabled() {
		t.Errorf("New(defaults) = %v, AuthDisabled %v", err, b != nil && b.AuthDisabled())
	}
}

// TestWithHelpdesk runs the real helpdesk, offline, behind the adapter.
func TestWithHelpdesk(t *testing.T) {
	hd := helpdesk.New(helpdesk.Config{}, msaccount.New(msaccount.Config{Offline: true}, nil), nil)
	h := newHarness(t, nil, hd, nil)

	if got := h.post(t, h.fake.Message("is alex@contoso.onmicrosoft.com a personal account?")); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	acts := h.fake.WaitActivities(t, 1)
	s := decodeSent(t, acts[0])
	text := s.cardText()
	if !strings.Contains(text, "alex@contoso.onmicrosoft.com") || !strings.Contains(text, "**") {
		t.Errorf("card text %q lacks the address or the bold", text)
	}
	if len(s.Attachments[0].Content.Actions) == 0 {
		t.Errorf("no follow-up buttons")
	}

	// A button press continues the conversation.
	conv := h.fake.Message("")["conversation"].(map[string]any)
	press := s.Attachments[0].Content.Actions[0].Data["action"]
	if got := h.post(t, h.fake.Submit(conv, press)); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	// "Which account am I using?" is answered from the tenant: the consumer
	// tenant means a personal account.
	personal := h.fake.Message("which account am I using right now?")
	personal["conversation"].(map[string]any)["tenantId"] = helpdesk.ConsumerTenantID
	personal["conversation"].(map[string]any)["id"] = "a:another-chat"
	if got := h.post(t, personal); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	// A welcome comes from the knowledge base.
	if got := h.post(t, h.fake.BotAdded()); got != http.StatusOK {
		t.Fatalf("POST = %d", got)
	}
	acts = h.fake.WaitActivities(t, 4)
	h.drain(t)
	var tenantAnswer string
	for _, a := range acts {
		if a.ConversationID == "a:another-chat" {
			tenantAnswer = decodeSent(t, a).cardText()
		}
	}
	cat, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	want := cat.Topics["teams.signed_in_personal"].Text["en"].Label
	if !strings.Contains(tenantAnswer, firstWords(cat.Topics["teams.signed_in_personal"].Text["en"].Answer)) {
		t.Errorf("tenant answer %q, want the teams.signed_in_personal topic (%s)", tenantAnswer, want)
	}
}

// firstWords is the start of a catalogue answer before any markup.
func firstWords(s string) string {
	s, _, _ = strings.Cut(s, "**")
	s, _, _ = strings.Cut(s, "{")
	s, _, _ = strings.Cut(s, ",")
	return strings.TrimSpace(s)
}
