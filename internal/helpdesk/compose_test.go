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
