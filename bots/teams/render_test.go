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
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"jane@contoso.com is a *personal* Microsoft account", "jane@contoso.com is a **personal** Microsoft account"},
		{"is *both* a *work or school* account", "is **both** a **work or school** account"},
		{"*Permanent fix*: add an alias", "**Permanent fix**: add an alias"},
		{"- *Lost your Authenticator phone?* Personal accounts", "- **Lost your Authenticator phone?** Personal accounts"},
		{"(*no*)", "(**no**)"},
		{"`*.onmicrosoft.com` is always work", "`*.onmicrosoft.com` is always work"},
		{"2 * 3 * 4", "2 * 3 * 4"},
		{"a*b*c", "a*b*c"},
		{"**already**", "**already**"},
		{"*unclosed", "*unclosed"},
		{"*two\nlines*", "*two\nlines*"},
		{"*", "*"},
		{"**", "**"},
		{"*x*", "**x**"},
		{"*é*!", "**é**!"},
	}
	for _, tt := range tests {
		if got := markdown(tt.in); got != tt.want {
			t.Errorf("markdown(%q) = %q, want %q", tt.in, got, tt.want)
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
				Emails:   []string{"jane@contoso.com", "sam@outlook.com"},
				Headline: "I checked 2 addresses and domains",
				Summary:  "Here is what each one is. Ask \"why?\" for the reasons, or \"how do I fix it?\" for next steps.",
				Lines: []string{
					"jane@contoso.com is *both* a work or school account and a personal Microsoft account",
					"sam@outlook.com is a *personal* Microsoft account, not a work or school account",
				},
				Steps:  []string{"Sign in at the work app with the work account", "Use the personal account at home"},
				Notice: "I've answered 1 of these from my offline rules only: you've reached the limit of online lookups for now.",
				Text:   "I checked 2 addresses and domains\n…",
				Suggestions: []helpdesk.Suggestion{
					{Label: "Why?", Text: "why?"}, {Label: "How do I fix it?", Text: "how do I fix it?"},
					{Label: "Check another address", Text: "is my account personal or work"},
					{Label: "Tell me more", Text: "tell me more"}, {Label: "Reset my password", Text: "how do I reset my password"},
					{Label: "A sixth, dropped", Text: "never shown"},
				},
			},
			replyTo: "1712345678901",
		},
		{
			name: "topic",
			reply: helpdesk.Reply{
				Intent:   helpdesk.Difference,
				Headline: "Personal and work accounts are different things",
				Summary:  "A personal Microsoft account is yours; a work or school account belongs to an organisation.",
				Details: []string{
					"*Personal account* (MSA, once called Windows Live ID): Outlook.com & Hotmail, <personal> OneDrive.",
					"*Work or school account*: Microsoft 365 for business, Azure, `*.onmicrosoft.com`.",
				},
				Suggestions: []helpdesk.Suggestion{{Label: "Tell me more", Text: "tell me more"}},
				Text:        "Personal and work accounts are different things\n…",
			},
			replyTo: "1712345678901",
		},
		{
			name:  "welcome",
			reply: helpdesk.Reply{Intent: helpdesk.Help, Headline: "Here's what I can help with", Text: "Here's what I can help with\n"},
		},
		{
			name:    "no_headline",
			reply:   helpdesk.Reply{Intent: helpdesk.Greeting, Summary: "Hi! Send me an address.", Text: "Hi! Send me an address.\nMore text\n"},
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
		r.Suggestions = append(r.Suggestions, helpdesk.Suggestion{Label: "L", Text: "t"})
	}
	r.Suggestions = append([]helpdesk.Suggestion{{Label: "", Text: "no label"}}, r.Suggestions...)
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
