package teams

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// TestHostileBrandEndToEnd asks about a domain whose tenant has a hostile
// brand, through Microsoft's sign-in fake and the real assistant, and checks
// the Adaptive Card: no Markdown link, no injected list item or bold text
// from the brand, no live address.
func TestHostileBrandEndToEnd(t *testing.T) {
	const brand = "IT Helpdesk. [Reset your password here](https://evil.example/login)\r- **URGENT** <https://evil.example|click>"
	ms := msaccounttest.New(t)
	ms.AddDomain(msaccounttest.Domain{Name: "evil-tenant.com", Type: msaccounttest.TypeManaged, TenantID: "11111111-2222-3333-4444-555555555555", Brand: brand})
	h := helpdesk.New(helpdesk.Config{}, msaccount.New(msaccount.Config{LoginURL: ms.URL, RatePerSecond: 1000}, nil), nil)
	for _, q := range []string{"is evil-tenant.com a work domain?", "why?"} {
		r, err := h.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformTeams, Conversation: "c", User: "u", Text: q})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(renderCard(r))
		got := string(raw)
		if !strings.Contains(got, "Helpdesk") {
			t.Fatalf("%q: the brand is not shown at all (test is not testing):\n%s", q, got)
		}
		for _, bad := range []string{"](https://evil", "https://evil.example", "**URGENT**", "[Reset"} {
			if strings.Contains(got, bad) {
				t.Errorf("%q: card carries %q:\n%s", q, bad, got)
			}
		}
	}
}

// TestLongListCapped: 200 addresses make a card well inside Teams' size
// limit that says how many more there were and how to check them all.
func TestLongListCapped(t *testing.T) {
	h := helpdesk.New(helpdesk.Config{}, msaccount.New(msaccount.Config{Offline: true}, nil), nil)
	var b strings.Builder
	for i := range 200 {
		b.WriteString("user" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa3(i) + "@contoso.com ")
	}
	r, err := h.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformTeams, Conversation: "c", User: "u", Text: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(renderActivity(goldenInbound(), r, "1"))
	if len(raw) > 28000 {
		t.Errorf("activity of %d bytes", len(raw))
	}
	if !strings.Contains(string(raw), "whichaccount audit") || !strings.Contains(string(raw), "180") {
		t.Errorf("card does not say how many more or how to get them:\n%s", raw)
	}
}

func itoa3(i int) string {
	return string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}
