package helpdesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// TestOwnDomains: an address at one of the organisation's own domains is
// said to be the organisation's, in the reply's language; others are not.
func TestOwnDomains(t *testing.T) {
	h := helpdesk.New(helpdesk.Config{Organisation: helpdesk.Organisation{Name: "Contoso", Domains: []string{"Contoso.com"}}}, newLookup(), nil)
	r, err := h.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformCLI, Conversation: "c", User: "u", Text: "is alex@contoso.com or sam@outlook.com or bob@fabrikam.com personal or work?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Lines) != 3 {
		t.Fatalf("lines: %v", r.Lines)
	}
	const ours = "It's at one of Contoso's own domains."
	if !strings.Contains(r.Lines[0].String(), ours) || strings.Contains(r.Lines[1].String(), ours) || strings.Contains(r.Lines[2].String(), ours) {
		t.Errorf("lines:\n%s\n%s\n%s", r.Lines[0], r.Lines[1], r.Lines[2])
	}
	h = helpdesk.New(helpdesk.Config{}, newLookup(), nil)
	r, _ = h.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformCLI, Conversation: "c", User: "u", Text: "is alex@contoso.com personal or work?"})
	if strings.Contains(r.Text, "own domains") {
		t.Errorf("without the organisation's domains:\n%s", r.Text)
	}
}
