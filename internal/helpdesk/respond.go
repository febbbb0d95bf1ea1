package helpdesk

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// The topics the policy reaches by ID. The catalogue check makes sure they
// exist.
const (
	topicAddress       = "classify.address"
	topicAskAddress    = "classify.need_address"
	topicDomain        = "classify.domain"
	topicCurrent       = "classify.current_account"
	topicInvalid       = "classify.invalid_address"
	topicResultPrefix  = "classify.result_"
	topicLookalike     = "classify.lookalike"
	topicUnknownCode   = "error.unknown_code"
	topicHelp          = "help.what_can_you_do"
	topicOK            = "chat.ok"
	topicThanks        = "chat.thanks"
	topicGoodbye       = "chat.goodbye"
	topicPasteError    = "help.paste_error"
	topicNotUnderstood = "help.not_understood"
	topicUnsure        = "help.unsure"
	topicNoneOfThese   = "help.none_of_these"
	topicHuman         = "help.human"
	topicStillFailing  = "help.still_failing"
	topicTenantID      = "classify.tenant_id"
	topicDidntHelp     = "help.didnt_help"
	topicPasswordSent  = "help.password_sent"
	topicWrongAnswer   = "help.wrong_answer"
	topicPrivacy       = "help.privacy"
	topicOffTopic      = "oos.general"
	topicOtherIT       = "oos.other_it"
)

// aboutTheAnswer are the topics about the assistant's own answers and
// what it keeps that a message naming an address can ask about.
var aboutTheAnswer = []string{topicWrongAnswer, topicPrivacy}

// besideAddresses are the out-of-scope answers whose words say nothing of
// the addresses a message names (the general off-topic answer, other IT
// work): with an address, the address is the point. Other out-of-scope
// answers refuse what is asked about the addresses (a staff list, someone
// else's account).
var besideAddresses = []string{topicOffTopic, topicOtherIT}

var requiredTopics = []string{topicAddress, topicAskAddress, topicDomain, topicCurrent, topicInvalid, topicLookalike, topicUnknownCode,
	topicHelp, topicNotUnderstood, topicNoneOfThese, topicHuman, topicStillFailing, topicDidntHelp, topicPasswordSent, topicWrongAnswer, topicPrivacy, topicOffTopic, topicOtherIT, topicTenantID,
	topicResultPrefix + "personal", topicResultPrefix + "work", topicResultPrefix + "both", topicResultPrefix + "none", topicResultPrefix + "unknown"}

// The actions buttons carry (Suggestion.Action).
const (
	actionTopic = "topic:"
	actionWhy   = "why"
	actionFix   = "fix"
	actionMore  = "more"
	actionNone  = "none"
)

// typedAgain is the follow-up kind of a typed message answered with the
// topic just answered (again): no button carries it.
const typedAgain = "again"

// maxLines bounds the verdicts shown in one reply; the rest are counted in
// a notice that points to the bulk audit.
const maxLines = 20

// Confidence thresholds of the policy, in the units of confidence().
const (
	// Below confUnsure the assistant asks "did you mean…" rather than guess.
	confUnsure = 0.25
	// Below confAddressTopic a message that names an address is taken as a
	// plain "what is this address?" rather than a topic question.
	confAddressTopic = 0.2
	// Below confGuess a later message is not answered with the topic it
	// ranks for: the ranking is a guess there, and most such guesses were
	// another subject's answer (docs/quality.md). The reply says so.
	confGuess = 0.35
	// From confOwnQuestion up a message is a question of its own, even
	// where it would read as a reply to the last answer.
	confOwnQuestion = 0.5
	// From confPerson up a message that names an address and asks for a
	// person is that request ("put me through to IT, i'm jo@…"); below,
	// as in "pls verify for the ticket: jo@…", the address is the point.
	confPerson = 0.4
	// Below minScore the best topic shares no more than a stray word or
	// a few letters with the message: nothing was understood.
	minScore = 3.0
)

// turn is one exchange being answered.
type turn struct {
	h       *Handler
	ctx     context.Context
	m       Message
	prev    Turn
	hasPrev bool
	w       words
	said    string // the message as plain text (Normalise), read once
	r       Reply
	next    Turn
	rw      []string // the words of the message without its addresses (rankWords), once understand has read them
	// question is the message without its addresses and qw its words
	// without stop words, once understand has read them; ranking is the
	// message's ranking (messageRanking), read once.
	question string
	qw       []string
	ranking  []Match
	ranked   bool
	admin    int8 // whether the message says an admin asks (adminSays): 0 not yet read, 1 no, 2 yes
	// served are the kinds of account the message names (servedKinds),
	// and kind the one it says the person's is ("my work password"), or
	// "", once understand has read them.
	served []msaccount.Kind
	kind   msaccount.Kind
}

// understand answers a typed message.
func (c *turn) understand() {
	text := c.said
	c.w.lang = c.h.chooseLang(c.m, c.prev, c.hasPrev, text)
	ents := Extract(text)
	c.r.Emails, c.r.Domains = ents.Emails, ents.Domains
	c.w.known = c.w.known || len(ents.Targets) > 0 // "send me the address" no more
	question := withoutEntities(text, ents)
	rw := rankWords(question)
	qw := withoutStopWords(rw)
	c.question, c.rw, c.qw = question, rw, qw
	hits := c.h.findPatterns(text)
	targets := ents.Targets
	c.served = c.h.servedKinds(qw)
	if len(c.served) == 1 && !c.asks() {
		c.kind = c.served[0]
	}

	// "👍" after an answer: read once, for both branches below.
	reaction := c.hasPrev && len(targets) == 0 && len(hits) == 0 && c.h.ackEmoji.only(text)
	if len(rw) == 0 && len(targets) == 0 && len(ents.Invalid) == 0 && len(hits) == 0 && !reaction {
		c.topic(topicHelp, 1, nil)
		return
	}
	if reaction || len(targets) == 0 && len(hits) == 0 && c.hasPrev && len(rw) > 0 && c.h.acks.covers(rw) {
		// "ok", "ugh fine", "👍": a short OK, and the subject stays for
		// what comes next.
		c.topic(topicOK, 1, nil)
		c.next = c.prev
		return
	}
	if len(hits) == 0 && len(qw) <= tenantIDWords && c.h.tenantIDs.find(rw, -1) >= 0 {
		// "whats the tenant id for that one", "c'est quoi ce tenantId":
		// the reasons for the verdict name it.
		if len(targets) == 0 && c.hasPrev {
			targets = parseTargets(c.prev.Targets)
		}
		if consumerOnlyTargets(targets) {
			// "where do i get their tenant id" after "i use my outlook.com
			// for it": the personal accounts' tenant is not theirs.
			targets = nil
		}
		c.topic(topicTenantID, 1, targets)
		return
	}
	if len(hits) == 0 {
		if id := c.replied(qw); id != "" {
			// "it's the one the company gave me" after which tile to pick;
			// "je viens d'arriver, n.durand@…" after AADSTS50034, with the
			// address checked.
			c.topic(id, 1, targets)
			return
		}
	}
	if len(targets) == 0 && len(hits) == 0 && len(qw) <= 6 {
		if k := c.h.followUpKind(rw); k != "" {
			c.followUp(k) // with nothing before, it asks for an address
			return
		}
	}
	if len(targets) == 0 && len(hits) == 0 {
		if v := c.clarified(qw); v != "" {
			c.topic(v, 1, nil) // "it's my work account" after "it depends on the kind"
			return
		}
	}
	ranked := c.messageRanking()
	// aside are the readings set aside below, for a re-ranking too.
	aside := func(Match) bool { return false }
	if len(ranked) > 1 && c.intentOf(ranked[0].Topic) == Greeting && len(qw) > 3 && c.h.asksMore(text, rw) {
		// "merci, et pour révoquer son accès quand sa mission se termine ?",
		// "et après vendredi je pourrai encore aller sur Teams pour dire au
		// revoir au groupe ?": small talk that asks; the question is
		// answered.
		aside = func(m Match) bool { return c.intentOf(m.Topic) == Greeting }
		if rest := slices.DeleteFunc(slices.Clone(ranked), aside); len(rest) > 0 {
			ranked = rest
		}
	}
	conf := confidence(ranked)
	if len(hits) == 0 && c.uncited(ranked, conf) {
		// "and on my phone? teams mobile only shows fabrikam" is not
		// AADSTS16000.
		thanks := aside
		aside = func(m Match) bool { return thanks(m) || codeTopic(m.Topic) }
		ranked = slices.DeleteFunc(slices.Clone(ranked), aside)
		conf = confidence(ranked)
	}
	if len(hits) == 0 && len(targets) == 0 && conf < confOwnQuestion {
		if r := c.inConversation(ranked, aside); r != nil {
			ranked, conf = r, confidence(r)
		}
	}
	if len(hits) == 0 && len(targets) == 0 && c.announcesError(text, rw, ranked, conf) {
		// "I open the meeting link and get this:", the error still to
		// come: asked for, not guessed.
		c.topic(topicPasteError, 1, nil)
		return
	}
	if c.prev.Comment != "" && len(hits) == 0 {
		c.comment(text, ranked) // the answer to "what were you looking for?"
		return
	}
	// A message that tells how it went reads like the answer it follows
	// ("signed out and in again, picked work or school, now it says
	// Microsoft 365 Apps for enterprise. fixed"): however sure, a ranking
	// that only finds the subject again has found no new question when
	// the message ends with a thanks or with the fix working ("thanks, i
	// want to rename the personal account so teams stops asking" asks).
	echo := len(targets) == 0 && len(ranked) > 0 && !c.continues() && c.onTheSubject(ranked[0].Topic)
	if len(targets) == 0 && len(hits) == 0 && (conf < confOwnQuestion || echo && endsWith(c.h.thanks, rw)) && (len(ranked) == 0 || ranked[0].Topic == topicThanks || c.intentOf(ranked[0].Topic) != Greeting) && c.thanks(text, rw) {
		// "gracias, llamo al soporte entonces"; a goodbye ("bedankt, fijne
		// dag") stays one.
		c.topic(topicThanks, 1, nil)
		if echo {
			c.offerOnSubject()
		}
		return
	}
	if len(targets) > 0 && len(hits) == 0 && c.thanks(text, rw) && (c.worked() || c.saysWill()) {
		// "ok j'ai ajouté luc.bernard.perso@outlook.fr et je l'ai mise en
		// principale, après la suppression a marché. merci": what was done,
		// with the address it was done with, worked; "ok emailing
		// helpdesk@… now with the correlation id. thx": what the person
		// will do next, with whom; a thanks, not a check of that address.
		c.topic(topicThanks, 1, nil)
		if c.subject() {
			c.offerOnSubject()
		}
		return
	}
	if len(targets) == 0 && len(hits) == 0 && c.hasPrev && c.h.byes.find(rw, -1) >= 0 && !c.h.asksMore(text, rw) && c.notOwnQuestion(ranked, conf) {
		// "nothing else, bye", "ok, dan ga ik bellen. doei": a goodbye
		// that asks nothing, unless the ranking is sure of a question of
		// its own.
		c.topic(topicGoodbye, 1, nil)
		return
	}
	if len(targets) == 0 && len(hits) == 0 && c.hasPrev && c.urgent(conf) {
		// When it can't wait, a person is the fastest way.
		c.topic(topicHuman, 1, nil)
		return
	}
	if len(targets) == 0 && len(hits) == 0 && c.hasPrev && (conf < confOwnQuestion && c.saysWill() || c.workedAtLast() && (echo || c.notOwnQuestion(ranked, conf))) && !c.h.asksMore(text, rw) {
		// "ok fair, i'll ask IT", "ok ich ruf die IT an": what the person
		// will do next, asking nothing; an OK, and the subject stays. On
		// the subject, what they did and that it worked ("…picked work or
		// school this time. fixed"): glad it's sorted (chat.ok's variant);
		// off the subject too, when the ranking finds no question of the
		// message's own ("hat funktioniert!", "super ik ben binnen"); the
		// thanks when the ranking reads one first ("works now 🙌").
		id := topicOK
		if !echo && c.thanksFirst(ranked) {
			id = topicThanks
		}
		c.topic(id, 1, nil)
		if echo {
			c.offerOnSubject()
		}
		c.next = c.prev
		return
	}
	if len(targets) == 0 && len(hits) == 0 && len(ents.Invalid) == 0 {
		if a := c.asksAspect(ranked, conf); a != "" {
			// "how long do i have after that" after graduating: how long;
			// "can i do that myself or is that IT" after the reset page's
			// "contact your administrator": who does it.
			c.aspect(a)
			return
		}
		if c.asksWhereNamed(ranked, conf) {
			// "where is access work or school, im on windows 11" after
			// the steps that go there: those steps again.
			c.followUp(actionFix)
			return
		}
		if id := c.goesOn(question, ranked, conf); id != "" {
			c.topic(id, max(conf, confUnsure), nil)
			return
		}
	}
	switch {
	case len(hits) > 0:
		c.topic(hits[0], 1, targets)
	case len(targets) == 0 && len(ents.Invalid) > 0 && (conf < confUnsure || c.intentOf(ranked[0].Topic) == Classify):
		c.invalid(ents.Invalid)
	case len(targets) > 0:
		c.withTargets(ranked, conf, targets, qw)
	case len(ranked) == 0 || ranked[0].Score < minScore:
		c.notUnderstood(text, matchTopics(ranked))
	case conf < confUnsure && len(ranked) > 1 && c.h.family[ranked[0].Topic] != "" && c.h.family[ranked[0].Topic] == c.h.family[ranked[1].Topic]:
		// Unsure between the variants of one question (reset a work or a
		// personal password): the general topic answers both.
		c.topic(c.h.family[ranked[0].Topic], conf, nil)
	case conf < confUnsure && len(ranked) > 1 && c.intentOf(ranked[0].Topic) == Greeting && c.intentOf(ranked[1].Topic) == Greeting:
		// "ok cool thx bye": unsure between a thanks and a goodbye, either
		// is an answer; the subject is not asked about again.
		c.topic(ranked[0].Topic, confUnsure, nil)
	case conf < confUnsure && len(ranked) > 1:
		if f := c.followFirst(ranked, qw); len(qw) <= followWords && c.offered(f[0].Topic) && len(c.h.namedKinds(qw)) == 0 && !c.supposes() {
			// "can i rename it" after why there are two accounts, unsure
			// between renaming and what renaming keeps: the answer offered.
			// Not for a reply that says which account ("it's the work
			// one") or supposes ("what if I say no"), which are read with
			// the subject below.
			c.topic(f[0].Topic, confUnsure, nil)
			return
		}
		if id := c.kindAgain(qw); id != "" {
			c.topic(id, confUnsure, nil)
			return
		}
		if id := c.inContext(question, qw); id != "" {
			c.topic(id, confUnsure, nil)
			return
		}
		if id := c.onSubject(ranked); id != "" {
			// "can he use it on the xbox too?" after Minecraft Education:
			// of the two close readings, the one on the subject.
			c.topic(id, confUnsure, nil)
			return
		}
		if c.subject() && !c.prev.Told && c.again(c.prev.Topic, nil) {
			// "HR said everything would be ready. so is it them or IT that
			// fixes this" after AADSTS50057: unsure between readings that
			// have nothing to do with each other, a follow-up is about the
			// subject, whose details say more; a menu of strangers helps
			// no one.
			c.topic(c.prev.Topic, confUnsure, nil)
			return
		}
		c.didYouMean(ranked, conf)
	default:
		if c.intentOf(ranked[0].Topic) == OutOfScope || conf < confOwnQuestion && c.h.denies(qw) {
			if id := c.kindAgain(qw); id != "" {
				// "its for my job at fabrikam" after which tile to pick says
				// which account, not "list fabrikam's staff"; "it's not my
				// work account" after the reset pages, unless it is surely a
				// question of its own.
				c.topic(id, confUnsure, nil)
				return
			}
		}
		id, earlier := c.aboutChecked(c.specific(c.endUserFirst(c.followFirst(ranked, qw)), qw), ranked, qw)
		if c.guess(id, ranked, conf, earlier) {
			c.unsure(ranked, conf)
			return
		}
		c.topic(id, conf, earlier)
	}
}

// guess reports whether answering id to a later message would be a
// guess: the ranking is unsure of it and of its subject (below
// confGuess, subjectConfidence), nothing else chose it (it ranks
// first), it leaves the conversation's subject (onTheSubject) and no
// answer before the last offered it ("how do i do the rename thing. step
// by step pls" after a reset, when leaving's answer before it offered
// renaming), it is no greeting, help or out-of-scope answer, and no
// address it is about was checked.
func (c *turn) guess(id string, ranked []Match, conf float64, targets []msaccount.Target) bool {
	if !c.hasPrev || conf >= confGuess || c.m.Action != "" || len(targets) > 0 || id != ranked[0].Topic || c.onTheSubject(id) ||
		slices.ContainsFunc(c.prev.Earlier, func(e string) bool { return c.offers(e, id) }) {
		// Earlier answers offer, not only relate: the same intent is
		// too wide a net for answers that lie further back (a pallet
		// scanner that beeps, after MFA).
		return false
	}
	if c.subjectConfidence(ranked) >= confGuess {
		return false // unsure which answer, sure of the subject
	}
	return !c.intentOf(id).aboutTheChat()
}

// asksWhereNamed reports whether a short message on a subject asks where
// something is (match.where) that the last answer's label, answer or
// steps name, every word of it but one besides the asking
// (match.where_also), or that only asks where ("waar doe ik dat"):
// "where is access work or school" after steps
// through Settings → Accounts → Access work or school, "wo genau finde
// ich organisationen" after steps through Organisationen. A message the
// ranking is sure is a question of its own on another topic is that
// question.
func (c *turn) asksWhereNamed(ranked []Match, conf float64) bool {
	if !c.subject() || len(c.qw) > askWords || c.prev.Topic == "" || c.ownQuestionElsewhere(ranked, conf) {
		return false
	}
	start, end := c.h.wheres.span(c.rw)
	if start < 0 {
		return false
	}
	// One word the answer doesn't name may say where the person is ("im
	// on windows 11"); the rest must be what it names. A message that
	// only asks where ("waar doe ik dat") asks about the answer itself.
	asked, unnamed := c.wordsBeyond(start, end, c.h.whereAlso)
	return asked == 0 || asked > unnamed && unnamed <= 1
}

// wordsBeyond counts the words of a message around its words start to
// end (the asking), besides stop words and those of also (what may go
// with the asking): all of them, and those the last answer's label,
// answer or steps don't name.
func (c *turn) wordsBeyond(start, end int, also map[string]bool) (asked, unnamed int) {
	named := c.h.cat.spokenBy(c.w.lang, c.prev.Topic).named
	for _, w := range withoutStopWords(slices.Concat(c.rw[:start], c.rw[end:])) {
		switch {
		case also[w]:
		case named[w]:
			asked++
		default:
			asked++
			unnamed++
		}
	}
	return asked, unnamed
}

// asksAspect returns the first key of Aspects whose phrases (match.how_long,
// match.who) a message on a subject holds, and that the last answer's
// topic says in a sentence of its own (how_long:, who:): for a short
// message, one the ranking doesn't read surely as a question of its own
// on another topic ("how long do i have after that" after graduating,
// which the ranking alone can only guess at), or, whatever the ranking
// reads, one that names nothing beyond the asking and the last answer's
// words but one word (aspectPlain); for a longer one, one the
// ranking reads on the subject ("ok so if we delete the account monday,
// who gets his files and for how long"). A short one yields to a reading
// whose label asks the same (labelAsks) or one about the assistant that
// the ranking nearly takes, and for an aspect with words of its own
// (aspectIndex) may name little the answer doesn't. It returns "" for
// any other.
func (c *turn) asksAspect(ranked []Match, conf float64) string {
	if !c.subject() || c.prev.Topic == "" {
		return ""
	}
	said := c.w.text(c.prev.Topic).Aspects
	for _, a := range c.h.aspects {
		if said[a.key] == "" {
			continue
		}
		start, end := a.phrases.span(c.rw)
		if start < 0 {
			continue
		}
		if len(c.qw) > askWords {
			if len(ranked) > 0 && c.answeredLast(ranked[0].Topic) { // a longer message, on the subject by its own words
				return a.key
			}
			return ""
		}
		unnamed := 0
		if a.also != nil {
			if _, unnamed = c.wordsBeyond(start, end, a.also); unnamed > aspectUnnamed {
				return ""
			}
		}
		// A message that says nothing but the asking, the last answer's
		// words and one more at most ("so who fixes it, me or our entra
		// admin" after AADSTS700016) asks it of the last answer, however
		// sure the ranking is of another reading.
		plain := a.also != nil && unnamed <= aspectPlain
		if !plain && c.ownQuestionElsewhere(ranked, conf) || conf >= confUnsure && !c.answeredLast(ranked[0].Topic) && c.labelAsks(ranked[0].Topic, c.rw[start:end]) ||
			conf >= confPerson && c.intentOf(ranked[0].Topic) == Help {
			// A reading the ranking guesses at whose label asks the same
			// ("Who is my admin?" for "who is the admin though, her
			// teacher?"), or one about the assistant or reaching a
			// person that it nearly takes ("who built this
			// assistant?"), answers it itself.
			return ""
		}
		return a.key
	}
	return ""
}

// labelAsks reports whether topic id's label is a question that holds
// the words asked with: "Who is my admin?" asks who, as "who is the admin
// though" does; "Check it yourself" doesn't, and "Who owns my work
// account?" doesn't ask what "does my boss have to approve" does.
func (c *turn) labelAsks(id string, asked []string) bool {
	label := c.w.text(id).Label
	if !strings.HasSuffix(label, "?") {
		return false
	}
	words := rankWords(label)
	for i := 0; i+len(asked) <= len(words); i++ {
		if slices.Equal(words[i:i+len(asked)], asked) {
			return true
		}
	}
	return false
}

// aspectUnnamed is the most words besides those of the asking that a
// message asking about an aspect with words of its own may have that the
// last answer doesn't name: "does my manager have to approve this? she's
// on leave" names someone and why.
const aspectUnnamed = 2

// aspectPlain is the most words a message asking about an aspect with
// words of its own may have that the last answer doesn't name, for it to
// be asked of the last answer whatever the ranking reads.
const aspectPlain = 1

// aspectIndex holds the phrases that ask about one of Aspects, and the
// words that may go with them (match.<key>_also), if any: an aspect with
// those is asked about only by a message with at most aspectUnnamed other
// words that the last answer doesn't name (wordsBeyond), since its
// phrases ("who", "myself") also open questions of their own ("the
// scanner keeps beeping, who sorts that out").
type aspectIndex struct {
	key     string
	phrases phraseIndex
	also    map[string]bool
}

// answeredLast reports whether id is the topic the last answer gave, or
// the one it was a variant of.
func (c *turn) answeredLast(id string) bool { return id == c.prev.Topic || id == c.prev.Base }

// ownQuestionElsewhere reports whether the ranking is sure the message is
// a question of its own on another topic than the last answer's.
func (c *turn) ownQuestionElsewhere(ranked []Match, conf float64) bool {
	return conf >= confOwnQuestion && len(ranked) > 0 && !c.answeredLast(ranked[0].Topic)
}

// aspect answers one side (a key of Aspects) of the last answer's topic
// with its sentence alone, and the subject stays.
func (c *turn) aspect(key string) {
	p := c.prev
	t := c.h.cat.Topics[p.Topic]
	c.r.Intent, c.r.Topic, c.r.Confidence = t.Intent, p.Topic, 1
	c.r.Headline = c.w.rich(c.w.text(p.Topic).Aspects[key])
	c.r.Suggestions = c.follow(t, false, false)
	c.next = p
}

// askWords is the most words (stop words aside) a message asking where
// something the last answer names is may have (asksWhereNamed), and the
// most a message asking how long or who may have unless the ranking reads
// it on the subject (asksAspect).
const askWords = 8

// onTheSubject reports whether id keeps to the last answer's subject:
// related to it, or to one of the follow-ups it offered ("and if they
// invite my hotmail instead?" after AADSTS50020, which offers accepting
// an invitation).
func (c *turn) onTheSubject(id string) bool {
	if !c.subject() {
		return false
	}
	if c.related(c.prev.Base, id) || c.related(c.prev.Topic, id) {
		return true
	}
	prev := c.h.cat.Topics[c.prev.Topic]
	return prev != nil && slices.ContainsFunc(prev.Follow, func(f string) bool {
		// "Talk to a person" is offered after every subject.
		return !c.intentOf(f).aboutTheChat() && c.related(f, id)
	})
}

// subjectConfidence is confidence() with the next reading taken on
// another subject than the first's (not related): "forgot corporate
// password m365" is close between resetting and changing a work
// password, and sure it's about the work password.
func (c *turn) subjectConfidence(ranked []Match) float64 {
	if len(ranked) == 0 {
		return 0
	}
	other := []Match{ranked[0]}
	for _, m := range ranked[1:] {
		if !c.related(ranked[0].Topic, m.Topic) {
			other = append(other, m)
			break
		}
	}
	return confidence(other)
}

// unsure answers a later message the ranking can only guess at: it says
// so rather than answer another subject, and offers the two readings it
// found as follow-ups. The message left the subject, so the subject
// ends; a second such message in a row offers a person (offerPerson).
func (c *turn) unsure(ranked []Match, conf float64) {
	c.topic(topicUnsure, conf, nil)
	var guesses []Suggestion
	for _, m := range ranked {
		if len(guesses) == 2 {
			break
		}
		if c.intentOf(m.Topic) == OutOfScope || codeTopic(m.Topic) && !c.citesCode() {
			continue // an error code nobody cited is no reading
		}
		guesses = append(guesses, Suggestion{Label: c.w.text(m.Topic).Label, Action: actionTopic + m.Topic})
	}
	// A reading that is also a follow-up (talking to a person) is offered once.
	offered := slices.DeleteFunc(slices.Clone(c.r.Suggestions), func(s Suggestion) bool {
		return slices.ContainsFunc(guesses, func(g Suggestion) bool { return g.Label == s.Label })
	})
	c.r.Suggestions = append(guesses, offered...)
	c.next.Unmatched = c.prev.Unmatched + 1
}

// aboutChecked reads a short question after a verdict ("how do I reset
// it?") as about the address just checked: it takes the general question
// ranked near id, answered for the address's kind, and the addresses
// (cached: no new lookup).
func (c *turn) aboutChecked(id string, ranked []Match, qw []string) (string, []msaccount.Target) {
	if !c.hasPrev || c.prev.Intent != Classify || len(qw) > followWords || c.intentOf(id) == Classify {
		return id, nil
	}
	for _, m := range ranked[:min(len(ranked), 3)] {
		if hasVariant(c.h.cat.Topics[m.Topic], id) {
			id = m.Topic
			break
		}
	}
	if !lookupVariants(c.h.cat.Topics[id]) {
		return id, nil
	}
	return id, parseTargets(c.prev.Targets)
}

// replied is the topic that answers a message as a reply to the last
// answer (its topic's replies:, then its general question's), or "" when
// there is none or the message is as surely a question of its own ("can
// i use my work account for xbox" after which tile to pick).
func (c *turn) replied(qw []string) string {
	if !c.hasPrev {
		return ""
	}
	replies := c.h.replies()
	id := replies.match(c.prev.Topic, qw)
	if id == "" && c.prev.Base != c.prev.Topic {
		id = replies.match(c.prev.Base, qw)
	}
	if id == "" {
		return ""
	}
	if c.surelyOther(id) {
		return ""
	}
	return id
}

// surelyOther reports whether the message alone ranks surely
// (confOwnQuestion) for another answer than id: a question of its own.
func (c *turn) surelyOther(id string) bool {
	ranked := c.messageRanking()
	return confidence(ranked) >= confOwnQuestion && ranked[0].Topic != id
}

// messageRanking is the message's own ranking (rankFor), read the first
// time it is needed.
func (c *turn) messageRanking() []Match {
	if !c.ranked {
		c.ranking, c.ranked = c.rankFor(c.question, c.rw, c.qw, rankDepth), true
	}
	return c.ranking
}

// rankFor ranks the topics for text, whose words (rankWords) are words
// when the caller has them, and keeps the first n that the message's
// words qw allow (required), reading rankSlack deeper so that a dropped
// topic leaves its place to the next. With words, the matcher that can
// take them doesn't read the text again.
func (c *turn) rankFor(text string, words, qw []string, n int) []Match {
	var ranked []Match
	if m, ok := c.h.matcher.(interface {
		RankWords(words []string, n int) []Match
	}); ok && words != nil {
		ranked = m.RankWords(words, n+rankSlack)
	} else {
		ranked = c.h.matcher.Rank(text, n+rankSlack)
	}
	return c.required(ranked, qw, n)
}

// required drops the topics for which the message lacks a word of one of
// the groups of required words (Requires), alone or inside a compound
// (Firmenpasswort), and, when lookups don't ask Microsoft, the topics only
// they can make true; it keeps the first n of the rest.
func (c *turn) required(ranked []Match, qw []string, n int) []Match {
	holds := func(req string) bool {
		return slices.ContainsFunc(qw, func(w string) bool { return strings.Contains(w, req) })
	}
	lacksGroup := func(group []string) bool { return !slices.ContainsFunc(group, holds) }
	lacks := func(m Match) bool {
		t := c.h.cat.Topics[m.Topic]
		return t.Online && c.h.offline || slices.ContainsFunc(t.Requires, lacksGroup)
	}
	if slices.ContainsFunc(ranked, lacks) {
		ranked = slices.DeleteFunc(slices.Clone(ranked), lacks)
	} // else the common case: nothing to drop, nothing copied
	return ranked[:min(len(ranked), n)]
}

// rankDepth is how many topics a message's ranking keeps, and rankSlack
// how many more it reads for those required drops.
const (
	rankDepth = 4
	rankSlack = 4
)

// inContext reads a short follow-up the ranking is unsure of together with
// the subject of the answer before it, its label: "it's the work one" after
// the answer about which tile to pick. It answers only when that reading
// is clear where the message alone was not.
func (c *turn) inContext(question string, qw []string) string {
	if len(qw) > contextWords || !c.subject() {
		return ""
	}
	label := c.w.text(c.prev.Base).Label
	if label == "" {
		return ""
	}
	// The subject's words count for the topics that require some (the
	// meeting link, number matching): "still happening" after number
	// matching names no number.
	ranked := c.rankFor(question+" "+label, nil, append(queryWords(label), qw...), rankDepth)
	if len(ranked) == 0 || ranked[0].Score < minScore || confidence(ranked) < confUnsure {
		return ""
	}
	return ranked[0].Topic
}

// consumerOnlyTargets reports whether targets are all at Microsoft's
// consumer mail domains, whose accounts share the personal accounts'
// tenant: no organisation's tenant ID is theirs to give.
func consumerOnlyTargets(targets []msaccount.Target) bool {
	return len(targets) > 0 && !slices.ContainsFunc(targets, func(t msaccount.Target) bool { return !msaccount.IsConsumerDomain(t.Domain) })
}

// tenantIDWords is the length (stop words aside) up to which a message
// that asks for a tenant ID is answered with a verdict's reasons.
const tenantIDWords = 5

// contextWords is the length (stop words aside) up to which a message the
// ranking is unsure of is read with the subject of the answer before it.
const contextWords = 4

// clarified is the last topic's variant for what a short reply adds to
// it: the kind of account it names ("it's my work account" after the
// answer that a reset depends on the kind), or that an admin is asking
// ("how do I fix it on our side, I'm the admin").
func (c *turn) clarified(qw []string) string {
	if !c.hasPrev {
		return ""
	}
	t := c.h.cat.Topics[c.prev.Base]
	if t == nil || t.Intent == Classify {
		return "" // a verdict's kind is Microsoft's answer, not the person's say
	}
	if len(qw) <= followWords {
		kinds := c.h.namedKinds(qw) // "not work" names the personal account
		if slices.ContainsFunc(qw, func(w string) bool { return c.h.kindWord(w) == msaccount.KindBoth }) {
			kinds = append(kinds, msaccount.KindBoth)
		}
		for _, k := range kinds {
			if v := c.h.forKind(t.ID, k); v != "" {
				return v
			}
		}
	}
	if len(qw) <= adminWords && c.adminSays() {
		if v := t.Variants["admin"]; v != "" && !c.surelyOther(v) {
			// "ticket from a user, same thing" says who asks; "and a user
			// has a new phone, how do I reset their MFA?" asks its own.
			return v
		}
		if g := c.h.cat.Topics[c.h.family[t.ID]]; g != nil && g.Variants["admin"] == t.ID {
			return t.ID // the admin's answer already: "how do i fix it on our side" stays on it
		}
	}
	return ""
}

// kindAgain answers a reply that names the kind of account, with at most
// followWords other words, after an answer with a subject: the answer for
// that kind to the last answer's general question ("it's my personal one"
// after the work password reset), or, when the last answer has no general
// question, that answer again, which serves both kinds ("c'est pour mon
// compte perso" after the lost phone with Authenticator), rather than a
// "did you mean". The kind named first counts: "personal, not work".
func (c *turn) kindAgain(qw []string) string {
	others := 0
	for _, w := range qw {
		if c.h.kindWord(w) == "" && w != "account" {
			others++
		}
	}
	kinds := c.h.namedKinds(qw)
	if others > followWords || len(kinds) == 0 || !c.subject() {
		return ""
	}
	if v := c.forSubject(kinds[0]); v != "" {
		return v
	}
	if g := c.h.family[c.prev.Base]; g != "" {
		return g
	}
	return c.prev.Base
}

// adminWords is the length (stop words aside) up to which a reply that
// says an admin is asking takes the last answer's admin variant.
const adminWords = 8

// followFirst prefers, for a message after an answer, a follow-up that
// answer offers when it ranks close to the top: "does that delete my
// stuff?" after the steps to rename a personal account asks about
// renaming, not about closing an account. A longer message (more than
// followWords) needs an answer with a subject, a ranking that only
// guesses (confGuess), a first reading that leaves the subject and a
// follow-up closer to it (followShareLong): "wo finde ich die
// Sicherheitsinformationen? bin am PC" after moving Authenticator to a
// new phone is where to register methods, as the answer offered, not
// how to reach IT. Where the first reading keeps to the subject too, the
// context can't tell them apart, and where the message names something
// only the first reading speaks of (namesOnly), the message can: the
// ranking stands. Asking for an address is no such follow-up for a
// longer message.
func (c *turn) followFirst(ranked []Match, qw []string) []Match {
	if !c.hasPrev || len(ranked) < 2 {
		return ranked
	}
	long, share := len(qw) > followWords, followShare
	if long {
		if !c.subject() || confidence(ranked) >= confGuess || c.onTheSubject(ranked[0].Topic) {
			return ranked
		}
		share = followShareLong
	}
	if c.offered(ranked[0].Topic) {
		return ranked
	}
	for i, m := range ranked[1:min(len(ranked), 3)] {
		if !c.offered(m.Topic) || m.Score < ranked[0].Score*share {
			continue
		}
		if long && (c.intentOf(m.Topic) == Classify || c.namesOnly(qw, ranked[0].Topic, m.Topic)) {
			continue
		}
		return promoted(ranked, i+1)
	}
	return ranked
}

// namesOnly reports whether the words qw hold one that topic a speaks of
// and topic b never does: "what's the right portal for personal account
// settings" names the portals, whatever an answer about the picker
// offered.
func (c *turn) namesOnly(qw []string, a, b string) bool {
	return slices.ContainsFunc(qw, func(w string) bool { return c.speaksOf(a, w, true) && !c.speaksOf(b, w, true) })
}

// inConversation re-ranks a later turn on a subject that the ranking is
// unsure of with the person's last message, leaving aside what aside
// says: each topic the message ranks
// gains a share (contextShare) of its standing in the last message's
// ranking, so that of readings close together the one that also fits
// what was said before comes first. It returns nil when nothing moves.
func (c *turn) inConversation(ranked []Match, aside func(Match) bool) []Match {
	if !c.subject() || len(ranked) < 2 || c.intentOf(ranked[0].Topic) == Greeting {
		return nil
	}
	last := c.lastSaid()
	if last == "" {
		return nil
	}
	lq := withoutEntities(last, Extract(last))
	lw := rankWords(lq)
	before := c.rankFor(lq, lw, withoutStopWords(lw), contextDepth)
	if len(before) == 0 || before[0].Score <= 0 {
		return nil
	}
	now := slices.DeleteFunc(c.rankFor(c.question, c.rw, c.qw, contextDepth), aside)
	if len(now) == 0 {
		return nil
	}
	top := now[0].Score
	out := make([]Match, len(now))
	for i, m := range now {
		out[i] = m
		for _, b := range before {
			if b.Topic == m.Topic {
				out[i].Score += contextShare * top * b.Score / before[0].Score
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int { return cmp.Compare(b.Score, a.Score) })
	if out[0].Topic == ranked[0].Topic {
		return nil
	}
	return out[:min(len(out), rankDepth)]
}

const (
	contextShare = 0.25
	contextDepth = 10
)

// lastSaid is the person's last message before this one, or "".
func (c *turn) lastSaid() string {
	for i := len(c.prev.Transcript) - 1; i >= 0; i-- {
		if said, ok := personSaid(c.prev.Transcript[i]); ok {
			return said
		}
	}
	return ""
}

// subject reports whether the last answer has a subject a follow-up can
// be read with: a topic, not a verdict, help, small talk or out of scope.
func (c *turn) subject() bool {
	if !c.hasPrev || c.h.cat.Topics[c.prev.Base] == nil {
		return false
	}
	i := c.intentOf(c.prev.Base)
	return i != Classify && !i.aboutTheChat()
}

// namedKinds returns the kinds of account, work and personal, that words
// (queryWords) name, in the order they are named, each once. A kind denied
// ("es geht um den firmenaccount nicht privat") is not named, and a
// message that only denies one ("not the personal one") names the other.
func (h *Handler) namedKinds(qw []string) []msaccount.Kind {
	var denied []msaccount.Kind
	out := make([]msaccount.Kind, 0, 2) // work and personal: one allocation
	for i, w := range qw {
		k := h.kindWord(w)
		switch {
		case !workOrPersonal(k):
		case h.denied(qw, i):
			denied = append(denied, k)
		case !slices.Contains(out, k):
			out = append(out, k)
		}
	}
	if len(out) == 0 && len(denied) > 0 && !slices.Contains(denied, oppositeKind(denied[0])) {
		return []msaccount.Kind{oppositeKind(denied[0])}
	}
	return out
}

// denied reports whether the word at i is denied by the one before it, or
// by the one before "account" or before other words of its kind or its
// services ("pas le compte pro", "pas mon hotmail perso"): match.not,
// except match.no opening the message, which answers no ("no, the work
// one").
func (h *Handler) denied(qw []string, i int) bool {
	j := i - 1
	k := h.kindWord(qw[i])
	for j > 0 && (qw[j] == "account" || h.kindWord(qw[j]) == k || h.serviceKinds[qw[j]] == k) {
		j--
	}
	return j >= 0 && h.negations[qw[j]] && !(j == 0 && h.noes[qw[j]])
}

// denies reports whether words deny a kind of account ("not the work
// one").
func (h *Handler) denies(qw []string) bool {
	for i, w := range qw {
		if workOrPersonal(h.kindWord(w)) && h.denied(qw, i) {
			return true
		}
	}
	return false
}

// workOrPersonal reports whether k is one of the two kinds a reply names.
func workOrPersonal(k msaccount.Kind) bool {
	return k == msaccount.KindWork || k == msaccount.KindPersonal
}

// oppositeKind is the other of work and personal.
func oppositeKind(k msaccount.Kind) msaccount.Kind {
	if k == msaccount.KindWork {
		return msaccount.KindPersonal
	}
	return msaccount.KindWork
}

// kindWord is the kind of account a word (after synonyms) names, or "":
// a school account is a work or school account.
func (h *Handler) kindWord(w string) msaccount.Kind {
	switch msaccount.Kind(w) {
	case msaccount.KindWork, msaccount.KindPersonal, msaccount.KindBoth:
		return msaccount.Kind(w)
	}
	return h.kindWords[w]
}

// forKind is the answer to topic id for an account of kind k: its
// variant for k, and that variant's own, if it has one (what "more than
// one account" means, for the work account: which tile, for the work
// account: the work tile). "" when id has no variant for k.
func (h *Handler) forKind(id string, k msaccount.Kind) string {
	v := ""
	for cur, step := id, 0; k != "" && step < 3; step++ { // a few steps: the catalogue may name a cycle
		t := h.cat.Topics[cur]
		if t == nil || t.Variants[string(k)] == "" || t.Variants[string(k)] == cur {
			break
		}
		cur = t.Variants[string(k)]
		v = cur
	}
	return v
}

// servedKinds are the kinds of account that words name, the kind words
// and the services only one kind of account has ("my hotmail password"):
// enough to choose between a question's variants, not to read a reply as
// saying which account ("hack a hotmail account" is no "the personal one").
func (h *Handler) servedKinds(qw []string) []msaccount.Kind {
	out := h.namedKinds(qw)
	for _, w := range qw {
		// "Hotmail-Konto": a compound names the service its first part does.
		first, _, _ := strings.Cut(w, "-")
		if k, ok := h.serviceKinds[first]; ok && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// compileKindWords reads the single words of match.<prefix>.work and
// match.<prefix>.personal as rankWords reads them, in every language.
func compileKindWords(c *Catalogue, prefix string) map[string]msaccount.Kind {
	out := map[string]msaccount.Kind{}
	for _, k := range []msaccount.Kind{msaccount.KindWork, msaccount.KindPersonal} {
		for _, w := range compilePhrases(c, "match."+prefix+"."+string(k)) {
			if !strings.Contains(w, " ") {
				out[w] = k
			}
		}
	}
	return out
}

// wordSet is the single words of phrases, as a set.
func wordSet(phrases []string) map[string]bool {
	out := map[string]bool{}
	for _, w := range phrases {
		if !strings.Contains(w, " ") {
			out[w] = true
		}
	}
	return out
}

// offered reports whether the last answer offers id as a follow-up.
func (c *turn) offered(id string) bool { return c.hasPrev && c.offers(c.prev.Topic, id) }

// A message of at most followWords words (stop words aside) can be about
// the answer before it, whose follow-ups then need followShare of the top
// score; a longer one, followShareLong.
const (
	followWords     = 3
	followShare     = 0.6
	followShareLong = 0.85
)

// promoted is ranked with its i-th topic moved to the top.
func promoted(ranked []Match, i int) []Match {
	out := make([]Match, 0, len(ranked))
	out = append(out, ranked[i])
	out = append(out, ranked[:i]...)
	return append(out, ranked[i+1:]...)
}

// endUserFirst answers a topic's admin variant only when an admin asks:
// ranked first for a message that doesn't say so ("how do I reset the
// password"), it yields to the topic it is the admin variant of when that
// ranks close behind (variantShare), at any depth of the ranking, whose
// answer is the user's and which still turns to the admin variant when an
// admin does ask.
func (c *turn) endUserFirst(ranked []Match) []Match {
	top := ranked[0]
	general := c.h.family[top.Topic]
	if general == "" || general == top.Topic || c.h.cat.Topics[general].Variants["admin"] != top.Topic || c.adminAsks() {
		return ranked
	}
	gt := c.h.cat.Topics[general]
	for i, m := range ranked[1:] {
		switch {
		case m.Score < top.Score*variantShare || m.Topic != general && !hasVariant(gt, m.Topic):
		case m.Topic == general:
			return promoted(ranked, i+1)
		default:
			// Another of the topic's variants ("reset a work password"):
			// the topic answers for them all.
			return append([]Match{{Topic: general, Score: m.Score}}, ranked...)
		}
	}
	return ranked
}

// hasVariant reports whether id is one of t's variants.
func hasVariant(t *Topic, id string) bool {
	for _, v := range t.Variants {
		if v == id {
			return true
		}
	}
	return false
}

// goesOn answers a message that continues the last answer's subject with
// something that answer doesn't speak of ("ok and my emails?" after what
// happens to OneDrive when leaving): the topic that ranks first, for the
// message alone and read with that subject, among those on the same
// subject (related) other than the last answer, whose words name
// everything new in the message. A message the ranking is sure of, for
// another answer, is a question of its own, unless it is a single word
// ("en onedrive?") and no request to the assistant; and without such a
// topic, the message is ranked as usual.
func (c *turn) goesOn(question string, ranked []Match, conf float64) string {
	if !c.subject() || !c.continues() || c.supposes() {
		return "" // "what if i refuse" supposes rather than names something new
	}
	said := c.continued()
	if len(said) == 0 || len(said) > goesOnWords {
		return ""
	}
	if len(ranked) > 0 && conf >= confUnsure && !c.answeredLast(ranked[0].Topic) {
		if c.intentOf(ranked[0].Topic).aboutTheChat() {
			return "" // a request of its own ("and help", "and yo")
		}
		if len(said) > 1 {
			// A question of its own ("and can you get me a person?"); a
			// single word ("en onedrive?") is not one.
			return ""
		}
	}
	var fresh []string
	for _, w := range said {
		// A word no answer uses ("pareil") names nothing an answer could
		// speak of.
		if c.h.cat.spokenBy(c.w.lang, "").all[w] && !c.speaksOf(c.prev.Base, w, false) && !c.speaksOf(c.prev.Topic, w, false) {
			fresh = append(fresh, w)
		}
	}
	if len(fresh) == 0 {
		return "" // the last answer speaks of it: ranked as usual
	}
	// The message alone and read with the subject, their scores added: the
	// first finds what is new, the second keeps to the subject.
	both := map[string]float64{}
	for _, q := range []string{question, question + " " + c.w.text(c.prev.Base).Label} {
		for _, m := range c.rankFor(q, nil, said, goesOnDepth) {
			both[m.Topic] += m.Score
		}
	}
	best, bestScore := "", minScore
	for id, score := range both {
		if score < bestScore || score == bestScore && id > best || c.answeredLast(id) || !c.related(c.prev.Base, id) {
			continue
		}
		if !slices.ContainsFunc(fresh, func(w string) bool { return !c.speaksOf(id, w, true) }) {
			best, bestScore = id, score
		}
	}
	return best
}

// onSubject returns, of the two readings the ranking can't choose
// between, the one on the last answer's subject (related) when the other
// is not, or "".
func (c *turn) onSubject(ranked []Match) string {
	if len(ranked) < 2 || !c.subject() {
		return ""
	}
	first, second := c.related(c.prev.Base, ranked[0].Topic), c.related(c.prev.Base, ranked[1].Topic)
	switch {
	case first && !second:
		return ranked[0].Topic
	case second && !first:
		return ranked[1].Topic
	}
	return ""
}

// again reports whether a typed message is answered with the topic just
// answered, which has more to say than its answer and steps.
func (c *turn) again(id string, targets []msaccount.Target) bool {
	if !c.hasPrev || c.m.Action != "" || len(targets) > 0 || id == "" || !c.answeredLast(id) {
		return false
	}
	if i := c.intentOf(id); i == Classify || i.aboutTheChat() {
		return false
	}
	return len(c.w.text(id).Details) > 0
}

// related reports whether two topics are about one subject: the same
// intent, or one offered as a follow-up of the other.
func (c *turn) related(a, b string) bool {
	ta, tb := c.h.cat.Topics[a], c.h.cat.Topics[b]
	return ta != nil && tb != nil && (ta.Intent == tb.Intent || c.offers(a, b) || c.offers(b, a))
}

// offers reports whether topic a's answer offers topic b as a follow-up.
func (c *turn) offers(a, b string) bool {
	ta := c.h.cat.Topics[a]
	return ta != nil && slices.Contains(ta.Follow, b)
}

// speaksOf reports whether a topic's words in the reply's language, read
// as rankWords reads them, hold w: its label and answer, and with whole its
// details and steps too. The last answer is judged by what it says first
// (a "recovery email" in its details doesn't answer "and my emails?"), a
// new one by all it says.
func (c *turn) speaksOf(id, w string, whole bool) bool {
	tw := c.h.cat.spokenBy(c.w.lang, id)
	if whole {
		return tw.all[w]
	}
	return tw.first[w]
}

// goesOnDepth is how many topics goesOn reads for each reading.
const goesOnDepth = 8

// goesOnWords is the length (stop words and the opening aside) up to
// which a message that continues the subject is read on it (goesOn).
const goesOnWords = 6

// opening returns how many words of the message (rankWords) open it: a
// filler ("ok"), then a continuation ("and what about"), either may be 0.
func (c *turn) opening() (filler, continuation int) {
	filler = c.h.fillers.prefix(c.rw)
	return filler, c.h.continues.prefix(c.rw[filler:])
}

// continues reports whether the message opens by continuing the last
// answer's subject ("and…", "what about…", "ok et pour…").
func (c *turn) continues() bool {
	_, continuation := c.opening()
	return c.hasPrev && continuation > 0
}

// saysWill reports whether the message says what the person will do
// next (match.will: "i'll ask IT", "je prends le pro"), not supposing it
// ("et ça change quoi si je prends le mauvais": a phrase of match.suppose
// right before).
func (c *turn) saysWill() bool {
	start, _ := c.h.wills.span(c.rw)
	return start >= 0 && !endsWith(c.h.supposes, c.rw[:start])
}

// supposes reports whether the message opens, after a filler, with a
// supposition ("what if…", "ok and if…").
func (c *turn) supposes() bool {
	filler, _ := c.opening()
	return c.h.supposes.prefix(c.rw[filler:]) > 0
}

// continued returns the words (stop words aside) of a message after its
// opening ("ok and what about"), for one that continues.
func (c *turn) continued() []string {
	filler, continuation := c.opening()
	return withoutStopWords(c.rw[filler+continuation:])
}

// adminAsks reports whether the message says an admin or the helpdesk is
// asking for someone else (match.admin), now or earlier in the
// conversation ("servicedesk here" once, then "can we reset it from
// here"), read the first time it's needed, in the words around the
// addresses: "helpdesk.here@…" says nothing of who asks.
func (c *turn) adminAsks() bool {
	return c.hasPrev && c.prev.Admin != "" && c.prev.Admin == c.m.User || c.adminSays()
}

// adminSays reports whether this message says an admin or the helpdesk is
// asking (adminAsks without the conversation before it): a short reply
// that says so takes the last answer's admin variant (clarified), which a
// later short question from the same admin must not.
func (c *turn) adminSays() bool {
	if c.admin == 0 {
		c.admin = 1
		w := c.rw
		if w == nil {
			w = rankWords(c.said)
		}
		if c.h.adminWords.find(w, -1) >= 0 {
			c.admin = 2
		}
	}
	return c.admin == 2
}

// kindQuestions are the intents whose questions ask which kind an account
// is ("how can I tell if this is the company account or my own"): the
// kind they name is asked about, not said.
var kindQuestions = []Intent{Classify, Difference, TeamsFreeVsWork}

// specific prefers a variant to its general topic when the message names
// the variant's kind ("I know my work password, I just want to change
// it") and the variant ranks close behind, or is reached only by its
// question.
func (c *turn) specific(ranked []Match, qw []string) string {
	top := ranked[0]
	t := c.h.cat.Topics[top.Topic]
	if v := c.otherKind(top.Topic); v != "" {
		return v
	}
	if v := c.kindSaid(t, qw); v != "" {
		return v
	}
	if len(t.Variants) == 0 || len(ranked) < 2 {
		return top.Topic
	}
	for kind, v := range t.Variants {
		if !slices.Contains(qw, kind) {
			continue
		}
		for _, m := range ranked[1:min(len(ranked), 3)] {
			if m.Topic == v && m.Score >= top.Score*variantShare {
				return v
			}
		}
	}
	return top.Topic
}

// kindSaid is t's variant for the one kind of account a question says it
// is about, or "": for a kind word ("lost my phone with authenticator,
// it's my work account"), a variant only its question leads to (match:
// never; one the ranking reaches must rank close, see specific); for a
// service only that kind has ("mein Hotmail-Konto"), any variant. Not on
// the picker, where a kind or a service names a tile or an app, and not
// for a question that asks which kind it is.
func (c *turn) kindSaid(t *Topic, qw []string) string {
	ks := c.served
	if len(ks) != 1 || c.asks() || slices.Contains(kindQuestions, t.Intent) || t.Intent == AccountPickerConflict {
		// On the picker, "added the hotmail" says which app and "delete
		// the personal one" which tile, not what the address is.
		return ""
	}
	v := t.Variants[string(ks[0])]
	if v == "" {
		return ""
	}
	if len(c.h.namedKinds(qw)) > 0 && c.h.cat.Topics[v].Matchable {
		return ""
	}
	return v
}

// otherKind is, for a variant answered for one kind of account when the
// message names only the other ("its the work one. so who resets the
// password of that one" ranked the personal reset), the general
// question's variant for the kind named, or "". A topic with a variant
// for one kind and none for the other is itself the other kind's answer
// ("can IT reset my personal password", whose work variant is the work
// reset).
func (c *turn) otherKind(id string) string {
	if len(c.served) != 1 {
		return ""
	}
	named, other := string(c.served[0]), string(oppositeKind(c.served[0]))
	if t := c.h.cat.Topics[id]; t != nil && t.Variants[named] != "" && t.Variants[other] == "" {
		return t.Variants[named]
	}
	if g := c.h.cat.Topics[c.h.family[id]]; g != nil && g.Variants[named] != "" && g.Variants[named] != id && g.Variants[other] == id {
		return g.Variants[named]
	}
	return ""
}

// withTargets answers a message that names addresses or domains: a plain
// "what is it?", or a topic question fitted to what the address is.
func (c *turn) withTargets(ranked []Match, conf float64, targets []msaccount.Target, qw []string) {
	if k := c.saysKind(qw); k != "" && len(targets) == 1 {
		if id := c.forSubject(k); id != "" {
			// "it's the address the company gave me, jenna@…" after which
			// tile to pick: the answer for the kind the person names,
			// whatever the lookup settles (a settled verdict still shows).
			c.topic(id, 1, targets)
			return
		}
		// "het is een zakelijk account, pieter@…" after what happens when
		// leaving: what was said applies to it; what more there is to
		// say, rather than a check nobody asked for.
		c.followUp(actionMore)
		return
	}
	id := ""
	switch {
	case c.hasPrev && c.prev.Pending != "" && (len(qw) <= 3 || conf < confUnsure):
		id = c.prev.Pending // the answer to "which address?"
	case c.hasPrev && c.h.cat.Topics[c.prev.Base] != nil && len(qw) <= 3 && c.intentOf(c.prev.Base) != Classify && byKind(c.h.cat.Topics[c.prev.Base]):
		id = c.prev.Base // "and bob@fabrikam.com?" after a question answered by the kind of account
	case c.hasPrev && c.prev.Intent == Classify && c.continues() && len(c.continued()) <= goesOnWords && (len(ranked) == 0 || !byKind(c.h.cat.Topics[ranked[0].Topic])):
		// "en bakkerij-jansen.nl in het algemeen?" after a verdict: another
		// verdict, whatever a stray word ranks for ("algemeen" is Teams'
		// General channel in Dutch), unless it asks a question answered by
		// the kind of account ("and how do I reset bob@…'s password?").
	case c.hasPrev && plainCheck(c.prev.Base) && conf < confOwnQuestion && (len(ranked) == 0 || !byKind(c.h.cat.Topics[ranked[0].Topic])):
		// "laatste: info@bouwbedrijf-devries.nl, onderaannemer" after a
		// verdict: the next address to check, whatever its words barely
		// rank for, unless it asks a question answered by the kind.
	case len(ranked) == 0 || conf < confAddressTopic || c.onlyNames(qw) || c.asksCheck(ranked) || c.classifyNear(ranked, targets) || c.clauseAsksWhat(targets[0]):
		// "ok check j.smith@… then", "his school login is …, can you
		// check thats a proper school account": the check asked for,
		// whatever the words around it rank for.
	default:
		id = c.verdictTopic(ranked)
		if c.guess(id, ranked, conf, nil) && !slices.ContainsFunc(targets, msaccount.Target.IsDomain) {
			// "i think its signed in with my hotmail, jayden@hotmail.com"
			// after which Teams one is in: the addresses given, checked,
			// rather than another subject the words barely rank for. A
			// domain named in passing ("his outlook.com for personal
			// stuff, is that affected?") is no request to check it.
			id = ""
		}
		conf = max(conf, confAddressTopic)
	}
	if id != "" && (c.intentOf(id) == OutOfScope || id == topicHuman) {
		// Off-topic requests that name addresses (a company's staff list,
		// say) get no lookups at all; nor does asking for a person, whom
		// the address is given for.
		c.topic(id, conf, nil)
		return
	}
	if id == "" || plainCheck(id) {
		id, conf = "", 1
	}
	c.topic(id, conf, targets)
}

// saysKind is the kind of account a message with an address says it is,
// saying little else ("it's the address the company gave me, jenna@…",
// "this is for work, woodgrovebank.com") after an answer with a subject;
// "" for any other message, and for one that asks ("is jenna@… a work
// account?") or asks where ("c'est où pour un compte pro ? c'est
// a.petit@…").
func (c *turn) saysKind(qw []string) msaccount.Kind {
	kinds := c.h.namedKinds(qw)
	if len(kinds) != 1 || !c.subject() || c.asks() || c.saysCheck() || c.h.wheres.find(c.rw, -1) >= 0 {
		return ""
	}
	if c.h.besidesNames(qw) > saysKindWords {
		return ""
	}
	return kinds[0]
}

// asksCheck reports whether the message asks for its addresses to be
// checked (saysCheck), unless its first reading, ranked, is off-topic
// ("give me all the addresses at fabrikam.com and check each" is no
// check).
func (c *turn) asksCheck(ranked []Match) bool {
	if len(ranked) > 0 && c.intentOf(ranked[0].Topic) == OutOfScope {
		return false
	}
	return c.saysCheck()
}

// saysCheck reports whether the message holds a request to check
// (match.check): "ok check j.smith@… then".
func (c *turn) saysCheck() bool { return c.h.checks.find(c.rw, -1) >= 0 }

// saysKindWords is how many words besides the kind and the address's
// own a message may have to say which account it is about.
const saysKindWords = 2

// forSubject is the last answer's general question's variant for kind k,
// or "": "and the personal one, x@outlook.com?" after the lost phone's
// work answer is the lost phone's personal one.
func (c *turn) forSubject(k msaccount.Kind) string {
	base := c.prev.Base
	if g := c.h.family[base]; g != "" {
		base = g
	}
	return c.h.forKind(base, k)
}

// asks reports whether the message opens as a question whether
// something is so ("is jane@… a work account?", "¿es …?"), rather than
// saying it.
func (c *turn) asks() bool {
	return c.h.asks.prefix(c.rw) > 0 || strings.HasPrefix(strings.TrimSpace(c.said), "¿")
}

// onlyNames reports whether the words around the addresses only say what
// they are ("c'est mon adresse du boulot, sophie@…", "my work email is
// …"): the address is checked, the claim with it.
func (c *turn) onlyNames(qw []string) bool {
	return c.h.besidesNames(qw) == 0
}

// besidesNames counts the words (queryWords) that neither name a kind of
// account nor say what an address is (match.address).
func (h *Handler) besidesNames(qw []string) int {
	n := 0
	for i := 0; i < len(qw); {
		if h.kindWord(qw[i]) != "" {
			i++
			continue
		}
		if k := h.addressWords.prefix(qw[i:]); k > 0 {
			i += k
			continue
		}
		n++
		i++
	}
	return n
}

// clauseAsksWhat reports whether the sentence of a longer message that
// names t asks what t is: "HELP!!! is ceo@contoso.com a personal
// account?? urgent board meeting" is about the address, whatever the rest
// ranks for.
func (c *turn) clauseAsksWhat(t msaccount.Target) bool {
	parts := strings.Split(sentenceEnds.Replace(c.said), "\n")
	if len(parts) < 2 {
		return false // the whole message was ranked already
	}
	name := t.Input
	for _, p := range parts {
		if !strings.Contains(p, name) {
			continue
		}
		q := question(p)
		if len(queryWords(q)) < 2 || !strings.ContainsAny(p, "?¿") {
			// "it's sam@outlook.com", "we look after lindqvist-arch.com":
			// no question of its own.
			return false
		}
		ranked := c.h.matcher.Rank(q, 4)
		if len(ranked) == 0 || ranked[0].Score < minScore {
			return false
		}
		return plainCheckNear(ranked, 3)
	}
	return false
}

// classifyNear reports whether a message that names an address asks what
// it is: a question about the kind of account ranks close to the top, and
// the top topic has no use for a verdict.
func (c *turn) classifyNear(ranked []Match, targets []msaccount.Target) bool {
	top := ranked[0]
	switch c.intentOf(top.Topic) {
	case Help:
		if slices.Contains(aboutTheAnswer, top.Topic) && confidence(ranked) >= confUnsure {
			// "you're wrong, sam@contoso.com is a work account": the
			// answer about my answers, with the address checked again.
			return false
		}
		if top.Topic == topicHuman && confidence(ranked) >= confPerson {
			// "can you put me through to IT? i'm katrin.weiss@…": a
			// person is asked for, the address is for them.
			return false
		}
		return true // "sorry, I meant sam@outlook.com": the address is the point
	case Greeting:
		return true
	case OutOfScope:
		// Junk around an address ("<script>… is bob@fabrikam.com") does
		// not hide it; asking for a staff list or someone else's account
		// is refused with no lookup at all.
		return slices.Contains(besideAddresses, top.Topic) && hasAddress(targets)
	case Classify:
		if plainCheck(top.Topic) {
			return true
		}
		// A question about a kind of address (can a gmail.com address be
		// work?) is that topic; naming an address asks what that address
		// is, unless the topic is far ahead of the plain check.
		return hasAddress(targets) && plainCheckNear(ranked, 4)
	}
	if byKind(c.h.cat.Topics[top.Topic]) {
		return false // a question whose answer depends on the verdict
	}
	if c.h.besidesNames(c.qw) > ownQuestionWords {
		// "msp here doing a council migration. domain … is verified in the
		// tenant now … can i just delete the personal ones from the admin
		// side?": a question of its own around the address, answered
		// with its verdict beside it.
		return false
	}
	return plainCheckNear(ranked, 3)
}

// ownQuestionWords is how many words besides the addresses and the kinds
// of account make a message a question of its own rather than "what is
// this address?".
const ownQuestionWords = 12

// plainCheckNear reports whether one of the first n ranked topics is a
// plain "what is this address?" check scoring at least classifyShare of
// the first.
func plainCheckNear(ranked []Match, n int) bool {
	for _, m := range ranked[:min(len(ranked), n)] {
		if plainCheck(m.Topic) && m.Score >= ranked[0].Score*classifyShare {
			return true
		}
	}
	return false
}

// joinRich is a then b, as one paragraph.
func joinRich(a, b Rich) Rich {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	return append(append(append(Rich{}, a...), Span{Text: " "}), b...)
}

func hasAddress(targets []msaccount.Target) bool {
	for _, t := range targets {
		if !t.IsDomain() {
			return true
		}
	}
	return false
}

// plainCheck reports whether a topic is the plain "what is this address
// (or domain)?", which the verdict itself answers. Other questions about
// kinds of addresses (can a Gmail address be a work account?) are answered
// as topics, with the verdict beside them.
func plainCheck(id string) bool {
	return id == topicAddress || id == topicAskAddress || id == topicDomain
}

// verdictTopic is the topic for a question that names an address: the best
// one, unless one close behind it has variants for what the address is
// ("reset the password for wendy@contoso.com" is about her kind of account).
func (c *turn) verdictTopic(ranked []Match) string {
	top := ranked[0]
	if byKind(c.h.cat.Topics[top.Topic]) {
		return top.Topic
	}
	for _, m := range ranked[1:min(len(ranked), 3)] {
		if byKind(c.h.cat.Topics[m.Topic]) && m.Score >= top.Score*variantShare {
			return m.Topic
		}
	}
	return top.Topic
}

// variantShare is how close to the top a topic with variants must rank to
// be preferred when the message names an address.
const variantShare = 0.8

// classifyShare is how close to the top a "what is this address?" topic must
// rank to be taken as the question when the message names an address.
const classifyShare = 0.7

// topic answers topic id; with targets it checks them first and answers the
// topic's variant for what they are. An empty id with targets is the plain
// "what is this address?".
func (c *turn) topic(id string, conf float64, targets []msaccount.Target) {
	if id == topicTenantID && len(targets) > 0 {
		// An organisation's tenant ID is among a verdict's reasons.
		c.explainWhy(id, targets)
		return
	}
	if c.again(id, targets) {
		// The same answer to a new message: what it adds (its details)
		// rather than the same words again.
		c.followUp(typedAgain)
		return
	}
	if c.answeredEarlier(id, targets) {
		if d, n := c.spokenOf(id); n > 0 {
			// "ok and after i disconnect, what do i do next time i sign
			// in to teams" after undoing "manage my device", then where
			// Settings keeps it: an answer given before the last, whose
			// details speak of the message, and those details rather
			// than the answer again.
			t := c.h.cat.Topics[id]
			c.r.Intent, c.r.Topic, c.r.Confidence = t.Intent, id, round2(conf)
			c.detailsFirst(d)
			c.r.Suggestions = c.follow(t, false, false)
			c.next = Turn{Intent: t.Intent, Topic: id, Base: id, Told: true}
			return
		}
	}
	var vs []msaccount.Verdict
	if len(targets) > 0 {
		vs = c.verdicts(targets)
	}
	if id == "" || id == topicAddress || id == topicDomain {
		id = topicAddress
		if len(vs) > 0 && allDomains(vs) {
			id = topicDomain
		}
		if len(vs) > 0 {
			c.verdictAnswer(id, vs)
			return
		}
		id = topicAskAddress
	}
	base := id
	id = c.variant(id, vs)
	if len(vs) == 0 && id == base {
		id = c.remembered(id)
	}
	t := c.h.cat.Topics[id]
	if t == nil {
		id, t = topicNotUnderstood, c.h.cat.Topics[topicNotUnderstood]
	}
	tt := c.w.text(id)
	c.r.Intent, c.r.Topic, c.r.Confidence = t.Intent, id, round2(conf)
	c.r.Headline = c.w.rich(tt.Answer)
	if id == topicHuman {
		if s := c.lastSubject(); s != "" {
			// "ok ill log a ticket, what should i put in it" after a lost
			// phone with no other method: what to ask for too.
			c.r.Headline = joinRich(c.r.Headline, c.w.rich(c.w.text(s).AskFor))
		}
	}
	c.r.Steps = c.w.list(tt.Steps)
	if codeTopic(id) && c.m.Action == "" && c.speaksOfError() && !c.quotesMessage() && !c.citesCode() {
		// "she gets some error about live.com": an error spoken of, its
		// code what the words point to, not what the person read, and
		// the reply says so. A person who gave a code, even another, gave
		// one; one who quoted the message gave what there was.
		c.r.Summary = c.w.phrase("answer.code_guessed")
	}
	if len(vs) > 0 {
		c.r.Lines = c.lines(vs)
		if c.hasPrev && id == c.prev.Topic && len(c.prev.Targets) == 0 && c.m.Action == "" && c.kind == "" && variantKind(vs) == msaccount.KindUnknown {
			// "its j.morales@contoso.com if that matters" after how to
			// reset a work password, and the address can't be told: the
			// answer just given stands, rather than it again. An address
			// that tells, or a kind said with it, may narrow the answer
			// to its part for that kind ("het is mijn eigen laptop, ik
			// log in met sanne_vd@hotmail.nl" after the BitLocker key).
			c.r.Headline, c.r.Steps = nil, nil
			c.r.Notice = joinRich(c.r.Notice, c.w.phrase("answer.stands"))
		}
	}
	c.r.Suggestions = c.follow(t, len(tt.Details) > 0, len(vs) > 0)
	c.next = Turn{Intent: t.Intent, Topic: id, Base: base, Targets: targetNames(vs)}
	switch {
	case id == topicAskAddress || id == topicCurrent && len(vs) == 0:
		c.next.Pending = topicAddress
	case (lookupVariants(t) || id == topicTenantID) && len(vs) == 0:
		c.next.Pending = id // an address sent next gets this topic's variant, or its tenant ID
	}
	if id == topicCurrent {
		c.current()
	}
	if id == topicNotUnderstood {
		c.next.Unmatched = c.prev.Unmatched + 1
	}
}

// remembered is the answer to id for the kind of account the person said
// earlier in the conversation (Turn.Kind), when this message names none:
// "no tengo códigos ni nada" after "es la cuenta del trabajo" is about
// the work account. Only a variant no question reaches on its own counts,
// as for a kind named in the message (kindSaid): "I'm sure the password
// is right" after "it's my work account" may still be the wrong tile,
// not the work reset page. id itself when it has no such variant, when
// it is no longer the subject's, or when its kinds say nothing of the
// person's account (kindUnsaid).
func (c *turn) remembered(id string) string {
	t := c.h.cat.Topics[id]
	if !c.hasPrev || c.prev.Kind == "" || c.kind != "" || t == nil || kindUnsaid(t.Intent) || !c.related(c.prev.Base, id) {
		return id
	}
	if v := c.h.forKind(id, msaccount.Kind(c.prev.Kind)); v != "" && !c.h.cat.Topics[v].Matchable {
		return v
	}
	return id
}

// offerOnSubject offers, after a thanks or an OK that echoes the
// subject, the last answer's follow-ups rather than the general ones:
// "…i picked work or school this time. fixed!" may still want to stop
// the question for good.
func (c *turn) offerOnSubject() {
	c.r.Suggestions = c.follow(c.h.cat.Topics[c.prev.Topic], false, false)
}

// notOwnQuestion reports whether the ranking finds no question of the
// message's own: it isn't sure of one, or its first reading is about the
// chat ("hat funktioniert!" reads like "funktioniert nicht").
func (c *turn) notOwnQuestion(ranked []Match, conf float64) bool {
	return len(ranked) == 0 || conf < confOwnQuestion || c.intentOf(ranked[0].Topic).aboutTheChat()
}

// thanksFirst reports whether the ranking reads the message first as a
// thanks, or as its variant for a fix that worked.
func (c *turn) thanksFirst(ranked []Match) bool {
	if len(ranked) == 0 {
		return false
	}
	t := c.h.cat.Topics[topicThanks]
	return ranked[0].Topic == topicThanks || t != nil && ranked[0].Topic == t.Variants["sorted"]
}

// worked reports whether the message says a fix worked ("that worked",
// "fixed"), and nothing that it didn't ("thanks anyway, still no luck").
func (c *turn) worked() bool {
	return c.h.worked.find(c.rw, -1) >= 0 && !c.failed()
}

// failed reports whether the message says something didn't work
// (match.not_worked: "still", "not", "nothing"…).
func (c *turn) failed() bool {
	return c.h.notWorked.find(c.rw, -1) >= 0
}

// workedAtLast reports whether the message ends saying a fix worked
// ("…now it says Microsoft 365 Apps for enterprise. fixed"), and says
// nothing of it not working: one that opens so goes on to what happened
// next ("done. now it says 'more information required', thats normal
// right").
func (c *turn) workedAtLast() bool {
	return endsWith(c.h.worked, c.rw) && c.worked()
}

// variant is the topic to answer for id given what the verdicts found.
func (c *turn) variant(id string, vs []msaccount.Verdict) string {
	t := c.h.cat.Topics[id]
	if t == nil {
		return id
	}
	if lookalikeAny(vs) {
		if v := t.Variants["lookalike"]; v != "" {
			return v
		}
		return topicLookalike
	}
	if v := t.Variants["provider"]; v != "" && allEvidence(vs, msaccount.CodeRulesOtherProvider) {
		// "is an orange.fr address ever a work account?" asked in the
		// words of Microsoft's own mail domains: the answer for other
		// providers.
		return v
	}
	if v := t.Variants["sorted"]; v != "" && c.worked() {
		// "that worked, thanks": glad it's sorted. Any other thanks
		// ("thanks anyway", "ok, I'll call them") assumes nothing.
		return v
	}
	if v := t.Variants["subject"]; v != "" && len(vs) == 0 && c.m.Action == "" && c.subject() && c.failed() {
		// "still not working, same error" after an answer on a subject:
		// which app and what it says were asked and answered; what's left
		// is a person, and what to give them. Only when it says so
		// ("still", "not"…): "sweet, Teams is working again" reads like
		// the question but says the opposite.
		return v
	}
	if v := t.Variants["left_org"]; v != "" && c.h.left.find(c.rw, -1) >= 0 {
		// "graduated in december and now word says unlicensed product":
		// the licence went with the organisation, and signing in with
		// another account won't bring it back.
		return v
	}
	if v := t.Variants["offline"]; v != "" && c.h.offline && len(vs) == 0 {
		// "why couldn't you tell?" when lookups never ask Microsoft: that
		// they don't, rather than what Microsoft's answers can't settle.
		return v
	}
	if v := t.Variants["personal_pair"]; v != "" && len(vs) > 1 && allPersonal(vs) {
		// "dave77@hotmail.com and dave.shop@outlook.com, merge them": two
		// personal accounts, not a personal and a work one.
		return v
	}
	kind := variantKind(vs)
	if ks := c.h.namedKinds(c.qw); kind == msaccount.KindUnknown && len(ks) == 1 && t.Intent != AccountPickerConflict && !c.asks() {
		// Microsoft's answer didn't settle it, and the person says which
		// ("my school account, max@schule.contoso.de"): theirs, unless
		// they ask it ("is max@… a school account?"). Not for the picker,
		// where "the personal one" says which tile, not what the address
		// is.
		kind = ks[0]
	}
	if v := t.Variants["admin"]; v != "" && kind != msaccount.KindPersonal && c.adminAsks() {
		// An admin or the helpdesk asking for someone: what they can do,
		// except about a personal account, which only its owner can.
		return v
	}
	if v := t.Variants[string(kind)]; v != "" && len(vs) > 0 {
		return c.variant(v, nil) // or the variant's own admin variant
	}
	return id
}

// variantKind is the kind that picks a topic's variant: the most pressing
// kind, where a partly settled verdict counts as the kind it leans to (an
// @outlook.com address can only be a personal account, so its password is
// reset on the personal page even when its existence is not confirmed).
func variantKind(vs []msaccount.Verdict) msaccount.Kind {
	leant := make([]msaccount.Verdict, len(vs))
	for i, v := range vs {
		if v.Address != "" && v.Kind == msaccount.KindUnknown && v.Error == "" {
			v.Kind = leaning(v)
		}
		leant[i] = v
	}
	return pressingKind(leant)
}

// current answers "which account am I using?" from the tenant the platform
// reports.
func (c *turn) current() {
	if c.m.TenantID == "" {
		return
	}
	key := "work"
	if strings.EqualFold(c.m.TenantID, ConsumerTenantID) {
		key = "personal"
	}
	if v := c.h.cat.Topics[topicCurrent].Variants[key]; v != "" {
		tt := c.w.text(v)
		c.r.Topic = v
		c.r.Headline, c.r.Steps = c.w.rich(tt.Answer), c.w.list(tt.Steps)
		c.next.Topic, c.next.Pending = v, ""
	}
	if key == "work" {
		if line := c.self(); line != nil {
			c.r.Lines = append(c.r.Lines, line)
		}
	}
}

// self says which account a Teams user of the organisation is using, from
// the directory (one online lookup of their allowance); nil when the
// directory cannot tell.
func (c *turn) self() Rich {
	h, m := c.h, c.m
	if h.dir == nil || m.Platform != PlatformTeams || m.UserObjectID == "" || !h.org.Includes(m) {
		return nil
	}
	if h.limiter.Take(c.ctx, m.Platform+":"+m.User, 1) == 0 {
		return nil
	}
	f, err := h.dir.Self(c.ctx, m.UserObjectID)
	if err != nil {
		h.log.Debug("directory: no answer about the asker", "error", err.Error())
		return nil
	}
	switch {
	case !f.Found:
		return nil
	case f.UserType == "Guest":
		return c.w.phrase("self.guest", quotedArg("name", f.User), plainArg("home", c.w.home(f.Home)))
	}
	return c.w.phrase("self.member", quotedArg("name", f.User))
}

// ConsumerTenantID is the Entra tenant of personal Microsoft accounts.
const ConsumerTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// verdictAnswer says what the checked addresses are: the verdict, how sure,
// and the next steps for that kind.
func (c *turn) verdictAnswer(id string, vs []msaccount.Verdict) {
	c.r.Intent, c.r.Topic, c.r.Confidence = Classify, id, 1
	result := topicResultPrefix + string(pressingKind(vs))
	if lookalikeAny(vs) {
		result = c.variant(id, vs)
	}
	if v := c.h.cat.Topics[result].Variants["consumer"]; v != "" && allConsumer(vs) {
		result = v // outlook.com and the like: personal if anything
	} else if v := c.h.cat.Topics[result].Variants["offline"]; v != "" && offlineByConfig(vs) {
		result = v // nothing was asked: no "try again" steps
	}
	if v := c.h.cat.Topics[result].Variants["admin"]; v != "" && c.adminAsks() {
		result = v // an admin or the helpdesk asking: what they can check
	}
	rt := c.w.text(result)
	c.headline(vs)
	if id == topicDomain {
		c.r.Summary = joinRich(c.r.Summary, c.w.rich(c.w.text(topicDomain).Answer))
		c.r.Steps = c.w.list(c.w.text(topicDomain).Steps)
		c.r.Suggestions = c.follow(c.h.cat.Topics[topicDomain], false, true)
	} else {
		if lookalikeAny(vs) {
			c.r.Summary = c.w.rich(rt.Answer)
		}
		c.r.Steps = c.w.list(rt.Steps)
		c.r.Suggestions = c.follow(c.h.cat.Topics[result], false, true)
	}
	if lookalikeAny(vs) {
		c.r.Topic = result
	}
	c.next = Turn{Intent: Classify, Topic: result, Base: id, Targets: targetNames(vs)}
}

// lookupVariants reports whether t has variants for what a lookup finds,
// which an address sent next chooses between; the offline variant depends
// on how lookups are configured, the sorted and subject ones on the
// message and the conversation, not on the address.
func lookupVariants(t *Topic) bool {
	for k := range t.Variants {
		if !slices.Contains(lookupFreeVariants, k) {
			return true
		}
	}
	return false
}

// lookupFreeVariants are the variant keys no lookup decides.
var lookupFreeVariants = []string{"offline", "sorted", "subject", "left_org"}

// allPersonal reports whether every verdict is an address that is, or
// can only be, a personal account.
func allPersonal(vs []msaccount.Verdict) bool {
	for _, v := range vs {
		k := v.Kind
		if k == msaccount.KindUnknown && v.Error == "" {
			k = leaning(v)
		}
		if v.Address == "" || k != msaccount.KindPersonal {
			return false
		}
	}
	return len(vs) > 0
}

// allConsumer reports whether every verdict is consumerOnly.
func allConsumer(vs []msaccount.Verdict) bool {
	for _, v := range vs {
		if !consumerOnly(v) {
			return false
		}
	}
	return len(vs) > 0
}

// consumerOnly reports whether v is an address at one of Microsoft's
// consumer mail domains whose kind is unsettled: a personal account if it
// exists, never a work one.
func consumerOnly(v msaccount.Verdict) bool {
	return v.Address != "" && v.Domain.Type == msaccount.Consumer && v.Kind == msaccount.KindUnknown && v.Work == msaccount.No
}

// offlineByConfig reports whether every verdict comes from the built-in
// rules because lookups are configured off.
func offlineByConfig(vs []msaccount.Verdict) bool {
	return allEvidence(vs, msaccount.CodeLookupOfflineMode)
}

// byKind reports whether a topic's answer depends on the kind of account
// a verdict finds: a variant for one of kindKeys. Another mail provider's
// variant is none (a question about Microsoft's own mail domains answered
// for gmx.de is no question answered by the kind), nor is an admin's.
func byKind(t *Topic) bool {
	for k := range t.Variants {
		if slices.Contains(kindKeys, k) {
			return true
		}
	}
	return false
}

// allEvidence reports whether every verdict holds evidence with code.
func allEvidence(vs []msaccount.Verdict, code string) bool {
	for _, v := range vs {
		if !slices.ContainsFunc(v.Evidence, func(e msaccount.Evidence) bool { return e.Code == code }) {
			return false
		}
	}
	return len(vs) > 0
}

// headline says what the verdicts found: one verdict's line and how sure
// it is, or how many were checked above a line each.
func (c *turn) headline(vs []msaccount.Verdict) {
	lines := c.lines(vs)
	if len(vs) == 1 {
		c.r.Headline = lines[0]
		c.r.Summary = c.certainty(vs[0])
		return
	}
	c.r.Headline = c.w.phrase("multi.headline", plainArg("n", c.w.number(len(vs))))
	c.r.Lines = lines
}

// verdicts checks the targets, online within the user's limits and offline
// past them, and notes in the reply what was limited or left out.
func (c *turn) verdicts(targets []msaccount.Target) []msaccount.Verdict {
	vs, limited := c.h.check(c.ctx, c.m, targets)
	c.r.Verdicts = vs
	if limited > 0 {
		c.r.Notice = joinRich(c.r.Notice, c.w.phrase("limit.notice", plainArg("n", c.w.number(limited))))
	}
	return vs
}

// lines says in one sentence each what the verdicts found, at most
// maxLines of them.
func (c *turn) lines(vs []msaccount.Verdict) []Rich {
	out := make([]Rich, 0, min(len(vs), maxLines))
	for i, v := range vs {
		if i == maxLines {
			c.r.Notice = joinRich(c.r.Notice, c.w.phrase("list.more", plainArg("n", c.w.number(len(vs)-maxLines)), plainArg("total", c.w.number(len(vs)))))
			break
		}
		line := c.w.verdictLine(v)
		if d := c.w.directory(v); d != nil {
			line = append(append(line, Span{Text: ". "}), d...)
		} else if c.h.org.owns(v) {
			line = append(append(line, Span{Text: ". "}), c.w.phrase("verdict.ours")...)
		}
		out = append(out, line)
	}
	return out
}

// certainty says how sure a verdict is, honestly: built-in rules only,
// Microsoft not answering, or confirmed.
func (c *turn) certainty(v msaccount.Verdict) Rich {
	if v.Error != "" {
		return nil
	}
	f := factsOf(v, c.h.offline)
	switch {
	case f.offline && v.Kind == msaccount.KindUnknown && leaning(v) == msaccount.KindUnknown:
		return c.w.phrase("certainty.offline_unknown", quotedArg("domain", v.Domain.Name))
	case f.offline:
		return c.w.phrase("certainty.offline")
	case f.throttled:
		return c.w.phrase("certainty.throttled")
	case f.failed:
		return c.w.phrase("certainty.failed")
	}
	return c.w.phrase("certainty." + string(v.Certainty))
}

// invalid answers a message whose only addresses are not valid ones.
func (c *turn) invalid(bad []msaccount.Verdict) {
	tt := c.w.text(topicInvalid)
	c.r.Intent, c.r.Topic, c.r.Confidence = Classify, topicInvalid, 1
	c.r.Headline = c.w.rich(tt.Answer)
	for _, v := range bad {
		c.r.Lines = append(c.r.Lines, c.w.verdictLine(v))
	}
	c.r.Steps = c.w.list(tt.Steps)
	c.next = Turn{Intent: Classify, Topic: topicInvalid, Pending: topicAddress}
}

// matchTopics are the topics of a ranking.
func matchTopics(ranked []Match) []string {
	out := make([]string, 0, len(ranked))
	for _, m := range ranked {
		out = append(out, m.Topic)
	}
	return out
}

// didYouMean offers the closest topics as choices instead of guessing.
func (c *turn) didYouMean(ranked []Match, conf float64) {
	c.r.Intent, c.r.Topic, c.r.Confidence = c.intentOf(ranked[0].Topic), "", round2(conf)
	c.r.Headline = c.w.phrase("didyoumean.headline")
	var ids []string
	for _, m := range ranked {
		if len(ids) == 3 {
			break
		}
		ids = append(ids, m.Topic)
		c.r.Choices = append(c.r.Choices, Suggestion{Label: c.w.text(m.Topic).Label, Action: actionTopic + m.Topic})
	}
	c.r.Choices = append(c.r.Choices, Suggestion{Label: c.w.phraseText("label.none"), Action: actionNone})
	c.next = Turn{Intent: c.r.Intent, Choices: ids, Unmatched: c.prev.Unmatched + 1}
}

// notUnderstood answers a message that resembles no topic, and keeps it for
// the helpdesk's report.
func (c *turn) notUnderstood(text string, guesses []string) {
	c.topic(topicNotUnderstood, 0, nil)
	c.r.Intent = OutOfScope
	c.next.Intent = OutOfScope
	if c.h.journal != nil && text != "" {
		c.h.journal.Unanswered(c.ctx, Unanswered{Text: reduceAddresses(text), Why: "unmatched", Guesses: guesses, Lang: c.w.lang, At: time.Now().UTC()})
	}
}

// act answers a pressed button.
func (c *turn) act(a string) {
	switch {
	case strings.HasPrefix(a, actionTopic):
		id := strings.TrimPrefix(a, actionTopic)
		if c.h.cat.Topics[id] == nil {
			c.notUnderstood("", nil)
			return
		}
		var targets []msaccount.Target
		if len(c.h.cat.Topics[id].Variants) > 0 && c.hasPrev {
			targets = parseTargets(c.prev.Targets) // cached: no new cost upstream
		}
		c.topic(id, 1, targets)
	case a == actionWhy || a == actionFix || a == actionMore:
		c.followUp(a)
	case a == actionNone:
		c.topic(topicNoneOfThese, 1, nil)
		c.next.Unmatched = c.prev.Unmatched + 1
		if c.h.journal != nil && c.prev.Question != "" {
			c.h.journal.Unanswered(c.ctx, Unanswered{Text: reduceAddresses(c.prev.Question), Why: "none_of_these", Guesses: c.prev.Choices, Lang: c.w.lang, At: time.Now().UTC()})
		}
	case strings.HasPrefix(a, actionVoteUp):
		c.vote(true, strings.TrimPrefix(a, actionVoteUp))
	case strings.HasPrefix(a, actionVoteDown):
		c.vote(false, strings.TrimPrefix(a, actionVoteDown))
	case a == actionHandoff:
		c.handoff()
	default:
		// A button from before buttons carried actions: read its text.
		c.m.Text, c.m.Action = a, ""
		c.said = Normalise(c.m.Platform, a)
		c.understand()
	}
}

// followUp answers "why?", "how do I fix it?" and "tell me more" about the
// previous answer.
func (c *turn) followUp(kind string) {
	p := c.prev
	if !c.hasPrev || (p.Topic == "" && len(p.Targets) == 0) {
		c.topic(topicAskAddress, 1, nil)
		return
	}
	if kind == actionWhy && len(p.Targets) > 0 {
		c.explainWhy(p.Topic, parseTargets(p.Targets))
		return
	}
	id := p.Topic
	if id == "" {
		id = topicAddress
	}
	t := c.h.cat.Topics[id]
	if t == nil {
		c.notUnderstood("", nil)
		return
	}
	tt := c.w.text(id)
	c.r.Intent, c.r.Topic, c.r.Confidence = t.Intent, id, 1
	if kind != actionFix && p.Told && len(tt.Details) > 0 {
		// Its details given already: its answer, and that there is no
		// more, rather than the same details a third time; with what else
		// may fit, and a person.
		c.r.Headline = c.w.rich(tt.Answer)
		c.r.Notice = c.w.phrase("answer.all_said")
		if kind == typedAgain {
			if d, n := c.spokenOf(id); n > 0 {
				// "which button?" a third time on "manage my device": the
				// detail that says so, not the answer, and that's all.
				c.detailsFirst(d[:1])
			}
		}
		c.r.Suggestions = c.follow(t, false, false)
		c.next = p
		c.offerHandoff()
		return
	}
	switch kind {
	case actionFix:
		c.r.Headline = c.w.rich(tt.Answer)
		c.r.Steps = c.w.list(tt.Steps)
		if len(c.r.Steps) == 0 {
			c.r.Details = c.w.list(tt.Details)
		}
	default: // why, more, typedAgain
		c.r.Headline = c.w.rich(tt.Answer)
		c.r.Details = c.w.list(tt.Details)
		if len(c.r.Details) == 0 {
			c.r.Steps = c.w.list(tt.Steps)
		} else if kind == typedAgain {
			// "if i re-enable it will her mailbox still be there?" after
			// AADSTS50057: where the details speak of what the message
			// does and the answer doesn't, those details first, without
			// the answer just given.
			if d, n := c.spokenOf(id); n > 0 {
				c.detailsFirst(d)
			}
		}
	}
	c.r.Suggestions = c.follow(t, false, len(p.Targets) > 0)
	c.next = p
	c.next.Told = len(c.r.Details) > 0
}

// answeredEarlier reports whether a typed message without addresses is
// answered with a topic answered before the last answer (Turn.Earlier).
func (c *turn) answeredEarlier(id string, targets []msaccount.Target) bool {
	if !c.hasPrev || c.m.Action != "" || len(targets) > 0 || !slices.Contains(c.prev.Earlier, id) {
		return false
	}
	i := c.intentOf(id)
	return i != Classify && !i.aboutTheChat()
}

// earlier is the next Turn's Earlier: the last answer's topic joins the
// earlier ones, unless it is the one answered now or about the chat.
func (c *turn) earlier() []string {
	out := slices.Clone(c.prev.Earlier)
	if p := c.prev.Topic; p != "" && !c.intentOf(p).aboutTheChat() {
		out = append(slices.DeleteFunc(out, func(s string) bool { return s == p }), p)
	}
	out = slices.DeleteFunc(out, func(s string) bool { return s == c.next.Topic })
	if len(out) > maxEarlier {
		out = out[len(out)-maxEarlier:]
	}
	return out
}

// lastSubject returns the topic of the last answer that wasn't about the
// chat itself (a thanks, "that didn't help"): what a person asked for
// needs help with.
func (c *turn) lastSubject() string {
	if p := c.prev.Topic; p != "" && !c.intentOf(p).aboutTheChat() {
		return p
	}
	if n := len(c.prev.Earlier); n > 0 {
		return c.prev.Earlier[n-1]
	}
	return ""
}

// detailsFirst makes the reply what an answer given already adds: "More
// on that:" and details, without the answer.
func (c *turn) detailsFirst(details []Rich) {
	c.r.Headline, c.r.Summary, c.r.Details = nil, c.w.phrase("answer.more"), details
}

// spokenOf returns topic id's details, those holding words of the message
// that its answer doesn't first (spokenOfFirst), and how many such words
// the first holds.
func (c *turn) spokenOf(id string) ([]Rich, int) {
	return spokenOfFirst(c.unanswered(id), c.w.list(c.w.text(id).Details))
}

// unanswered returns the message's words (queryWords), each once, that
// topic id's answer doesn't hold.
func (c *turn) unanswered(id string) []string {
	var words []string
	for _, w := range c.qw {
		if !c.speaksOf(id, w, false) && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return words
}

// spokenOfFirst orders lines by how many of words each holds, most first,
// keeping the order of those that hold as many, and returns the most any
// holds.
func spokenOfFirst(words []string, lines []Rich) ([]Rich, int) {
	type scored struct {
		line Rich
		n    int
	}
	s := make([]scored, len(lines))
	for i, l := range lines {
		s[i].line = l
		for _, w := range withoutStopWords(rankWords(l.String())) {
			if slices.Contains(words, w) {
				s[i].n++
			}
		}
	}
	slices.SortStableFunc(s, func(a, b scored) int { return b.n - a.n })
	out := make([]Rich, len(s))
	for i := range s {
		out[i] = s[i].line
	}
	if len(s) == 0 {
		return out, 0
	}
	return out, s[0].n
}

// explainWhy restates the previous verdicts with the facts behind each.
func (c *turn) explainWhy(id string, targets []msaccount.Target) {
	// The previous answer's lookups are cached: asking again costs nothing
	// upstream, and the per-user limit is not charged twice.
	vs := make([]msaccount.Verdict, 0, len(targets))
	lookup := c.h.lookupFor(c.m)
	for _, t := range targets {
		vs = append(vs, lookup.Lookup(c.ctx, t))
	}
	c.r.Verdicts = vs
	c.r.Intent, c.r.Topic, c.r.Confidence = Classify, id, 1
	c.headline(vs)
	for i, v := range vs {
		if i == maxLines {
			break
		}
		c.r.Details = append(c.r.Details, c.w.why(v, len(vs) > 1)...)
	}
	c.r.Suggestions = []Suggestion{{Label: c.w.phraseText("label.fix"), Action: actionFix}}
	c.next = c.prev
	if id != c.prev.Topic {
		c.next = Turn{Intent: Classify, Topic: id, Base: id, Targets: targetNames(vs)}
	}
}

// follow is the buttons after an answer: "Tell me more" where there is
// more, "Why?" after a verdict, then the topic's follow-ups.
func (c *turn) follow(t *Topic, more, verdict bool) []Suggestion {
	var out []Suggestion
	if verdict {
		out = append(out, Suggestion{Label: c.w.phraseText("label.why"), Action: actionWhy})
	}
	if more {
		out = append(out, Suggestion{Label: c.w.phraseText("label.more"), Action: actionMore})
	}
	if t == nil {
		return out
	}
	for _, f := range t.Follow {
		if len(out) == 5 {
			break
		}
		out = append(out, Suggestion{Label: c.w.text(f).Label, Action: actionTopic + f})
	}
	return out
}

func (c *turn) intentOf(id string) Intent {
	if t := c.h.cat.Topics[id]; t != nil {
		return t.Intent
	}
	return OutOfScope
}

// check looks the targets up, online within the user's limits and offline
// past them; it returns the verdicts and how many were answered offline
// because of a limit.
func (h *Handler) check(ctx context.Context, m Message, targets []msaccount.Target) ([]msaccount.Verdict, int) {
	online := min(len(targets), h.perMessage)
	if h.offline {
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
		out[i] = msaccount.UserLimited(targets[i])
	}
	for range online {
		x := <-ch
		out[x.i] = x.v
	}
	return out, len(targets) - online
}

// confidence turns the ranking into a score in [0,1]: high when the best
// topic scores well and clearly ahead of the next one.
func confidence(ranked []Match) float64 {
	if len(ranked) == 0 {
		return 0
	}
	s1 := ranked[0].Score
	s2 := 0.0
	if len(ranked) > 1 {
		s2 = ranked[1].Score
	}
	strength := s1 / (s1 + confScale)
	margin := (s1 - s2) / s1
	return strength * (0.4 + 0.6*margin)
}

// confScale is the score at which a topic counts as half-way matched.
const confScale = 15.0

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

func allDomains(vs []msaccount.Verdict) bool {
	for _, v := range vs {
		if v.Address != "" || v.Error != "" {
			return false
		}
	}
	return true
}

func targetNames(vs []msaccount.Verdict) []string {
	if len(vs) == 0 {
		return nil
	}
	out := make([]string, 0, min(len(vs), maxRemembered))
	for _, v := range vs {
		if len(out) == maxRemembered {
			break
		}
		out = append(out, targetName(v))
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

func parseTargets(names []string) []msaccount.Target {
	var out []msaccount.Target
	for _, n := range names {
		if t, err := msaccount.Parse(n); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// pressingKind is the most pressing kind among verdicts: both, then
// unknown, work, personal, none. A partly settled verdict is unknown: the
// answer must not claim more than the verdict did. A domain counts as the
// kind its type allows.
func pressingKind(vs []msaccount.Verdict) msaccount.Kind {
	rank := map[msaccount.Kind]int{msaccount.KindBoth: 5, msaccount.KindUnknown: 4, msaccount.KindWork: 3, msaccount.KindPersonal: 2, msaccount.KindNone: 1}
	best, bestRank := msaccount.KindUnknown, 0
	for _, v := range vs {
		k := v.Kind
		switch {
		case v.Error != "":
			k = msaccount.KindUnknown
		case v.Address == "":
			k = domainKind(v.Domain.Type)
		}
		if rank[k] > bestRank {
			best, bestRank = k, rank[k]
		}
	}
	return best
}

func domainKind(t msaccount.DomainType) msaccount.Kind {
	switch t {
	case msaccount.Managed, msaccount.Federated, msaccount.Unmanaged:
		return msaccount.KindWork
	case msaccount.Consumer, msaccount.NoTenant:
		return msaccount.KindPersonal
	}
	return msaccount.KindUnknown
}

// leaning is the kind a partly settled verdict points to: a settled "yes"
// names its kind, a settled "no" points to the other one. It words the
// certainty, never the answer.
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

// withoutEntities removes the addresses and domains from text, so that
// ranking reads the question around them.
func withoutEntities(text string, e Entities) string {
	if len(e.Emails)+len(e.Domains)+len(e.Invalid) == 0 && !guestUserName(text) {
		return text
	}
	fields := strings.Fields(text)
	out := fields[:0]
	for _, f := range fields {
		lf := strings.ToLower(strings.Trim(f, ".,;:!?()[]<>\"'"))
		if guestUserName(lf) {
			f = "#EXT#" // a guest's user name (jane_contoso.com#EXT#@…): what it is is asked
		} else if strings.Contains(lf, "@") || containsString(e.Domains, lf) {
			continue
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }

// kindUnsaid reports whether the kind words of a question of this intent
// say nothing of the person's account: it asks which kind an account is,
// or the kinds name the picker's tiles and an address ("a Microsoft
// account made with my work email").
func kindUnsaid(in Intent) bool {
	return in == AccountPickerConflict || slices.Contains(kindQuestions, in)
}

// kindNext is the kind of account the conversation goes on about: the one
// this message said, unless its kinds said nothing of the person's account
// (kindUnsaid); none after an address is checked, whose verdict says it;
// else the one said before.
func (c *turn) kindNext() string {
	switch {
	case c.kind != "" && !kindUnsaid(c.r.Intent):
		return string(c.kind)
	case len(c.r.Verdicts) > 0 || !c.hasPrev:
		return ""
	}
	return c.prev.Kind
}

// thanks reports whether a message, after an answer, thanks and asks
// nothing more: a phrase of match.thanks, no question mark, and none of
// match.but ("thanks, but what if…").
func (c *turn) thanks(text string, rw []string) bool {
	return c.hasPrev && c.h.thanks.find(rw, -1) >= 0 && !c.h.asksMore(text, rw)
}

// urgent reports whether a message after an answer is about urgency
// rather than a question: it says only that it's urgent, a phrase of
// match.urgent and nothing besides but phrases of match.urgent_also ("pls
// it's really urgent, need it now", "es ist dringend"); or it says so with
// no question the ranking can tell ("its urgent i have an exam tmrw and
// need teams for it", conf below confUnsure); or it opens with it and asks
// nothing ("its urgent i have a client call in 20 min").
func (c *turn) urgent(conf float64) bool {
	qw := c.qw
	only := false
	for i := 0; i < len(qw); {
		if n := c.h.urgents.prefix(qw[i:]); n > 0 {
			only, i = true, i+n
		} else if n := c.h.urgentAlso.prefix(qw[i:]); n > 0 {
			i += n
		} else {
			only = false
			break
		}
	}
	return only || conf < confUnsure && c.h.urgents.find(qw, -1) >= 0 || c.h.urgents.prefix(qw) > 0 && !c.h.asksMore(c.said, c.rw)
}

// asksMore reports whether a message asks something: a question mark or a
// phrase of match.but ("thanks, and how do I…?").
func (h *Handler) asksMore(text string, rw []string) bool {
	return strings.ContainsAny(text, "?¿") || h.buts.find(rw, -1) >= 0
}

// announcesError reports whether a message announces an error it doesn't
// hold: it ends with a colon after a phrase of match.this ("me sale
// esto:"); or it ends with a colon or a phrase of match.announce ("…and
// gets") and speaks of an error (match.error) or ranks an error's answer
// first; or, as a first message or after an answer not about an error, it
// holds a phrase of match.this_error ("getting this in our tenant when…"),
// asks nothing ("how do i stop this popup for good" asks about the
// popup it names) and the ranking isn't sure of a question of its own.
func (c *turn) announcesError(text string, rw []string, ranked []Match, conf float64) bool {
	colon := strings.HasSuffix(strings.TrimSpace(text), ":")
	if colon && endsWith(c.h.thises, rw) {
		return true
	}
	errorish := c.h.errorWords.find(rw, -1) >= 0 || len(ranked) > 0 && strings.HasPrefix(ranked[0].Topic, "error.")
	if (colon || endsWith(c.h.announces, rw)) && errorish {
		return true
	}
	afterError := c.hasPrev && (strings.HasPrefix(c.prev.Topic, "error.") || c.prev.Topic == topicPasteError)
	return !afterError && conf < confOwnQuestion && c.h.thisErrors.find(rw, -1) >= 0 && errorish && !c.h.asksMore(text, rw)
}

// uncited reports whether the ranking's first reading, which it barely
// prefers, explains an error code the person hasn't cited in a follow-up
// on a subject: the message quotes no screen and speaks of no error
// (match.error), the code is not the last answer's, and the next reading
// is no code (a message that reads like an error's text as a whole,
// "identity provider live.com does not exist in tenant", is one). An
// error code's answer for such a message is another subject's.
func (c *turn) uncited(ranked []Match, conf float64) bool {
	if conf >= confOwnQuestion || len(ranked) == 0 || !codeTopic(ranked[0].Topic) || !c.subject() {
		return false
	}
	top := ranked[0].Topic
	switch {
	case len(ranked) > 1 && codeTopic(ranked[1].Topic):
	case c.answeredLast(top):
	case c.quotesMessage(), c.speaksOfError(), c.cited(top):
	default:
		return true
	}
	return false
}

// quotesMessage reports whether the message quotes what a screen says:
// quotation marks or an announcement ("it says", match.announce).
func (c *turn) quotesMessage() bool {
	return strings.ContainsAny(c.said, "\"“”„«»") || c.h.announces.find(c.rw, -1) >= 0
}

// cited reports whether the person named the error code that code topic id
// answers, in this message or the conversation's recent turns.
func (c *turn) cited(id string) bool {
	code, _, _ := strings.Cut(strings.TrimPrefix(id, codeTopicPrefix), "_")
	return code != "" && c.saidLately(func(s string) bool { return strings.Contains(s, code) })
}

// citesCode reports whether the person named a sign-in error code, any
// one, in this message or the conversation's recent turns: what
// patterns.txt reads as one.
func (c *turn) citesCode() bool {
	return c.saidLately(func(s string) bool {
		hits := c.h.findPatterns(s)
		return len(hits) > 0 && (codeTopic(hits[0]) || hits[0] == topicUnknownCode)
	})
}

// saidLately reports whether fn holds for this message or one of the
// person's recent messages (the Transcript's "> " lines).
func (c *turn) saidLately(fn func(string) bool) bool {
	if fn(c.said) {
		return true
	}
	for _, line := range c.prev.Transcript {
		if said, ok := personSaid(line); ok && fn(said) {
			return true
		}
	}
	return false
}

// speaksOfError reports whether the message has an error word
// (match.error).
func (c *turn) speaksOfError() bool { return c.h.errorWords.find(c.rw, -1) >= 0 }

// codeTopic reports whether id answers one sign-in error code.
func codeTopic(id string) bool { return strings.HasPrefix(id, codeTopicPrefix) }

// codeTopicPrefix starts the ID of every topic that answers a sign-in
// error code (patterns.txt: AADSTS(\d+) => error.aadsts$1).
const codeTopicPrefix = "error.aadsts"

// endsWith reports whether words end with a phrase of x (of up to four
// words).
func endsWith(x phraseIndex, words []string) bool {
	for k := 1; k <= min(len(words), 4); k++ {
		if x.prefix(words[len(words)-k:]) == k {
			return true
		}
	}
	return false
}
