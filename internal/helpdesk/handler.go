package helpdesk

import (
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// Lookup gives verdicts; *msaccount.Client satisfies it.
type Lookup interface {
	Lookup(ctx context.Context, t msaccount.Target) msaccount.Verdict
}

// Organisation is the organisation the assistant serves: who belongs to it
// (whose questions may consult its directory) and its own facts, which fill
// the catalogue's placeholders. Zero values fall back to the catalogue's
// general words.
type Organisation struct {
	// TenantID is the organisation's Entra tenant: Teams messages from it
	// are the organisation's.
	TenantID string
	// Slack says Slack messages are the organisation's: true only when the
	// Slack adapter serves the organisation's own workspaces alone
	// (SLACK_ALLOWED_TEAMS).
	Slack bool
	// Name is the organisation's name ({org}).
	Name string
	// Domains are the organisation's own mail domains: a verdict about an
	// address or domain at one of them says so.
	Domains []string
	// Helpdesk is how people reach IT: a URL, an address or a channel
	// ({helpdesk}).
	Helpdesk string
	// SSPRURL is the self-service password reset page ({sspr_url}).
	SSPRURL string
}

// Includes reports whether the asker of m belongs to the organisation:
// Teams users of its tenant, Slack users when Slack is limited to its
// workspaces, and the command line, which is run by whoever holds the
// configuration.
func (o Organisation) Includes(m Message) bool {
	switch m.Platform {
	case PlatformTeams:
		return o.TenantID != "" && strings.EqualFold(m.TenantID, o.TenantID)
	case PlatformSlack:
		return o.Slack
	case PlatformCLI:
		return true
	}
	return false
}

// owns reports whether a verdict's address or domain is at one of the
// organisation's own domains (or a subdomain of one).
func (o Organisation) owns(v msaccount.Verdict) bool {
	d := strings.ToLower(v.Domain.Name)
	if d == "" || v.Error != "" {
		return false
	}
	for _, own := range o.Domains {
		own = strings.ToLower(own)
		if d == own || strings.HasSuffix(d, "."+own) {
			return true
		}
	}
	return false
}

// Directory is the organisation's own directory (Microsoft Graph) behind
// the verdicts.
type Directory interface {
	Lookup(ctx context.Context, t msaccount.Target) msaccount.Verdict
	// Self returns what the directory holds about the user with an object
	// ID (Found false when nothing), with User the name they sign in with.
	Self(ctx context.Context, objectID string) (msaccount.DirectoryFacts, error)
}

// Config configures a Handler. Zero values take the defaults noted.
type Config struct {
	// UserLookupsPerMinute bounds the online lookups one user may trigger per
	// minute (30). Past it, answers come from the offline rules.
	UserLookupsPerMinute int
	// LookupsPerMessage bounds the online lookups of one message (10).
	LookupsPerMessage int
	// Memory keeps conversations (an in-memory store).
	Memory Memory
	// Limiter enforces UserLookupsPerMinute (an in-memory limiter).
	Limiter Limiter
	// Catalogue is the knowledge (the built-in catalogue).
	Catalogue *Catalogue
	// Matcher ranks topics (BM25 over Catalogue).
	Matcher Matcher
	// Lang is the language used when neither the message, the platform nor
	// the conversation tells (en).
	Lang string
	// Directory, when set, gives the verdicts of people of the
	// organisation (see Organisation) instead of the lookup: the public
	// verdict and the organisation's own directory combined.
	// *msaccount.DirectoryLookup satisfies it.
	Directory Directory
	// Organisation is whom the assistant serves: whose questions may
	// consult Directory, and the facts that fill the catalogue's
	// placeholders.
	Organisation Organisation
	// Helpdesk receives hand-offs to a person; nil offers none (the
	// answers say how to reach IT).
	Helpdesk Helpdesk
	// Journal keeps counts and unanswered questions for the report; nil
	// keeps none.
	Journal Journal
	// Votes remembers votes and hand-offs so that each counts once (an
	// in-memory store when nil).
	Votes Seen
}

// Handler is the assistant. It is safe for concurrent use.
type Handler struct {
	lookup     Lookup
	dir        Directory
	offline    bool
	memory     Memory
	limiter    Limiter
	perMessage int
	cat        *Catalogue
	matcher    Matcher
	patterns   []pattern
	// followUps are the phrases of "why?", "how do I fix it?" and "tell
	// me more" in every language, with the action of each in
	// followUpKinds.
	followUps     phraseIndex
	followUpKinds []string
	// adminWords are the phrases (match.admin, every language) that say
	// the person asking is an admin or the helpdesk, asking for someone
	// else.
	adminWords phraseIndex
	// continues and fillers are the phrases a message opens with to
	// continue the last answer's subject ("and what about…"), and the
	// words that may come before them ("ok").
	continues, fillers phraseIndex
	// acks are the replies that only acknowledge the last answer ("ok",
	// "ugh fine"), whole messages.
	acks phraseIndex
	// asks are the openings of a question whether something is so ("is
	// …", "ist …"): a message opening so asks, rather than says, which
	// kind of account an address is.
	asks phraseIndex
	// supposes are the openings of a supposition ("what if…"), which
	// continues a subject without naming something new.
	supposes phraseIndex
	// addressWords name an address ("email", "adresse"), for a message
	// that only says what its addresses are.
	addressWords phraseIndex
	// kindWords are the words, besides "work" and "personal", that name a
	// kind of account (match.kind.work, match.kind.personal: "school");
	// serviceKinds the services only one kind has (match.service.personal:
	// "hotmail").
	kindWords, serviceKinds map[string]msaccount.Kind
	// thanks are the phrases that thank (match.thanks), buts those that
	// say a thanks asks more ("thanks, but…": match.but).
	thanks, buts phraseIndex
	// byes are the phrases that say goodbye (match.bye), wherever they
	// stand in a message.
	byes phraseIndex
	// worked and notWorked say a thanks follows a fix that worked ("that
	// worked, thanks") and that it didn't ("thanks anyway, still no luck")
	worked, notWorked phraseIndex
	// left says the person has left the organisation or school ("left my
	// job", "graduated": match.left).
	left phraseIndex
	// wheres ask where something is ("where is", "wo": match.where);
	// whereAlso are words that may go with asking ("exactly", "find":
	// match.where_also).
	wheres    phraseIndex
	whereAlso map[string]bool
	// aspects ask about one side of an answer, by key of Aspects ("how
	// long", "wie lange": match.how_long; "myself", "wer": match.who).
	aspects []aspectIndex
	// urgents say it's urgent (match.urgent), urgentAlso what may go with
	// them in a message that says only that ("really", "need it now").
	urgents, urgentAlso phraseIndex
	// wills say what the person will do next ("i'll ask IT": match.will).
	wills phraseIndex
	// tenantIDs ask for a tenant ID (match.tenant_id).
	tenantIDs phraseIndex
	// checks ask for the addresses a message names to be checked
	// (match.check): "ok check j.smith@… then".
	checks phraseIndex
	// ackEmoji are reactions that acknowledge an answer (match.ack_emoji).
	ackEmoji emojiSet
	// announces are the phrases that end a message announcing what comes
	// next ("and I get this"), errorWords those that speak of an error.
	// thises end a message before a colon that announces anything
	// ("me sale esto:"), thisErrors announce an error anywhere ("getting
	// this in our tenant").
	announces, errorWords, thises, thisErrors phraseIndex
	// negations are the words that deny the kind after them (match.not:
	// "nicht privat"), noes those that open a reply "no" (match.no).
	negations, noes map[string]bool
	family          map[string]string // topic → the general topic of its variants
	// replies is read right after an answer with replies, and built the
	// first time one is needed: a one-off question never waits for it.
	replies  func() *replies
	helpdesk Helpdesk
	journal  Journal
	votes    Seen
	langs    *langModel
	lang     string
	org      Organisation
	log      *slog.Logger
}

// builtin is the embedded catalogue and its ranking, built once.
var builtin = sync.OnceValues(func() (*Catalogue, error) { return BuiltinCatalogue() })

var builtinMatcher = sync.OnceValue(func() Matcher {
	c, err := builtin()
	if err != nil {
		panic(err) // embedded data: a defect caught by the catalogue tests
	}
	return NewBM25(c)
})

var builtinReplies = sync.OnceValue(func() *replies {
	c, err := builtin()
	if err != nil {
		panic(err) // as above
	}
	return newReplies(c)
})

var builtinLangs = sync.OnceValue(func() *langModel {
	c, err := builtin()
	if err != nil {
		panic(err) // embedded data: a defect caught by the catalogue tests
	}
	return newLangModel(c)
})

// New returns a Handler that asks lookup for verdicts.
func New(cfg Config, lookup Lookup, log *slog.Logger) *Handler {
	if cfg.UserLookupsPerMinute == 0 {
		cfg.UserLookupsPerMinute = 30
	}
	if cfg.LookupsPerMessage <= 0 {
		cfg.LookupsPerMessage = 10
	}
	if cfg.Memory == nil {
		cfg.Memory = NewMemoryStore(0, 0)
	}
	if cfg.Limiter == nil {
		cfg.Limiter = NewWindowLimiter(cfg.UserLookupsPerMinute)
	}
	var langs *langModel
	var reps func() *replies
	if cfg.Catalogue == nil {
		c, err := builtin()
		if err != nil {
			panic(err) // embedded data: a defect caught by the catalogue tests
		}
		cfg.Catalogue = c
		if cfg.Matcher == nil {
			cfg.Matcher = builtinMatcher()
		}
		langs, reps = builtinLangs(), builtinReplies
	} else {
		cat := cfg.Catalogue
		langs, reps = newLangModel(cat), sync.OnceValue(func() *replies { return newReplies(cat) })
	}
	if cfg.Matcher == nil {
		cfg.Matcher = NewBM25(cfg.Catalogue)
	}
	if !knownLang(cfg.Lang) {
		cfg.Lang = BaseLang
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{lookup: lookup, memory: cfg.Memory, limiter: cfg.Limiter, perMessage: cfg.LookupsPerMessage,
		cat: cfg.Catalogue, matcher: cfg.Matcher, lang: cfg.Lang, dir: cfg.Directory, org: cfg.Organisation, log: log.With("component", "helpdesk")}
	h.patterns = compilePatterns(cfg.Catalogue)
	followUps, kinds := compileFollowUps(cfg.Catalogue)
	h.followUps, h.followUpKinds = newPhraseIndex(followUps), kinds
	phrases := func(key string) phraseIndex { return newPhraseIndex(compilePhrases(cfg.Catalogue, key)) }
	h.adminWords = phrases("match.admin")
	h.continues, h.fillers, h.supposes = phrases("match.continue"), phrases("match.filler"), phrases("match.suppose")
	h.acks, h.asks, h.addressWords = phrases("match.ack"), phrases("match.asks"), phrases("match.address")
	h.kindWords = compileKindWords(cfg.Catalogue, "kind")
	h.serviceKinds = compileKindWords(cfg.Catalogue, "service")
	h.thanks, h.buts, h.byes = phrases("match.thanks"), phrases("match.but"), phrases("match.bye")
	h.worked, h.notWorked = phrases("match.worked"), phrases("match.not_worked")
	h.left, h.wheres = phrases("match.left"), phrases("match.where")
	h.whereAlso = wordSet(compilePhrases(cfg.Catalogue, "match.where_also"))
	for _, a := range Aspects {
		ai := aspectIndex{key: a, phrases: phrases("match." + a)}
		if also := wordSet(compilePhrases(cfg.Catalogue, "match."+a+"_also")); len(also) > 0 {
			ai.also = also
		}
		h.aspects = append(h.aspects, ai)
	}
	h.urgents, h.urgentAlso = phrases("match.urgent"), phrases("match.urgent_also")
	h.wills, h.tenantIDs, h.checks = phrases("match.will"), phrases("match.tenant_id"), phrases("match.check")
	h.ackEmoji = compileEmoji(cfg.Catalogue, "match.ack_emoji")
	h.announces, h.errorWords = phrases("match.announce"), phrases("match.error")
	h.thises, h.thisErrors = phrases("match.this"), phrases("match.this_error")
	h.negations, h.noes = wordSet(compilePhrases(cfg.Catalogue, "match.not")), wordSet(compilePhrases(cfg.Catalogue, "match.no"))
	h.family = families(cfg.Catalogue)
	h.replies = reps
	h.helpdesk, h.journal, h.votes = cfg.Helpdesk, cfg.Journal, cfg.Votes
	if h.votes == nil {
		h.votes = newLocalSeen()
	}
	h.langs = langs
	if o, ok := lookup.(interface{ Offline() bool }); ok {
		h.offline = o.Offline()
	}
	return h
}

func knownLang(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

// Respond answers one message. Expected situations (no address, a bad
// address, Microsoft unreachable, a limit reached, a question it does not
// understand) are replies; the error is for the assistant itself failing.
func (h *Handler) Respond(ctx context.Context, m Message) (Reply, error) {
	prev, hasPrev := h.memory.Load(ctx, m.Conversation)
	c := &turn{h: h, ctx: ctx, m: m, prev: prev, hasPrev: hasPrev, said: Normalise(m.Platform, m.Text)}
	c.w = words{cat: h.cat, lang: h.chooseLang(m, prev, hasPrev, ""), org: h.org, known: hasPrev && len(prev.Targets) > 0}
	if m.Action != "" {
		c.act(m.Action)
	} else {
		c.understand()
	}
	c.finish(c.said)
	r := c.r
	r.Lang = c.w.lang
	if r.Emails == nil {
		r.Emails = []string{}
	}
	if r.Domains == nil {
		r.Domains = []string{}
	}
	if r.Verdicts == nil {
		r.Verdicts = []msaccount.Verdict{}
	}
	r.Text = renderText(r, c.w)
	c.next.Lang = c.w.lang
	c.next.Kind = c.kindNext()
	switch {
	case c.adminAsks():
		c.next.Admin = m.User
	case hasPrev:
		c.next.Admin = prev.Admin // someone else in the thread doesn't end it
	default:
		c.next.Admin = ""
	}
	h.memory.Save(ctx, m.Conversation, c.next)
	h.log.Debug("answered", "platform", m.Platform, "intent", string(r.Intent), "topic", r.Topic, "targets", len(r.Verdicts))
	return r, nil
}

// lookupFor is the lookup for m's asker: with the organisation's directory
// for the organisation's own people, the public one for anyone else.
func (h *Handler) lookupFor(m Message) Lookup {
	if h.dir != nil && h.org.Includes(m) {
		return h.dir
	}
	return h.lookup
}

// chooseLang picks the reply's language: the one forced; for a button, the
// conversation's; else the message's own when it is clear (the
// conversation's when a short reply is a close call, closeCall), the
// platform's locale, the conversation's last language, and the configured
// fallback, in that order.
func (h *Handler) chooseLang(m Message, prev Turn, hasPrev bool, text string) string {
	if knownLang(m.Lang) {
		return m.Lang
	}
	if m.Action != "" && hasPrev && knownLang(prev.Lang) {
		return prev.Lang
	}
	probe, l, clear := text, "", false
	// A Microsoft sign-in error pasted in ("AADSTS50076: Due to a
	// configuration change…") is in English whatever language the person
	// speaks.
	rest := withoutPastedError(text)
	pasted := rest != text
	if pasted && strings.TrimSpace(rest) != "" {
		// "me sale esto: AADSTS50053: Your account is locked…": the
		// person's own words say their language, not Microsoft's message.
		if l, clear = h.langs.detect(rest); clear {
			probe = rest
		}
	}
	if !clear && text != "" {
		l, clear = h.langs.detect(text)
	}
	if clear {
		if hasPrev && knownLang(prev.Lang) && l != prev.Lang && h.langs.closeCall(probe, l) {
			return prev.Lang // a short reply too close to call: the conversation's language
		}
		if hasPrev && knownLang(prev.Lang) && l == BaseLang && prev.Lang != BaseLang && pasted {
			return prev.Lang // an English error message pasted into a conversation in German
		}
		return l
	}
	if l := localeLang(m.Locale); l != "" {
		return l
	}
	if hasPrev && knownLang(prev.Lang) {
		return prev.Lang
	}
	return h.lang
}

// errorCodeAt is the index in text of the first "AADSTS", in any case,
// followed by a digit, or -1.
func errorCodeAt(text string) int {
	const code = "aadsts"
	for i := 0; i+len(code) < len(text); i++ {
		j := 0
		for j < len(code) && text[i+j]|0x20 == code[j] {
			j++
		}
		if j == len(code) && text[i+j] >= '0' && text[i+j] <= '9' {
			return i
		}
	}
	return -1
}

// withoutPastedError is text without the Microsoft sign-in errors pasted
// into it: from each "AADSTS" followed by a digit to the end of its
// paragraph (the next blank line), where the message and its request and
// correlation IDs are; text itself when it holds none.
func withoutPastedError(text string) string {
	i := errorCodeAt(text)
	if i < 0 {
		return text // most messages: nothing to copy
	}
	var b strings.Builder
	for ; i >= 0; i = errorCodeAt(text) {
		b.WriteString(text[:i])
		end := paragraphEnd(text[i:])
		if end < 0 {
			return b.String()
		}
		text = text[i+end:]
	}
	b.WriteString(text)
	return b.String()
}

// paragraphEnd is the index in text of the line break that opens its
// first blank line (nothing but spaces, tabs or a carriage return), or -1.
func paragraphEnd(text string) int {
	for i := strings.IndexByte(text, '\n'); i >= 0; {
		j := strings.IndexByte(text[i+1:], '\n')
		line := text[i+1:]
		if j >= 0 {
			line = text[i+1 : i+1+j]
		}
		if strings.TrimSpace(line) == "" && j >= 0 {
			return i
		}
		if j < 0 {
			return -1
		}
		i += 1 + j
	}
	return -1
}

// localeLang is the supported language of a locale such as de-DE, or "".
func localeLang(locale string) string {
	l, _, _ := strings.Cut(strings.ToLower(locale), "-")
	l, _, _ = strings.Cut(l, "_")
	if knownLang(l) {
		return l
	}
	return ""
}

// families maps each topic that is a variant of a more general one, and the
// general one itself, to the general topic: the one with the most
// variants, and between as many, one from the variant's own file
// (password.reset_work is a variant of the password reset and of the
// AADSTS50126 error; its general question is the reset).
func families(c *Catalogue) map[string]string {
	out := map[string]string{}
	for _, id := range c.IDs {
		t := c.Topics[id]
		if len(t.Variants) == 0 {
			continue
		}
		for _, v := range append([]string{id}, variantTargets(t)...) {
			p := out[v]
			if p == "" || len(c.Topics[p].Variants) < len(t.Variants) ||
				len(c.Topics[p].Variants) == len(t.Variants) && !sameFile(c.Topics[p], c.Topics[v]) && sameFile(t, c.Topics[v]) {
				out[v] = id
			}
		}
	}
	return out
}

// sameFile reports whether two topics are defined in the same catalogue
// file.
func sameFile(a, b *Topic) bool {
	fa, _, _ := strings.Cut(a.Source, ":")
	fb, _, _ := strings.Cut(b.Source, ":")
	return fa == fb
}

func variantTargets(t *Topic) []string {
	var out []string
	for k, v := range t.Variants {
		if k != "lookalike" {
			out = append(out, v)
		}
	}
	return out
}
