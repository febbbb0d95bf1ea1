package helpdesk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// TestCatalogue checks the built-in catalogue as a whole: every topic has an
// intent, a label and an answer, enough examples, follow-ups and variants
// that resolve, and every intent has topics.
func TestCatalogue(t *testing.T) {
	c, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	matchable, errors := 0, 0
	perIntent := map[helpdesk.Intent]int{}
	for _, id := range c.IDs {
		tp := c.Topics[id]
		perIntent[tp.Intent]++
		if tp.Matchable {
			matchable++
		}
		if strings.HasPrefix(id, "error.aadsts") {
			errors++
		}
	}
	if len(c.IDs) < 120 {
		t.Errorf("%d topics, want at least 120", len(c.IDs))
	}
	if errors < 25 {
		t.Errorf("%d AADSTS topics, want at least 25", errors)
	}
	for _, in := range helpdesk.Intents {
		if perIntent[in] == 0 {
			t.Errorf("no topic for intent %s", in)
		}
	}
	t.Logf("%d topics (%d matchable, %d AADSTS codes)", len(c.IDs), matchable, errors)
}

// TestCatalogueErrorsNameFileAndLine: a broken topic directory stops the
// start with a message naming the file and the line.
func TestCatalogueErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name, file, text, want string
	}{
		{"unknown intent", "en/vpn.md", "## org.vpn\nintent: vpn\nlabel: VPN\nanswer: Use the VPN.\n", "vpn.md:2: unknown intent"},
		{"unknown follow-up", "en/vpn.md", "## org.vpn\nintent: help\nlabel: VPN\nanswer: x\nfollow: org.nothing\nmatch: never\n", "unknown topic org.nothing"},
		{"bad line", "en/vpn.md", "## org.vpn\nintent: help\nthis is not a field\n", "vpn.md:3:"},
		{"markup", "en/vpn.md", "## org.vpn\nintent: help\nlabel: VPN\nanswer: see [here](https://x)\nmatch: never\n", "markup"},
		{"too few examples", "en/vpn.md", "## org.vpn\nintent: help\nlabel: VPN\nanswer: x\nexamples:\n- vpn?\n", "1 examples, want at least 10"},
		{"translation of nothing", "de/vpn.md", "## org.vpn\nlabel: VPN\nanswer: x\n", "not defined in en"},
		{"structure in a translation", "de/vpn.md", "## classify.address\nintent: help\n", "belongs in the en file"},
		{"reply without a topic", "en/vpn.md", "## org.vpn\nintent: help\nlabel: VPN\nanswer: x\nmatch: never\nreplies:\n- it works now\n", `reply "it works now"`},
		{"reply for an unknown topic", "en/vpn.md", "## org.vpn\nintent: help\nlabel: VPN\nanswer: x\nmatch: never\nreplies:\n- still broken => org.nothing\n", `reply "still broken => org.nothing"`},
		{"bad phrase line", "en/phrases.txt", "verdict.both is both\n", "phrases.txt:1"},
		{"bad pattern", "patterns.txt", "(unclosed => error.unknown_code\n", "patterns.txt:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := helpdesk.BuiltinCatalogue()
			if err != nil {
				t.Fatal(err)
			}
			err = c.LoadDir(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadDir = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestCatalogueOverride: a topic directory adds topics and replaces
// built-in ones by ID.
func TestCatalogueOverride(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "en"), 0o755)
	topic := "## org.vpn\nintent: help\nlabel: VPN password\nanswer: Your VPN password is your work password.\nexamples:\n"
	for _, e := range []string{"vpn password", "forgot vpn pw", "vpn login fails", "what is my vpn password", "vpn asks for a password", "globalprotect password", "cisco vpn password", "vpn credentials", "which password for vpn", "vpn wont take my password"} {
		topic += "- " + e + "\n"
	}
	topic += "\n## chat.hello\nintent: greeting\nlabel: Hello\nanswer: Hello from Contoso IT!\nexamples:\n"
	for i := range 10 {
		topic += "- hello there " + strings.Repeat("!", i+1) + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "en", "org.md"), []byte(topic), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.LoadDir(dir); err != nil {
		t.Fatal(err)
	}
	if c.Topics["org.vpn"] == nil || c.Topics["chat.hello"].Text["en"].Answer != "Hello from Contoso IT!" {
		t.Fatalf("topics not added or replaced")
	}
	h := helpdesk.New(helpdesk.Config{Catalogue: c}, offlineLookup{}, nil)
	dialogue(t, h, helpdesk.Message{Platform: "cli", Conversation: "o", User: "u"}, []step{
		{text: "what's my vpn password?", topic: "org.vpn", has: []string{"work password"}},
		{text: "hello", topic: "chat.hello", has: []string{"Contoso IT"}},
	})
}

// TestCatalogueComplete fails when any topic or phrase lacks a language:
// every word the assistant says exists in all five.
func TestCatalogueComplete(t *testing.T) {
	c, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range helpdesk.Languages[1:] {
		if c.Phrases[lang] == nil {
			t.Errorf("no phrases in %s", lang)
		}
	}
	for lang, missing := range c.Missing() {
		if len(missing) > 0 {
			t.Errorf("%s lacks %d: %s", lang, len(missing), strings.Join(missing, ", "))
		}
	}
}

// TestCatalogueLimits: the limits the catalogue's README sets, in every
// language: a button label of at most 40 characters, at most 6 details and
// 6 steps, and at least 10 examples for a topic that can be matched.
func TestCatalogueLimits(t *testing.T) {
	c, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range c.IDs {
		tp := c.Topics[id]
		for lang, tt := range tp.Text {
			if n := utf8.RuneCountInString(tt.Label); n > 40 {
				t.Errorf("%s %s: label %q has %d characters, want at most 40", id, lang, tt.Label, n)
			}
			if len(tt.Details) > 6 || len(tt.Steps) > 6 {
				t.Errorf("%s %s: %d details and %d steps, want at most 6 each", id, lang, len(tt.Details), len(tt.Steps))
			}
			if tp.Matchable && len(tt.Examples) < 10 {
				t.Errorf("%s %s: %d examples, want at least 10", id, lang, len(tt.Examples))
			}
		}
	}
}
