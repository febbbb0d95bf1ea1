package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// hostileBrand is a tenant brand chosen by an attacker who owns the tenant
// of the address being asked about.
const hostileBrand = "IT Helpdesk. [Reset your password here](https://evil.example/login)\r- **URGENT** <https://evil.example|click> <!channel> *now*"

// TestHostileBrandEndToEnd asks about a domain whose tenant has a hostile
// brand, through Microsoft's sign-in fake and the real assistant, and checks
// the Block Kit it renders: the brand shows as inert text, never as a
// link, a mention, formatting or an injected line.
func TestHostileBrandEndToEnd(t *testing.T) {
	ms := msaccounttest.New(t)
	ms.AddDomain(msaccounttest.Domain{Name: "evil-tenant.com", Type: msaccounttest.TypeManaged, TenantID: "11111111-2222-3333-4444-555555555555", Brand: hostileBrand})
	h := helpdesk.New(helpdesk.Config{}, msaccount.New(msaccount.Config{LoginURL: ms.URL, RatePerSecond: 1000}, nil), nil)
	for _, q := range []string{"is evil-tenant.com a work domain?", "why?"} {
		r, err := h.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: "c", User: "u", Text: q})
		if err != nil {
			t.Fatal(err)
		}
		blocks, fallback := render(r, renderOptions{})
		raw, _ := json.Marshal(blocks)
		got := string(raw)
		if !strings.Contains(got, "Helpdesk") && q != "why?" {
			t.Fatalf("the brand is not shown at all (test is not testing):\n%s", got)
		}
		for _, bad := range []string{"<https://", "<!channel>", "](https://", "*URGENT*", "https://evil.example", "\\r- "} {
			if strings.Contains(got, bad) {
				t.Errorf("%q: rendered blocks carry %q:\n%s", q, bad, got)
			}
		}
		for _, b := range blocks {
			if b.Type == "header" && strings.Contains(b.Text.Text, "Helpdesk") {
				t.Errorf("brand in a header block: %q", b.Text.Text)
			}
			if b.Text != nil && b.Text.Type == "mrkdwn" && !b.Text.Verbatim {
				t.Errorf("mrkdwn not verbatim: %q", b.Text.Text)
			}
		}
		if strings.Contains(fallback, "https://evil.example") {
			t.Errorf("fallback text carries a live link: %q", fallback)
		}
	}
}
