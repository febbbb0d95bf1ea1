package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRenderGolden(t *testing.T) {
	r := newRecorder(nil, 0)
	tests := []struct {
		name, text string
		share      bool
	}{
		{"verdict", "is <mailto:sam@outlook.com|sam@outlook.com> a work account?", true},
		{"several", "check x@contoso.onmicrosoft.com, kim@gmail.com and fabrikam.com", false},
		{"topic", "how do I reset my password?", false},
		{"help", "help", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply, err := r.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: tt.name, User: "U", Text: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			o := renderOptions{}
			if tt.share {
				o.ShareText = tt.text
			}
			blocks, text := render(reply, o)
			got, err := json.MarshalIndent(map[string]any{"text": text, "blocks": blocks}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				os.WriteFile(path, append(got, '\n'), 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if !bytes.Equal(append(got, '\n'), want) {
				t.Errorf("render(%s) differs from %s:\n%s", tt.name, path, got)
			}
		})
	}
}

func TestRenderLimits(t *testing.T) {
	var lines, details []helpdesk.Rich
	for i := range 80 {
		lines = append(lines, helpdesk.Plain(strings.Repeat("line "+strconv.Itoa(i)+" <&> ", 400)))
		details = append(details, helpdesk.Plain(strings.Repeat("d", 500)))
	}
	var sugg []helpdesk.Suggestion
	for i := range 9 {
		sugg = append(sugg, helpdesk.Suggestion{Label: strings.Repeat("L", 100), Action: strings.Repeat("t", 3000) + strconv.Itoa(i)})
	}
	reply := helpdesk.Reply{Headline: helpdesk.Plain(strings.Repeat("H", 400)), Summary: helpdesk.Plain(strings.Repeat("s", 5000)), Lines: lines, Details: details,
		Steps: []helpdesk.Rich{helpdesk.Plain("one"), helpdesk.Plain("two")}, Suggestions: sugg, Notice: helpdesk.Plain("n"), Text: strings.Repeat("x", 50000)}
	blocks, text := render(reply, renderOptions{ShareText: strings.Repeat("q", 3000)})
	if len(blocks) > maxBlocks {
		t.Errorf("%d blocks", len(blocks))
	}
	if len(text) > maxFallback || text == "" {
		t.Errorf("fallback text of %d bytes", len(text))
	}
	total := 0
	for _, b := range blocks {
		switch b.Type {
		case "header":
			if len(b.Text.Text) > maxHeader {
				t.Errorf("header of %d", len(b.Text.Text))
			}
		case "section":
			if len(b.Text.Text) > maxSectionText {
				t.Errorf("section of %d", len(b.Text.Text))
			}
			if strings.Contains(b.Text.Text, "<&>") {
				t.Errorf("unescaped markup in %q", b.Text.Text[:40])
			}
			total += len(b.Text.Text)
		case "actions":
			if len(b.Elements) > maxButtons+1 {
				t.Errorf("%d buttons", len(b.Elements))
			}
			for _, btn := range b.Elements {
				if len(btn.Text.(*textObj).Text) > maxButtonText || len(btn.Value) > maxButtonValue {
					t.Errorf("button %d/%d", len(btn.Text.(*textObj).Text), len(btn.Value))
				}
			}
		}
	}
	// The Web API form keeps every block.
	if got := toSlack(blocks); len(got) != len(blocks) {
		t.Errorf("toSlack kept %d of %d blocks", len(got), len(blocks))
	}
	if total > maxMessageChars {
		t.Errorf("%d characters of sections", total)
	}
	if blocks[len(blocks)-1].Type != "actions" {
		t.Errorf("buttons were squeezed out")
	}
}

// A tenant's brand name is chosen by whoever owns the tenant: it must show
// as written, never as formatting, a link or a mention.
func TestRenderHostileBrand(t *testing.T) {
	brand := "IT Helpdesk. [Reset your password here](https://evil.example/login) <https://evil.example|click> *URGENT* <!channel> _now_ ~x~ `y`"
	reply := helpdesk.Reply{
		Headline: helpdesk.Rich{{Text: "contoso.com", Quoted: true, Strong: true}, {Text: " belongs to "}, {Text: brand, Quoted: true}},
		Lines:    []helpdesk.Rich{{{Text: brand, Quoted: true}}},
		Summary:  helpdesk.Rich{{Text: "Reset it at "}, {Text: "aka.ms/sspr", Strong: true}},
		Text:     brand,
	}
	blocks, _ := render(reply, renderOptions{})
	var all strings.Builder
	for _, b := range blocks {
		if b.Type == "header" {
			t.Errorf("outside text in a header block: %q", b.Text.Text)
		}
		if b.Text != nil {
			if b.Text.Type == "mrkdwn" && !b.Text.Verbatim {
				t.Errorf("mrkdwn block is not verbatim: %q", b.Text.Text)
			}
			all.WriteString(b.Text.Text + "\n")
		}
	}
	got := all.String()
	for _, bad := range []string{"<https://evil", "<!channel>", "*URGENT*", "_now_", "~x~", "`y`", "|click>"} {
		if strings.Contains(got, bad) {
			t.Errorf("rendered text carries %q:\n%s", bad, got)
		}
	}
	if !strings.Contains(got, "<https://aka.ms/sspr|aka.ms/sspr>") {
		t.Errorf("the assistant's own address is not a link:\n%s", got)
	}
	if !strings.Contains(got, "*contoso.com*") {
		t.Errorf("emphasis lost:\n%s", got)
	}
}

// FuzzInbound sends arbitrary bodies, correctly signed, through the whole
// handler: it must never panic and always answer 200, 400 or 413.
func FuzzInbound(f *testing.F) {
	f.Add("application/json", []byte(`{"type":"event_callback","team_id":"T1","event_id":"E1","event":{"type":"app_mention","user":"U1","text":"<@U2> a@b.com","ts":"1.1","channel":"C1"}}`))
	f.Add("application/json", []byte(`{"type":"url_verification","challenge":"x"}`))
	f.Add("application/x-www-form-urlencoded", []byte("command=%2Fwhichaccount&text=alex%40contoso.com&team_id=T1&channel_id=C1&user_id=U1&response_url=http%3A%2F%2F127.0.0.1%3A1%2Fr"))
	f.Add("application/x-www-form-urlencoded", []byte(`payload={"type":"block_actions","actions":[{"action_id":"wa_share","value":"x"}]}`))
	f.Add("application/json", []byte(`{"type":"event_callback","event_id":"E2","event":{"type":"message","channel_type":"im","user":"U1","text":"hi","ts":"1","channel":"D1"}}`))
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }))
	defer fake.Close()
	bot, err := New(Config{BotToken: "xoxb-f", SigningSecret: testSecret, APIURL: fake.URL + "/", AckWait: time.Millisecond, ChannelInterval: time.Microsecond, Attempts: 1, WorkTimeout: time.Second}, newRecorder(nil, 0), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
		ts := time.Now().Unix()
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", Sign(testSecret, ts, body))
		w := httptest.NewRecorder()
		bot.ServeHTTP(w, req)
		switch w.Code {
		case 200, 400, 413:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	bot.Shutdown(ctx)
}

// FuzzLinkify checks that searching only the words that hold a slash finds
// the same links as searching the whole text.
func FuzzLinkify(f *testing.F) {
	f.Add("Reset it at aka.ms/sspr, or account.live.com/password/reset.")
	f.Add("See https://learn.microsoft.com/en-us/entra/ and (aka.ms/mfasetup)\nthen contoso.com.")
	f.Add("a/b https://x.com a.community/x\tb.ms/ /c.org/d")
	f.Fuzz(func(t *testing.T, s string) {
		want := webAddress.ReplaceAllStringFunc(s, link)
		if got := linkify(s); got != want {
			t.Fatalf("linkify(%q)\n got %q\nwant %q", s, got, want)
		}
	})
}

func BenchmarkLinkify(b *testing.B) {
	s := escape("If you forgot the password of a work or school account, reset it at aka.ms/sspr " +
		"(your organisation must allow it); for a personal account, use account.live.com/password/reset. " +
		"If neither page knows the address, it may be neither kind of account: ask your IT helpdesk.")
	b.Run("words", func(b *testing.B) {
		for b.Loop() {
			linkify(s)
		}
	})
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			webAddress.ReplaceAllStringFunc(s, link)
		}
	})
}
