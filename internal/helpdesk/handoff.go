package helpdesk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/recent"
)

// Handoff is what the helpdesk receives when someone asks for a person: who
// asked, what, the conversation so far and the verdicts. The addresses in it
// are the ones the person wrote: the helpdesk needs them.
type Handoff struct {
	// ID is the same for the same hand-off asked again, so that receivers
	// can drop a repeat.
	ID       string `json:"id"`
	Platform string `json:"platform"`
	User     struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"user"`
	// Conversation is the platform's conversation key, for a link back.
	Conversation string              `json:"conversation"`
	Question     string              `json:"question"`
	Transcript   []string            `json:"transcript"`
	Verdicts     []msaccount.Verdict `json:"verdicts"`
	// Topic is the subject the person needs help with: the last answer's
	// topic, or the one before a thanks or "that didn't help".
	Topic string    `json:"topic"`
	Lang  string    `json:"lang"`
	At    time.Time `json:"at"`
}

// Helpdesk receives hand-offs. Send reports the targets that took it
// (names for the metric and the reply) and an error when none did.
type Helpdesk interface {
	Send(ctx context.Context, h Handoff) error
}

// Journal keeps what the helpdesk learns from: how often each topic was
// answered, voted on and handed off, and the questions the assistant could
// not answer. Implementations bound what they keep.
type Journal interface {
	// Note counts one event about a topic's answer: one of the Note
	// constants.
	Note(ctx context.Context, topic, event, lang string)
	// Unanswered keeps a question the assistant could not answer, its
	// addresses already reduced to their domains.
	Unanswered(ctx context.Context, q Unanswered)
}

// The events a Journal counts.
const (
	NoteAnswered   = "answered"
	NoteHelpful    = "helpful"
	NoteNotHelpful = "not_helpful"
	NoteHandoff    = "handoff"
)

// Unanswered is a question kept for the helpdesk's report.
type Unanswered struct {
	Text string `json:"text"`
	// Why is "unmatched", "none_of_these", "not_helpful" or "handoff".
	Why string `json:"why"`
	// Guesses are the topics the matcher ranked first, best first.
	Guesses []string  `json:"guesses,omitempty"`
	Lang    string    `json:"lang"`
	At      time.Time `json:"at"`
}

// Seen remembers keys for a while; the votes and hand-offs of one answer
// count once (redisstore's deduper shares it between replicas).
type Seen interface {
	Seen(ctx context.Context, key string, ttl time.Duration) bool
}

// Actions of the feedback and hand-off buttons.
const (
	actionVoteUp   = "vote:up:"
	actionVoteDown = "vote:down:"
	actionHandoff  = "handoff"
)

// How long a vote or a hand-off is remembered against repeats, and how much
// of a conversation a hand-off carries.
const (
	voteMemory     = 7 * 24 * time.Hour
	handoffMemory  = 30 * time.Minute
	maxTranscript  = 8
	maxTurnText    = 400
	handoffTimeout = 15 * time.Second
)

// answerID identifies one answer, for its feedback buttons: the
// conversation, the answer before it and what was asked, so that it is new
// for every answer of a conversation (and the same when the same exchange
// is replayed).
func answerID(conversation, prev, said, topic string) string {
	sum := sha256.Sum256([]byte(conversation + "\x00" + prev + "\x00" + said + "\x00" + topic))
	return hex.EncodeToString(sum[:6])
}

// feedbackWanted reports whether an answer gets "Helpful / Not helpful":
// answers to questions, not small talk, choices or the assistant's own
// prompts.
func feedbackWanted(r Reply) bool {
	switch {
	case r.Topic == "" || len(r.Choices) > 0:
		return false
	case r.Intent.aboutTheChat():
		return false
	case r.Topic == topicAskAddress || r.Topic == topicInvalid:
		return false
	}
	return true
}

// finish adds what every reply gets after its answer: the feedback buttons,
// the offer of a person when the conversation calls for one, the transcript
// kept for a hand-off, and the journal's counts.
func (c *turn) finish(said string) {
	r := &c.r
	if feedbackWanted(*r) {
		c.next.AnswerID = answerID(c.m.Conversation, c.prev.AnswerID, said, r.Topic)
		topic := r.Topic
		r.Feedback = []Suggestion{
			{Label: c.w.phraseText("label.helpful"), Action: actionVoteUp + c.next.AnswerID + ":" + topic},
			{Label: c.w.phraseText("label.not_helpful"), Action: actionVoteDown + c.next.AnswerID + ":" + topic},
		}
	}
	if c.offerPerson() {
		c.offerHandoff()
	}
	if r.Topic != "" && r.Topic != topicNotUnderstood && c.h.journal != nil && c.m.Action == "" {
		c.h.journal.Note(c.ctx, r.Topic, NoteAnswered, c.w.lang)
	}
	t := append([]string(nil), c.prev.Transcript...)
	if c.m.Action != "" && said == "" {
		said = "[" + c.m.Action + "]"
	}
	if r.Topic == topicPasswordSent {
		// A password written into the chat is kept nowhere, not even for
		// the person a hand-off reaches.
		said = "[" + r.Topic + "]"
	}
	t = append(t, personMark+clipText(said, maxTurnText), assistantMark+clipText(firstLine(*r), maxTurnText))
	if len(t) > maxTranscript {
		t = t[len(t)-maxTranscript:]
	}
	c.next.Transcript = t
	c.next.Earlier = c.earlier()
	// The question a hand-off is about is the last real one: small talk
	// and requests for a person keep the one before.
	aside := r.Intent == Help || r.Intent == Greeting || r.Intent == OutOfScope && r.Topic != topicNotUnderstood
	switch {
	case said != "" && c.m.Action == "" && !aside:
		c.next.Question = clipText(said, maxTurnText)
	case c.next.Question == "":
		c.next.Question = c.prev.Question
	}
	if aside && len(c.next.Targets) == 0 {
		c.next.Targets = c.prev.Targets
	}
}

// offerPerson reports whether to offer a person: asked for one, told the
// answer didn't help or didn't fix it, or two questions in a row that
// found nothing.
func (c *turn) offerPerson() bool {
	switch c.r.Topic {
	case topicHuman, topicDidntHelp, topicNoneOfThese, topicStillFailing:
		return true
	case topicNotUnderstood, topicUnsure:
		return c.prev.Unmatched >= 1
	}
	return false
}

// offerHandoff puts the "Talk to a person" button first, when a helpdesk
// receives hand-offs; without one, the answer's own words say how to reach
// IT.
func (c *turn) offerHandoff() {
	if c.h.helpdesk == nil {
		return
	}
	out := []Suggestion{{Label: c.w.phraseText("label.handoff"), Action: actionHandoff}}
	for _, s := range c.r.Suggestions {
		if s.Action == actionHandoff || s.Action == actionTopic+topicHuman {
			continue // the hand-off itself replaces the topic about it
		}
		out = append(out, s)
	}
	c.r.Suggestions = out
}

// vote records a vote on an answer, once per person and answer.
func (c *turn) vote(up bool, rest string) {
	id, topic, _ := strings.Cut(rest, ":")
	if c.h.cat.Topics[topic] == nil {
		topic = "unknown" // the action came back from outside: no free-form labels
	}
	c.r.Intent, c.r.Topic, c.r.Confidence = Help, "", 1
	c.next = c.prev
	if c.h.votes != nil && c.h.votes.Seen(c.ctx, "vote:"+c.m.Platform+":"+c.m.User+":"+id, voteMemory) {
		c.r.Headline = c.w.phrase("feedback.already")
		return
	}
	event := NoteHelpful
	if !up {
		event = NoteNotHelpful
	}
	if c.h.journal != nil {
		c.h.journal.Note(c.ctx, topic, event, c.w.lang)
	}
	if up {
		c.r.Headline = c.w.phrase("feedback.thanks")
		return
	}
	c.r.Headline = c.w.phrase("feedback.ask_missing")
	c.next.Comment = topic
	c.offerHandoff()
	if c.h.helpdesk == nil {
		c.r.Summary = c.w.phrase("handoff.none")
	}
}

// comment takes the message after "Not helpful" as what was missing: it is
// kept for the report, and the closest topics are offered as choices
// beside a person.
func (c *turn) comment(text string, ranked []Match) {
	if c.h.journal != nil {
		c.h.journal.Unanswered(c.ctx, Unanswered{Text: reduceAddresses(text), Why: "not_helpful", Guesses: append([]string{c.prev.Comment}, matchTopics(ranked)...), Lang: c.w.lang, At: time.Now().UTC()})
	}
	c.r.Intent, c.r.Confidence = Help, 1
	c.r.Headline = c.w.phrase("feedback.comment_thanks")
	for _, m := range ranked {
		if len(c.r.Choices) == 3 {
			break
		}
		if m.Topic != c.prev.Comment {
			c.r.Choices = append(c.r.Choices, Suggestion{Label: c.w.text(m.Topic).Label, Action: actionTopic + m.Topic})
		}
	}
	c.next = c.prev
	c.next.Comment = ""
	c.offerHandoff()
}

// handoff passes the conversation to the helpdesk, once.
func (c *turn) handoff() {
	c.r.Intent, c.r.Confidence = Help, 1
	c.next = c.prev
	if c.h.helpdesk == nil {
		c.r.Headline = c.w.phrase("handoff.none")
		return
	}
	h := Handoff{Platform: c.m.Platform, Conversation: c.m.Conversation, Question: c.prev.Question, Transcript: c.prev.Transcript,
		Topic: c.lastSubject(), Lang: c.w.lang, At: time.Now().UTC()}
	h.User.ID, h.User.Name = c.m.User, c.m.UserName
	sum := sha256.Sum256([]byte(c.m.Platform + "\x00" + c.m.Conversation + "\x00" + c.prev.Question))
	h.ID = hex.EncodeToString(sum[:12])
	// A hand-off that failed everywhere may be asked for again: each failed
	// try moves to a new key.
	if c.h.votes != nil && c.h.votes.Seen(c.ctx, "handoff:"+h.ID+":"+itoa(c.prev.HandoffTries), handoffMemory) {
		c.r.Headline = c.w.phrase("handoff.already")
		return
	}
	lookup := c.h.lookupFor(c.m)
	for _, t := range parseTargets(c.prev.Targets) {
		h.Verdicts = append(h.Verdicts, lookup.Lookup(c.ctx, t)) // cached: the conversation's own lookups
	}
	ctx, cancel := context.WithTimeout(c.ctx, handoffTimeout)
	defer cancel()
	if err := c.h.helpdesk.Send(ctx, h); err != nil {
		c.h.log.Warn("hand-off failed", "platform", c.m.Platform, "error", err.Error())
		c.r.Headline = c.w.phrase("handoff.failed")
		c.next.HandoffTries++
		c.offerHandoff()
		return
	}
	if c.h.journal != nil {
		topic := h.Topic
		if topic == "" {
			topic = "unknown"
		}
		c.h.journal.Note(c.ctx, topic, NoteHandoff, c.w.lang)
		c.h.journal.Unanswered(c.ctx, Unanswered{Text: reduceAddresses(c.prev.Question), Why: "handoff", Guesses: nonEmpty(c.prev.Topic), Lang: c.w.lang, At: h.At})
	}
	c.r.Headline = c.w.phrase("handoff.done")
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// reduceAddresses replaces each address in text by its domain (…@contoso.com):
// what the report keeps of a question.
func reduceAddresses(text string) string {
	e := Extract(Normalise("", text))
	for _, a := range e.Emails {
		if at := strings.IndexByte(a, '@'); at > 0 {
			text = replaceFold(text, a, "…"+a[at:])
		}
	}
	return text
}

// replaceFold replaces every case-insensitive occurrence of old in s.
func replaceFold(s, old, repl string) string {
	ls, lo := strings.ToLower(s), strings.ToLower(old)
	var b strings.Builder
	for {
		i := strings.Index(ls, lo)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, ls = s[i+len(old):], ls[i+len(old):]
	}
}

func clipText(s string, n int) string {
	if !plainSpaced(s) {
		s = strings.Join(strings.Fields(s), " ")
	}
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// plainSpaced reports whether s is words separated by single spaces, as
// most messages are: nothing for clipText to squeeze.
func plainSpaced(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' && s[i+1] == ' ', c == '\t', c == '\n', c == '\r', c == '\v', c == '\f', c >= 0x80:
			return false
		}
	}
	return true
}

// firstLine is the start of a reply, for the transcript.
func firstLine(r Reply) string {
	if s := r.Headline.String(); s != "" {
		return s
	}
	s, _, _ := strings.Cut(r.Text, "\n")
	return s
}

// localSeen is the in-memory Seen: bounded, oldest first out.
type localSeen struct{ s *recent.Set }

func newLocalSeen() *localSeen { return &localSeen{s: recent.NewSet(100000)} }

func (s *localSeen) Seen(_ context.Context, key string, ttl time.Duration) bool {
	return !s.s.Add(key, ttl)
}
