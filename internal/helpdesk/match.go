package helpdesk

import (
	_ "embed"
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Matcher ranks the catalogue's topics for a message.
type Matcher interface {
	// Rank returns at most n topics, best first, with their scores; an
	// empty result means nothing in the message resembles any topic.
	Rank(text string, n int) []Match
}

// Match is a ranked topic.
type Match struct {
	Topic string
	Score float64
}

// BM25 ranks topics with Okapi BM25 over three kinds of terms taken from
// the catalogue's example questions in every language: words, pairs of
// neighbouring words, and character 4-grams of words. Words carry the
// meaning and pairs the phrasing ("work password" against "personal
// password"); the 4-grams make it tolerant of typos and inflections
// ("pasword", "Passworts") without a dictionary. Each topic is one
// document made of all its examples, so a topic with many phrasings is not
// outvoted by a single lucky example.
type BM25 struct {
	p      bm25Params
	topics []string
	// exact maps an example's words to its topic, for examples that belong
	// to one topic only: a message that is exactly an example ("help",
	// "bye", "sspr not registered") is that topic, whatever the weights.
	exact map[string]int32
	// terms maps a term's hash (termKey) to its ID; the postings of term
	// id are postings[start[id]:start[id+1]]. Hashes and flat slices hold
	// no pointers: the collector never walks the index.
	terms    map[uint64]int32
	start    []int32
	postings []posting
	idf      []float32
	// kindWeight is each term's weight by its kind (word, pair, 4-gram).
	kindWeight []float32
	scores     sync.Pool // of *[]float32, one score per topic
}

type posting struct {
	doc int32
	// tf is the term's saturated frequency in the document, BM25's
	// tf·(k1+1)/(tf+k1·(1-b+b·len/avg)), worked out when the index is built.
	tf float32
}

// bm25Params are the BM25 parameters and the weights of the kinds of
// terms, chosen on the tuning corpus (docs/quality.md).
type bm25Params struct {
	K1, B            float32
	Word, Pair, Gram float32
}

var defaultBM25 = bm25Params{K1: 1.6, B: 0.5, Word: 1.0, Pair: 1.2, Gram: 0.25}

// maxQueryWords and maxRankBytes bound what of a message is ranked: a long
// paste is mostly log lines, and the question comes first.
const (
	maxQueryWords = 300
	maxRankBytes  = 3000
)

// NewBM25 builds the ranking from the matchable topics of c.
func NewBM25(c *Catalogue) *BM25 { return newBM25(c, defaultBM25) }

func newBM25(c *Catalogue, p bm25Params) *BM25 {
	m := &BM25{p: p, terms: map[uint64]int32{}, exact: map[string]int32{}}
	var byTerm [][]posting // while building
	var weights []float32
	var docLens []float32
	ambiguous := map[string]bool{}
	for _, id := range c.IDs {
		t := c.Topics[id]
		if !t.Matchable {
			continue
		}
		doc := int32(len(m.topics))
		m.topics = append(m.topics, id)
		counts := map[string]float32{}
		for _, tt := range t.Text {
			addWords(counts, rankWords(tt.Label)) // a typed button label finds its topic
			for _, ex := range append([]string{tt.Label}, tt.Examples...) {
				// Examples are read as messages are: the addresses and
				// domains in them are not words of the question.
				q := question(ex)
				words := rankWords(q)
				if ex != tt.Label {
					addWords(counts, words)
				}
				if strings.ContainsAny(ex, "@.") && q != strings.TrimSpace(Normalise("", ex)) {
					continue // its meaning was in its address: not an exact match
				}
				key := strings.Join(words, " ")
				if prev, ok := m.exact[key]; ok && prev != doc {
					ambiguous[key] = true
				}
				m.exact[key] = doc
			}
		}
		var n float32
		for term, tf := range counts {
			key := termKey([]byte(term))
			id, ok := m.terms[key]
			if !ok {
				id = int32(len(byTerm))
				m.terms[key] = id
				byTerm = append(byTerm, nil)
				weights = append(weights, m.termWeight(term))
			}
			byTerm[id] = append(byTerm[id], posting{doc, tf})
			n += tf
		}
		docLens = append(docLens, n)
	}
	for k := range ambiguous {
		delete(m.exact, k)
	}
	delete(m.exact, "")
	var avg float32
	for _, l := range docLens {
		avg += l
	}
	avg /= float32(max(1, len(docLens)))
	docNorm := make([]float32, len(docLens))
	for i, l := range docLens {
		docNorm[i] = p.K1 * (1 - p.B + p.B*l/avg)
	}
	N := float64(len(m.topics))
	m.scores.New = func() any { s := make([]float32, len(m.topics)); return &s }
	m.kindWeight = weights
	m.idf = make([]float32, len(byTerm))
	m.start = make([]int32, 0, len(byTerm)+1)
	p0 := p
	for i, p := range byTerm {
		df := float64(len(p))
		m.idf[i] = float32(math.Log(1 + (N-df+0.5)/(df+0.5)))
		m.start = append(m.start, int32(len(m.postings)))
		for _, q := range p {
			q.tf = q.tf * (p0.K1 + 1) / (q.tf + docNorm[q.doc])
			m.postings = append(m.postings, q)
		}
	}
	m.start = append(m.start, int32(len(m.postings)))
	return m
}

// Rank implements Matcher.
func (m *BM25) Rank(text string, n int) []Match {
	return m.RankWords(rankWords(text), n)
}

// RankWords is Rank for a message's words as rankWords reads them.
func (m *BM25) RankWords(words []string, n int) []Match {
	// Each term of the message once: a repeated log line is not a stronger
	// question.
	ids := make([]int32, 0, 4*len(words)+8)
	eachTerm(words, func(term []byte) {
		if id, ok := m.terms[termKey(term)]; ok {
			ids = append(ids, id)
		}
	})
	slices.Sort(ids)
	ids = slices.Compact(ids)
	sp := m.scores.Get().(*[]float32)
	defer m.scores.Put(sp)
	scores := *sp
	clear(scores)
	for _, id := range ids {
		w := m.idf[id] * m.kindWeight[id]
		for _, p := range m.postings[m.start[id]:m.start[id+1]] {
			scores[p.doc] += w * p.tf
		}
	}
	if doc, ok := m.exact[strings.Join(words, " ")]; ok {
		// Exactly an example: that topic, clearly ahead of the rest.
		var top float32
		for _, sc := range scores {
			top = max(top, sc)
		}
		scores[doc] = 2*top + exactBonus
	}
	return topN(m.topics, scores, n)
}

// termSeed keys the hashes of ranking terms.
var termSeed = maphash.MakeSeed()

// termKey is the hash a term is found by. Two of the index's 57,000 terms
// sharing a 64-bit hash is a chance of about 1 in 10^10.
func termKey(term []byte) uint64 { return maphash.Bytes(termSeed, term) }

// exactBonus lifts a message that is exactly an example above any
// ranking by weights.
const exactBonus = 10

// question is a message without its markup, addresses and domains: what
// is ranked.
func question(text string) string {
	if !strings.ContainsAny(text, "<&@.") {
		return strings.TrimSpace(squeezeSpaces(text)) // nothing to take out
	}
	text = Normalise("", text)
	return withoutEntities(text, Extract(text))
}

// topN returns the n best-scoring topics with a positive score.
func topN(topics []string, scores []float32, n int) []Match {
	out := make([]Match, 0, n+1)
	for i, s := range scores {
		if s <= 0 {
			continue
		}
		if len(out) == n && float64(s) <= out[n-1].Score {
			continue
		}
		at, _ := slices.BinarySearchFunc(out, float64(s), func(m Match, s float64) int {
			switch {
			case m.Score > s:
				return -1
			case m.Score < s:
				return 1
			}
			return 0
		})
		out = slices.Insert(out, at, Match{topics[i], float64(s)})
		if len(out) > n {
			out = out[:n]
		}
	}
	return out
}

func (m *BM25) termWeight(term string) float32 {
	switch term[0] {
	case 'w':
		return m.p.Word
	case 'p':
		return m.p.Pair
	}
	return m.p.Gram
}

// addTerms adds the terms of text to counts.
func addTerms(counts map[string]float32, text string) {
	addWords(counts, rankWords(text))
}

// addWords adds the terms of words (from rankWords) to counts.
func addWords(counts map[string]float32, words []string) {
	eachTerm(words, func(term []byte) { counts[string(term)]++ })
}

// eachTerm calls fn with each term of words (from rankWords): the pairs of
// neighbouring words ("p" prefix), and the words ("w") and their
// character 4-grams ("c") that are not stop words. The bytes given to fn are
// only valid during the call, so a message's terms are looked up without
// allocating each.
func eachTerm(words []string, fn func(term []byte)) {
	var buf [96]byte
	term := buf[:0]
	prev := ""
	for _, w := range words {
		if prev != "" {
			term = append(append(append(append(term[:0], 'p'), prev...), ' '), w...)
			fn(term)
		}
		prev = w
		if stopWords[w] {
			continue // a pair's part only: "my account" is not "an account"
		}
		term = append(append(term[:0], 'w'), w...)
		fn(term)
		if len(w) < 4 {
			continue
		}
		// The 4-grams of "^word$", by bytes.
		for i := -1; i+4 <= len(w)+1; i++ {
			term = append(term[:0], 'c')
			for j := i; j < i+4; j++ {
				switch {
				case j < 0:
					term = append(term, '^')
				case j == len(w):
					term = append(term, '$')
				default:
					term = append(term, w[j])
				}
			}
			fn(term)
		}
	}
}

// queryWords folds text and returns its words, stemmed lightly, synonyms
// made one, stop words and pasted noise (long hex, numbers) left out.
func queryWords(text string) []string {
	return withoutStopWords(rankWords(text))
}

// withoutStopWords returns words (from rankWords) without the stop words,
// in a slice of its own.
func withoutStopWords(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// elided is w without a French elided article or pronoun: "l'école" is
// "école", "d'organisation" "organisation".
func elided(w string) string {
	i := strings.IndexByte(w, '\'')
	if i < 1 || i > 2 || len(w)-i-1 < 2 {
		return w
	}
	switch w[:i] {
	case "l", "d", "j", "c", "n", "s", "m", "t", "qu":
		return w[i+1:]
	}
	return w
}

// rankWords folds text and returns its words, stemmed lightly, synonyms
// made one, pasted noise (long hex, numbers) left out.
func rankWords(text string) []string {
	if len(text) > maxRankBytes {
		// The question comes first; the rest of a long paste is log lines.
		text = text[:maxRankBytes]
	}
	raw := tokens(fold(text))
	out := make([]string, 0, min(len(raw), maxQueryWords))
	syn := synonyms()
	for _, w := range raw {
		w = elided(strings.Trim(w, "'-#*()"))
		if w == "" || noise(w) {
			continue
		}
		if s, ok := syn[w]; ok {
			w = s
		}
		out = append(out, stem(w))
		if len(out) == maxQueryWords {
			break
		}
	}
	return out
}

//go:embed catalogue/synonyms.txt
var synonymsText string

// synonyms maps each variant word of catalogue/synonyms.txt to its
// canonical word.
var synonyms = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, line := range dataLines(synonymsText) {
		canon, variants, ok := strings.Cut(line, " = ")
		if !ok {
			continue // TestWordLists reads this file strictly
		}
		for _, v := range strings.Split(variants, "|") {
			if v = strings.TrimSpace(v); v != "" {
				m[v] = strings.TrimSpace(canon)
			}
		}
	}
	return m
})

// noise reports words that carry no meaning for ranking: numbers, hex
// strings, IDs.
func noise(w string) bool {
	digits := 0
	for _, r := range w {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits > 0 && (digits*2 >= len(w) || len(w) > 12)
}

// stem removes the most common inflections, so "passwords" meets
// "password" as a word and not only through its 4-grams.
func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "'s"):
		return w[:len(w)-2]
	case len(w) > 4 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

//go:embed catalogue/stopwords.txt
var stopWordsText string

// stopWords are the words of catalogue/stopwords.txt: function words of
// the five languages, too common to tell topics apart.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range dataLines(stopWordsText) {
		for _, w := range strings.Fields(line) {
			m[w] = true
		}
	}
	return m
}()

// fold lowercases s and removes accents, so "Contraseña" meets
// "contrasena".
func fold(s string) string {
	if ascii(s) {
		return strings.ToLower(strings.ReplaceAll(s, "`", "'"))
	}
	s = norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case '’', '‘', '`':
			r = '\''
		case 'ß':
			b.WriteString("ss")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tokens splits folded text into words.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '-' || r == '#')
	})
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
