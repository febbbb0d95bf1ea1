package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exampleKnowledge is the README's worked example of a knowledge directory.
const exampleKnowledge = "../../docs/examples/knowledge"

// askJSON runs `ask --json --offline` and returns the reply's topic and text.
func askJSON(t *testing.T, env map[string]string, text string) (topic, reply string) {
	t.Helper()
	code, out, errs := runCmd(t, env, "", "ask", "--json", "--offline", text)
	if code != 0 {
		t.Fatalf("ask %q: exit %d, stderr %s", text, code, errs)
	}
	var r struct{ Topic, Text string }
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("ask %q: %v: %s", text, err, out)
	}
	return r.Topic, r.Text
}

// TestOrgFactsInAnswers: the organisation's name, helpdesk and reset page
// replace the catalogue's general words.
func TestOrgFactsInAnswers(t *testing.T) {
	env := map[string]string{"WHICHACCOUNT_ORG_NAME": "Contoso", "WHICHACCOUNT_ORG_DOMAINS": "contoso.com, Fabrikam.COM",
		"WHICHACCOUNT_HELPDESK": "the IT Service Desk at https://it.contoso.com", "WHICHACCOUNT_SSPR_URL": "https://passwordreset.contoso.com"}
	_, text := askJSON(t, env, "I forgot my work password, how do I reset it?")
	for _, want := range []string{"https://passwordreset.contoso.com", "Contoso enabled", "the IT Service Desk at https://it.contoso.com"} {
		if !strings.Contains(text, want) {
			t.Errorf("answer lacks %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"aka.ms/sspr ", "your IT helpdesk", "your organisation"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("answer still says %q:\n%s", unwanted, text)
		}
	}
	_, text = askJSON(t, nil, "I forgot my work password, how do I reset it?")
	if !strings.Contains(text, "aka.ms/sspr") || !strings.Contains(text, "your IT helpdesk") {
		t.Errorf("without the organisation's facts, the general words:\n%s", text)
	}
	// With no hand-off target, asking for a person says how to reach IT.
	_, text = askJSON(t, env, "can I talk to a real person please")
	if !strings.Contains(text, "the IT Service Desk at https://it.contoso.com") {
		t.Errorf("asking for a person:\n%s", text)
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil || strings.Join(cfg.Org.Domains, " ") != "contoso.com fabrikam.com" || organisation(cfg).Name != "Contoso" {
		t.Errorf("loadConfig: %+v, %v", cfg.Org, err)
	}
}

// TestKnowledgeDir: the README's example adds a topic of the
// organisation's own and replaces a built-in one by its ID.
func TestKnowledgeDir(t *testing.T) {
	env := map[string]string{"WHICHACCOUNT_KNOWLEDGE_DIR": exampleKnowledge, "WHICHACCOUNT_SSPR_URL": "https://passwordreset.contoso.com"}
	topic, text := askJSON(t, env, "I forgot my VPN password")
	if topic != "org.vpn_password" || !strings.Contains(text, "reset at https://passwordreset.contoso.com, not in the VPN app") {
		t.Errorf("VPN question: topic %s:\n%s", topic, text)
	}
	topic, text = askJSON(t, env, "I forgot my work password, how do I reset it?")
	if topic != "password.reset_work" || !strings.Contains(text, "have your staff number ready") {
		t.Errorf("replaced topic: %s:\n%s", topic, text)
	}
	if _, text = askJSON(t, nil, "I forgot my work password, how do I reset it?"); strings.Contains(text, "staff number") {
		t.Errorf("the built-in topic changed without the knowledge directory:\n%s", text)
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil || cfg.Knowledge.Added != 1 || cfg.Knowledge.Replaced != 1 {
		t.Errorf("knowledge change %+v, %v", cfg.Knowledge, err)
	}
	if s := knowledgeStatus(cfg); !strings.Contains(s, "1 topics added, 1 replaced") {
		t.Errorf("status %q", s)
	}
}

// TestBrokenKnowledgeStopsTheStart: a knowledge file with a mistake stops
// every command, the server included, with exit 2 and the file and line.
func TestBrokenKnowledgeStopsTheStart(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "en"), 0o755); err != nil {
		t.Fatal(err)
	}
	bad := "## org.printer\nintent: printing\nlabel: Printers\nanswer: Ask {helpdesk}.\n"
	if err := os.WriteFile(filepath.Join(dir, "en", "printer.md"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"WHICHACCOUNT_KNOWLEDGE_DIR": dir, "PORT": "0"}
	for _, args := range [][]string{{"serve"}, {"ask", "hello"}} {
		code, out, errs := runCmd(t, env, "", args...)
		want := filepath.Join(dir, "en", "printer.md") + ":2: unknown intent \"printing\""
		if code != 2 || !strings.Contains(errs, want) || strings.Contains(out, "listening") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", args, code, errs, want)
		}
	}
	env["WHICHACCOUNT_KNOWLEDGE_DIR"] = filepath.Join(dir, "missing")
	if code, _, errs := runCmd(t, env, "", "ask", "hello"); code != 2 || !strings.Contains(errs, "WHICHACCOUNT_KNOWLEDGE_DIR") {
		t.Errorf("a missing directory: exit %d, %q", code, errs)
	}
}

// TestOrgConfigErrors: every mistake in the organisation's settings is
// reported at once.
func TestOrgConfigErrors(t *testing.T) {
	env := map[string]string{"WHICHACCOUNT_ORG_DOMAINS": "contoso.com,not a domain@", "WHICHACCOUNT_SSPR_URL": "passwordreset",
		"WHICHACCOUNT_LANG": "it", "WHICHACCOUNT_HANDOFF_WEBHOOK": "ftp://x", "SLACK_HANDOFF_CHANNEL": "#helpdesk", "TEAMS_HANDOFF_CHANNEL": "19:abc@thread.tacv2"}
	_, err := loadConfig(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"WHICHACCOUNT_ORG_DOMAINS", "WHICHACCOUNT_SSPR_URL", "WHICHACCOUNT_LANG", "WHICHACCOUNT_HANDOFF_WEBHOOK", "SLACK_HANDOFF_CHANNEL", "TEAMS_HANDOFF_CHANNEL is set but Teams is not configured"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
}
