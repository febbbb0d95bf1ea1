package helpdesk

import (
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// langModel tells which of the five languages a message is written in. It
// is a naive Bayes classifier over words and character trigrams, learnt at
// start from the catalogue itself: every topic's examples, answers, details,
// steps and labels, and the phrases, in each language. Learning from the
// catalogue puts the domain's own words in (Passwort, mot de passe,
// wachtwoord, and the English IT words all five languages borrow), which
// general-purpose detectors weigh as any other text; bench/langcompare
// measures it against lingua-go.
type langModel struct {
	langs []string
	// feature maps a feature's hash (featureKey) to where its log
	// probabilities, one per language, start in logp. Hashes and flat
	// slices hold no pointers: the collector never walks them.
	feature map[uint64]int32
	logp    []float32
	// unseen is each language's log probability of a feature it never saw.
	unseen []float32
	// only maps the words that the catalogue uses in one language alone,
	// and more than once ("hola", "moin", "doei"), by the hash of their
	// feature, to that language's index: they settle a message too short
	// to weigh.
	only map[uint64]int
}

// featureSeed keys the hashes of detection features.
var featureSeed = maphash.MakeSeed()

// featureKey is the hash a feature is found by. Two of the catalogue's
// 17,000 features sharing a 64-bit hash is a chance of about 1 in 10^11.
func featureKey(f []byte) uint64 { return maphash.Bytes(featureSeed, f) }

// Detection thresholds: a message is clear when it has enough letters and
// its best language leads the second by enough per feature.
var (
	langMinLetters = 6
	langMinMargin  = 0.35
)

// langMaxRunes bounds the text a detection reads.
const langMaxRunes = 300

func newLangModel(c *Catalogue) *langModel {
	m := &langModel{feature: map[uint64]int32{}, only: map[uint64]int{}}
	counts := map[string][]float64{}
	var totals []float64
	for _, lang := range Languages {
		var texts []string
		for _, id := range c.IDs {
			tt := c.Topics[id].Text[lang]
			if tt == nil {
				continue
			}
			texts = append(texts, tt.Label, tt.Answer)
			texts = append(texts, tt.Details...)
			texts = append(texts, tt.Steps...)
			texts = append(texts, tt.Examples...)
		}
		for k, v := range c.Phrases[lang] {
			if !strings.HasPrefix(k, "match.") {
				texts = append(texts, v)
			}
		}
		if len(texts) == 0 {
			continue
		}
		i := len(m.langs)
		m.langs = append(m.langs, lang)
		totals = append(totals, 0)
		for _, t := range texts {
			eachLangFeature(t, func(f []byte) {
				v := counts[string(f)]
				for len(v) <= i {
					v = append(v, 0)
				}
				v[i]++
				counts[string(f)] = v
				totals[i]++
			})
		}
	}
	n := len(m.langs)
	vocab := float64(len(counts))
	m.unseen = make([]float32, n)
	for i := range n {
		m.unseen[i] = float32(math.Log(1 / (totals[i] + vocab)))
	}
	m.logp = make([]float32, 0, n*len(counts))
	for f, v := range counts {
		m.feature[featureKey([]byte(f))] = int32(len(m.logp))
		for i := range n {
			c := 0.0
			if i < len(v) {
				c = v[i]
			}
			m.logp = append(m.logp, float32(math.Log((c+1)/(totals[i]+vocab))))
		}
		if f[0] == 'w' {
			if i, ok := onlyIn(v); ok {
				m.only[featureKey([]byte(f))] = i
			}
		}
	}
	return m
}

// onlyIn reports the one language a feature was seen in, at least twice.
func onlyIn(counts []float64) (int, bool) {
	at := -1
	for i, c := range counts {
		if c > 0 {
			if at >= 0 {
				return 0, false
			}
			at = i
		}
	}
	return at, at >= 0 && counts[at] >= 2
}

// closeCall reports whether a short reply (four words at most) is too
// close a call to leave a conversation's language for lang, the one it was
// detected in: "en minecraft education?" in a Dutch conversation leads for
// Spanish by less than twice the usual margin, and no word in it is only
// Spanish. Two words or fewer always are: "oké thanks" closes a Dutch
// conversation, in Dutch.
func (m *langModel) closeCall(text, lang string) bool {
	_, _, margin, words := m.weigh(text)
	if words > 4 || words > 2 && margin >= 2*langMinMargin {
		return false
	}
	only, distinctive, every := m.distinctive(text)
	if words <= 2 {
		// "ok merci" in an English conversation stays English; "passwort
		// falsch", every word of one language only, is that language.
		return !(distinctive && every && words == 2 && only == lang)
	}
	return !distinctive || only != lang
}

// detect returns the language of text and whether that is clear: long
// enough and far enough ahead of the next language. Short or mixed messages
// ("thx!", "Teams", "ok merci") are not clear.
func (m *langModel) detect(text string) (string, bool) {
	if len(m.langs) < 2 {
		return BaseLang, false
	}
	lang, letters, margin, words := m.weigh(text)
	clear := letters >= langMinLetters && margin >= langMinMargin
	if clear && lang != BaseLang {
		return lang, true
	}
	// Error messages, log lines and quoted screens are in English whatever
	// language the person writes in: a line or sentence of the message that
	// is clearly in another language is the person's own.
	if own, ok := m.ownWords(text); ok {
		return own, true
	}
	if !clear && words > 0 && words <= 3 {
		if l, ok, _ := m.distinctive(text); ok {
			return l, true
		}
	}
	return lang, clear
}

// weigh returns the likeliest language of text, the letters and words it
// read, and by how much per feature that language leads the next.
func (m *langModel) weigh(text string) (lang string, letters int, margin float64, words int) {
	var scores [8]float64 // more than the languages there are
	n := 0
	eachLangFeature(text, func(f []byte) {
		n++
		if f[0] == 'w' {
			words++
			letters += len(f) - 1
		}
		at, ok := m.feature[featureKey(f)]
		for i := range m.langs {
			if ok {
				scores[i] += float64(m.logp[int(at)+i])
			} else {
				scores[i] += float64(m.unseen[i])
			}
		}
	})
	if n == 0 {
		return BaseLang, 0, 0, 0
	}
	best, second := 0, 1
	if scores[1] > scores[0] {
		best, second = 1, 0
	}
	for i := 2; i < len(m.langs); i++ {
		switch {
		case scores[i] > scores[best]:
			best, second = i, best
		case scores[i] > scores[second]:
			second = i
		}
	}
	return m.langs[best], letters, (scores[best] - scores[second]) / float64(n), words
}

// ownWords weighs the parts of text (its lines, sentences and the pieces
// between quotes) one by one, and returns the language other than English
// that its clear parts are most written in.
func (m *langModel) ownWords(text string) (string, bool) {
	if len(text) > langMaxParts {
		text = text[:langMaxParts]
	}
	text = singleQuoteBreaks(sentenceBreaks.Replace(text))
	if !manyParts(text) {
		return "", false // the whole message was weighed already
	}
	var letters [8]int
	parts := 0
	for part := range strings.FieldsFuncSeq(text, partBreak) {
		if parts++; parts > 64 {
			break
		}
		if l, n, margin, words := m.weigh(part); n >= partMinLetters && words >= partMinWords && margin >= partMinMargin && l != BaseLang {
			letters[slices.Index(m.langs, l)] += n
		}
	}
	best := -1
	for i := range m.langs {
		if letters[i] > 0 && (best < 0 || letters[i] > letters[best]) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return m.langs[best], true
}

// A part of a message is clear with more letters and a wider lead than a
// whole message needs: short parts mislead more.
var (
	partMinLetters = 12
	partMinWords   = 4
	partMinMargin  = 0.5
)

// langMaxParts bounds the text read part by part.
const langMaxParts = 4000

// partBreak splits a message into the parts ownWords weighs: lines and
// the pieces between quotes and brackets. Sentences end with their
// punctuation: the dots of an address or a file name are not breaks,
// so ownWords first makes ends of sentences line breaks (sentenceBreaks).
func partBreak(r rune) bool {
	switch r {
	case '\n', '"', '`', '“', '”', '„', '«', '»', '(', ')', '[', ']':
		return true
	}
	return false
}

// sentenceEndings are how a sentence ends: its punctuation and the space
// after it.
var sentenceEndings = []string{". ", "! ", "? ", ": ", "; ", ".\t", "!\t", "?\t", ":\t"}

// sentenceBreaks turns the ends of sentences into line breaks, and
// sentenceEnds ends a line after each sentence, keeping its punctuation:
// whether a sentence asks shows in its "?".
var sentenceBreaks, sentenceEnds = sentenceReplacers()

func sentenceReplacers() (breaks, ends *strings.Replacer) {
	var b, e []string
	for _, s := range sentenceEndings {
		b = append(b, s, "\n")
		e = append(e, s, s[:1]+"\n")
	}
	return strings.NewReplacer(b...), strings.NewReplacer(e...)
}

// singleQuoteBreaks turns single quotes that open or close a quotation
// ('You can't sign up here…') into line breaks, and leaves those inside a
// word (can't, l'école) alone.
func singleQuoteBreaks(text string) string {
	if !strings.ContainsAny(text, "'‘’") {
		return text
	}
	rs := []rune(text)
	for i, r := range rs {
		if r != '\'' && r != '‘' && r != '’' {
			continue
		}
		inWord := i > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1])
		if !inWord {
			rs[i] = '\n'
		}
	}
	return string(rs)
}

// manyParts reports whether text has more than one part to weigh.
func manyParts(text string) bool {
	n := 0
	for range strings.FieldsFuncSeq(text, partBreak) {
		if n++; n > 1 {
			return true
		}
	}
	return false
}

// distinctive returns the language of a short message whose words include
// one only that language uses, and none only another uses; every reports
// whether each of its words is one only that language uses.
func (m *langModel) distinctive(text string) (lang string, ok, every bool) {
	found := -1
	agree := true
	every = true
	eachLangFeature(text, func(f []byte) {
		if f[0] != 'w' {
			return
		}
		i, only := m.only[featureKey(f)]
		if !only {
			every = false
			return
		}
		if found >= 0 && found != i {
			agree = false
		}
		found = i
	})
	if found < 0 || !agree {
		return "", false, false
	}
	return m.langs[found], true, every
}

// eachLangFeature calls fn with each of the words ("w" prefix) and
// character trigrams ("t") of the letters of text, lowercased but with
// accents kept: ü, é and ñ say much about a language. Addresses, links and
// numbers carry none and are left out. The bytes given to fn are only valid
// during the call: a detection allocates nothing per feature.
func eachLangFeature(text string, fn func(feature []byte)) {
	var buf [64]byte
	var word []byte
	n := 0
	for _, w := range strings.Fields(text) {
		if strings.ContainsAny(w, "@/\\=") || strings.Count(w, ".") > 1 {
			continue
		}
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if w == "" || !allLetters(w) {
			continue
		}
		word = append(append(word[:0], 'w'), w...)
		if ascii(w) {
			for i := 1; i < len(word); i++ {
				if c := word[i]; 'A' <= c && c <= 'Z' {
					word[i] = c + 'a' - 'A'
				}
			}
		} else {
			word = append(word[:1], strings.ToLower(w)...)
		}
		fn(word)
		// Trigrams of " word ", counted in letters, not bytes.
		g := append(append(append(buf[:0], ' '), word[1:]...), ' ')
		runes := utf8.RuneCount(g)
		for i, start := 0, 0; i+3 <= runes; i++ {
			end := start
			for range 3 {
				_, size := utf8.DecodeRune(g[end:])
				end += size
			}
			word = append(append(word[:0], 't'), g[start:end]...)
			fn(word)
			_, size := utf8.DecodeRune(g[start:])
			start += size
		}
		if n += runes; n > langMaxRunes {
			break
		}
	}
}

func allLetters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && r != '\'' && r != '-' {
			return false
		}
	}
	return true
}

// DetectLanguage returns the language of text as the assistant reads it,
// and whether that is clear enough to answer in (short or mixed messages are
// not): the detector learnt from the built-in catalogue.
func DetectLanguage(text string) (lang string, clear bool) {
	return builtinLangs().detect(Normalise("", text))
}
