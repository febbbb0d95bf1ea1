// Package helpdesk is the assistant's core, shared by Slack, Teams, the web
// chat and the command line. It understands a message (addresses, domains,
// error codes, the topic of the knowledge catalogue it asks about, and how it
// follows the earlier turns), asks the verdict engine about addresses, and
// composes a platform-neutral Reply in the person's language from the
// catalogue in catalogue/.
//
// Inside, the parts are kept apart: the catalogue (the words and the example
// questions, data), the matcher (which topics a message is about, ranked),
// the policy (what to answer: a topic, a verdict, a follow-up, a "did you
// mean") and the composer (the words of the answer). A Reply carries
// structure — emphasis, quoted outside text, lists, buttons — and never any
// platform's markup: each renderer turns it into its own format.
package helpdesk

import (
	"strings"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// The platforms a Message can come from.
const (
	PlatformSlack = "slack"
	PlatformTeams = "teams"
	PlatformCLI   = "cli"
	PlatformWeb   = "web"
)

// Message is one thing a person said to the assistant, or a button they
// pressed.
type Message struct {
	// Platform is one of the Platform constants; it decides how Text's
	// markup is read.
	Platform string
	// Conversation identifies the conversation (for example a channel and
	// thread) so follow-ups find the earlier turns.
	Conversation string
	// User identifies the asker, for per-user limits.
	User string
	// UserName is the asker's display name, when the platform gives it
	// (for a hand-off to the helpdesk).
	UserName string
	// Text is the message as the platform delivered it, markup included.
	Text string
	// Action is the Action of the Suggestion whose button was pressed; when
	// set, Text is ignored.
	Action string
	// Locale is the asker's locale as the platform reports it, e.g. de-DE.
	Locale string
	// Lang forces the language of the reply (en, de, fr, es, nl); "" lets
	// the assistant choose.
	Lang string
	// TenantID is the Entra tenant the platform says the asker is signed in
	// to (Teams), or "".
	TenantID string
	// UserObjectID is the asker's Entra object ID (Teams' aadObjectId), or
	// "": with the organisation's directory, it says which account they use.
	UserObjectID string
}

// Intent is the coarse family of what a message asks for.
type Intent string

// The intents of the reply contract.
const (
	Classify              Intent = "classify"
	Difference            Intent = "difference"
	WhichToUse            Intent = "which_to_use"
	PasswordReset         Intent = "password_reset"
	AccountPickerConflict Intent = "account_picker_conflict"
	TeamsFreeVsWork       Intent = "teams_free_vs_work"
	OneDrive              Intent = "onedrive"
	LeavingOrg            Intent = "leaving_org"
	GuestAccess           Intent = "guest_access"
	ConvertOrMerge        Intent = "convert_or_merge"
	Greeting              Intent = "greeting"
	Help                  Intent = "help"
	OutOfScope            Intent = "out_of_scope"
)

// Intents lists every intent.
var Intents = []Intent{Classify, Difference, WhichToUse, PasswordReset, AccountPickerConflict,
	TeamsFreeVsWork, OneDrive, LeavingOrg, GuestAccess, ConvertOrMerge, Greeting, Help, OutOfScope}

// aboutTheChat reports whether answers of intent i are about the
// conversation itself (a greeting, help with the assistant, what it
// doesn't cover) rather than a subject of accounts.
func (i Intent) aboutTheChat() bool { return i == Greeting || i == Help || i == OutOfScope }

func validIntent(s string) bool {
	for _, i := range Intents {
		if string(i) == s {
			return true
		}
	}
	return false
}

// Span is a run of text in a reply.
type Span struct {
	Text string `json:"text"`
	// Strong marks emphasis.
	Strong bool `json:"strong,omitempty"`
	// Quoted marks text that came from outside the assistant: the person's
	// own words, an address, a tenant's brand name. Renderers show it
	// literally: escaped, never as markup or a link.
	Quoted bool `json:"quoted,omitempty"`
}

// Rich is a paragraph or a line of a reply, as spans.
type Rich []Span

// String is r as plain text.
func (r Rich) String() string {
	switch len(r) {
	case 0:
		return ""
	case 1:
		return r[0].Text
	}
	var b strings.Builder
	for _, s := range r {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Plain is a Rich of one unemphasised span.
func Plain(s string) Rich {
	if s == "" {
		return nil
	}
	return Rich{{Text: s}}
}

// Suggestion is a button. Pressing it sends Action back as
// Message.Action; platforms treat Action as opaque.
type Suggestion struct {
	Label  string `json:"label"`
	Action string `json:"action"`
}

// Reply is the assistant's answer, free of any platform's markup. Text is
// its plain-text rendering; platforms render the parts in their own format.
type Reply struct {
	// Intent is the coarse family of the answer, Topic the catalogue topic
	// that was answered ("" for a verdict-only answer), Lang the language
	// the reply is written in, and Confidence the matcher's score of the
	// topic in [0,1] (1 for answers that needed no guessing).
	Intent     Intent   `json:"intent"`
	Topic      string   `json:"topic"`
	Lang       string   `json:"lang"`
	Confidence float64  `json:"confidence"`
	Emails     []string `json:"emails"`
	Domains    []string `json:"domains"`
	// Headline is one short line that sums the answer up.
	Headline Rich `json:"headline,omitempty"`
	// Verdicts are the checked addresses and domains, in order.
	Verdicts []msaccount.Verdict `json:"verdicts"`
	// Summary is the short answer, a few sentences.
	Summary Rich `json:"summary,omitempty"`
	// Lines are per-verdict sentences: what each address is.
	Lines []Rich `json:"lines,omitempty"`
	// Details is the longer explanation, one point a line.
	Details []Rich `json:"details,omitempty"`
	// Steps are what to do next, in order.
	Steps []Rich `json:"steps,omitempty"`
	// Notice is a side note, such as a lookup limit being reached or a
	// list shortened.
	Notice Rich `json:"notice,omitempty"`
	// Choices, when set, are the topics the assistant was unsure between
	// ("Did you mean…?"), as buttons; Suggestions are follow-ups.
	Choices     []Suggestion `json:"choices,omitempty"`
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	// Feedback are the "Helpful" / "Not helpful" buttons of an answer,
	// rendered apart from the follow-ups.
	Feedback []Suggestion `json:"feedback,omitempty"`
	// Text is the plain-text rendering of the whole reply.
	Text string `json:"text"`
}

// AccountQuestion reports whether the message was about accounts at all:
// in a triage channel, where the assistant reads every post unprompted, only
// such posts get an answer.
func (r Reply) AccountQuestion() bool {
	if len(r.Verdicts) > 0 {
		return true
	}
	switch r.Intent {
	case Greeting, Help, OutOfScope:
		return false
	}
	return len(r.Choices) == 0 // an unsure guess is not worth an unprompted answer
}

// Pressing is the most pressing kind among the reply's verdicts (both,
// then unknown, work, personal, none), used to label triage posts; "" when
// the reply has no verdict.
func (r Reply) Pressing() msaccount.Kind {
	if len(r.Verdicts) == 0 {
		return ""
	}
	return pressingKind(r.Verdicts)
}
