package helpdesk

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// maxText bounds how much of one message is read. A pasted log longer than
// this is cut; the start of a message is where people put their question.
const maxText = 20000

var (
	slackLink  = regexp.MustCompile(`<((?:[@#!]|mailto:|tel:|https?://)[^<>|]*)(?:\|([^<>]*))?>`)
	teamsAt    = regexp.MustCompile(`(?is)<at[^>]*>.*?</at>`)
	htmlAnchor = regexp.MustCompile(`(?is)<a\s[^>]*href\s*=\s*["']([^"']*)["'][^>]*>(.*?)</a>`)
	htmlBreak  = regexp.MustCompile(`(?i)<\s*(br|/p|p|/div|div|li|/li|ul|/ul|ol|/ol|tr|/tr)\b[^>]*>`)
	htmlTag    = regexp.MustCompile(`(?s)</?[a-zA-Z][^<>@]{0,500}>`)
	invisibles = strings.NewReplacer("\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "", "\u00a0", " ", "\u2060", "")
)

// Normalise turns platform markup into plain text: Slack's <@U123>,
// <mailto:…|…> and &amp; escapes; Teams' <at>…</at> mentions and HTML.
// Both are read whatever the platform: people paste Slack text into Teams
// and the command line, and the other way round.
func Normalise(platform, text string) string {
	if len(text) > maxText {
		text = text[:maxText]
		for !utf8.ValidString(text) && len(text) > 0 {
			text = text[:len(text)-1]
		}
	}
	text = strings.ToValidUTF8(text, " ")
	if strings.ContainsAny(text, "<&") {
		text = replaceSubmatches(slackLink, text, slackToken)
		if strings.IndexByte(text, '<') >= 0 { // every HTML expression starts with one
			text = teamsAt.ReplaceAllString(text, " ")
			text = replaceSubmatches(htmlAnchor, text, anchorText)
			text = htmlBreak.ReplaceAllString(text, "\n")
			text = htmlTag.ReplaceAllString(text, " ")
		}
		text = html.UnescapeString(text)
	}
	if !ascii(text) { // the invisibles are all beyond ASCII
		text = invisibles.Replace(text)
	}
	text = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
	return strings.TrimSpace(squeezeSpaces(text))
}

// squeezeSpaces turns each run of spaces and tabs into one space.
func squeezeSpaces(s string) string {
	if !strings.Contains(s, "  ") && !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// replaceSubmatches replaces each match of re in s with f of its submatches,
// matching once (ReplaceAllStringFunc would leave f to match again).
func replaceSubmatches(re *regexp.Regexp, s string, f func(m []string) string) string {
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, loc := range idx {
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(f(m))
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// slackToken renders one <…> token of Slack markup (its submatches) as
// plain text.
func slackToken(m []string) string {
	target, label := m[1], m[2]
	switch {
	case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "!"):
		return " " // user mentions and <!here>: not part of the question
	case strings.HasPrefix(target, "#"):
		if label != "" {
			return "#" + label
		}
		return " "
	case strings.HasPrefix(target, "mailto:"):
		return strings.TrimPrefix(target, "mailto:")
	}
	return linkText(target, label)
}

// anchorText renders an HTML link (its submatches) as plain text.
func anchorText(m []string) string {
	href, label := html.UnescapeString(m[1]), htmlTag.ReplaceAllString(m[2], "")
	if strings.HasPrefix(strings.ToLower(href), "mailto:") {
		return href[len("mailto:"):]
	}
	return linkText(href, html.UnescapeString(label))
}

// linkText keeps a link the person typed as a bare name (Slack and Teams turn
// "contoso.com" into a link labelled contoso.com) and otherwise the URL.
func linkText(target, label string) string {
	bare := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(target, "http://"), "https://"), "/")
	if label != "" && strings.EqualFold(bare, label) {
		return label
	}
	if label != "" && !strings.Contains(target, "://") {
		return label
	}
	return target
}

// Entities are the addresses and domains a message names.
type Entities struct {
	Emails  []string
	Domains []string
	// Targets holds the parsed emails then domains, for lookups.
	Targets []msaccount.Target
	// Invalid holds address-like words that are not addresses ("jane@"),
	// each with the reason, at most maxInvalid of them.
	Invalid []msaccount.Verdict
}

const maxInvalid = 5

// domainChar reports whether r can be part of a domain name.
func domainChar(r rune) bool {
	return r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// localChar reports whether r can be part of an unquoted local part.
func localChar(r rune) bool {
	return r < utf8.RuneSelf && (r == '.' || r == '\'' || strings.ContainsRune("!#$%&*+-/=?^_`{|}~", r) ||
		'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
}

// Extract finds the addresses and domains in plain text, lowercased,
// de-duplicated, in order of appearance. Domains are those written on their
// own, not the domains of the addresses, and never a URL's host or a
// Microsoft portal.
func Extract(text string) Entities {
	var e Entities
	seen := map[string]bool{}
	rs := []rune(text)
	used := make([]bool, len(rs))
	var domains []msaccount.Target

	for i, r := range rs {
		if r != '@' || used[i] {
			continue
		}
		start := i
		for start > 0 && localChar(rs[start-1]) {
			start--
		}
		end := i + 1
		for end < len(rs) && domainChar(rs[end]) {
			end++
		}
		if local := string(rs[start:i]); strings.ContainsRune(local, '=') || fieldValue(rs, start) || strings.Contains(local, "**") || guestUserName(local) {
			// upn=jane@contoso.com or "LoginHint: jane@contoso.com" in
			// a pasted log is a field of the log, j***@contoso.com an
			// address Microsoft masked, and jane_contoso.com#EXT#@… a
			// guest's user name in a directory: not addresses anyone
			// asks about.
			for x := start; x < domainEnd(rs, i); x++ {
				used[x] = true
			}
			continue
		}
		local := strings.TrimLeft(string(rs[start:i]), "'`./|")
		host := strings.TrimRight(string(rs[i+1:end]), ".-")
		if local == "" && host == "" {
			continue
		}
		if local == "" {
			continue // "@contoso.com": a domain, found below
		}
		for k := start; k < end; k++ {
			used[k] = true
		}
		raw := local + "@" + host
		t, err := msaccount.Parse(raw)
		if err != nil {
			if len(e.Invalid) < maxInvalid && !seen["x:"+raw] {
				seen["x:"+raw] = true
				e.Invalid = append(e.Invalid, msaccount.CheckOffline(raw))
			}
			continue
		}
		if seen[t.Key()] {
			continue
		}
		seen[t.Key()] = true
		e.Emails = append(e.Emails, t.Address)
		e.Targets = append(e.Targets, t)
	}

	// Domains: runs of domain characters, possibly after "@", not inside a
	// URL or a path, and not already part of an address.
	for i := 0; i < len(rs); {
		if used[i] || !domainChar(rs[i]) {
			i++
			continue
		}
		j, dot := i, false
		for j < len(rs) && !used[j] && domainChar(rs[j]) {
			dot = dot || rs[j] == '.'
			j++
		}
		if !dot {
			i = j // a word, not a domain
			continue
		}
		tok := strings.Trim(string(rs[i:j]), ".-")
		before := ""
		if i >= 3 {
			before = string(rs[i-3 : i])
		}
		after := rune(0)
		if j < len(rs) {
			after = rs[j]
		}
		prev := rune(0)
		if i > 0 {
			prev = rs[i-1]
		}
		at := i
		i = j
		if !strings.Contains(tok, ".") || before == "://" || after == '/' || after == '\\' || prev == '/' || prev == '\\' || prev == '.' || after == '@' {
			continue
		}
		if looksLikeFile(tok) || looksLikeCode(tok) || fieldValue(rs, at) || rs[at] == '.' {
			continue
		}
		t, err := msaccount.Parse(tok)
		if err != nil || !t.IsDomain() || isPortal(t.Domain) || seen[t.Key()] {
			continue
		}
		seen[t.Key()] = true
		e.Domains = append(e.Domains, t.Domain)
		domains = append(domains, t)
	}
	e.Targets = append(e.Targets, domains...)
	return e
}

// fileTLDs are top-level domains that are also common file extensions:
// "notes.md" is a file far more often than a domain in Moldova.
var fileTLDs = map[string]bool{"zip": true, "mov": true, "md": true, "py": true, "sh": true, "rs": true, "pl": true, "ps": true, "cs": true, "js": true, "ts": true, "msi": true, "log": true, "cab": true, "bat": true, "cmd": false}

// logKey matches the end of the text before a value that makes it a field
// of a pasted log or JSON: "LoginHint: ", "user_name=", "\"name\": \"",
// "User principal name: ", "identity provider '".
var logKey = regexp.MustCompile(`(?:\b[A-Za-z]+_[A-Za-z_]+|\b[a-z]+[A-Z][A-Za-z]*|\b[A-Z][a-z]+[A-Z][A-Za-z]*|(?i:\bupn|user principal name|login ?hint|user ?name|sign-?in name|user ?id|\bhint|identity provider|domain_hint|"[a-z_]+"))\s*[:=]?\s*["']?$`)

// fieldValue reports whether the text at rs[at] is the value of a log or
// JSON field, from what precedes it on its line.
func fieldValue(rs []rune, at int) bool {
	from := max(0, at-48)
	prefix := string(rs[from:at])
	if k := strings.LastIndexByte(prefix, '\n'); k >= 0 {
		prefix = prefix[k+1:]
	}
	if strings.TrimSpace(prefix) == "" || !mayEndInKey(prefix) {
		return false
	}
	return logKey.MatchString(prefix)
}

// mayEndInKey is a quick test that logKey needs: with the separators
// after a key taken off, the text ends in a quote, a word holding an
// underscore or a capital after its first letter, or one of the keys'
// last words. Most text before an address ("is ", "sign in with ") ends
// in none, and skips the expression, which tries every position
// (FuzzLogKeyNeeds checks that nothing logKey matches is skipped).
func mayEndInKey(prefix string) bool {
	key := strings.TrimRight(prefix, " \t\n\f\r\v:='\"")
	if strings.ContainsRune(prefix[len(key):], '"') {
		return true // "upn": "
	}
	i := len(key)
	for i > 0 && (isASCIILetter(key[i-1]) || key[i-1] == '_' || '0' <= key[i-1] && key[i-1] <= '9') {
		i--
	}
	word := key[i:]
	if strings.IndexByte(word, '_') >= 0 {
		return true
	}
	for j := 1; j < len(word); j++ {
		if 'A' <= word[j] && word[j] <= 'Z' {
			return true
		}
	}
	for _, end := range logKeyEnds {
		if len(word) >= len(end) && strings.EqualFold(word[len(word)-len(end):], end) {
			return true
		}
	}
	return false
}

// logKeyEnds are the last words of logKey's named keys.
var logKeyEnds = []string{"upn", "name", "hint", "id", "provider"}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// looksLikeCode reports names from code and logs written like domains:
// Teams.Network, Microsoft.Identity.Client. People write domains in lower
// case or capitalise only the first label (Contoso.com); a capitalised
// last label longer than a country code is a namespace.
func looksLikeCode(tok string) bool {
	i := strings.LastIndexByte(tok, '.')
	last := tok[i+1:]
	r, _ := utf8.DecodeRuneInString(last)
	return len(last) > 3 && unicode.IsUpper(r)
}

// domainEnd is the index after the domain that follows the @ at i.
func domainEnd(rs []rune, i int) int {
	e := i + 1
	for e < len(rs) && domainChar(rs[e]) {
		e++
	}
	return e
}

func looksLikeFile(tok string) bool {
	i := strings.LastIndexByte(tok, '.')
	return fileTLDs[strings.ToLower(tok[i+1:])]
}

// portalDomains are Microsoft's service and portal domains: a name under
// them (account.live.com, contoso.sharepoint.com, aka.ms/sspr) is a place
// to go, not a domain someone asks about.
var portalDomains = []string{
	"microsoft.com", "microsoftonline.com", "live.com", "office.com", "office365.com",
	"microsoft365.com", "aka.ms", "sharepoint.com", "windows.net", "azure.com",
	"cloud.microsoft", "onedrive.com", "skype.com", "xbox.com", "outlook.com",
	"microsoftonline.us", "windowsazure.com", "azure.net", "msauth.net", "bing.com",
	"azurewebsites.net", "cloudapp.net", "trafficmanager.net", "powerapps.com", "dynamics.com",
	"powerbi.com", "visualstudio.com", "azure-api.net",
}

// portalApexes are portal domains that are a place even on their own.
var portalApexes = map[string]bool{
	"aka.ms": true, "office.com": true, "office365.com": true, "microsoft365.com": true,
	"sharepoint.com": true, "windows.net": true, "azure.com": true, "cloud.microsoft": true,
	"onedrive.com": true, "microsoftonline.com": true, "microsoftonline.us": true,
}

func isPortal(domain string) bool {
	if portalApexes[domain] {
		return true
	}
	for _, p := range portalDomains {
		if strings.HasSuffix(domain, "."+p) {
			return true
		}
	}
	return false
}

// guestUserName reports whether s holds the #EXT# that marks a guest's
// user name in a directory (jane_contoso.com#EXT#@fabrikam.onmicrosoft.com),
// in any case, without copying s.
func guestUserName(s string) bool {
	for i := strings.IndexByte(s, '#'); i >= 0 && i+5 <= len(s); {
		if strings.EqualFold(s[i:i+5], "#ext#") {
			return true
		}
		j := strings.IndexByte(s[i+1:], '#')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}
