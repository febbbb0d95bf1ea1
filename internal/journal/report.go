package journal

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// Report is what `whichaccount report` shows.
type Report struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Topics are the topics with any count, most answered first.
	Topics []TopicRow `json:"topics"`
	// Unanswered are the questions kept, grouped by similarity, largest
	// group first.
	Unanswered Unanswered `json:"unanswered"`
}

// TopicRow is one topic's counts.
type TopicRow struct {
	Topic      string `json:"topic"`
	Answered   int    `json:"answered"`
	Helpful    int    `json:"helpful"`
	NotHelpful int    `json:"not_helpful"`
	Handoffs   int    `json:"handoffs"`
}

// Unanswered are the questions the assistant could not answer.
type Unanswered struct {
	Total  int     `json:"total"`
	Groups []Group `json:"groups"`
}

// Group is a set of similar questions.
type Group struct {
	Count int `json:"count"`
	// Example is the group's most recent question; Others are up to
	// maxOthers more, different from it, most recent first.
	Example string   `json:"example"`
	Others  []string `json:"others,omitempty"`
	// Guesses are the topics the assistant thought of most often, at most
	// three.
	Guesses []string `json:"guesses,omitempty"`
	// Why counts the reasons the questions were kept ("unmatched",
	// "none_of_these", "not_helpful", "handoff").
	Why   map[string]int `json:"why"`
	Langs []string       `json:"langs"`
	Last  time.Time      `json:"last"`

	words map[string]bool
	first string // the first guess of the example
}

const maxOthers = 4

// Summarise turns the data read from since until until into a report.
func Summarise(d Data, since, until time.Time) Report {
	r := Report{Since: since.UTC(), Until: until.UTC(), Topics: []TopicRow{}, Unanswered: Unanswered{Groups: []Group{}}}
	for topic, ev := range d.Counts {
		row := TopicRow{Topic: topic, Answered: ev[helpdesk.NoteAnswered], Helpful: ev[helpdesk.NoteHelpful],
			NotHelpful: ev[helpdesk.NoteNotHelpful], Handoffs: ev[helpdesk.NoteHandoff]}
		if row.Answered+row.Helpful+row.NotHelpful+row.Handoffs > 0 {
			r.Topics = append(r.Topics, row)
		}
	}
	slices.SortFunc(r.Topics, func(a, b TopicRow) int {
		if a.Answered != b.Answered {
			return b.Answered - a.Answered
		}
		return strings.Compare(a.Topic, b.Topic)
	})
	r.Unanswered = GroupQuestions(d.Unanswered)
	return r
}

// GroupQuestions groups questions by similarity: newest first, each joins the
// group whose first question shares the most of its words (at least half
// of the words of the two together, or a quarter when the assistant's
// first guess is the same), or starts a group of its own. Words are what
// is left after dropping short and common ones and the addresses' domains,
// so "is …@contoso.com personal?" and "is …@fabrikam.com personal?" are
// one question.
func GroupQuestions(qs []helpdesk.Unanswered) Unanswered {
	out := Unanswered{Total: len(qs), Groups: []Group{}}
	var groups []*Group
	for i := len(qs) - 1; i >= 0; i-- {
		q := qs[i]
		w := words(q.Text)
		first := ""
		if len(q.Guesses) > 0 {
			first = q.Guesses[0]
		}
		var best *Group
		bestScore := 0.0
		for _, g := range groups {
			s := similarity(w, g.words, q.Text, g.Example)
			need := 0.5
			if first != "" && first == g.first {
				need = 0.25
			}
			if s >= need && s > bestScore {
				best, bestScore = g, s
			}
		}
		if best == nil {
			best = &Group{Example: q.Text, Why: map[string]int{}, Last: q.At, words: w, first: first}
			groups = append(groups, best)
		} else if len(best.Others) < maxOthers && !strings.EqualFold(q.Text, best.Example) && !containsFold(best.Others, q.Text) {
			best.Others = append(best.Others, q.Text)
		}
		best.Count++
		best.Why[q.Why]++
		if q.Lang != "" && !slices.Contains(best.Langs, q.Lang) {
			best.Langs = append(best.Langs, q.Lang)
		}
		best.Guesses = append(best.Guesses, q.Guesses...) // tallied below
	}
	for _, g := range groups {
		g.Guesses = topGuesses(g.Guesses, 3)
		slices.Sort(g.Langs)
		g.words = nil
		out.Groups = append(out.Groups, *g)
	}
	slices.SortStableFunc(out.Groups, func(a, b Group) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return b.Last.Compare(a.Last)
	})
	return out
}

// words are the distinctive words of a question: lower case, at least
// three letters, not a common word, not an address's domain.
func words(text string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '@' && r != '.' && r != '…'
	}) {
		f = strings.Trim(f, ".…")
		if strings.Contains(f, "@") || len([]rune(f)) < 3 || stopWords[f] {
			continue
		}
		out[f] = true
	}
	return out
}

// similarity is the Jaccard index of two sets of words; questions with no
// such words are similar only when their texts are the same.
func similarity(a, b map[string]bool, ta, tb string) float64 {
	if len(a) == 0 || len(b) == 0 {
		if strings.EqualFold(strings.TrimSpace(ta), strings.TrimSpace(tb)) {
			return 1
		}
		return 0
	}
	shared := 0
	for w := range a {
		if b[w] {
			shared++
		}
	}
	return float64(shared) / float64(len(a)+len(b)-shared)
}

// topGuesses are the n topics guessed most often, ties in first-seen
// order.
func topGuesses(all []string, n int) []string {
	count := map[string]int{}
	var order []string
	for _, g := range all {
		if count[g] == 0 {
			order = append(order, g)
		}
		count[g]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return count[b] - count[a] })
	if len(order) > n {
		order = order[:n]
	}
	return order
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// stopWords are words too common to tell questions apart, in the
// catalogue's languages.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		the and for you your are was were with how what why can could does did this that these those have has had not but
		from about there they them when where which who whom will would should into just like get got its it's i'm im
		dont don't cant can't please help hello thanks thank any all some our out one also then than too very need want
		know there's what's whats hey hi is my me
		der die das den dem des und ist ich nicht wie was mein meine meinen mit für fuer ein eine einen einem auf bei
		kann können habe hat sie wir ihr noch auch aber oder wenn warum
		les des une est pas pour que qui mon mes avec dans sur par est-ce comment pourquoi quoi vous nous elle
		los las una que por para con como mis del esta este estoy puedo tengo qué cómo
		het een van dat niet met voor mijn hoe wat waarom kan heb ben zijn ook maar`) {
		m[w] = true
	}
	return m
}()
