package teams

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

func TestHandoffGolden(t *testing.T) {
	h := helpdesk.Handoff{ID: "h1", Platform: helpdesk.PlatformSlack, Conversation: "T0001:D0001",
		Question:   "is alex@contoso.com **URGENT** [reset here](https://evil.example) personal or work?",
		Transcript: []string{"> is alex@contoso.com **URGENT** personal or work?", "< alex@contoso.com is both", "> a human please", "< I can pass this on"},
		Verdicts:   []msaccount.Verdict{{Input: "alex@contoso.com", Address: "alex@contoso.com", Kind: msaccount.KindBoth, Certainty: msaccount.Confirmed}},
		Topic:      "classify.address", Lang: "en", At: time.Date(2026, 11, 30, 14, 2, 0, 0, time.UTC)}
	h.User.ID, h.User.Name = "T0001:U0001", "Alex <at>Wilber</at> _x_"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(renderHandoff(h, "en")); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", "handoff.golden.json")
	if *update {
		os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("renderHandoff differs from %s:\n%s", path, got)
	}
	for _, bad := range []string{"**URGENT**", "[reset here](", "<at>", "_x_"} {
		if strings.Contains(string(got), bad) {
			t.Errorf("outside text became markup: %s", bad)
		}
	}
	for _, want := range []string{"alex@contoso.com — Both kinds (confirmed)", "asked for a person via Slack", "**Person:**"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("card lacks %q", want)
		}
	}
}
