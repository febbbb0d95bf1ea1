package msaccount

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Target is one normalised input: an email address or a bare domain.
type Target struct {
	// Input is the text as it was given.
	Input string
	// Address is the lowercased address with the ASCII (punycode) domain,
	// or "" when the input is a bare domain.
	Address string
	// Local is the part before the @, lowercased; "" for a domain.
	Local string
	// Domain is the lowercased ASCII form of the domain.
	Domain string
	// DomainUnicode is the Unicode form of an internationalised domain,
	// or "" when it is the same as Domain.
	DomainUnicode string
}

// IsDomain reports whether the target is a bare domain rather than an address.
func (t Target) IsDomain() bool { return t.Address == "" }

// Key is the cache and coalescing key of the target.
func (t Target) Key() string {
	if t.IsDomain() {
		return "d:" + t.Domain
	}
	return "a:" + t.Address
}

// InputError is a problem with one input. Its message is written for the
// person who typed the input; Code names the problem for programs that word
// it themselves (one of the Input codes), with Char the offending character
// for InputBadChar.
type InputError struct {
	Input  string
	Reason string
	Code   string
	Char   string
}

// The codes of InputError.
const (
	InputEmpty         = "empty"
	InputTooLong       = "too_long"
	InputInvalidText   = "invalid_text"
	InputNotAddress    = "not_address"
	InputSpaces        = "spaces"
	InputNothingAfter  = "nothing_after_at"
	InputLocalTooLong  = "local_too_long"
	InputLocalDot      = "local_dot"
	InputTwoAt         = "two_at"
	InputNonASCII      = "non_ascii"
	InputBadChar       = "bad_char"
	InputIPAddress     = "ip_address"
	InputDomainTooLong = "domain_too_long"
	InputNoTLD         = "no_tld"
	InputBadTLD        = "bad_tld"
	InputPublicSuffix  = "public_suffix"
	InputBadDomain     = "bad_domain"
)

// problem is why an input is not an address or a domain.
type problem struct{ code, reason, char string }

func (p problem) err(input string) *InputError {
	return &InputError{Input: input, Reason: p.reason, Code: p.code, Char: p.char}
}

var (
	probNotAddress = problem{code: InputNotAddress, reason: "is not an email address or a domain"}
	probBadDomain  = problem{code: InputBadDomain, reason: "does not have a valid domain after the @"}
	probIP         = problem{code: InputIPAddress, reason: "uses an IP address instead of a domain"}
	probBadTLD     = problem{code: InputBadTLD, reason: "does not end in a real top-level domain"}
	probShared     = problem{code: InputPublicSuffix, reason: "ends in a shared domain ending such as co.uk, not an organisation's own domain"}
)

func (e *InputError) Error() string {
	if e.Input == "" {
		return e.Reason
	}
	return fmt.Sprintf("%q %s", clip(e.Input, 60), e.Reason)
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

const maxInput = 512

// idnaProfile maps user input the way browsers do (case folding, width
// folding) and checks the result is a valid host name.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.StrictDomainName(true),
	idna.VerifyDNSLength(true),
)

// Parse turns what people paste into a Target: "Alex@Contoso.COM",
// "<mailto:a@b.com|a@b.com>", "\"Alex\" <alex@contoso.com>", "@contoso.com",
// "contoso.com", an address followed by punctuation, or an internationalised
// domain. Anything that is not an address or a domain is an *InputError.
func Parse(input string) (Target, error) {
	t := Target{Input: input}
	s := strings.TrimSpace(input)
	if s == "" {
		return t, &InputError{Reason: "is empty: give an email address like jane@contoso.com or a domain like contoso.com", Code: InputEmpty}
	}
	if len(s) > maxInput {
		return t, problem{code: InputTooLong, reason: "is too long to be an email address"}.err(input)
	}
	if !utf8.ValidString(s) {
		return t, problem{code: InputInvalidText, reason: "is not valid text"}.err(input)
	}
	s = unwrap(s)
	if s == "" {
		return t, probNotAddress.err(input)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return t, problem{code: InputSpaces, reason: "is not an email address or a domain (it contains spaces)"}.err(input)
	}

	at := strings.LastIndexByte(s, '@')
	var local, host string
	switch {
	case at < 0:
		host = s
	case at == 0:
		host = s[1:]
	default:
		local, host = s[:at], s[at+1:]
	}
	if at >= 0 && host == "" {
		return t, problem{code: InputNothingAfter, reason: "has nothing after the @"}.err(input)
	}
	if local != "" {
		if p := checkLocal(local); p.code != "" {
			return t, p.err(input)
		}
	}
	ascii, uni, p := normaliseDomain(host)
	if p.code != "" {
		if at < 0 && p == probBadDomain {
			p = probNotAddress
		}
		return t, p.err(input)
	}
	t.Domain = ascii
	if uni != ascii {
		t.DomainUnicode = uni
	}
	if local != "" {
		t.Local = strings.ToLower(local)
		t.Address = t.Local + "@" + t.Domain
	}
	return t, nil
}

// unwrap removes the packaging that chat platforms and mail clients put
// around an address.
func unwrap(s string) string {
	// Slack: <mailto:a@b.com|a@b.com>, <http://contoso.com|contoso.com>.
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") && !strings.Contains(s[1:len(s)-1], "<") {
		s = s[1 : len(s)-1]
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	// Display name: "Alex" <alex@contoso.com> or Alex Smith <alex@contoso.com>.
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	for _, p := range []string{"mailto:", "MAILTO:", "Mailto:", "https://", "http://"} {
		s = strings.TrimPrefix(s, p)
	}
	if i := strings.IndexByte(s, '?'); i >= 0 { // mailto:a@b.com?subject=…
		s = s[:i]
	}
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	return strings.TrimFunc(s, func(r rune) bool {
		return strings.ContainsRune("\"'`<>()[]{},;:!?.…“”‘’«»*_~", r)
	})
}

// atext holds the characters RFC 5322 allows unquoted in a local part.
const atext = "!#$%&'*+-/=?^_`{|}~"

func checkLocal(local string) problem {
	if len(local) > 64 {
		return problem{code: InputLocalTooLong, reason: "has more than 64 characters before the @"}
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return problem{code: InputLocalDot, reason: "has a misplaced dot before the @"}
	}
	if strings.Contains(local, "@") {
		return problem{code: InputTwoAt, reason: "has more than one @"}
	}
	for _, r := range local {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.':
		case r < utf8.RuneSelf && strings.ContainsRune(atext, r):
		case r >= utf8.RuneSelf:
			return problem{code: InputNonASCII, reason: "has non-ASCII characters before the @, which Microsoft sign-in names cannot have"}
		default:
			return problem{code: InputBadChar, reason: fmt.Sprintf("has a character (%q) that an email address cannot have", r), char: fmt.Sprintf("%q", r)}
		}
	}
	return problem{}
}

// normaliseDomain returns the ASCII and Unicode forms of host, or a reason it
// is not a domain people can have mail at.
func normaliseDomain(host string) (ascii, uni string, p problem) {
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return "", "", probNotAddress
	}
	if strings.HasPrefix(host, "[") {
		return "", "", probIP
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return "", "", probIP
	}
	a, ok := asciiHost(host)
	if !ok {
		var err error
		a, err = idnaProfile.ToASCII(host)
		if err != nil {
			return "", "", probBadDomain
		}
		a = strings.ToLower(a)
	}
	if len(a) > 253 {
		return "", "", problem{code: InputDomainTooLong, reason: "has a domain that is too long"}
	}
	if !strings.Contains(a, ".") {
		return "", "", problem{code: InputNoTLD, reason: "has no domain ending such as .com"}
	}
	if p := checkTLD(a); p.code != "" {
		return "", "", p
	}
	if !strings.Contains(a, "xn--") {
		return a, a, problem{}
	}
	u, err := idna.ToUnicode(a)
	if err != nil {
		return "", "", probBadDomain
	}
	return a, u, problem{}
}

// asciiHost is the fast path for the common case: a host of ASCII letters,
// digits, hyphens and dots with no punycode label. It returns the lowercased
// host and true when the host is valid in that form; false sends the host
// through the full IDNA processing.
func asciiHost(h string) (string, bool) {
	if len(h) > 253 || strings.Contains(h, "--") {
		return "", false // a punycode label in any case (xn--, xN--), or one like it
	}
	label := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			label++
		case 'A' <= c && c <= 'Z':
			label++
		case c == '-':
			if label == 0 || i+1 == len(h) || h[i+1] == '.' {
				return "", false
			}
			label++
		case c == '.':
			if label == 0 {
				return "", false
			}
			label = 0
		default:
			return "", false
		}
		if label > 63 {
			return "", false
		}
	}
	if label == 0 {
		return "", false
	}
	return strings.ToLower(h), true
}

// checkTLD rejects names whose last label is not a delegated top-level domain
// (contoso.local, localhost.localdomain) and names that are themselves a
// public suffix (co.uk); the zero problem for any other.
func checkTLD(domain string) problem {
	suffix, icann := publicsuffix.PublicSuffix(domain)
	if !icann && !strings.Contains(suffix, ".") {
		return probBadTLD
	}
	if suffix == domain {
		// A public suffix itself, such as "co.uk", or a name that a
		// wildcard rule makes one (*.sch.uk: school.county.sch.uk is a
		// school's, county.sch.uk a shared ending): no mail lives at
		// those.
		return probShared
	}
	return problem{}
}
