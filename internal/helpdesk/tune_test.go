package helpdesk

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// TestMatcherTuning compares matchers and parameters on the tuning corpus
// only (never the held-out one). It is a tool, run by hand:
//
//	TUNE=1 go test ./internal/helpdesk -run TestMatcherTuning -v
func TestMatcherTuning(t *testing.T) {
	if os.Getenv("TUNE") == "" {
		t.Skip("a tuning tool: TUNE=1 runs it")
	}
	cases := loadTune(t, "testdata/tune.jsonl")
	if l := os.Getenv("TUNE_LANG"); l != "" {
		var keep []tuneCase
		for _, c := range cases {
			if c.Lang == l || l == "en" && c.Lang == "" {
				keep = append(keep, c)
			}
		}
		cases = keep
	}
	c, err := BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	type variant struct {
		name string
		m    Matcher
	}
	variants := []variant{{"bm25 default", NewBM25(c)}, {"tfidf knn", newKNN(c)}}
	if os.Getenv("TUNE") == "grid" {
		for _, k1 := range []float32{0.9, 1.2, 1.6} {
			for _, b := range []float32{0.3, 0.5, 0.75} {
				for _, gram := range []float32{0.1, 0.25, 0.4} {
					for _, pair := range []float32{0.4, 0.8, 1.2} {
						p := bm25Params{K1: k1, B: b, Word: 1, Pair: pair, Gram: gram}
						variants = append(variants, variant{fmt.Sprintf("bm25 k1=%.1f b=%.2f pair=%.1f gram=%.2f", k1, b, pair, gram), newBM25(c, p)})
					}
				}
			}
		}
	}
	for _, v := range variants {
		top1, top3 := 0, 0
		for _, tc := range cases {
			q := tuneQuestion(tc.Text)
			r := v.m.Rank(q, 3)
			for i, m := range r {
				if right(c, tc, m.Topic) {
					if i == 0 {
						top1++
					}
					top3++
					break
				}
			}
		}
		t.Logf("%-45s top-1 %.1f%%  top-3 %.1f%%", v.name, 100*float64(top1)/float64(len(cases)), 100*float64(top3)/float64(len(cases)))
	}
	// The confidence threshold: how often the best topic is right at each
	// level of confidence, so the policy asks where guessing is wrong.
	h := New(Config{}, offline{}, nil)
	type point struct {
		conf  float64
		right bool
	}
	var pts []point
	for _, tc := range cases {
		r := h.matcher.Rank(tuneQuestion(tc.Text), 4)
		if len(r) == 0 {
			continue
		}
		pts = append(pts, point{confidence(r), right(c, tc, r[0].Topic) || right(c, tc, h.family[r[0].Topic])})
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].conf < pts[j].conf })
	for _, th := range []float64{0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4} {
		var below, belowRight, above, aboveRight int
		for _, p := range pts {
			if p.conf < th {
				below++
				if p.right {
					belowRight++
				}
			} else {
				above++
				if p.right {
					aboveRight++
				}
			}
		}
		t.Logf("threshold %.2f: %d below (%.0f%% of them right), %d above (%.1f%% right)", th, below, 100*float64(belowRight)/math.Max(1, float64(below)), above, 100*float64(aboveRight)/math.Max(1, float64(above)))
	}
	if os.Getenv("TUNE_MISSES") != "" {
		for _, tc := range cases {
			r, _ := h.Respond(context.Background(), Message{Platform: tc.Platform, Conversation: tc.Text, User: "u", Text: tc.Text})
			if !right(c, tc, r.Topic) {
				ids := []string{}
				for _, m := range h.matcher.Rank(tuneQuestion(tc.Text), 3) {
					ids = append(ids, fmt.Sprintf("%s:%.1f", m.Topic, m.Score))
				}
				t.Logf("got %-28s want %-28s %v %.90q", r.Topic, tc.Topic, ids, tc.Text)
			}
		}
	}
}

type offline struct{}

func (offline) Lookup(_ context.Context, t msaccount.Target) msaccount.Verdict {
	return msaccount.Offline(t)
}
func (offline) Offline() bool { return true }

type tuneCase struct {
	Lang      string   `json:"lang"`
	Platform  string   `json:"platform"`
	Text      string   `json:"text"`
	Topic     string   `json:"topic"`
	AltTopics []string `json:"alt_topics"`
}

func loadTune(t *testing.T, path string) []tuneCase {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []tuneCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c tuneCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func tuneQuestion(text string) string {
	text = Normalise("", text)
	return withoutEntities(text, Extract(text))
}

func right(c *Catalogue, tc tuneCase, got string) bool {
	if got == "" {
		return false
	}
	for _, want := range append([]string{tc.Topic}, tc.AltTopics...) {
		if got == want {
			return true
		}
		if t := c.Topics[want]; t != nil {
			for _, v := range t.Variants {
				if v == got {
					return true
				}
			}
		}
	}
	return false
}

// knn is the alternative the BM25 ranking was compared with: TF-IDF
// vectors of every example (the same words, pairs and 4-grams), cosine
// similarity, and each topic scored by its nearest example.
type knn struct {
	idf   map[string]float64
	docs  []map[string]float64
	topic []string
}

func newKNN(c *Catalogue) *knn {
	k := &knn{idf: map[string]float64{}}
	df := map[string]int{}
	var raw []map[string]float32
	for _, id := range c.IDs {
		t := c.Topics[id]
		if !t.Matchable {
			continue
		}
		for _, tt := range t.Text {
			for _, ex := range append(slices.Clone(tt.Examples), tt.Label) {
				m := map[string]float32{}
				addTerms(m, ex)
				for term := range m {
					df[term]++
				}
				raw = append(raw, m)
				k.topic = append(k.topic, id)
			}
		}
	}
	n := float64(len(raw))
	for term, d := range df {
		k.idf[term] = math.Log(n / float64(d))
	}
	for _, m := range raw {
		k.docs = append(k.docs, k.vector(m))
	}
	return k
}

func (k *knn) vector(m map[string]float32) map[string]float64 {
	v := map[string]float64{}
	var norm float64
	for term, tf := range m {
		w := (1 + math.Log(float64(tf))) * k.idf[term]
		if strings.HasPrefix(term, "c") {
			w *= 0.5
		}
		v[term] = w
		norm += w * w
	}
	norm = math.Sqrt(norm)
	for term := range v {
		v[term] /= norm
	}
	return v
}

func (k *knn) Rank(text string, n int) []Match {
	q := map[string]float32{}
	addTerms(q, text)
	for t := range q {
		q[t] = 1 // each term once, as the BM25 ranking counts a message
	}
	qv := k.vector(q)
	best := map[string]float64{}
	for i, d := range k.docs {
		var dot float64
		for term, w := range qv {
			dot += w * d[term]
		}
		if dot > best[k.topic[i]] {
			best[k.topic[i]] = dot
		}
	}
	var out []Match
	for id, s := range best {
		out = append(out, Match{id, s})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Score > out[j].Score || out[i].Score == out[j].Score && out[i].Topic < out[j].Topic
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// TestRankOne prints the ranking of one message: RANK="text" go test -run TestRankOne -v
func TestRankOne(t *testing.T) {
	q := os.Getenv("RANK")
	if q == "" {
		t.Skip("a tool: RANK=message runs it")
	}
	h := New(Config{}, offline{}, nil)
	r := h.matcher.Rank(tuneQuestion(q), 6)
	for _, m := range r {
		t.Logf("%-32s %.2f", m.Topic, m.Score)
	}
	t.Logf("confidence %.2f, words %q", confidence(r), queryWords(tuneQuestion(q)))
}

// TestLangTuning reports the language detector on the tuning corpus:
// LANGTUNE=1 go test ./internal/helpdesk -run TestLangTuning -v
func TestLangTuning(t *testing.T) {
	if os.Getenv("LANGTUNE") == "" {
		t.Skip("a tuning tool: LANGTUNE=1 runs it")
	}
	cases := loadTune(t, "testdata/tune.jsonl")
	c, err := BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	m := newLangModel(c)
	for _, letters := range []int{6, 8, 12} {
		for _, margin := range []float64{0.1, 0.2, 0.35, 0.5} {
			langMinLetters, langMinMargin = letters, margin
			right, unclear, wrong := 0, 0, 0
			for _, tc := range cases {
				want := tc.Lang
				if want == "" {
					want = "en"
				}
				l, clear := m.detect(Normalise("", tc.Text))
				switch {
				case !clear && want == "en":
					right++ // the fallback is English
				case !clear:
					unclear++
				case l == want:
					right++
				default:
					wrong++
					if os.Getenv("LANGTUNE") == "v" && letters == 8 && margin == 0.2 {
						t.Logf("%s, want %s: %.80q", l, want, tc.Text)
					}
				}
			}
			t.Logf("letters %2d margin %.2f: right %d, unclear non-English %d, wrong %d of %d", letters, margin, right, unclear, wrong, len(cases))
		}
	}
}

func TestExactOwners(t *testing.T) {
	q := os.Getenv("EXACT")
	if q == "" {
		t.Skip()
	}
	c, _ := BuiltinCatalogue()
	key := strings.Join(rankWords(question(q)), " ")
	for _, id := range c.IDs {
		for l, tt := range c.Topics[id].Text {
			for _, ex := range append([]string{tt.Label}, tt.Examples...) {
				if strings.Join(rankWords(question(ex)), " ") == key {
					t.Logf("%s %s: %q", id, l, ex)
				}
			}
		}
	}
}
