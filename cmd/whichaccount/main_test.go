package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// runCmd runs the program with env as its whole environment.
func runCmd(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func decodeLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestCheckOfflineJSON(t *testing.T) {
	code, out, errs := runCmd(t, nil, "", "check", "--json", "--offline", "Alex@Contoso.com", "sam@outlook.com", "bad@", "x@contoso.onmicrosoft.com", "gmail.com", "outlook.com.evil.io")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	lines := decodeLines(t, out)
	want := []struct{ input, personal, work, dtype string }{
		{"Alex@Contoso.com", "unknown", "unknown", "unknown"},
		{"sam@outlook.com", "unknown", "no", "consumer"},
		{"bad@", "unknown", "unknown", "unknown"},
		{"x@contoso.onmicrosoft.com", "no", "unknown", "managed"},
		{"gmail.com", "yes", "no", "none"},
		{"outlook.com.evil.io", "unknown", "unknown", "unknown"},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		l := lines[i]
		d := l["domain"].(map[string]any)
		if l["input"] != w.input || l["personal"] != w.personal || l["work"] != w.work || d["type"] != w.dtype {
			t.Errorf("line %d = %v, want %+v", i, l, w)
		}
	}
	if lines[2]["error"] == "" || lines[0]["error"] != "" {
		t.Errorf("error fields: %q, %q", lines[2]["error"], lines[0]["error"])
	}
}

func TestCheckOnlineThroughFake(t *testing.T) {
	f := msaccounttest.New(t)
	f.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: "72f988bf-0000-0000-0000-2d7cd011db47", Brand: "Contoso Ltd", Region: "EU"})
	f.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	env := map[string]string{"WHICHACCOUNT_LOGIN_URL": f.URL}
	code, out, errs := runCmd(t, env, "alex@contoso.com\n\nnobody@contoso.com\n", "check", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := decodeLines(t, out)
	if len(lines) != 2 || lines[0]["kind"] != "both" || lines[0]["certainty"] != "confirmed" || lines[1]["kind"] != "none" {
		t.Fatalf("verdicts = %s", out)
	}
	if d := lines[0]["domain"].(map[string]any); d["tenant_id"] != "72f988bf-0000-0000-0000-2d7cd011db47" || d["brand"] != "Contoso Ltd" {
		t.Errorf("domain = %v", d)
	}
	// The table form.
	code, out, _ = runCmd(t, env, "", "check", "alex@contoso.com")
	if code != 0 || !strings.Contains(out, "alex@contoso.com") || !strings.Contains(out, "both") || !strings.Contains(out, "KIND") {
		t.Errorf("table = %d %q", code, out)
	}
	// Offline never touches the fake.
	f.Reset()
	runCmd(t, map[string]string{"WHICHACCOUNT_LOGIN_URL": f.URL, "WHICHACCOUNT_LOOKUP": "offline"}, "", "check", "wendy@contoso.com")
	if n := f.Requests(msaccounttest.EndpointRealm); n != 0 {
		t.Errorf("offline check sent %d realm requests", n)
	}
}

func TestAskJSON(t *testing.T) {
	code, out, errs := runCmd(t, nil, "", "ask", "--json", "--offline", "is", "Jane@Contoso.com", "or", "@fabrikam.com", "personal", "or", "work?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Intent     string           `json:"intent"`
		Topic      string           `json:"topic"`
		Lang       string           `json:"lang"`
		Confidence *float64         `json:"confidence"`
		Emails     []string         `json:"emails"`
		Domains    []string         `json:"domains"`
		Verdicts   []map[string]any `json:"verdicts"`
		Text       string           `json:"text"`
		Reply      map[string]any   `json:"reply"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("ask --json: %v\n%s", err, out)
	}
	if got.Intent != "classify" || got.Topic != "classify.address" || got.Lang != "en" || got.Confidence == nil || len(got.Emails) != 1 || got.Emails[0] != "jane@contoso.com" || len(got.Domains) != 1 || got.Domains[0] != "fabrikam.com" || len(got.Verdicts) != 2 || got.Text == "" || got.Reply == nil {
		t.Errorf("ask --json = %s", out)
	}
}

func TestChatEnds(t *testing.T) {
	for _, bye := range []string{"quit", "exit", "bye", "Bye!"} {
		code, out, _ := runCmd(t, nil, "hello\n"+bye+"\nis sam@outlook.com personal?\n", "chat", "--offline")
		if code != 0 || strings.Contains(out, "sam@outlook.com") {
			t.Errorf("chat went on after %q (exit %d):\n%s", bye, code, out)
		}
	}
}

func TestAskLang(t *testing.T) {
	if code, _, errs := runCmd(t, nil, "", "ask", "--lang", "xx", "hello"); code != 2 || !strings.Contains(errs, "--lang") {
		t.Errorf("ask --lang xx: exit %d, %q", code, errs)
	}
}

func TestChatKeepsTheConversation(t *testing.T) {
	code, out, _ := runCmd(t, nil, "is my account personal?\nx@contoso.onmicrosoft.com\nwhy?\n", "chat", "--offline")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	parts := strings.Split(strings.TrimSpace(out), "\n\n")
	if len(parts) != 3 || !strings.Contains(parts[0], "Which address") || !strings.Contains(parts[1], "x@contoso.onmicrosoft.com") || !strings.Contains(parts[2], "initial Microsoft domain") {
		t.Errorf("chat output:\n%s", out)
	}
}

func TestUsageAndConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		err  string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"check without inputs", nil, []string{"check"}, 2, "at least one"},
		{"bad flag", nil, []string{"check", "--nope", "a@b.com"}, 2, "flag provided but not defined"},
		{"ask without text", nil, []string{"ask"}, 2, "needs a message"},
		{"every config problem at once", map[string]string{"PORT": "x", "LOG_FORMAT": "xml", "WHICHACCOUNT_LOGIN_URL": "ftp://x", "SLACK_BOT_TOKEN": "abc", "MICROSOFT_APP_TYPE": "Weird"}, []string{"check", "a@b.com"}, 2, "PORT"},
		{"manifest without platform", nil, []string{"manifest"}, 2, "needs a platform"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCmd(t, tt.env, "", tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.err) {
				t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.err)
			}
			if tt.name == "every config problem at once" {
				for _, s := range []string{"LOG_FORMAT", "WHICHACCOUNT_LOGIN_URL", "SLACK_BOT_TOKEN", "MICROSOFT_APP_TYPE"} {
					if !strings.Contains(errs, s) {
						t.Errorf("stderr lacks %s: %s", s, errs)
					}
				}
			}
		})
	}
}

func TestBotFrameworkSpellings(t *testing.T) {
	c, err := loadConfig(func(k string) string {
		return map[string]string{"MicrosoftAppId": "id", "MicrosoftAppPassword": "pw", "MicrosoftAppType": "SingleTenant", "MicrosoftAppTenantId": "t"}[k]
	})
	if err != nil || c.Teams.AppID != "id" || c.Teams.AppType != "SingleTenant" || c.Teams.AppTenantID != "t" {
		t.Errorf("loadConfig = %+v, %v", c.Teams, err)
	}
}

func TestDotenvFillsOnlyUnset(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	if err := os.WriteFile(path, []byte("PORT=4000\nLOG_LEVEL=debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	real := map[string]string{"PORT": "5000"}
	getenv := dotenvGetenv(func(k string) (string, bool) { v, ok := real[k]; return v, ok }, path)
	if getenv("PORT") != "5000" || getenv("LOG_LEVEL") != "debug" || getenv("NOPE") != "" {
		t.Errorf("PORT %q LOG_LEVEL %q", getenv("PORT"), getenv("LOG_LEVEL"))
	}
	if g := dotenvGetenv(func(string) (string, bool) { return "", false }, filepath.Join(dir, "missing")); g("PORT") != "" {
		t.Error("missing .env produced values")
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, nil, "", "version")
	if code != 0 || !strings.HasPrefix(out, "whichaccount ") {
		t.Errorf("version = %d %q", code, out)
	}
}

func TestManifestSlack(t *testing.T) {
	code, out, _ := runCmd(t, nil, "", "manifest", "slack", "--url", "https://bot.example.com")
	if code != 0 || !strings.Contains(out, "request_url: https://bot.example.com/slack/events") || !strings.Contains(out, "command: /whichaccount") {
		t.Errorf("manifest slack = %d\n%s", code, out)
	}
	if code, _, errs := runCmd(t, nil, "", "manifest", "slack"); code != 2 || !strings.Contains(errs, "--url") {
		t.Errorf("manifest slack without --url = %d %q", code, errs)
	}
	if code, out, _ := runCmd(t, nil, "", "manifest", "slack", "--socket-mode"); code != 0 || !strings.Contains(out, "socket_mode_enabled: true") {
		t.Errorf("socket mode manifest = %d\n%s", code, out)
	}
}
