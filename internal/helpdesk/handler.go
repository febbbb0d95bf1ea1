package helpdesk

import (
	"context"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// Lookup gives verdicts; *msaccount.Client satisfies it.
type Lookup interface {
	Lookup(ctx context.Context, t msaccount.Target) msaccount.Verdict
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
	// Directory, when set, gives the verdicts of people of the
	// organisation (see Organisation) instead of the lookup: the public
	// verdict and the organisation's own directory combined.
	// *msaccount.DirectoryLookup satisfies it.
	Directory Directory
	// Organisation says whose questions may consult Directory.
	Organisation Organisation
}

// Directory is the organisation's own directory (Microsoft Graph) behind
// the verdicts.
type Directory interface {
	Lookup(ctx context.Context, t msaccount.Target) msaccount.Verdict
	// Self returns what the directory holds about the user with an object
	// ID (Found false when nothing), with User the name they sign in with.
	Self(ctx context.Context, objectID string) (msaccount.DirectoryFacts, error)
}

// Organisation says who belongs to the organisation whose directory the
// assistant consults. The directory answers only for them: it is theirs.
type Organisation struct {
	// TenantID is the organisation's Entra tenant: Teams messages from it
	// are the organisation's.
	TenantID string
	// Slack says Slack messages are the organisation's: true only when the
	// Slack adapter serves the organisation's own workspaces alone
	// (SLACK_ALLOWED_TEAMS).
	Slack bool
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

// Handler is the assistant. It is safe for concurrent use.
type Handler struct {
	lookup     Lookup
	dir        Directory
	org        Organisation
	memory     Memory
	limiter    Limiter
	perMessage int
	log        *slog.Logger
}

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
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{lookup: lookup, dir: cfg.Directory, org: cfg.Organisation, memory: cfg.Memory, limiter: cfg.Limiter, perMessage: cfg.LookupsPerMessage, log: log.With("component", "helpdesk")}
}

// ConsumerTenantID is the Entra tenant of personal Microsoft accounts.
const ConsumerTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// followUp is how a message relates to the previous turn.
type followUp int

const (
	fresh followUp = iota
	askWhy
	askFix
	askMore
)

// Respond answers one message. Expected situations (no address, a bad
// address, Microsoft unreachable, a limit reached) are replies; the error is
// for the assistant itself failing.
func (h *Handler) Respond(ctx context.Context, m Message) (Reply, error) {
	text := Normalise(m.Platform, m.Text)
	ents := Extract(text)
	words := tokens(fold(text))
	correct(words)
	n := len(ents.Emails) + len(ents.Domains)

	prev, hasPrev := h.memory.Load(ctx, m.Conversation)
	kind := fresh
	if n == 0 && len(words) <= 6 {
		kind = detectFollowUp(words)
	}
	intent := classifyIntent(words, n)
	if n == 0 && len(ents.Invalid) == 0 && len(words) == 0 {
		intent = Help // an empty slash command, or only punctuation
	}
	badOnly := n == 0 && len(ents.Invalid) > 0 && (intent == Classify || intent == OutOfScope)
	if badOnly {
		intent = Classify
	}
	switch {
	case kind != fresh && hasPrev:
		intent = prev.Intent
	case kind != fresh:
		kind = fresh
	case n > 0 && hasPrev && prev.Pending != "" && (intent == Classify || len(words) <= 4):
		intent = prev.Pending
	case n > 0 && hasPrev && intent == Classify && len(words) <= 6 && startsFollowUp(words) && prev.Intent != OutOfScope:
		intent = prev.Intent
	}

	if intent == OutOfScope {
		ents.Targets = nil
	}
	r := Reply{Intent: intent, Emails: nonNil(ents.Emails), Domains: nonNil(ents.Domains), Verdicts: []msaccount.Verdict{}}
	next := Turn{Intent: intent}

	switch {
	case kind == askWhy:
		h.explainWhy(ctx, m, prev, &r)
		next = prev
	case kind == askFix:
		h.explainFix(ctx, m, prev, &r)
		next = prev
	case kind == askMore:
		t := topic(prev.Topic)
		if prev.Topic == "" {
			t = topic("help")
		}
		r.Headline, r.Summary, r.Details, r.Steps = t.Headline, t.Short, t.More, t.Steps
		r.Suggestions = t.Suggestions
		next = prev
	case badOnly:
		t := topic("ask_address")
		r.Headline = phrase("invalid.headline")
		for _, v := range ents.Invalid {
			r.Lines = append(r.Lines, verdictLine(v))
		}
		r.Steps = t.Steps
		next = Turn{Intent: Classify, Topic: "ask_address", Pending: Classify}
	case n > 0 && intent != OutOfScope:
		// Off-topic requests that name addresses (asking for a company's
		// staff list, say) get no lookups at all.
		next = h.answerWithVerdicts(ctx, m, ents, &r)
	default:
		next = h.answerTopic(ctx, m, words, &r)
	}
	r.Text = renderText(r)
	h.memory.Save(ctx, m.Conversation, next)
	h.log.Debug("answered", "platform", m.Platform, "intent", string(r.Intent), "targets", n)
	return r, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// The words that turn a short message into a follow-up, after folding and
// spelling correction.
var (
	whyWords  = map[string]bool{"why": true, "how come": true, "porque": true, "por que": true, "pourquoi": true, "warum": true, "waarom": true, "perche": true, "reason": true, "evidence": true, "sure": true, "how do you know": true}
	fixWords  = map[string]bool{"fix": true, "solve": true, "resolve": true, "next": true, "now what": true, "what now": true, "what should i do": true, "what do i do": true, "steps": true, "solucionar": true, "reparer": true, "beheben": true, "oplossen": true, "resolver": true, "risolvere": true}
	moreWords = map[string]bool{"more": true, "details": true, "detail": true, "elaborate": true, "explain more": true, "mas": true, "plus": true, "mehr": true, "meer": true, "mais": true, "di piu": true}
)

func detectFollowUp(words []string) followUp {
	joined := strings.Join(words, " ")
	for _, table := range []struct {
		set  map[string]bool
		kind followUp
	}{{fixWords, askFix}, {whyWords, askWhy}, {moreWords, askMore}} {
		for w := range table.set {
			if containsPhrase(joined, w) {
				return table.kind
			}
		}
	}
	return fresh
}

func containsPhrase(s, p string) bool {
	s = " " + s + " "
	return strings.Contains(s, " "+p+" ")
}

// startsFollowUp reports whether a short message continues the previous one
// ("and bob@fabrikam.com?", "what about contoso.com").
func startsFollowUp(words []string) bool {
	if len(words) == 0 {
		return true
	}
	switch words[0] {
	case "and", "also", "what", "how", "y", "et", "und", "en", "e", "plus", "same":
		return true
	}
	return false
}

// answerWithVerdicts checks the addresses and domains and composes the
// answer for the intent.
func (h *Handler) answerWithVerdicts(ctx context.Context, m Message, ents Entities, r *Reply) Turn {
	verdicts, limited := h.check(ctx, m, ents.Targets)
	r.Verdicts = verdicts
	targets := make([]string, 0, len(verdicts))
	for _, v := range verdicts {
		targets = append(targets, targetName(v))
		r.Lines = append(r.Lines, verdictLine(v))
	}
	if limited > 0 {
		r.Notice = phrase("limit.notice", "n", strconv.Itoa(limited))
	}
	next := Turn{Intent: r.Intent, Targets: targets}
	key := kindTopic(verdicts)
	if r.Intent == Classify || r.Intent == Greeting || r.Intent == Help {
		t := topic(key)
		if len(verdicts) == 1 {
			r.Headline = t.Headline
			if v := verdicts[0]; v.Address == "" || v.Error != "" || (v.Kind == msaccount.KindUnknown && leaning(v) != msaccount.KindUnknown) {
				// The verdict line says it exactly; a kind's headline would
				// overstate a partial answer.
				r.Headline = r.Lines[0]
				r.Lines = nil
			}
			r.Summary = ""
			if v := verdicts[0]; v.Error == "" {
				r.Details = []string{whyLine(v)}
			}
		} else {
			r.Headline = phrase("multi.headline", "n", strconv.Itoa(len(verdicts)))
			r.Summary = phrase("multi.summary")
		}
		if key != "next_unknown" || len(verdicts) == 1 {
			r.Steps = t.Steps
		}
		r.Suggestions = withFollowUps(t.Suggestions)
		next.Topic = key
		if r.Intent != Classify {
			r.Intent = Classify
			next.Intent = Classify
		}
		return next
	}
	// A topic question about an address: the topic's answer, fitted to what
	// the address is where the knowledge base has a fitted version.
	tk := string(r.Intent)
	if r.Intent == PasswordReset {
		switch key {
		case "next_personal":
			tk = "password_reset_personal"
		case "next_work", "next_both":
			tk = "password_reset_work"
		}
	}
	t := topic(tk)
	r.Headline, r.Summary, r.Steps = t.Headline, t.Short, t.Steps
	r.Suggestions = withFollowUps(t.Suggestions)
	next.Topic = tk
	return next
}

// check looks the targets up, online within the user's limits and offline
// past them; it returns the verdicts and how many were answered offline
// because of a limit.
func (h *Handler) check(ctx context.Context, m Message, targets []msaccount.Target) ([]msaccount.Verdict, int) {
	online := min(len(targets), h.perMessage)
	if o, ok := h.lookup.(interface{ Offline() bool }); ok && o.Offline() {
		online = len(targets) // offline lookups cost Microsoft nothing: no limit applies
	} else if online > 0 {
		user := m.Platform + ":" + m.User
		online = h.limiter.Take(ctx, user, online)
	}
	lookup := h.lookupFor(m)
	out := make([]msaccount.Verdict, len(targets))
	if online == 1 && len(targets) == 1 {
		out[0] = lookup.Lookup(ctx, targets[0]) // the common case: no goroutine needed
		return out, 0
	}
	type res struct {
		i int
		v msaccount.Verdict
	}
	ch := make(chan res, online)
	for i := range online {
		go func() { ch <- res{i, lookup.Lookup(ctx, targets[i])} }()
	}
	for i := online; i < len(targets); i++ {
		out[i] = msaccount.Offline(targets[i])
	}
	for range online {
		x := <-ch
		out[x.i] = x.v
	}
	return out, len(targets) - online
}

// lookupFor is the lookup for m's asker: with the organisation's directory
// for the organisation's own people, the public one for anyone else.
func (h *Handler) lookupFor(m Message) Lookup {
	if h.dir != nil && h.org.Includes(m) {
		return h.dir
	}
	return h.lookup
}

// selfLine says which account a Teams user of the organisation is using,
// from the directory (one online lookup of their allowance); "" when the
// directory cannot tell.
func (h *Handler) selfLine(ctx context.Context, m Message) string {
	if h.dir == nil || m.Platform != PlatformTeams || m.UserObjectID == "" || !h.org.Includes(m) {
		return ""
	}
	if h.limiter.Take(ctx, m.Platform+":"+m.User, 1) == 0 {
		return ""
	}
	f, err := h.dir.Self(ctx, m.UserObjectID)
	if err != nil {
		h.log.Debug("directory: no answer about the asker", "error", err.Error())
		return ""
	}
	switch {
	case !f.Found:
		return ""
	case f.UserType == "Guest":
		home := f.Home
		if home == "" {
			home = "unknown"
		}
		return phrase("self.guest", "name", f.User, "home", phrase("home."+home))
	}
	return phrase("self.member", "name", f.User)
}

// kindTopic picks the knowledge entry with the next steps that fit the
// verdicts: the most pressing kind among them.
func kindTopic(vs []msaccount.Verdict) string {
	rank := map[msaccount.Kind]int{msaccount.KindBoth: 5, msaccount.KindUnknown: 4, msaccount.KindWork: 3, msaccount.KindPersonal: 2, msaccount.KindNone: 1}
	best := msaccount.KindUnknown
	bestRank := 0
	for _, v := range vs {
		k := v.Kind
		if k == msaccount.KindUnknown && v.Address != "" {
			k = leaning(v)
		}
		if v.Address == "" && v.Error == "" {
			switch v.Domain.Type {
			case msaccount.Managed, msaccount.Federated, msaccount.Unmanaged:
				k = msaccount.KindWork
			case msaccount.Consumer, msaccount.NoTenant:
				k = msaccount.KindPersonal
			}
		}
		if rank[k] > bestRank {
			best, bestRank = k, rank[k]
		}
	}
	return "next_" + string(best)
}

// leaning is the kind a partly settled verdict points to: a settled "yes"
// names its kind, a settled "no" points to the other one.
func leaning(v msaccount.Verdict) msaccount.Kind {
	switch {
	case v.Personal == msaccount.Yes:
		return msaccount.KindPersonal
	case v.Work == msaccount.Yes:
		return msaccount.KindWork
	case v.Work == msaccount.No:
		return msaccount.KindPersonal
	case v.Personal == msaccount.No:
		return msaccount.KindWork
	}
	return msaccount.KindUnknown
}

// withFollowUps adds the "why?" and "how do I fix it?" buttons that apply to
// any verdict answer, keeping at most five suggestions.
func withFollowUps(s []Suggestion) []Suggestion {
	out := []Suggestion{{phrase("label.why"), phrase("text.why")}}
	out = append(out, s...)
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

func targetName(v msaccount.Verdict) string {
	if v.Address != "" {
		return v.Address
	}
	if v.Domain.Name != "" {
		return v.Domain.Name
	}
	return v.Input
}

// verdictLine says in one sentence what a verdict found.
func verdictLine(v msaccount.Verdict) string {
	name := targetName(v)
	if v.Error != "" {
		return phrase("invalid", "name", v.Input, "error", errorReason(v))
	}
	brand := ""
	if v.Domain.Brand != "" {
		brand = " (" + v.Domain.Brand + ")"
	}
	if v.Domain.Unicode != "" {
		name += " (" + v.Domain.Unicode + ")"
	}
	var s string
	if v.Address == "" {
		s = phrase("domain."+string(v.Domain.Type), "name", name, "brand", brand)
	} else {
		key := "verdict." + string(v.Kind)
		if v.Kind == msaccount.KindUnknown {
			switch {
			case v.Personal == msaccount.Yes:
				key = "verdict.personal_maybe_work"
			case v.Work == msaccount.Yes:
				key = "verdict.work_maybe_personal"
			case v.Work == msaccount.No:
				key = "verdict.not_work"
			case v.Personal == msaccount.No:
				key = "verdict.not_personal"
			}
		}
		s = phrase(key, "name", name, "brand", brand)
	}
	s += ". " + phrase("certainty."+string(v.Certainty))
	if d := directoryLine(v); d != "" {
		s += " " + d
	}
	return s
}

// directoryLine says what the organisation's directory holds about the
// address: only what the helpdesk needs (member or guest, where a guest
// signs in, disabled, invitation pending), never other profile data.
func directoryLine(v msaccount.Verdict) string {
	d := v.Directory
	switch {
	case d == nil:
		return ""
	case !d.Found:
		for _, e := range v.Evidence {
			if e.Code == msaccount.CodeDirectoryNotFound && e.Args["owned"] == "true" {
				return phrase("directory.not_found")
			}
		}
		return ""
	}
	var s string
	if d.UserType == "Guest" {
		home := d.Home
		if home == "" {
			home = "unknown"
		}
		s = phrase("directory.guest", "home", phrase("home."+home))
		if d.Invitation == "PendingAcceptance" {
			s += " " + phrase("directory.pending")
		}
	} else {
		s = phrase("directory.member")
	}
	if !d.Enabled {
		s += " " + phrase("directory.disabled")
	}
	return s
}

// errorReason is the part of an input error after the quoted input.
func errorReason(v msaccount.Verdict) string {
	e := v.Error
	if i := strings.LastIndex(e, "\" "); i >= 0 && strings.HasPrefix(e, "\"") {
		e = e[i+2:]
	}
	return e
}

// explainWhy answers "why?" with the evidence behind the last verdicts.
func (h *Handler) explainWhy(ctx context.Context, m Message, prev Turn, r *Reply) {
	if len(prev.Targets) == 0 {
		t := topic(prev.Topic)
		if prev.Topic == "" {
			t = topic("ask_address")
		}
		r.Headline, r.Summary, r.Details = t.Headline, t.Short, t.More
		r.Suggestions = t.Suggestions
		return
	}
	targets := parseTargets(prev.Targets)
	// The previous answer's lookups are cached: asking again costs nothing
	// upstream, and the per-user limit is not charged twice.
	vs := make([]msaccount.Verdict, 0, len(targets))
	lookup := h.lookupFor(m)
	for _, t := range targets {
		vs = append(vs, lookup.Lookup(ctx, t))
	}
	r.Verdicts = vs
	for _, v := range vs {
		r.Lines = append(r.Lines, verdictLine(v))
		r.Details = append(r.Details, whyLine(v))
	}
	t := topic(kindTopic(vs))
	r.Headline = t.Headline
	if len(vs) > 1 {
		r.Headline = phrase("multi.headline", "n", strconv.Itoa(len(vs)))
	}
	r.Suggestions = []Suggestion{{phrase("label.fix"), phrase("text.fix")}, {phrase("label.check"), phrase("text.check")}}
}

// whyLine puts a verdict's evidence in one sentence.
func whyLine(v msaccount.Verdict) string {
	details := make([]string, 0, len(v.Evidence))
	for _, e := range v.Evidence {
		details = append(details, e.Detail)
	}
	return phrase("why", "detail", strings.Join(details, "; "))
}

// explainFix answers "how do I fix it?" with the steps for the last answer.
func (h *Handler) explainFix(ctx context.Context, m Message, prev Turn, r *Reply) {
	key := prev.Topic
	if key == "next_both" {
		key = "account_picker_conflict"
		r.Intent = AccountPickerConflict
	}
	if key == "" {
		key = "ask_address"
	}
	t := topic(key)
	r.Headline, r.Summary, r.Steps, r.Details = t.Headline, t.Short, t.Steps, t.More
	r.Suggestions = t.Suggestions
}

func parseTargets(names []string) []msaccount.Target {
	var out []msaccount.Target
	for _, n := range names {
		if t, err := msaccount.Parse(n); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// answerTopic answers a message that names no address.
func (h *Handler) answerTopic(ctx context.Context, m Message, words []string, r *Reply) Turn {
	key := string(r.Intent)
	next := Turn{Intent: r.Intent}
	if r.Intent == Classify {
		switch {
		case asksCurrentAccount(words) && m.TenantID != "":
			key = "tenant_work"
			if strings.EqualFold(m.TenantID, ConsumerTenantID) {
				key = "tenant_personal"
			} else if line := h.selfLine(ctx, m); line != "" {
				r.Lines = append(r.Lines, line)
			}
		case asksCurrentAccount(words) && m.Platform != PlatformTeams:
			key = "ask_address"
			r.Notice = phrase("tenant.unknown")
			next.Pending = Classify
		default:
			key = "ask_address"
			next.Pending = Classify
		}
	}
	t := topic(key)
	r.Headline, r.Summary, r.Steps = t.Headline, t.Short, t.Steps
	r.Suggestions = t.Suggestions
	if len(t.More) > 0 && key != "ask_address" {
		r.Suggestions = append([]Suggestion{{phrase("label.more"), phrase("text.more")}}, r.Suggestions...)
	}
	next.Topic = key
	return next
}

// asksCurrentAccount reports whether the words ask which account the person
// is using now.
func asksCurrentAccount(words []string) bool {
	j := " " + strings.Join(words, " ") + " "
	for _, p := range []string{" am i using ", " am i signed in ", " am i logged in ", " signed in with ", " logged in with ", " using right now ", " using now "} {
		if strings.Contains(j, p) {
			return true
		}
	}
	return false
}
