package helpdesk

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// The characters a pattern needs are a necessary condition: a text the
// expression matches always holds them.
func TestPatternNeeds(t *testing.T) {
	c, err := BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"AADSTS50020", "aadsts50020: user account", "error 50126", "Fehlercode: 50057", "50020??", "code#53003",
		"my password is Winter2025!", "PASSWORD: abc123", "mdp : Soleil75", "jane@contoso.com / Fabrikam#123", "Contraseña es Clave99",
		"is sam@outlook.com a personal account?", "my password is expired", "just words", "", "١٢٣٤٥ digits of another script 12345"}
	for _, p := range compilePatterns(c) {
		if len(p.needs) == 0 {
			t.Logf("%s needs nothing", p.re)
		}
		for _, text := range texts {
			if p.re.MatchString(text) && !(charsOf(text).holds(p.needs) && holdsWords(folded(text), p.words)) {
				t.Errorf("%s matches %q, whose characters it was said to need are missing", p.re, text)
			}
		}
	}
	// A code pattern needs a digit: a message without one skips it.
	if p := compilePatterns(c)[len(c.Patterns)-1]; charsOf("is sam@outlook.com a personal account?").holds(p.needs) {
		t.Errorf("%s is searched in a message without a digit", p.re)
	}
}

func FuzzPatternNeeds(f *testing.F) {
	for _, s := range [][2]string{{`(?i)\bAADSTS(\d{5,7})\b`, "AADSTS50020"}, {`[a-z]+@x\.com\s+/\s+\S*[0-9#]`, "a@x.com / b#"},
		{`(?i)k`, "\u212a"}, {`(?:ab|cd)+e?`, "cdab"}, {`x{0,3}y`, "y"}, {`(?i)[^a-z]`, "!"}, {`(?i)\b(?:password|pw|pwd|mdp)\s*is\s*\S+`, "PAſſWORD is x"}, {`(?i)k(?:ey|ilo)`, "\u212aILO"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, expr, text string) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		chars, words := needs(expr)
		if re.MatchString(text) && !(charsOf(text).holds(charSets(chars)) && holdsWords(folded(text), words)) {
			t.Errorf("%s matches %q, whose characters it was said to need are missing", expr, text)
		}
	})
}

// FuzzLogKeyNeeds: mayEndInKey, the quick test before logKey, passes
// everything logKey matches.
func FuzzLogKeyNeeds(f *testing.F) {
	for _, s := range []string{"LoginHint: ", "user_name=", `"name": "`, "User principal name: ", "identity provider '", `"x_y": '`, "UPN ", "uſer ID:", "is ", "sign in with ", "userId", "Hint\t=\t\"", "\"preferred\"\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prefix string) {
		if logKey.MatchString(prefix) && !mayEndInKey(prefix) {
			t.Errorf("logKey matches %q, which mayEndInKey skips", prefix)
		}
	})
}

// The phrase index finds what reading the joined words for each phrase in
// turn finds: the same phrase, first in the list, for the catalogue's admin
// and follow-up phrases, over every example in the catalogue and each
// phrase with words around it.
func TestPhraseIndex(t *testing.T) {
	c, err := BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	admin := compilePhrases(c, "match.admin")
	follow, _ := compileFollowUps(c)
	var texts []string
	for _, id := range c.IDs {
		for _, tt := range c.Topics[id].Text {
			texts = append(texts, tt.Examples...)
		}
	}
	for _, p := range append(admin, follow...) {
		texts = append(texts, p, "so "+p, p+" now", "ok so "+p+" then please", strings.Fields(p)[0])
	}
	// plain returns the place of the first phrase whose words the joined
	// words hold, with at most others words besides.
	plain := func(words, phrases []string, others int) int {
		joined := " " + strings.Join(words, " ") + " "
		for n, p := range phrases {
			if strings.Contains(joined, " "+p+" ") && (others < 0 || len(words)-len(strings.Fields(p)) <= others) {
				return n
			}
		}
		return -1
	}
	adminIndex, followIndex := newPhraseIndex(admin), newPhraseIndex(follow)
	found := map[string]int{}
	for _, text := range texts {
		w := rankWords(text)
		for _, x := range []struct {
			name    string
			index   phraseIndex
			phrases []string
			others  int
		}{{"admin", adminIndex, admin, -1}, {"follow-up", followIndex, follow, 1}} {
			got, want := x.index.find(w, x.others), plain(w, x.phrases, x.others)
			if got != want {
				t.Errorf("%s phrases in %q (%q): found %d, want %d", x.name, text, w, got, want)
			}
			if got >= 0 {
				found[x.name]++
			}
		}
	}
	// The comparison means something only if both find phrases and miss them.
	for _, name := range []string{"admin", "follow-up"} {
		if found[name] == 0 || found[name] == len(texts) {
			t.Errorf("%s phrases found in %d of %d texts", name, found[name], len(texts))
		}
	}
	t.Logf("%d texts; admin phrases in %d, follow-up phrases in %d", len(texts), found["admin"], found["follow-up"])
}

// A variant of general questions with as many variants belongs to the one
// in its own file: the work password reset to the password reset, not to
// the AADSTS50126 error that also answers with it.
func TestFamilies(t *testing.T) {
	c, err := BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	f := families(c)
	for v, want := range map[string]string{"password.reset_work": "password.reset", "password.reset_personal": "password.reset", "password.reset": "password.reset",
		"error.aadsts50126_admin": "error.aadsts50126", "mfa.register_work": "mfa.personal_two_step"} {
		if f[v] != want {
			t.Errorf("family of %s = %q, want %s", v, f[v], want)
		}
	}
}

// French elided articles and pronouns are not part of the word they lean
// on; other apostrophes stay.
func TestElided(t *testing.T) {
	for in, want := range map[string]string{"l'école": "school", "d'organisation": "organisation", "qu'outlook": "outlook",
		"j'ai": "ai", "i'm": "i'm", "it's": "it's", "o'brien": "o'brien", "l'a": "l'a"} {
		if got := rankWords(in); len(got) != 1 || got[0] != want {
			t.Errorf("rankWords(%q) = %q, want [%s]", in, got, want)
		}
	}
}

func TestAckEmoji(t *testing.T) {
	c, err := BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	s := compileEmoji(c, "match.ack_emoji")
	for text, want := range map[string]bool{
		"👍": true, "👍🏽": true, " 👍 👍 ": true, "👌✅": true, "✔️": true, ":+1:": true, ":+1::skin-tone-3:": true,
		":thumbsup: :pray:": true, "🙏🏻": true,
		"": false, "   ": false, "???": false, "👍?": false, "ok 👍": false, ":smile:": false, ":skin-tone-3:": false,
		"🤔": false, "😕": false, ":+1": false, "::": false, "\uFE0F": false,
	} {
		if got := s.only(text); got != want {
			t.Errorf("only(%q) = %v, want %v", text, got, want)
		}
	}
}

// FuzzAckEmoji: whatever arrives, only answers without panicking, and
// never takes a text with a letter or digit for a reaction.
func FuzzAckEmoji(f *testing.F) {
	c, err := BuiltinCatalogue()
	if err != nil {
		f.Fatal(err)
	}
	s := compileEmoji(c, "match.ack_emoji")
	for _, x := range []string{"👍", ":+1::skin-tone-3:", "ok 👍", ":", ":skin-tone-", "\xff👍", "👍\u200d👍"} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if s.only(text) && !onlyCodes(s, text) {
			t.Errorf("only(%q) = true for a text with words", text)
		}
	})
}

// skinToneless drops Slack's skin-tone suffixes.
func skinToneless(text string) string {
	for _, d := range "23456" {
		text = strings.ReplaceAll(text, ":skin-tone-"+string(d)+":", "")
	}
	return text
}

// onlyCodes reports whether text's letters all sit inside shortcodes.
func onlyCodes(s emojiSet, text string) bool {
	for _, c := range s.codes {
		text = strings.ReplaceAll(text, c, "")
	}
	return !strings.ContainsFunc(skinToneless(text), func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}
