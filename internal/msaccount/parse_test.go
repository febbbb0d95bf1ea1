package msaccount

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		address string // "" for a domain
		domain  string
		unicode string
		err     string // substring of the error; "" for success
	}{
		// Plain addresses and case.
		{in: "alex@contoso.com", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "Alex@Contoso.COM", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "  jane.doe@fabrikam.com  ", address: "jane.doe@fabrikam.com", domain: "fabrikam.com"},
		{in: "JANE@OUTLOOK.COM", address: "jane@outlook.com", domain: "outlook.com"},
		{in: "first.last@sub.contoso.co.uk", address: "first.last@sub.contoso.co.uk", domain: "sub.contoso.co.uk"},
		{in: "a@b.io", address: "a@b.io", domain: "b.io"},
		{in: "o'brien@contoso.ie", address: "o'brien@contoso.ie", domain: "contoso.ie"},
		{in: "user_name-1@contoso.com", address: "user_name-1@contoso.com", domain: "contoso.com"},
		{in: "x@contoso.onmicrosoft.com", address: "x@contoso.onmicrosoft.com", domain: "contoso.onmicrosoft.com"},
		{in: "sam@hotmail.co.uk", address: "sam@hotmail.co.uk", domain: "hotmail.co.uk"},
		{in: "alex@contoso.com.", address: "alex@contoso.com", domain: "contoso.com"},
		// Plus addressing stays.
		{in: "sam+news@outlook.com", address: "sam+news@outlook.com", domain: "outlook.com"},
		{in: "Sam+Tag+More@Contoso.com", address: "sam+tag+more@contoso.com", domain: "contoso.com"},
		// Chat and mail packaging.
		{in: "<mailto:a@b.com|a@b.com>", address: "a@b.com", domain: "b.com"},
		{in: "<mailto:Jane@Contoso.com|Jane@Contoso.com>", address: "jane@contoso.com", domain: "contoso.com"},
		{in: "<mailto:jane@contoso.com>", address: "jane@contoso.com", domain: "contoso.com"},
		{in: `"Alex" <alex@contoso.com>`, address: "alex@contoso.com", domain: "contoso.com"},
		{in: "Alex Smith <Alex.Smith@Contoso.com>", address: "alex.smith@contoso.com", domain: "contoso.com"},
		{in: "<alex@contoso.com>", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "mailto:alex@contoso.com", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "MAILTO:alex@contoso.com?subject=hi", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "<http://contoso.com|contoso.com>", domain: "contoso.com"},
		// Trailing and surrounding punctuation.
		{in: "alex@contoso.com.", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "alex@contoso.com,", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "alex@contoso.com?", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "alex@contoso.com!!", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "(alex@contoso.com)", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "'alex@contoso.com';", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "“alex@contoso.com”", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "*alex@contoso.com*", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "`alex@contoso.com`", address: "alex@contoso.com", domain: "contoso.com"},
		{in: "[alex@contoso.com]:", address: "alex@contoso.com", domain: "contoso.com"},
		// Domains.
		{in: "contoso.com", domain: "contoso.com"},
		{in: "@contoso.com", domain: "contoso.com"},
		{in: "@Contoso.COM", domain: "contoso.com"},
		{in: "Contoso.com.", domain: "contoso.com"},
		{in: "https://contoso.com/", domain: "contoso.com"},
		{in: "outlook.com", domain: "outlook.com"},
		{in: "contoso.onmicrosoft.com", domain: "contoso.onmicrosoft.com"},
		{in: "uni-example.edu", domain: "uni-example.edu"},
		{in: "outlook.com.evil.io", domain: "outlook.com.evil.io"},
		// Internationalised domains: ASCII form kept, Unicode shown.
		{in: "jörg@bücher.de", address: "jörg@bücher.de", err: "non-ASCII characters before the @"},
		{in: "joerg@bücher.de", address: "joerg@xn--bcher-kva.de", domain: "xn--bcher-kva.de", unicode: "bücher.de"},
		{in: "info@BÜCHER.DE", address: "info@xn--bcher-kva.de", domain: "xn--bcher-kva.de", unicode: "bücher.de"},
		{in: "bücher.de", domain: "xn--bcher-kva.de", unicode: "bücher.de"},
		{in: "joerg@xn--bcher-kva.de", address: "joerg@xn--bcher-kva.de", domain: "xn--bcher-kva.de", unicode: "bücher.de"},
		{in: "user@例え.jp", address: "user@xn--r8jz45g.jp", domain: "xn--r8jz45g.jp", unicode: "例え.jp"},
		{in: "ｊａｎｅ@ｃｏｎｔｏｓｏ.ｃｏｍ", err: "non-ASCII characters"},
		{in: "jane@ｃｏｎｔｏｓｏ.ｃｏｍ", address: "jane@contoso.com", domain: "contoso.com"},
		// Not addresses or domains.
		{in: "", err: "is empty"},
		{in: "   ", err: "is empty"},
		{in: "jane", err: "no domain ending"},
		{in: "jane@", err: "nothing after the @"},
		{in: "@", err: "nothing after the @"},
		{in: "@@", err: "nothing after the @"},
		{in: "jane@localhost", err: "no domain ending"},
		{in: "a@b", err: "no domain ending"},
		{in: "jane@contoso", err: "no domain ending"},
		{in: "jane@contoso.local", err: "real top-level domain"},
		{in: "jane@contoso.invalidtld", err: "real top-level domain"},
		{in: "jane@co.uk", err: "shared domain ending"},
		{in: "j.hollis@staidans.sch.uk", err: "shared domain ending"},
		// A punycode label in any case is checked as punycode: "xN--00A.BA"
		// once passed as plain ASCII, though "xn--00a.ba" is refused.
		{in: "x@xN--00A.BA", err: "valid domain"},
		{in: "x@foo--bar.com", address: "x@foo--bar.com", domain: "foo--bar.com"},
		{in: "head@stmarys.lancs.sch.uk", address: "head@stmarys.lancs.sch.uk", domain: "stmarys.lancs.sch.uk"},
		{in: "jane@[192.168.0.1]", err: "IP address"},
		{in: "jane@10.0.0.1", err: "IP address"},
		{in: "jane doe@contoso.com", err: "spaces"},
		{in: "jane@contoso..com", err: "valid domain"},
		{in: "jane@-contoso.com", err: "valid domain"},
		{in: "jane@contoso_x.com", err: "valid domain"},
		{in: ".jane@contoso.com", address: "jane@contoso.com", domain: "contoso.com"},
		{in: "ja..ne@contoso.com", err: "misplaced dot"},
		{in: "jane.@contoso.com", err: "misplaced dot"},
		{in: "a@b@contoso.com", err: "more than one @"},
		{in: "jane\"x@contoso.com", err: "character"},
		{in: "jane\\x@contoso.com", err: "character"},
		{in: "<script>alert(1)</script>", err: "not an email address"},
		{in: "'; DROP TABLE users; --", err: "spaces"},
		{in: "jane@contoso.com\x00", err: "not an email address"},
		{in: "jane\u0007@contoso.com", err: "not an email address"},
		{in: strings.Repeat("a", 65) + "@contoso.com", err: "more than 64"},
		{in: "a@" + strings.Repeat("b", 64) + ".com", err: "valid domain"},
		{in: strings.Repeat("x", 600), err: "too long"},
		{in: "\xff\xfe@contoso.com", err: "not valid text"},
		{in: "http://", err: "not an email address"},
		{in: "hello world", err: "spaces"},
		{in: "1.2", err: "real top-level domain"},
		{in: "report.pdf", err: "real top-level domain"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %+v, want error containing %q", tt.in, got, tt.err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse(%q) error = %q, want it to contain %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.in, err)
			}
			if got.Address != tt.address || got.Domain != tt.domain || got.DomainUnicode != tt.unicode {
				t.Errorf("Parse(%q) = address %q domain %q unicode %q, want %q %q %q",
					tt.in, got.Address, got.Domain, got.DomainUnicode, tt.address, tt.domain, tt.unicode)
			}
			if got.Input != tt.in {
				t.Errorf("Parse(%q).Input = %q", tt.in, got.Input)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"alex@contoso.com", "<mailto:a@b.com|a@b.com>", `"A" <a@b.com>`, "@contoso.com", "bücher.de", "jane@", "a@b@c", "xn--bcher-kva.de", "j@staidans.sch.uk", "a@co.uk", "x@y.lancs.sch.uk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Parse(in)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Parse(%q): empty error message", in)
			}
			return
		}
		if got.Domain == "" || got.Domain != strings.ToLower(got.Domain) {
			t.Fatalf("Parse(%q).Domain = %q", in, got.Domain)
		}
		if got.Address != "" && !strings.HasSuffix(got.Address, "@"+got.Domain) {
			t.Fatalf("Parse(%q).Address = %q, domain %q", in, got.Address, got.Domain)
		}
		// Normalising is idempotent.
		again, err := Parse(got.Key()[2:])
		if err != nil || again.Key() != got.Key() {
			t.Fatalf("Parse(Parse(%q)) = %q, %v; want %q", in, again.Key(), err, got.Key())
		}
	})
}
