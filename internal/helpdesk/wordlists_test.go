package helpdesk

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// wordListProblems reads catalogue/synonyms.txt and catalogue/stopwords.txt
// more strictly than the matcher does: the matcher skips what it can't
// read, so a mistyped line would silently change nothing.
func wordListProblems(synonymsText, stopWordsText string) []string {
	var problems []string
	word := func(file string, n int, w string) {
		if fold(w) != w || !slices.Equal(tokens(w), []string{w}) {
			problems = append(problems, fmt.Sprintf("%s:%d: %q is not one folded, lower-case word", file, n, w))
		}
	}
	variantOf := map[string]string{}
	canonical := map[string]bool{}
	for n, line := range dataLines(synonymsText) {
		canon, variants, ok := strings.Cut(line, " = ")
		if !ok || strings.TrimSpace(variants) == "" {
			problems = append(problems, fmt.Sprintf("synonyms.txt:%d: want \"word = variant | variant\"", n))
			continue
		}
		canon = strings.TrimSpace(canon)
		word("synonyms.txt", n, canon)
		canonical[canon] = true
		for _, v := range strings.Split(variants, "|") {
			v = strings.TrimSpace(v)
			word("synonyms.txt", n, v)
			if prev, ok := variantOf[v]; ok && prev != canon {
				problems = append(problems, fmt.Sprintf("synonyms.txt:%d: %q is a variant of both %q and %q", n, v, prev, canon))
			} else if ok {
				problems = append(problems, fmt.Sprintf("synonyms.txt:%d: %q twice", n, v))
			}
			variantOf[v] = canon
		}
	}
	for v, canon := range variantOf {
		if canonical[v] {
			problems = append(problems, fmt.Sprintf("synonyms.txt: %q is a canonical word and a variant of %q", v, canon))
		}
	}
	for n, line := range dataLines(stopWordsText) {
		seen := map[string]bool{}
		for _, w := range strings.Fields(line) {
			word("stopwords.txt", n, w)
			if seen[w] {
				problems = append(problems, fmt.Sprintf("stopwords.txt:%d: %q twice", n, w))
			}
			seen[w] = true
			if w == "it" || w == "no" || w == "not" {
				problems = append(problems, fmt.Sprintf("stopwords.txt:%d: %q carries meaning (\"can IT delete it\", \"no account\")", n, w))
			}
		}
	}
	slices.Sort(problems)
	return problems
}

// TestWordLists reads the built-in word lists strictly, and checks that the
// reading finds what it should in lists that are wrong.
func TestWordLists(t *testing.T) {
	if p := wordListProblems(synonymsText, stopWordsText); len(p) > 0 {
		t.Errorf("built-in word lists:\n%s", strings.Join(p, "\n"))
	}
	for _, c := range []struct{ synonyms, stop, want string }{
		{"password pw\n", "", "want \"word = variant"},
		{"password = Passwort\n", "", "\"Passwort\" is not one folded"},
		{"password = contraseña\n", "", "\"contraseña\" is not one folded"},
		{"account = acct\nwork = acct\n", "", "variant of both"},
		{"account = acct\nacct = konto\n", "", "canonical word and a variant"},
		{"account = acct | acct\n", "", "\"acct\" twice"},
		{"", "the a the\n", "\"the\" twice"},
		{"", "the it\n", "\"it\" carries meaning"},
		{"", "sign-in the\n", ""},
		{"", "für\n", "\"für\" is not one folded"},
	} {
		p := strings.Join(wordListProblems(c.synonyms, c.stop), "\n")
		if c.want == "" && p != "" || !strings.Contains(p, c.want) {
			t.Errorf("synonyms %q, stop words %q: problems %q, want one with %q", c.synonyms, c.stop, p, c.want)
		}
	}
}
