package helpdesk_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// deskRecorder is a Helpdesk that keeps what it was sent.
type deskRecorder struct {
	mu   sync.Mutex
	sent []helpdesk.Handoff
}

func (d *deskRecorder) Send(_ context.Context, h helpdesk.Handoff) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sent = append(d.sent, h)
	return nil
}

// journalRecorder is a Journal that keeps what it was told.
type journalRecorder struct {
	mu         sync.Mutex
	notes      []string
	unanswered []helpdesk.Unanswered
}

func (j *journalRecorder) Note(_ context.Context, topic, event, lang string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.notes = append(j.notes, topic+" "+event)
}

func (j *journalRecorder) Unanswered(_ context.Context, q helpdesk.Unanswered) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.unanswered = append(j.unanswered, q)
}

func (j *journalRecorder) count(note string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for _, x := range j.notes {
		if x == note {
			n++
		}
	}
	return n
}

func action(r helpdesk.Reply, prefix string) string {
	for _, s := range append(append(append([]helpdesk.Suggestion(nil), r.Suggestions...), r.Feedback...), r.Choices...) {
		if strings.HasPrefix(s.Action, prefix) {
			return s.Action
		}
	}
	return ""
}

// sayer returns a function that sends text (or presses act) as m's person
// in m's conversation and returns the reply.
func sayer(t *testing.T, h *helpdesk.Handler, m helpdesk.Message) func(text, act string) helpdesk.Reply {
	return func(text, act string) helpdesk.Reply {
		m.Text, m.Action = text, act
		r, err := h.Respond(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

func TestHandoff(t *testing.T) {
	desk, j := &deskRecorder{}, &journalRecorder{}
	h := helpdesk.New(helpdesk.Config{Helpdesk: desk, Journal: j}, newLookup(), nil)
	say := sayer(t, h, helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: "T1:D1", User: "T1:U1", UserName: "Alex Wilber"})
	say("is alex@contoso.com personal or work?", "")
	r := say("this didn't help, I want to talk to a human", "")
	press := action(r, "handoff")
	if press == "" {
		t.Fatalf("no hand-off offered:\n%s", r.Text)
	}
	r = say("", press)
	if !strings.Contains(r.Text, "passed this to your IT helpdesk") {
		t.Errorf("hand-off reply:\n%s", r.Text)
	}
	say("", press) // pressed twice
	if len(desk.sent) != 1 {
		t.Fatalf("%d hand-offs sent, want 1", len(desk.sent))
	}
	got := desk.sent[0]
	if got.Question != "is alex@contoso.com personal or work?" || got.User.Name != "Alex Wilber" || len(got.Verdicts) != 1 || got.Verdicts[0].Kind != "both" ||
		len(got.Transcript) < 4 || !strings.Contains(strings.Join(got.Transcript, "\n"), "alex@contoso.com") || got.ID == "" || got.Lang != "en" {
		t.Errorf("hand-off = %+v", got)
	}
	if got.Topic != "classify.result_both" || j.count("classify.result_both handoff") != 1 {
		t.Errorf("hand-off topic %q, journal notes %v", got.Topic, j.notes)
	}
}

// TestHandoffSubject: a hand-off after "that didn't help" carries the
// subject the person needs help with, for the helpdesk and the journal,
// and the reply that offers it says what to ask the helpdesk for.
func TestHandoffSubject(t *testing.T) {
	desk, j := &deskRecorder{}, &journalRecorder{}
	h := helpdesk.New(helpdesk.Config{Helpdesk: desk, Journal: j}, newLookup(), nil)
	say := sayer(t, h, helpdesk.Message{Platform: helpdesk.PlatformTeams, Conversation: "c1", User: "u1"})
	if r := say("lost my phone with authenticator on it and i never set up any other method", ""); r.Topic != "mfa.no_other_method" {
		t.Fatalf("topic %s", r.Topic)
	}
	say("that didn't help", "")
	r := say("can i talk to a person", "")
	if r.Topic != "help.human" || !strings.Contains(r.Text, "Temporary Access Pass") {
		t.Errorf("asking for a person: %s\n%s", r.Topic, r.Text)
	}
	say("", action(r, "handoff"))
	if len(desk.sent) != 1 || desk.sent[0].Topic != "mfa.no_other_method" || j.count("mfa.no_other_method handoff") != 1 {
		t.Fatalf("hand-offs %+v, journal notes %v", desk.sent, j.notes)
	}
}

// TestStillFailingOffersAPerson: "still not working" after an answer on a
// subject is not asked to describe the problem again: the next step is a
// person, offered, with what to give them; opening with it still asks.
func TestStillFailingOffersAPerson(t *testing.T) {
	for _, tc := range []struct{ first, then, has string }{
		{"i get AADSTS50126 on the expenses portal", "still not working. same error", "correlation ID"},
		{"ich bekomme AADSTS50126 beim Reisekostenportal", "geht immer noch nicht, gleicher fehler", "Korrelations-ID"},
		{"me sale AADSTS50126 en el portal", "sigue sin funcionar, mismo error", "ID de correlación"},
	} {
		h := helpdesk.New(helpdesk.Config{Helpdesk: &deskRecorder{}}, newLookup(), nil)
		say := sayer(t, h, helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: "T1:D1", User: "T1:U1"})
		say(tc.first, "")
		r := say(tc.then, "")
		if r.Topic != "help.still_failing" || action(r, "handoff") == "" || !strings.Contains(r.Text, tc.has) {
			t.Errorf("%q after %q: topic %s, hand-off %q:\n%s", tc.then, tc.first, r.Topic, action(r, "handoff"), r.Text)
		}
	}
	h := helpdesk.New(helpdesk.Config{Helpdesk: &deskRecorder{}}, newLookup(), nil)
	r := sayer(t, h, helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: "T1:D1", User: "T1:U1"})("still not working, what now", "")
	if r.Topic != "help.describe_problem" {
		t.Errorf("opening with it: topic %s, want help.describe_problem", r.Topic)
	}
}

// failingDesk fails its first n hand-offs.
type failingDesk struct {
	deskRecorder
	fail int
}

func (d *failingDesk) Send(ctx context.Context, h helpdesk.Handoff) error {
	if d.fail > 0 {
		d.fail--
		return context.DeadlineExceeded
	}
	return d.deskRecorder.Send(ctx, h)
}

func TestHandoffRetriedAfterFailure(t *testing.T) {
	desk := &failingDesk{fail: 1}
	h := helpdesk.New(helpdesk.Config{Helpdesk: desk}, newLookup(), nil)
	m := helpdesk.Message{Platform: "teams", Conversation: "c", User: "u", Text: "is alex@contoso.com personal?"}
	h.Respond(context.Background(), m)
	m.Text, m.Action = "", "handoff"
	r, _ := h.Respond(context.Background(), m)
	if !strings.Contains(r.Text, "couldn't pass this on") || action(r, "handoff") == "" {
		t.Fatalf("failed hand-off:\n%s", r.Text)
	}
	r, _ = h.Respond(context.Background(), m)
	if !strings.Contains(r.Text, "passed this to") || len(desk.sent) != 1 {
		t.Errorf("second try: %d sent\n%s", len(desk.sent), r.Text)
	}
	r, _ = h.Respond(context.Background(), m)
	if !strings.Contains(r.Text, "already passed") || len(desk.sent) != 1 {
		t.Errorf("third press: %d sent\n%s", len(desk.sent), r.Text)
	}
}

func TestHandoffWithoutHelpdesk(t *testing.T) {
	h := helpdesk.New(helpdesk.Config{}, newLookup(), nil)
	r, _ := h.Respond(context.Background(), helpdesk.Message{Platform: "cli", Conversation: "c", User: "u", Text: "can I talk to a real person please"})
	if action(r, "handoff") != "" {
		t.Errorf("a hand-off offered with nowhere to send it")
	}
	if !strings.Contains(r.Text, "IT helpdesk") {
		t.Errorf("reply does not say how to reach IT:\n%s", r.Text)
	}
	r, _ = h.Respond(context.Background(), helpdesk.Message{Platform: "cli", Conversation: "c", User: "u", Action: "handoff"})
	if !strings.Contains(r.Text, "contact your IT helpdesk") {
		t.Errorf("hand-off without a helpdesk:\n%s", r.Text)
	}
}

func TestFeedback(t *testing.T) {
	desk, j := &deskRecorder{}, &journalRecorder{}
	h := helpdesk.New(helpdesk.Config{Helpdesk: desk, Journal: j}, newLookup(), nil)
	ctx := context.Background()
	m := helpdesk.Message{Platform: helpdesk.PlatformTeams, Conversation: "c", User: "u"}
	m.Text = "how do I reset my work password"
	r, _ := h.Respond(ctx, m)
	up, down := action(r, "vote:up:"), action(r, "vote:down:")
	if up == "" || down == "" || r.Topic == "" {
		t.Fatalf("answer has no feedback buttons: %+v", r.Feedback)
	}
	topic := r.Topic
	// Small talk gets none.
	if r2, _ := h.Respond(ctx, helpdesk.Message{Platform: "teams", Conversation: "c2", User: "u", Text: "thanks!"}); len(r2.Feedback) != 0 {
		t.Errorf("small talk got feedback buttons")
	}
	m.Text, m.Action = "", down
	r, _ = h.Respond(ctx, m)
	if !strings.Contains(r.Text, "What were you looking for") || action(r, "handoff") == "" {
		t.Errorf("not helpful:\n%s", r.Text)
	}
	// Clicked twice, and by the same person on another replica's copy:
	// counted once.
	h.Respond(ctx, m)
	if n := j.count(topic + " not_helpful"); n != 1 {
		t.Errorf("not_helpful counted %d times", n)
	}
	m.Action, m.Text = "", "I needed the page for jane@contoso.com's password, not mine"
	r, _ = h.Respond(ctx, m)
	if !strings.Contains(r.Text, "noted") {
		t.Errorf("comment reply:\n%s", r.Text)
	}
	if len(j.unanswered) != 1 || j.unanswered[0].Why != "not_helpful" || strings.Contains(j.unanswered[0].Text, "jane@") || !strings.Contains(j.unanswered[0].Text, "…@contoso.com") {
		t.Errorf("kept %+v", j.unanswered)
	}
	// An unknown topic in a vote does not become a label.
	m.Text, m.Action = "", "vote:up:abc:<script>"
	h.Respond(ctx, m)
	if j.count("unknown helpful") != 1 {
		t.Errorf("notes %v", j.notes)
	}
}

func TestTwoUnmatchedOfferAPerson(t *testing.T) {
	desk, j := &deskRecorder{}, &journalRecorder{}
	h := helpdesk.New(helpdesk.Config{Helpdesk: desk, Journal: j}, newLookup(), nil)
	ctx := context.Background()
	var r helpdesk.Reply
	for _, text := range []string{"zxqv blorp", "qqq zzkx wubwub"} {
		r, _ = h.Respond(ctx, helpdesk.Message{Platform: "cli", Conversation: "c", User: "u", Text: text})
	}
	if r.Topic != "help.not_understood" || action(r, "handoff") == "" {
		t.Errorf("second unmatched question: topic %s, suggestions %+v", r.Topic, r.Suggestions)
	}
	if len(j.unanswered) != 2 || j.unanswered[0].Why != "unmatched" {
		t.Errorf("kept %+v", j.unanswered)
	}
}

// TestPasswordInChatIsNotKept: a password written into the chat is
// answered with what to do, and reaches neither the transcript a hand-off
// carries nor the question it is about.
func TestPasswordInChatIsNotKept(t *testing.T) {
	desk := &deskRecorder{}
	h := helpdesk.New(helpdesk.Config{Helpdesk: desk}, newLookup(), nil)
	say := sayer(t, h, helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: "T1:D2", User: "T1:U2", UserName: "Alex Wilber"})
	// The last four turns are what a hand-off carries: two with passwords.
	for _, text := range []string{"my password is expired, what now", "mdp : Soleil75 aide moi", "Passwort ist 100% richtig aber es geht nicht", "my email is alex@contoso.com and password is Winter2025! can you check it", "alex@contoso.com / Fabrikam#123", "the password is 8 characters, is that enough"} {
		r := say(text, "")
		if sent := r.Topic == "help.password_sent"; sent != (strings.Contains(text, "Soleil") || strings.Contains(text, "Winter") || strings.Contains(text, "Fabrikam#")) {
			t.Errorf("%q answered %s:\n%s", text, r.Topic, r.Text)
		}
	}
	r := say("I want to talk to a human", "")
	press := action(r, "handoff")
	if press == "" {
		t.Fatalf("no hand-off offered:\n%s", r.Text)
	}
	say("", press)
	if len(desk.sent) != 1 {
		t.Fatalf("%d hand-offs sent, want 1", len(desk.sent))
	}
	got := desk.sent[0]
	all := got.Question + "\n" + strings.Join(got.Transcript, "\n")
	for _, secret := range []string{"Winter2025", "Fabrikam#123"} {
		if strings.Contains(all, secret) {
			t.Errorf("the hand-off carries the password %s:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "8 characters") {
		t.Errorf("the transcript lost an ordinary question:\n%s", all)
	}
}
