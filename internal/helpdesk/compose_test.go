package helpdesk

import (
	"regexp"
	"strings"
	"testing"
)

// TestGermanOrganisationAfterDativePrepositions: the default name of the
// organisation reads right after a preposition that takes the dative
// ("bei Ihrer Organisation", never "bei Ihre Organisation"), and an
// organisation's own name is used as it is ("bei Contoso").
func TestGermanOrganisationAfterDativePrepositions(t *testing.T) {
	c, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	wrong := regexp.MustCompile(`\b(bei|von|mit|zu|aus|nach|seit) Ihre Organisation\b`)
	seen := 0
	for _, id := range c.IDs {
		tt := c.Topics[id].Text["de"]
		for _, s := range tt.said(true) {
			got := words{cat: c, lang: "de"}.rich(s).String()
			if m := wrong.FindString(got); m != "" {
				t.Errorf("%s: %q in %q", id, m, got)
			}
			if strings.Contains(s, "{org_dat}") {
				seen++
				if named := (words{cat: c, lang: "de", org: Organisation{Name: "Contoso"}}).rich(s).String(); strings.Contains(named, "Ihrer Organisation") || !strings.Contains(named, "Contoso") {
					t.Errorf("%s: with a name, %q", id, named)
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no German text uses {org_dat}")
	}
	if got := (words{cat: c, lang: "en"}).rich("kept by {org_dat}").String(); got != "kept by your organisation" {
		t.Errorf("English {org_dat} = %q, want the plain default", got)
	}
}

// TestAskSegment: an {ask:…} segment asks for an address only while the
// conversation has none; left out, it takes the space before it, and a
// list item that was only the request goes.
func TestAskSegment(t *testing.T) {
	c, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	const s = "Reset that account's password. {ask:Send me the address.}"
	if got := (words{cat: c, lang: "en"}).rich(s).String(); got != "Reset that account's password. Send me the address." {
		t.Errorf("no address yet: %q", got)
	}
	if got := (words{cat: c, lang: "en", known: true}).rich(s).String(); got != "Reset that account's password." {
		t.Errorf("address known: %q", got)
	}
	steps := []string{"Sign out", "{ask:Send me the address}", "Sign in again"}
	if got := (words{cat: c, lang: "en", known: true}).list(steps); len(got) != 2 || got[1].String() != "Sign in again" {
		t.Errorf("address known, steps = %v", got)
	}
	if got := (words{cat: c, lang: "en"}).list(steps); len(got) != 3 {
		t.Errorf("no address yet, steps = %v", got)
	}
}
