package helpdesk

import (
	"cmp"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error codes and platform error strings are recognised by pattern before
// any ranking: "AADSTS50020" says exactly which topic answers it. The
// patterns are data, in catalogue/patterns.txt, one a line:
//
//	regex => topic [| fallback topic]
//
// where topic may use the regex's groups ($1). The first pattern that
// matches and names an existing topic wins.
type pattern struct {
	re       *regexp.Regexp
	topic    string
	fallback string
	// needs are sets of characters of which a match holds at least one
	// each: a message without one of them is not searched at all (most
	// messages have no digit, and every code pattern needs one).
	needs []charSet
	// words are lists of words (lower case) of which a match holds one
	// each: the keywords of a pattern that begins with them.
	words [][]string
}

// maxPatternText bounds the text patterns are searched in.
const maxPatternText = maxText

func parsePatterns(text, file string) ([]string, error) {
	var out []string
	for n, line := range dataLines(text) {
		re, _, ok := strings.Cut(line, " => ")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want \"regex => topic\"", file, n)
		}
		if _, err := regexp.Compile(strings.TrimSpace(re)); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		out = append(out, line)
	}
	return out, nil
}

func compilePatterns(c *Catalogue) []pattern {
	out := make([]pattern, 0, len(c.Patterns))
	for _, line := range c.Patterns {
		re, target, _ := strings.Cut(line, " => ")
		topic, fallback, _ := strings.Cut(target, "|")
		re = strings.TrimSpace(re)
		chars, words := needs(re)
		out = append(out, pattern{regexp.MustCompile(re), strings.TrimSpace(topic), strings.TrimSpace(fallback), charSets(chars), words})
	}
	return out
}

// needs returns what every match of the expression holds, read from one
// parse: sets of characters (as syntax.CharClass ranges) of which it holds
// at least one each, and lists of words (compared in lower case) of which
// it holds one each: its literals, and for an alternation the literal each
// branch begins with. Both are necessary conditions only, and err towards
// needing nothing.
func needs(expr string) ([][]rune, [][]string) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, nil
	}
	re = re.Simplify()
	return needed(re), neededWords(re)
}

// throughParts walks the parts of re every match goes through (each part
// of a concatenation, what a capture or a repetition of at least once
// holds) and gathers what part says each other part it reaches needs.
func throughParts[T any](re *syntax.Regexp, part func(*syntax.Regexp) []T) []T {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return throughParts(re.Sub[0], part)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return throughParts(re.Sub[0], part)
		}
		return nil
	case syntax.OpConcat:
		var out []T
		for _, sub := range re.Sub {
			out = append(out, throughParts(sub, part)...)
		}
		return out
	}
	return part(re)
}

// needed is the character sets every match of re holds (see needs).
func needed(re *syntax.Regexp) [][]rune { return throughParts(re, neededChars) }

func neededChars(re *syntax.Regexp) [][]rune {
	switch re.Op {
	case syntax.OpLiteral:
		var out [][]rune
		for _, r := range re.Rune {
			set := []rune{r, r}
			if re.Flags&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					set = append(set, f, f)
				}
			}
			out = append(out, set)
		}
		return out
	case syntax.OpCharClass:
		return [][]rune{re.Rune}
	case syntax.OpAlternate:
		// One of the branches matches: at least one character of the
		// narrowest set each branch needs.
		var union []rune
		for _, sub := range re.Sub {
			n := needed(sub)
			if len(n) == 0 {
				return nil
			}
			union = append(union, slices.MinFunc(n, func(a, b []rune) int { return cmp.Compare(width(a), width(b)) })...)
		}
		return [][]rune{union}
	}
	return nil
}

// neededWords is the word lists every match of re holds (see needs).
func neededWords(re *syntax.Regexp) [][]string {
	return throughParts(re, func(re *syntax.Regexp) [][]string {
		switch re.Op {
		case syntax.OpLiteral:
			return [][]string{{folded(string(re.Rune))}}
		case syntax.OpAlternate:
			oneOf, _ := leadingLiterals(re)
			slices.Sort(oneOf)
			if oneOf = slices.Compact(oneOf); len(oneOf) > 0 && oneOf[0] != "" {
				return [][]string{oneOf}
			}
		}
		return nil
	})
}

// maxLeading bounds the literal beginnings leadingLiterals spells out.
const maxLeading = 64

// leadingLiterals returns (folded) the literal texts one of which every
// match of re begins with, and whether they are the whole of each match;
// nil when a match can begin otherwise. Small character classes ([dt],
// [nñ]) spell out: the alternation password|passwort is read as
// "passwor[dt]" and still needs one of "password" and "passwort".
func leadingLiterals(re *syntax.Regexp) (out []string, whole bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{folded(string(re.Rune))}, true
	case syntax.OpCharClass:
		if width(re.Rune) > 4 {
			return nil, false
		}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, folded(string(r)))
			}
		}
		return out, true
	case syntax.OpCapture:
		return leadingLiterals(re.Sub[0])
	case syntax.OpAlternate:
		whole = true
		for _, sub := range re.Sub {
			l, w := leadingLiterals(sub)
			if len(l) == 0 || len(out)+len(l) > maxLeading {
				return nil, false
			}
			out, whole = append(out, l...), whole && w
		}
		return out, whole
	case syntax.OpConcat:
		out = []string{""}
		for _, sub := range re.Sub {
			l, w := leadingLiterals(sub)
			if len(l) == 0 || len(out)*len(l) > maxLeading {
				return out, false
			}
			var next []string
			for _, a := range out {
				for _, b := range l {
					next = append(next, a+b)
				}
			}
			if out = next; !w {
				return out, false
			}
		}
		return out, true
	}
	return nil, false
}

// folded maps every letter of s to one of its case: the smallest of the
// letters Unicode folds together (K, k and the Kelvin sign; S, s and ſ),
// so that comparing folded texts finds what a case-insensitive expression
// would.
func folded(s string) string {
	return strings.Map(func(r rune) rune {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		return min
	}, s)
}

// width is how many characters a set of ranges holds.
func width(ranges []rune) int {
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
	}
	return n
}

// charSet is a set of characters: a bitmap for ASCII, ranges beyond.
type charSet struct {
	ascii  [2]uint64
	ranges []rune // as syntax.CharClass
}

func (c *charSet) has(r rune) bool {
	if r < 128 {
		return c.ascii[r/64]&(1<<(r%64)) != 0
	}
	return inRanges(r, c.ranges)
}

// charSets turns sets of ranges into charSets.
func charSets(sets [][]rune) []charSet {
	out := make([]charSet, len(sets))
	for i, ranges := range sets {
		out[i].ranges = ranges
		for r := rune(0); r < 128; r++ {
			if inRanges(r, ranges) {
				out[i].ascii[r/64] |= 1 << (r % 64)
			}
		}
	}
	return out
}

// textChars is which characters a text has: a bitmap of its ASCII, and
// whether it has any beyond, read in one pass for all the patterns.
type textChars struct {
	text  string
	ascii [2]uint64
	wide  bool
}

func charsOf(text string) textChars {
	c := textChars{text: text}
	for i := 0; i < len(text); i++ {
		if b := text[i]; b < utf8.RuneSelf {
			c.ascii[b/64] |= 1 << (b % 64)
		} else {
			c.wide = true
		}
	}
	return c
}

// holds reports whether the text has a character of every set.
func (c textChars) holds(sets []charSet) bool {
	for i := range sets {
		s := &sets[i]
		if c.ascii[0]&s.ascii[0] != 0 || c.ascii[1]&s.ascii[1] != 0 {
			continue
		}
		// Not in its ASCII: only a character beyond can be in the set.
		if !c.wide || len(s.ranges) == 0 || s.ranges[len(s.ranges)-1] < utf8.RuneSelf || !strings.ContainsFunc(c.text, s.has) {
			return false
		}
	}
	return true
}

// holdsWords reports whether text (folded) has one word of every list in
// words.
func holdsWords(text string, words [][]string) bool {
	for _, oneOf := range words {
		if !slices.ContainsFunc(oneOf, func(w string) bool { return strings.Contains(text, w) }) {
			return false
		}
	}
	return true
}

func inRanges(r rune, ranges []rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= r && r <= ranges[i+1] {
			return true
		}
	}
	return false
}

// findPatterns returns the topic the patterns find in text: the first
// pattern, in the file's order, whose match names a topic that exists.
// Later patterns are looser (a bare number), so an earlier one wins
// wherever it matches.
func (h *Handler) findPatterns(text string) []string {
	if len(text) > maxPatternText {
		text = text[:maxPatternText]
	}
	foldedText := ""
	chars := charsOf(text)
	for _, p := range h.patterns {
		if !chars.holds(p.needs) {
			continue
		}
		if len(p.words) > 0 {
			if foldedText == "" {
				foldedText = folded(text)
			}
			if !holdsWords(foldedText, p.words) {
				continue
			}
		}
		for _, loc := range p.re.FindAllStringSubmatchIndex(text, maxPatternHits) {
			id := strings.ToLower(string(p.re.ExpandString(nil, p.topic, text, loc)))
			if h.cat.Topics[id] == nil {
				id = p.fallback
			}
			if h.cat.Topics[id] != nil {
				return []string{id}
			}
		}
	}
	return nil
}

// maxPatternHits bounds the matches of one pattern tried in a message.
const maxPatternHits = 20

// followUpKind maps the words of "why?", "how do I fix it?" and "tell me
// more", in every language, to their action: the longest phrase the
// words hold with at most one word besides, or a phrase of three words or
// more that opens them (after a filler), with at most four after it.
func (h *Handler) followUpKind(words []string) string {
	if i := h.followUps.find(words, 1); i >= 0 {
		return h.followUpKinds[i]
	}
	// "what does that mean in normal english lol", "so what do i do, ask IT?": a
	// phrase of three words or more opening the message (after a filler
	// such as "so"), with up to four words after it.
	rest := words[h.fillers.prefix(words):]
	if n, i := h.followUps.longestPrefix(rest); n >= 3 && len(rest)-n <= 4 {
		return h.followUpKinds[i]
	}
	return ""
}

// compileFollowUps reads the match.why, match.fix and match.more phrases
// of every language, longest first, with the action of each.
func compileFollowUps(c *Catalogue) (phrases, kinds []string) {
	type kindPhrase struct{ phrase, kind string }
	var all []kindPhrase
	for _, k := range [][2]string{{"match.fix", actionFix}, {"match.why", actionWhy}, {"match.more", actionMore}} {
		for _, p := range compilePhrases(c, k[0]) {
			all = append(all, kindPhrase{p, k[1]})
		}
	}
	// Longer phrases first, so "how do I fix it" wins over "how".
	slices.SortStableFunc(all, func(a, b kindPhrase) int { return len(b.phrase) - len(a.phrase) })
	phrases, kinds = make([]string, len(all)), make([]string, len(all))
	for i, p := range all {
		phrases[i], kinds[i] = p.phrase, p.kind
	}
	return phrases, kinds
}

// compilePhrases returns the variants of a match phrase in every
// language, as rankWords reads them.
func compilePhrases(c *Catalogue, key string) []string {
	var out []string
	for _, lang := range Languages {
		for _, p := range strings.Split(c.Phrases[lang][key], "|") {
			if w := strings.Join(rankWords(p), " "); w != "" {
				out = append(out, w)
			}
		}
	}
	return out
}

// phraseIndex finds phrases (words as rankWords reads them, joined by
// spaces) in a message's words with one map lookup a word, whatever the
// number of phrases.
type phraseIndex map[string][]indexedPhrase

// indexedPhrase is a phrase under its first word.
type indexedPhrase struct {
	rest []string // the words after the first
	n    int      // its place in the list the index was made from
}

func newPhraseIndex(phrases []string) phraseIndex {
	x := phraseIndex{}
	for n, p := range phrases {
		w := strings.Fields(p)
		if len(w) > 0 {
			x[w[0]] = append(x[w[0]], indexedPhrase{w[1:], n})
		}
	}
	return x
}

// prefix returns the number of words of the longest phrase that words
// begin with, or 0.
func (x phraseIndex) prefix(words []string) int {
	n, _ := x.longestPrefix(words)
	return n
}

// covers reports whether words are phrases of the list one after another
// and nothing else: "sure, ok", "vale ok".
func (x phraseIndex) covers(words []string) bool {
	for len(words) > 0 {
		n := x.prefix(words)
		if n == 0 {
			return false
		}
		words = words[n:]
	}
	return true
}

// longestPrefix returns the number of words of the longest phrase that
// words begin with and its place in the list, or 0 and -1.
func (x phraseIndex) longestPrefix(words []string) (n, place int) {
	place = -1
	if len(words) == 0 {
		return 0, -1
	}
	for _, p := range x[words[0]] {
		if end := 1 + len(p.rest); end > n && end <= len(words) && slices.Equal(words[1:end], p.rest) {
			n, place = end, p.n
		}
	}
	return n, place
}

// find returns the place in the list of the first phrase that words hold,
// word for word, with no more than others words besides (any number when
// others is negative), or -1.
func (x phraseIndex) find(words []string, others int) int {
	place, _, _ := x.locate(words, others)
	return place
}

// span returns where in words the first phrase of the list they hold
// begins and ends, or -1, -1.
func (x phraseIndex) span(words []string) (start, end int) {
	_, start, end = x.locate(words, -1)
	return start, end
}

// locate is find, with where in words the phrase begins and ends (-1, -1
// for none).
func (x phraseIndex) locate(words []string, others int) (place, start, end int) {
	place, start, end = -1, -1, -1
	for i, w := range words {
		for _, p := range x[w] {
			e := i + 1 + len(p.rest)
			if e <= len(words) && (place < 0 || p.n < place) && (others < 0 || len(words)-1-len(p.rest) <= others) &&
				slices.Equal(words[i+1:e], p.rest) {
				place, start, end = p.n, i, e
			}
		}
	}
	return place, start, end
}

// emojiSet holds the reactions that acknowledge an answer
// (match.ack_emoji): emoji, and Slack's shortcodes for them.
type emojiSet struct {
	runes map[rune]bool
	codes []string // ":+1:", longest first
}

func compileEmoji(c *Catalogue, key string) emojiSet {
	s := emojiSet{runes: map[rune]bool{}}
	for _, lang := range Languages {
		for _, p := range strings.Split(c.Phrases[lang][key], "|") {
			p = strings.TrimSpace(p)
			switch {
			case p == "":
			case len(p) > 2 && strings.HasPrefix(p, ":") && strings.HasSuffix(p, ":"):
				if !slices.Contains(s.codes, p) {
					s.codes = append(s.codes, p)
				}
			default:
				for _, r := range p {
					s.runes[r] = true
				}
			}
		}
	}
	slices.SortFunc(s.codes, func(a, b string) int { return len(b) - len(a) })
	return s
}

// only reports whether text is nothing but such reactions, at least one:
// "👍", "👍🏽 👍", ":+1::skin-tone-3:".
func (s emojiSet) only(text string) bool {
	found := false
	for len(text) > 0 {
		r, n := utf8.DecodeRuneInString(text)
		switch {
		case unicode.IsSpace(r) || r == '\uFE0F' || r == '\u200D' || r >= 0x1F3FB && r <= 0x1F3FF:
			// spaces, the emoji variation selector, joiners, skin tones
		case s.runes[r]:
			found = true
		case r == ':':
			if k := s.code(text); k > 0 {
				found, n = true, k
			} else if k := skinTone(text); k > 0 {
				n = k
			} else {
				return false
			}
		default:
			return false
		}
		text = text[n:]
	}
	return found
}

// code is the length of the shortcode text starts with, or 0.
func (s emojiSet) code(text string) int {
	for _, c := range s.codes {
		if strings.HasPrefix(text, c) {
			return len(c)
		}
	}
	return 0
}

// skinTone is the length of the Slack skin-tone suffix (":skin-tone-3:")
// text starts with, or 0.
func skinTone(text string) int {
	const p = ":skin-tone-"
	if len(text) >= len(p)+2 && strings.HasPrefix(text, p) && text[len(p)] >= '2' && text[len(p)] <= '6' && text[len(p)+1] == ':' {
		return len(p) + 2
	}
	return 0
}
