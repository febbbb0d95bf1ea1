package main

import (
	"strings"
	"testing"
)

// TestEveryCommandHelps: every command answers --help with its own flags
// and examples on stdout, exit 0, even when the configuration is broken;
// an unknown flag exits 2 with that command's usage on stderr.
func TestEveryCommandHelps(t *testing.T) {
	tests := []struct {
		args  []string
		flags []string
	}{
		{[]string{"serve"}, nil},
		{[]string{"check"}, []string{"--json", "--offline"}},
		{[]string{"ask"}, []string{"--json", "--offline", "--lang L"}},
		{[]string{"chat"}, []string{"--offline", "--lang L"}},
		{[]string{"audit"}, []string{"--in FILE", "--directory", "--format FORMAT", "--out FILE", "--rate N", "--concurrency N", "--resume", "--column COLUMN"}},
		{[]string{"report"}, []string{"--since WHEN", "--format FORMAT"}},
		{[]string{"manifest"}, nil},
		{[]string{"manifest", "slack"}, []string{"--url BASE", "--socket-mode", "--command COMMAND"}},
		{[]string{"manifest", "teams"}, []string{"--app-id ID", "--out FILE", "--channel-messages", "--website URL"}},
		{[]string{"version"}, nil},
	}
	broken := map[string]string{"PORT": "not a port"}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		for _, help := range []string{"--help", "-h"} {
			for _, env := range []map[string]string{nil, broken} {
				code, out, errs := runCmd(t, env, "", append(append([]string(nil), tt.args...), help)...)
				if code != 0 || errs != "" {
					t.Errorf("%s %s = %d, stderr %q; want 0 and nothing", name, help, code, errs)
				}
				for _, want := range append([]string{"Usage:\n  whichaccount " + name, "Examples:\n  whichaccount " + name}, tt.flags...) {
					if tt.args[0] == "serve" {
						want = strings.Replace(want, "whichaccount serve", "whichaccount [serve]", 1)
						if strings.HasPrefix(want, "Examples:") {
							want = "Examples:\n  whichaccount serve"
						}
					}
					if !strings.Contains(out, want) {
						t.Errorf("%s %s lacks %q:\n%s", name, help, want, out)
					}
				}
			}
		}
		if code, _, _ := runCmd(t, nil, "", "help", name); name != "manifest slack" && name != "manifest teams" && code != 0 {
			t.Errorf("help %s = %d", name, code)
		}
		if name == "manifest" {
			continue // "manifest --nope" names no platform
		}
		code, out, errs := runCmd(t, nil, "", append(append([]string(nil), tt.args...), "--nope")...)
		if code != 2 || out != "" || !strings.Contains(errs, "flag provided but not defined: -nope") || !strings.Contains(errs, "Usage:\n  whichaccount") || !strings.Contains(errs, "Examples:") {
			t.Errorf("%s --nope = %d, stdout %q, stderr %q; want 2 and the command's usage on stderr", name, code, out, errs)
		}
	}
	code, out, _ := runCmd(t, nil, "", "--help")
	if code != 0 || !strings.Contains(out, "--help") || !strings.Contains(out, "go install ./cmd/whichaccount") {
		t.Errorf("whichaccount --help = %d:\n%s", code, out)
	}
}

// TestTerminalOutputIsPlain: what the command line prints carries no
// markup of any platform.
func TestTerminalOutputIsPlain(t *testing.T) {
	questions := []string{
		"is sam@outlook.com personal or work?", "how do I reset my work password?", "hello",
		"why does Teams make me pick between two accounts?", "what is contoso.com?", "asdf qwer",
		"¿cómo restablezco mi contraseña?", "is first_last@contoso.com personal?",
	}
	var all strings.Builder
	for _, q := range questions {
		code, out, errs := runCmd(t, nil, "", "ask", "--offline", q)
		if code != 0 {
			t.Fatalf("ask %q = %d %s", q, code, errs)
		}
		all.WriteString(out)
	}
	_, out, _ := runCmd(t, nil, "is alex@contoso.com work?\nwhy?\nhow do I fix it?\nquit\n", "chat", "--offline")
	all.WriteString(out)
	_, out, _ = runCmd(t, nil, "", "check", "--offline", "alex@contoso.com", "sam@outlook.com", "contoso.com", "not an address")
	all.WriteString(out)
	text := all.String()
	for _, bad := range []string{"**", "](", "<http", "<@", "&lt;", "&amp;", "`", "<b>", "</"} {
		if strings.Contains(text, bad) {
			i := strings.Index(text, bad)
			t.Errorf("terminal output has markup %q: …%s…", bad, text[max(0, i-60):min(len(text), i+60)])
		}
	}
}
