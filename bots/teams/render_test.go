package teams

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

func TestMarkdown(t *testing.T) {
	q := func(s string) helpdesk.Span { return helpdesk.Span{Text: s, Quoted: true} }
	tests := []struct {
		in   helpdesk.Rich
		want string
	}{
		{helpdesk.Plain("plain text"), "plain text"},
		{helpdesk.Rich{{Text: "jane@contoso.com", Strong: true, Quoted: true}, {Text: " is a "}, {Text: "personal", Strong: true}, {Text: " account"}}, "**jane@contoso.com** is a **personal** account"},
		{helpdesk.Rich{q("first_last@contoso.com")}, "first_last@contoso.com"},
		{helpdesk.Rich{q("*.onmicrosoft.com")}, "\u2217.onmicrosoft.com"},
		{helpdesk.Rich{q("[Reset here](https://evil.example)")}, "\uff3bReset here\uff3d(https://evil.example)"},
		{helpdesk.Rich{q("# Heading")}, "\uff03 Heading"},
		{helpdesk.Plain("guests look like jane_fabrikam.com#EXT#@contoso.onmicrosoft.com (Teams (free))"), "guests look like jane_fabrikam.com#EXT#@contoso.onmicrosoft.com (Teams (free))"},
		{helpdesk.Rich{q("a\r- **URGENT**")}, "a - \u2217\u2217URGENT\u2217\u2217"},
		{helpdesk.Rich{q("_x_ <b> # | \\")}, "\u02cdx\u02cd \u2039b\u203a # | \u29f5"},
		{helpdesk.Plain("Go to aka.ms/sspr now"), "Go to [aka.ms/sspr](https://aka.ms/sspr) now"},
		{helpdesk.Rich{q("see aka.ms/sspr")}, "see aka.ms/sspr"},
		{helpdesk.Rich{{Text: " spaced ", Strong: true}}, " **spaced** "},
	}
	for _, tt := range tests {
		if got := markdown(tt.in); got != tt.want {
			t.Errorf("markdown(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// goldenInbound is the activity the golden replies answer.
func goldenInbound() *activity {
	return &activity{
		Type:         schema.Message,
		ID:           "1712345678901",
		ServiceURL:   "https://smba.trafficmanager.net/emea/",
		ChannelID:    "msteams",
		From:         schema.ChannelAccount{ID: "29:1user", Name: "Alex Wilber", AadObjectID: "00000000-0000-0000-0000-00000000a1e5"},
		Recipient:    schema.ChannelAccount{ID: "28:2f4c8a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", Name: "whichaccount"},
		Conversation: schema.ConversationAccount{ID: "19:triage@thread.tacv2;messageid=1712345678901", ConversationType: "channel", TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47"},
		Locale:       "en-GB",
	}
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name    string
		reply   helpdesk.Reply
		replyTo string
	}{
		{
			name: "verdicts",
			reply: helpdesk.Reply{
				Intent:   helpdesk.Classify,
				Lang:     "en",
				Emails:   []string{"jane@contoso.com", "sam@outlook.com"},
				Headline: helpdesk.Plain("I checked 2 addresses and domains"),
				Lines: []helpdesk.Rich{
					{{Text: "jane@contoso.com", Strong: true, Quoted: true}, {Text: " is "}, {Text: "both", Strong: true}, {Text: " a work or school account and a personal Microsoft account"}},
					{{Text: "sam@outlook.com", Strong: true, Quoted: true}, {Text: " is a "}, {Text: "personal", Strong: true}, {Text: " Microsoft account, not a work or school account"}},
				},
				Steps:  []helpdesk.Rich{helpdesk.Plain("Sign in at the work app with the work account"), helpdesk.Plain("Reset a personal password at account.live.com/password/reset")},
				Notice: helpdesk.Plain("I answered 1 of these from my built-in rules only."),
				Text:   "I checked 2 addresses and domains\n…",
				Suggestions: []helpdesk.Suggestion{
					{Label: "Why?", Action: "why"}, {Label: "How do I fix it?", Action: "fix"},
					{Label: "Check another address", Action: "topic:classify.need_address"},
					{Label: "Tell me more", Action: "more"}, {Label: "Reset my password", Action: "topic:password.reset"},
					{Label: "A sixth, dropped", Action: "never shown"},
				},
			},
			replyTo: "1712345678901",
		},
		{
			name: "topic",
			reply: helpdesk.Reply{
				Intent:   helpdesk.Difference,
				Lang:     "en",
				Headline: helpdesk.Plain("A personal Microsoft account is yours; a work or school account belongs to an organisation."),
				Details: []helpdesk.Rich{
					{{Text: "Personal account", Strong: true}, {Text: " (MSA, once called Windows Live ID): Outlook.com & Hotmail, <personal> OneDrive."}},
					{{Text: "Work or school account", Strong: true}, {Text: ": Microsoft 365 for business, Azure, *.onmicrosoft.com."}},
				},
				Suggestions: []helpdesk.Suggestion{{Label: "Tell me more", Action: "more"}},
				Text:        "A personal Microsoft account is yours…",
			},
			replyTo: "1712345678901",
		},
		{
			name: "choices",
			reply: helpdesk.Reply{
				Intent:   helpdesk.PasswordReset,
				Lang:     "en",
				Headline: helpdesk.Plain("I'm not sure I understood. Did you mean one of these?"),
				Choices:  []helpdesk.Suggestion{{Label: "Change a work password", Action: "topic:password.change_work"}, {Label: "Reset a work password", Action: "topic:password.reset_work"}, {Label: "None of these", Action: "none"}},
				Text:     "I'm not sure I understood. Did you mean one of these?",
			},
			replyTo: "1712345678901",
		},
		{
			name:  "welcome",
			reply: helpdesk.Reply{Intent: helpdesk.Help, Lang: "en", Headline: helpdesk.Plain("Here's what I can help with"), Text: "Here's what I can help with\n"},
		},
		{
			name:    "no_headline",
			reply:   helpdesk.Reply{Intent: helpdesk.Greeting, Lang: "en", Summary: helpdesk.Plain("Hi! Send me an address."), Text: "Hi! Send me an address.\nMore text\n"},
			replyTo: "1712345678901",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(renderActivity(goldenInbound(), tt.reply, tt.replyTo)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("renderActivity(%s) differs from %s (go test -update rewrites it):\n%s", tt.name, path, buf.Bytes())
			}
		})
	}
}

func TestRenderCardLimits(t *testing.T) {
	var r helpdesk.Reply
	for i := 0; i < 9; i++ {
		r.Suggestions = append(r.Suggestions, helpdesk.Suggestion{Label: "L", Action: "t"})
	}
	r.Suggestions = append([]helpdesk.Suggestion{{Label: "", Action: "no label"}}, r.Suggestions...)
	c := renderCard(r)
	if len(c.Actions) != maxButtons {
		t.Errorf("%d buttons, want %d", len(c.Actions), maxButtons)
	}
	if c.Version != "1.5" || c.Type != "AdaptiveCard" {
		t.Errorf("card %s %s, want AdaptiveCard 1.5", c.Type, c.Version)
	}
	if len(c.Body) != 0 {
		t.Errorf("body of an empty reply = %+v", c.Body)
	}
	b, _ := json.Marshal(c)
	if !strings.Contains(string(b), `"body":[]`) {
		t.Errorf("empty body not sent as []: %s", b)
	}
}
