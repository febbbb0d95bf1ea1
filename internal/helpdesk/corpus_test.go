package helpdesk_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// A corpus is realistic messages, each labelled with what a right answer
// is. They were written apart from the catalogue's examples: corpus.jsonl
// first (intents only), then tune.jsonl (tuned against: the first tuning
// set and the first held-out set, which joined it once its figures were
// reported), and heldout.jsonl, a second set written later by other
// writers, frozen before the tuning that followed and never looked at while
// tuning: its figures are the honest ones.
type corpusCase struct {
	Platform  string   `json:"platform"`
	Lang      string   `json:"lang"`
	Text      string   `json:"text"`
	Topic     string   `json:"topic"`
	AltTopics []string `json:"alt_topics"`
	Intent    string   `json:"intent"`
	Emails    []string `json:"emails"`
	Domains   []string `json:"domains"`
}

func loadCorpus(t testing.TB, path string) []corpusCase {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s line %d: %v", path, len(out)+1, err)
		}
		if c.Lang == "" {
			c.Lang = "en"
		}
		out = append(out, c)
	}
	return out
}

// offlineLookup answers from the offline rules, so the corpus runs without
// any network.
type offlineLookup struct{}

func (offlineLookup) Lookup(_ context.Context, t msaccount.Target) msaccount.Verdict {
	return msaccount.Offline(t)
}

// score is how a handler did on a corpus.
type score struct {
	n, intent, topic, asked, entities int
	perLang                           map[string]*[3]int // n, intent, lang right
	confusion                         map[string]int
	misses                            []string
}

func (s score) pct(k int) float64 { return 100 * float64(k) / float64(max(1, s.n)) }

// runCorpus answers every case in its own conversation. forceLang, when
// set, is passed as the message's language (as ask --lang does).
func runCorpus(t testing.TB, h *helpdesk.Handler, cases []corpusCase) score {
	return runCorpusLocale(t, h, cases, false)
}

// corpusSeq numbers the conversations of every corpus run.
var corpusSeq atomic.Int64

// runCorpusLocale is runCorpus, with each message carrying its language's
// locale when withLocale is set (as Teams sends one on every activity).
func runCorpusLocale(t testing.TB, h *helpdesk.Handler, cases []corpusCase, withLocale bool) score {
	cat, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	s := score{perLang: map[string]*[3]int{}, confusion: map[string]int{}}
	for _, c := range cases {
		// Its own conversation and person, whatever ran before on h: no
		// earlier turn or lookup limit colours the answer.
		n := corpusSeq.Add(1)
		m := helpdesk.Message{Platform: c.Platform, Conversation: fmt.Sprint("corpus-", n), User: fmt.Sprint("u", n), Text: c.Text}
		if withLocale {
			m.Locale = c.Lang + "-XX"
		}
		r, err := h.Respond(context.Background(), m)
		if err != nil {
			t.Fatalf("Respond(%q): %v", c.Text, err)
		}
		if r.Text == "" {
			t.Errorf("Respond(%q): empty text", c.Text)
		}
		s.n++
		pl := s.perLang[c.Lang]
		if pl == nil {
			pl = &[3]int{}
			s.perLang[c.Lang] = pl
		}
		pl[0]++
		if string(r.Intent) == c.Intent {
			s.intent++
			pl[1]++
		} else {
			s.confusion[c.Intent+" -> "+string(r.Intent)]++
			s.misses = append(s.misses, fmt.Sprintf("intent %s (topic %s), want %s: %.100q", r.Intent, r.Topic, c.Intent, c.Text))
		}
		if r.Lang == c.Lang {
			pl[2]++
		} else {
			s.misses = append(s.misses, fmt.Sprintf("language %s, want %s: %.100q", r.Lang, c.Lang, c.Text))
		}
		switch {
		case topicRight(cat, c, r.Topic):
			s.topic++
		case r.Topic == "" && len(r.Choices) > 0:
			s.asked++
			s.misses = append(s.misses, fmt.Sprintf("asked %v, want %s: %.100q", choiceIDs(r), c.Topic, c.Text))
		default:
			s.misses = append(s.misses, fmt.Sprintf("topic %s (%.2f), want %s: %.100q", r.Topic, r.Confidence, c.Topic, c.Text))
		}
		if slices.Equal(r.Emails, nonNil(c.Emails)) && slices.Equal(r.Domains, nonNil(c.Domains)) {
			s.entities++
		} else {
			s.misses = append(s.misses, fmt.Sprintf("entities %q %q, want %q %q: %.100q", r.Emails, r.Domains, c.Emails, c.Domains, c.Text))
		}
	}
	return s
}

// topicRight reports whether the answered topic is a right one for c: the
// one labelled, an alternative, or the variant of it the verdict chose.
func topicRight(cat *helpdesk.Catalogue, c corpusCase, got string) bool {
	if got == c.Topic || slices.Contains(c.AltTopics, got) {
		return true
	}
	for _, want := range append([]string{c.Topic}, c.AltTopics...) {
		if t := cat.Topics[want]; t != nil {
			for _, v := range t.Variants {
				if v == got {
					return true
				}
			}
		}
	}
	return false
}

func choiceIDs(r helpdesk.Reply) []string {
	var out []string
	for _, c := range r.Choices {
		out = append(out, strings.TrimPrefix(c.Action, "topic:"))
	}
	return out
}

func (s score) log(t testing.TB, name string) {
	t.Logf("%s: %d messages; intent %.1f%%, topic %.1f%% (asked instead %.1f%%), entities %.1f%%",
		name, s.n, s.pct(s.intent), s.pct(s.topic), s.pct(s.asked), s.pct(s.entities))
	langs := make([]string, 0, len(s.perLang))
	for l := range s.perLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		p := s.perLang[l]
		t.Logf("  %s: %d messages, intent %.1f%%, reply language %.1f%%", l, p[0], 100*float64(p[1])/float64(p[0]), 100*float64(p[2])/float64(p[0]))
	}
	if testing.Verbose() {
		keys := make([]string, 0, len(s.confusion))
		for k := range s.confusion {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return s.confusion[keys[i]] > s.confusion[keys[j]] })
		for _, k := range keys {
			t.Logf("  confused %s: %d", k, s.confusion[k])
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// The floors the corpora must keep: the test fails when understanding gets
// worse than docs/quality.md records.
var corpusFloors = map[string]struct{ intent, topic, entities float64 }{
	"testdata/corpus.jsonl":  {intent: 0.93, entities: 0.99},
	"testdata/tune.jsonl":    {intent: 0.95, topic: 0.92, entities: 0.99},
	"testdata/heldout.jsonl": {intent: 0.95, topic: 0.92, entities: 0.99},
}

func TestCorpus(t *testing.T) {
	h := helpdesk.New(helpdesk.Config{}, offlineLookup{}, nil)
	for _, path := range []string{"testdata/corpus.jsonl", "testdata/tune.jsonl", "testdata/heldout.jsonl"} {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(path, "testdata/"), ".jsonl"), func(t *testing.T) {
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			cases := loadCorpus(t, path)
			s := runCorpus(t, h, cases)
			heldout := strings.Contains(path, "heldout")
			if !heldout || os.Getenv("HELDOUT") != "" {
				// The held-out figures are read once, for the report
				// (HELDOUT=1), never while tuning.
				s.log(t, path)
				if path != "testdata/corpus.jsonl" {
					wl := runCorpusLocale(t, h, cases, true)
					right := 0
					for _, p := range wl.perLang {
						right += p[2]
					}
					t.Logf("  reply language with the platform's locale set: %.1f%%", 100*float64(right)/float64(wl.n))
				}
			}
			if os.Getenv("CORPUS_MISSES") != "" && !strings.Contains(path, "heldout") {
				for _, m := range s.misses {
					t.Log("  ", m)
				}
			}
			f := corpusFloors[path]
			if got := float64(s.intent) / float64(s.n); got < f.intent {
				t.Errorf("intent accuracy below the floor %.2f", f.intent)
			}
			if path != "testdata/corpus.jsonl" {
				if got := float64(s.topic) / float64(s.n); got < f.topic {
					t.Errorf("topic accuracy below the floor %.2f", f.topic)
				}
			}
			if got := float64(s.entities) / float64(s.n); got < f.entities {
				t.Errorf("entity accuracy below the floor %.2f", f.entities)
			}
		})
	}
}

// TestUnrelatedFirstMessage: the rules that read a message in the light of
// the answer before it (follow-ups, "and for bob@…?") seldom cost a right
// answer when that answer was about something else. Pairs of tuning
// messages, the second answered alone and after the first: of 2,538
// pairs, 3 right alone were answered otherwise after an unrelated first
// when this test was written, and 11 once an unsure follow-up was read
// with the person's last message too (inConversation): the price of the
// follow-ups it gets right in real conversations (docs/quality.md).
func TestUnrelatedFirstMessage(t *testing.T) {
	n, lost, hedged, gained := afterUnrelated(t, rand.NewPCG(1, 2), 3000,
		func(b corpusCase) bool { return len(b.Emails)+len(b.Domains) == 0 }, // an address is checked whatever came before
		func(b corpusCase) string { return b.Text })
	t.Logf("%d second messages: %d right answers lost after an unrelated first, %d hedged, %d gained", n, lost, hedged, gained)
	if float64(lost) > 0.005*float64(n) {
		t.Errorf("%d of %d right answers lost after an unrelated first message, want at most 0.5%%", lost, n)
	}
	// A later message the ranking is unsure of, on another subject, is
	// told so, with its first reading offered (help.unsure): in the
	// reviews such replies were mostly another subject's answer
	// (docs/quality.md). It costs this clean question its answer when the
	// ranking spreads it across subjects; the bound holds it to what it
	// cost when it was built (42 of 2,538).
	if float64(hedged) > 0.025*float64(n) {
		t.Errorf("%d of %d right answers hedged after an unrelated first message, want at most 2.5%%", hedged, n)
	}
}

// TestContinuedAfterUnrelated is TestUnrelatedFirstMessage for a short
// second message opened by "and" in its language, the way people continue
// a subject: after an unrelated first message it must still get its own
// answer. Rules that read such a message with the last answer's subject
// cost right answers here; the limit holds them to about what they cost
// when this test was written (28 of 548 lost, most of them "and help" or
// "and hey" read with the subject).
func TestContinuedAfterUnrelated(t *testing.T) {
	and := map[string]string{"en": "and ", "de": "und ", "fr": "et ", "es": "y ", "nl": "en "}
	n, lost, _, gained := afterUnrelated(t, rand.NewPCG(3, 4), 4000,
		func(b corpusCase) bool {
			// An address is checked whatever came before; a long message
			// is its own question.
			return len(b.Emails)+len(b.Domains) == 0 && len(helpdesk.QueryWords(b.Text)) <= 4
		},
		func(b corpusCase) string { return and[b.Lang] + b.Text })
	t.Logf("%d short second messages opened by \"and\": %d right answers lost after an unrelated first, %d gained", n, lost, gained)
	if float64(lost) > 0.06*float64(n) {
		t.Errorf("%d of %d right answers lost after an unrelated first message, want at most 6%%", lost, n)
	}
}

// afterUnrelated draws pairs of tuning messages, keeps those whose second
// message b passes keep, and answers b alone and text(b) after the first:
// how many were kept, and of the right answers alone how many were lost
// after the first, how many hedged (help.unsure, offering the right
// answer first), and of the wrong ones how many were gained.
func afterUnrelated(t *testing.T, src rand.Source, pairs int, keep func(corpusCase) bool, text func(corpusCase) string) (n, lost, hedged, gained int) {
	cases := loadCorpus(t, "testdata/tune.jsonl")
	cat, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	h := helpdesk.New(helpdesk.Config{UserLookupsPerMinute: 1 << 20}, offlineLookup{}, nil)
	r := rand.New(src)
	ctx := context.Background()
	for i := range pairs {
		a, b := cases[r.IntN(len(cases))], cases[r.IntN(len(cases))]
		if !keep(b) {
			continue
		}
		n++
		alone, _ := h.Respond(ctx, helpdesk.Message{Platform: b.Platform, Conversation: fmt.Sprint("alone-", i), User: fmt.Sprint("a", i), Text: b.Text})
		h.Respond(ctx, helpdesk.Message{Platform: a.Platform, Conversation: fmt.Sprint("pair-", i), User: fmt.Sprint("p", i), Text: a.Text})
		after, _ := h.Respond(ctx, helpdesk.Message{Platform: b.Platform, Conversation: fmt.Sprint("pair-", i), User: fmt.Sprint("p", i), Text: text(b)})
		switch right, rightAfter := topicRight(cat, b, alone.Topic), topicRight(cat, b, after.Topic); {
		case right && after.Topic == "help.unsure" && len(after.Suggestions) > 0 && topicRight(cat, b, strings.TrimPrefix(after.Suggestions[0].Action, "topic:")):
			hedged++
		case right && !rightAfter:
			lost++
			if os.Getenv("CORPUS_MISSES") != "" {
				t.Logf("lost after %q: %q -> %s (alone %s)", a.Text, b.Text, after.Topic, alone.Topic)
			}
		case !right && rightAfter:
			gained++
		}
	}
	return n, lost, hedged, gained
}
