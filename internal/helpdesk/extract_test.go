package helpdesk_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

func TestExtract(t *testing.T) {
	tests := []struct {
		platform, text  string
		emails, domains []string
	}{
		{"cli", "is Jane@Contoso.com personal?", []string{"jane@contoso.com"}, nil},
		{"slack", "<@U012> is <mailto:jane@contoso.com|jane@contoso.com> work? and <http://fabrikam.com|fabrikam.com>", []string{"jane@contoso.com"}, []string{"fabrikam.com"}},
		{"teams", "<at>whichaccount</at> <p>is <a href=\"mailto:bob@fabrikam.com\">bob@fabrikam.com</a> work?</p>", []string{"bob@fabrikam.com"}, nil},
		// Markup is read whatever the platform says: people paste.
		{"teams", "from slack: <mailto:sam@outlook.com|sam@outlook.com>", []string{"sam@outlook.com"}, nil},
		{"cli", "<at>Bot</at> is <a href=\"mailto:kim@contoso.com\">kim@contoso.com</a> ok", []string{"kim@contoso.com"}, nil},
		// Log fields and code names are not what anyone asks about.
		{"cli", "ERROR Teams.Network sign-in failed upn=jane@contoso.com hint=jane@contoso.com login_hint=x@y.com", nil, nil},
		{"cli", "at Microsoft.Identity.Client.Internal.Requests.RequestBase.RunAsync for alex@contoso.com", []string{"alex@contoso.com"}, nil},
		{"cli", "is Contoso.com on Microsoft 365?", nil, []string{"contoso.com"}},
		// Portals, URLs and files are places, not questions.
		{"cli", "I went to account.live.com and aka.ms/sspr and https://contoso.sharepoint.com/x, see notes.md", nil, nil},
		{"cli", "outlook.com.example-login.io sent me a mail", nil, []string{"outlook.com.example-login.io"}},
		// A guest's user name in a directory is what is asked about, not
		// an address to check.
		{"cli", "jane_contoso.com#EXT#@fabrikam.onmicrosoft.com what is this", nil, nil},
		{"cli", "he shows up as something#EXT#@... is that normal", nil, nil},
	}
	for _, tt := range tests {
		e := helpdesk.Extract(helpdesk.Normalise(tt.platform, tt.text))
		if !slices.Equal(e.Emails, tt.emails) || !slices.Equal(e.Domains, tt.domains) || strings.Contains(tt.text, "#EXT#") && len(e.Invalid) > 0 {
			t.Errorf("Extract(%q) = %q %q, want %q %q", tt.text, e.Emails, e.Domains, tt.emails, tt.domains)
		}
	}
}

func TestExtractLogFields(t *testing.T) {
	tests := []struct {
		text            string
		emails, domains []string
	}{
		{"LoginHint: k.lund@outlook.com\nIsBrokerConfigured: False", nil, nil},
		{"User principal name: admin@tailspintoys.onmicrosoft.com", nil, nil},
		{`{"user": {"name": "chris.jones@outlook.com"}, "tenantDefaultDomain": "chrisjones.onmicrosoft.com"}`, nil, nil},
		{"preferred_username=\"qa.tester@outlook.com\"", nil, nil},
		{"from identity provider 'live.com' does not exist", nil, nil},
		{"Microsoft masked it as m.b****@outlook.com", nil, nil},
		{"whats the deal with the .onmicrosoft.com domain", nil, nil},
		{"AADSTS90002: Tenant 'tailspintoys.com' not found", nil, []string{"tailspintoys.com"}},
		{"<jane@contoso.com>", []string{"jane@contoso.com"}, nil},
		{"my address: jane@contoso.com, is it personal?", []string{"jane@contoso.com"}, nil},
		{"connector host northwind-inventory-api.azurewebsites.net failed", nil, nil},
	}
	for _, tt := range tests {
		e := helpdesk.Extract(helpdesk.Normalise("cli", tt.text))
		if !slices.Equal(e.Emails, tt.emails) || !slices.Equal(e.Domains, tt.domains) {
			t.Errorf("Extract(%q) = %q %q, want %q %q", tt.text, e.Emails, e.Domains, tt.emails, tt.domains)
		}
	}
}
