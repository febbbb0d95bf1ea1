package helpdesk

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// words composes the reply's text in one language from the catalogue. It
// is the only place that turns catalogue text into Rich: placeholders are
// filled, **emphasis** becomes Strong spans, and outside text (addresses,
// brands, the person's words) goes in as Quoted spans, never as markup.
type words struct {
	cat  *Catalogue
	lang string
	org  Organisation
	// known says the conversation has an address already: the text of an
	// {ask:…} segment, which asks for one, is left out.
	known bool
}

// arg is a value for a {placeholder}.
type arg struct {
	name string
	span Span
}

func plainArg(name, value string) arg { return arg{name, Span{Text: value}} }

// quotedArg is outside text: cleaned of control characters, cut to a
// sensible length, and marked Quoted for the renderers.
func quotedArg(name, value string) arg {
	return arg{name, Span{Text: cleanOutside(value), Quoted: true}}
}

// brandArg is a tenant's brand name, which whoever owns the tenant chooses:
// outside text, with anything that looks like a web address defanged
// (hxxps://evil[.]example) so that no renderer or client shows it as a
// link under the assistant's name.
func brandArg(brand string) arg {
	a := quotedArg("brand", brand)
	a.span.Text = defang(a.span.Text)
	return a
}

// defang breaks web addresses in outside text: "://" and the dots of a
// host after it, and the dots of "www." names.
func defang(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(strings.ToLower(s), "www.") && !strings.Contains(s, ".") {
		return s
	}
	fields := strings.Fields(s)
	for i, f := range fields {
		lf := strings.ToLower(f)
		if strings.Contains(lf, "://") || strings.HasPrefix(lf, "www.") || hostLike(lf) {
			f = strings.ReplaceAll(f, "://", "[:]//")
			f = strings.ReplaceAll(f, ".", "[.]")
			fields[i] = f
		}
	}
	return strings.Join(fields, " ")
}

// hostLike reports a word shaped like a host name (evil.example,
// login.contoso-support.com), not a sentence's full stop or "Ltd.".
func hostLike(w string) bool {
	w = strings.Trim(w, "()[]<>\"',;:!?")
	i := strings.LastIndexByte(w, '.')
	if i <= 0 || i == len(w)-1 {
		return false
	}
	for _, r := range w[i+1:] {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return len(w)-i-1 >= 2
}

// maxOutside bounds one piece of outside text in a reply.
const maxOutside = 120

// cleanOutside removes control and format characters (line breaks, bidi
// overrides) from outside text and bounds its length.
func cleanOutside(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxOutside {
		s = string(r[:maxOutside-1]) + "…"
	}
	return s
}

// text is a topic's words in the reply's language, else in the base
// language.
func (w words) text(id string) *TopicText {
	t := w.cat.Topics[id]
	if t == nil {
		return &TopicText{}
	}
	if tt := t.Text[w.lang]; tt != nil && tt.Answer != "" {
		return tt
	}
	return t.Text[BaseLang]
}

// phraseText is a phrase as plain text, for labels.
func (w words) phraseText(key string, args ...arg) string {
	return w.phrase(key, args...).String()
}

// phrase is the catalogue's phrase for key, filled.
func (w words) phrase(key string, args ...arg) Rich {
	s, ok := w.cat.Phrases[w.lang][key]
	if !ok {
		s, ok = w.cat.Phrases[BaseLang][key]
	}
	if !ok {
		s = key
	}
	return w.rich(s, args...)
}

// has reports whether the catalogue has a phrase for key.
func (w words) has(key string) bool {
	_, ok := w.cat.Phrases[BaseLang][key]
	return ok
}

func (w words) list(items []string) []Rich {
	if len(items) == 0 {
		return nil
	}
	out := make([]Rich, 0, len(items))
	for _, s := range items {
		if r := w.rich(s); len(r) > 0 {
			out = append(out, r) // an item that was only an {ask:…} goes
		}
	}
	return out
}

// askPrefix opens a segment of catalogue text that asks for an address,
// "{ask:Send me the address.}", left out when the conversation has one.
const askPrefix = "ask:"

// placeholders are the organisation's placeholders any catalogue text may
// use. {org_dat} is the organisation after a preposition that takes the
// dative ("bei Ihrer Organisation"): its default is the phrase
// default.org_dat where a language has one, else default.org.
var placeholders = []string{"{org}", "{org_dat}", "{helpdesk}", "{sspr_url}"}

// orgValue fills an organisation placeholder.
func (w words) orgValue(name string) string {
	var v string
	switch name {
	case "org", "org_dat":
		v = w.org.Name
	case "helpdesk":
		v = w.org.Helpdesk
	case "sspr_url":
		v = w.org.SSPRURL
	}
	if v != "" {
		return v
	}
	s, ok := w.cat.Phrases[w.lang]["default."+name]
	if !ok && name == "org_dat" {
		return w.orgValue("org") // a language whose case doesn't change it
	}
	if !ok {
		s = w.cat.Phrases[BaseLang]["default."+name]
	}
	return s
}

// rich turns catalogue text into spans: "**" toggles emphasis and
// {name} is replaced by its argument or the organisation's value.
func (w words) rich(s string, args ...arg) Rich {
	if s == "" {
		return nil
	}
	if !strings.ContainsAny(s, "*{") {
		return Rich{{Text: s}} // no emphasis, nothing to fill
	}
	out := make(Rich, 0, 2+len(args))
	strong := false
	// The text since the last span is spliced followed by s[start:i]:
	// spliced holds what came before an organisation's value filled in,
	// so that most spans are pieces of s rather than copies.
	var spliced []byte
	start := 0
	pending := func(end int) string {
		if spliced == nil {
			return s[start:end]
		}
		return string(spliced) + s[start:end]
	}
	flush := func(end int) {
		if t := pending(end); t != "" {
			out = append(out, Span{Text: t, Strong: strong})
		}
		spliced = nil
	}
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "**"):
			flush(i)
			strong = !strong
			i++
			start = i + 1
		case s[i] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				continue // a brace, as text
			}
			name := s[i+1 : i+end]
			if text, ok := strings.CutPrefix(name, askPrefix); ok {
				// "{ask:Send me the address.}": the request, unless the
				// conversation has an address (and then the space before it
				// goes too).
				if w.known {
					spliced = append(spliced, strings.TrimRight(s[start:i], " ")...)
				} else {
					spliced = append(append(spliced, s[start:i]...), text...)
				}
				i += end
				start = i + 1
				continue
			}
			found := false
			for _, a := range args {
				if a.name == name {
					flush(i)
					sp := a.span
					sp.Strong = sp.Strong || strong
					if sp.Text != "" {
						out = append(out, sp)
					}
					found = true
					break
				}
			}
			if !found {
				v := w.orgValue(name)
				if sentenceStart(out, pending(i)) {
					v = capitalise(v)
				}
				spliced = append(append(spliced, s[start:i]...), v...)
			}
			i += end
			start = i + 1
		default:
			// Up to the next character that may start something.
			j := strings.IndexAny(s[i+1:], "*{")
			if j < 0 {
				j = len(s) - i - 1
			}
			i += j
		}
	}
	flush(len(s))
	return out
}

// number formats n for the reply's language.
func (w words) number(n int) string {
	s := strconv.Itoa(n)
	if n < 10000 {
		return s
	}
	sep := w.phraseText("number.thousands")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// verdictLine says in one sentence what a verdict found.
func (w words) verdictLine(v msaccount.Verdict) Rich {
	if v.Error != "" {
		return w.phrase("invalid", quotedArg("name", v.Input), plainArg("error", w.phraseText("input."+v.ErrorCode, quotedArg("char", v.ErrorChar))))
	}
	name := targetName(v)
	if v.Domain.Unicode != "" {
		name += " (" + v.Domain.Unicode + ")"
	}
	args := []arg{quotedArg("name", name), brandArg(v.Domain.Brand)}
	if v.Address == "" {
		key := "domain." + string(v.Domain.Type)
		if v.Domain.Brand != "" && w.has(key+"_brand") {
			key += "_brand"
		}
		return w.phrase(key, args...)
	}
	key := "verdict." + string(v.Kind)
	if v.Kind == msaccount.KindUnknown {
		switch {
		case v.Personal == msaccount.Yes:
			key = "verdict.personal_maybe_work"
		case v.Work == msaccount.Yes:
			key = "verdict.work_maybe_personal"
		case consumerOnly(v):
			key = "verdict.consumer" // outlook.com: personal if it exists
		case v.Work == msaccount.No:
			key = "verdict.not_work"
		case v.Personal == msaccount.No && allEvidence([]msaccount.Verdict{v}, msaccount.CodeRulesInitialDomain):
			key = "verdict.initial_domain" // name@x.onmicrosoft.com: work if it exists
		case v.Personal == msaccount.No:
			key = "verdict.not_personal"
		}
	}
	if lookalike(v.Domain.Name) {
		key = "verdict.lookalike"
	}
	return w.phrase(key, args...)
}

// directory says what the organisation's directory holds about the
// address: only what the helpdesk needs (member or guest, where a guest
// signs in, disabled, invitation pending), never other profile data.
func (w words) directory(v msaccount.Verdict) Rich {
	d := v.Directory
	switch {
	case d == nil:
		return nil
	case !d.Found:
		for _, e := range v.Evidence {
			if e.Code == msaccount.CodeDirectoryNotFound && e.Args["owned"] == "true" {
				return w.phrase("directory.not_found")
			}
		}
		return nil
	}
	var out Rich
	if d.UserType == "Guest" {
		out = w.phrase("directory.guest", plainArg("home", w.home(d.Home)))
		if d.Invitation == "PendingAcceptance" {
			out = append(append(out, Span{Text: " "}), w.phrase("directory.pending")...)
		}
	} else {
		out = w.phrase("directory.member")
	}
	if !d.Enabled {
		out = append(append(out, Span{Text: " "}), w.phrase("directory.disabled")...)
	}
	return out
}

// home words where a guest signs in.
func (w words) home(h string) string {
	if h == "" {
		h = "unknown"
	}
	return w.phraseText("home." + h)
}

// why says what each fact behind a verdict was, with the tenant's details
// that the first answer leaves out.
func (w words) why(v msaccount.Verdict, named bool) []Rich {
	var out []Rich
	for _, e := range v.Evidence {
		r := w.evidence(e, v)
		if named {
			r = append(Rich{{Text: targetName(v), Quoted: true}, {Text: ": "}}, r...)
		}
		out = append(out, r)
	}
	if v.Domain.TenantID != "" {
		out = append(out, w.phrase("why.tenant", brandArg(orDash(v.Domain.Brand)), quotedArg("tenant", v.Domain.TenantID), quotedArg("region", orDash(v.Domain.Region))))
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// evidence words one fact: from its code where the catalogue has words for
// it, else the engine's own sentence.
func (w words) evidence(e msaccount.Evidence, v msaccount.Verdict) Rich {
	args := []arg{quotedArg("domain", v.Domain.Name)}
	for k, val := range e.Args {
		args = append(args, quotedArg(k, val))
	}
	for _, key := range []string{"evidence." + e.Code + "." + e.Args["reason"], "evidence." + e.Code} {
		if e.Code != "" && w.has(key) {
			return w.phrase(key, args...)
		}
	}
	return Rich{{Text: e.Detail}}
}

// facts are what a verdict's evidence says about how it was reached.
type facts struct {
	offline   bool // answered from the built-in rules by configuration
	failed    bool // Microsoft failed or took too long
	throttled bool // Microsoft asked for fewer lookups
}

func factsOf(v msaccount.Verdict, offline bool) facts {
	f := facts{offline: offline}
	for _, e := range v.Evidence {
		switch {
		case e.Source == "directory":
			// The organisation's directory failing leaves the public
			// verdict as it was; its own line says so.
		case e.Code == msaccount.CodeLookupOfflineMode:
			f.offline = true
		case e.Code == msaccount.CodeLookupThrottledPause, e.Code == msaccount.CodeRealmPersonalThrottled,
			e.Args["reason"] == msaccount.ReasonThrottled:
			f.throttled = true
		case e.Code == msaccount.CodeLookupFailed, e.Code == msaccount.CodeLookupBudgetExceeded, e.Code == msaccount.CodeLookupCancelled:
			f.failed = true
		}
	}
	return f
}

// lookalike reports whether domain imitates one of Microsoft's consumer
// mail domains (outlook.com.example-login.io, hotmail-com.net) without
// being one.
func lookalike(domain string) bool {
	if domain == "" || msaccount.IsConsumerDomain(domain) {
		return false
	}
	for _, p := range lookalikePrefixes {
		if strings.HasPrefix(domain, p) {
			return true
		}
	}
	for _, p := range lookalikeInfixes {
		if strings.Contains(domain, p) {
			return true
		}
	}
	return false
}

// lookalikeBases are the domains phishing imitates most.
var lookalikeBases = []string{"outlook.com", "hotmail.com", "live.com", "msn.com", "microsoft.com", "microsoftonline.com", "office.com", "office365.com", "passport.com"}

// lookalikePrefixes and lookalikeInfixes are how a lookalike carries a base
// domain: outlook.com.example, outlook.com-example, outlook-com.example, or
// the same inside (login.outlook.com.example).
var lookalikePrefixes, lookalikeInfixes = func() (pre, in []string) {
	for _, c := range lookalikeBases {
		dashed := strings.Replace(c, ".", "-", 1)
		pre = append(pre, c+".", c+"-", dashed+".")
		in = append(in, "."+c+".", "."+dashed+".")
	}
	return pre, in
}()

func lookalikeAny(vs []msaccount.Verdict) bool {
	for _, v := range vs {
		if lookalike(v.Domain.Name) {
			return true
		}
	}
	return false
}

// sentenceStart reports whether text written next starts a sentence: at the
// very start, or after a full stop, question or exclamation mark.
func sentenceStart(done Rich, pending string) bool {
	last := pending
	if last == "" && len(done) > 0 {
		last = done[len(done)-1].Text
	}
	last = strings.TrimRight(last, " ")
	return last == "" && len(done) == 0 && pending == "" || strings.HasSuffix(last, ".") || strings.HasSuffix(last, "?") || strings.HasSuffix(last, "!")
}

// capitalise upper-cases the first letter of s.
func capitalise(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}
