package helpdesk

import (
	"regexp"
	"testing"
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
			if p.re.MatchString(text) && !(holds(text, p.needs) && holdsWords(folded(text), p.words)) {
				t.Errorf("%s matches %q, whose characters it was said to need are missing", p.re, text)
			}
		}
	}
	// A code pattern needs a digit: a message without one skips it.
	if p := compilePatterns(c)[len(c.Patterns)-1]; holds("is sam@outlook.com a personal account?", p.needs) {
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
		if re.MatchString(text) && !(holds(text, charSets(chars)) && holdsWords(folded(text), words)) {
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
