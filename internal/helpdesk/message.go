// Package helpdesk is the assistant's core, shared by Slack, Teams and the
// command line: it understands a message (intent, addresses, domains,
// follow-ups to earlier turns), asks the verdict engine about addresses, and
// composes a platform-neutral Reply from the knowledge base in knowledge/.
// It knows nothing of any chat platform's markup or transport.
package helpdesk

import (
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// The platforms a Message can come from.
const (
	PlatformSlack = "slack"
	PlatformTeams = "teams"
	PlatformCLI   = "cli"
)

// Message is one thing a person said to the assistant.
type Message struct {
	// Platform is PlatformSlack, PlatformTeams or PlatformCLI; it decides
	// how Text's markup is read.
	Platform string
	// Conversation identifies the conversation (for example a channel and
	// thread) so follow-ups find the earlier turns.
	Conversation string
	// User identifies the asker, for per-user limits.
	User string
	// Text is the message as the platform delivered it, markup included.
	Text string
	// Locale is the asker's locale as the platform reports it, e.g. en-GB.
	Locale string
	// TenantID is the Entra tenant the platform says the asker is signed in
	// to (Teams), or "".
	TenantID string
	// UserObjectID is the asker's Entra object ID (Teams' aadObjectId), or
	// "": with the organisation's directory, it says which account they use.
	UserObjectID string
}

// Intent is what a message asks for.
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

// Reply is the assistant's answer, free of any platform's markup. Text is
// its plain-text rendering; platforms render the parts in their own format.
type Reply struct {
	Intent  Intent   `json:"intent"`
	Emails  []string `json:"emails"`
	Domains []string `json:"domains"`
	// Headline is one short line that sums the answer up.
	Headline string `json:"headline"`
	// Verdicts are the checked addresses and domains, in order.
	Verdicts []msaccount.Verdict `json:"verdicts"`
	// Summary is the short answer, a few sentences.
	Summary string `json:"summary"`
	// Lines are per-verdict sentences: what each address is and why.
	Lines []string `json:"lines,omitempty"`
	// Details is the longer explanation, one point a line.
	Details []string `json:"details,omitempty"`
	// Steps are what to do next.
	Steps []string `json:"steps,omitempty"`
	// Suggestions are follow-ups to offer as buttons.
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	// Notice is a side note, such as a lookup limit being reached.
	Notice string `json:"notice,omitempty"`
	// Text is the plain-text rendering of the whole reply.
	Text string `json:"text"`
}
