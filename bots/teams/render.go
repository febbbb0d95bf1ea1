package teams

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Adaptive Cards as Teams renders them.
const (
	adaptiveCardType    = "application/vnd.microsoft.card.adaptive"
	adaptiveCardSchema  = "http://adaptivecards.io/schemas/adaptive-card.json"
	adaptiveCardVersion = "1.5" // Teams renders up to 1.5
	// maxButtons bounds the suggestions offered as buttons.
	maxButtons = 5
)

// card is an Adaptive Card.
type card struct {
	Type         string         `json:"type"`
	Schema       string         `json:"$schema"`
	Version      string         `json:"version"`
	FallbackText string         `json:"fallbackText,omitempty"`
	Body         []textBlock    `json:"body"`
	Actions      []submitAction `json:"actions,omitempty"`
	MSTeams      *cardTeams     `json:"msteams,omitempty"`
}

// cardTeams holds Teams' own card options.
type cardTeams struct {
	Width string `json:"width,omitempty"`
}

// textBlock is an Adaptive Card TextBlock.
type textBlock struct {
	Type      string `json:"type"`
	Text      string `json:"text"`
	Wrap      bool   `json:"wrap"`
	Weight    string `json:"weight,omitempty"`
	Size      string `json:"size,omitempty"`
	IsSubtle  bool   `json:"isSubtle,omitempty"`
	Separator bool   `json:"separator,omitempty"`
	Spacing   string `json:"spacing,omitempty"`
}

// submitAction is an Action.Submit button. Its data comes back as the value
// of a message activity, which the adapter reads as the text it carries.
type submitAction struct {
	Type  string     `json:"type"`
	Title string     `json:"title"`
	Data  submitData `json:"data"`
}

type submitData struct {
	Text string `json:"text"`
}

// renderCard renders a reply as an Adaptive Card: the headline in bold, the
// summary, the per-verdict lines and the details as lists, the steps
// numbered, the notice in small print, and up to maxButtons suggestions as
// buttons. The card's fallbackText is the reply's plain text.
func renderCard(r helpdesk.Reply) card {
	c := card{
		Type:         "AdaptiveCard",
		Schema:       adaptiveCardSchema,
		Version:      adaptiveCardVersion,
		FallbackText: r.Text,
		Body:         []textBlock{},
		MSTeams:      &cardTeams{Width: "Full"},
	}
	if r.Headline != "" {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: markdown(r.Headline), Wrap: true, Weight: "Bolder", Size: "Medium"})
	}
	if r.Summary != "" {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: markdown(r.Summary), Wrap: true})
	}
	if len(r.Lines) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: list(r.Lines, false), Wrap: true})
	}
	if len(r.Details) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: list(r.Details, false), Wrap: true, Separator: true})
	}
	if len(r.Steps) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: list(r.Steps, true), Wrap: true, Separator: true})
	}
	if r.Notice != "" {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: markdown(r.Notice), Wrap: true, IsSubtle: true, Size: "Small", Separator: true})
	}
	for _, s := range r.Suggestions {
		if len(c.Actions) == maxButtons {
			break
		}
		if s.Label == "" || s.Text == "" {
			continue
		}
		c.Actions = append(c.Actions, submitAction{Type: "Action.Submit", Title: s.Label, Data: submitData{Text: s.Text}})
	}
	return c
}

// list renders items as one Markdown list. Adaptive Cards separate list
// items with \r.
func list(items []string, numbered bool) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("\r")
		}
		if numbered {
			b.WriteString(strconv.Itoa(i + 1))
			b.WriteString(". ")
		} else {
			b.WriteString("- ")
		}
		b.WriteString(markdown(strings.ReplaceAll(it, "\n", " ")))
	}
	return b.String()
}

// markdown turns the helpdesk's single-asterisk *bold* into the **bold** of
// Teams' Markdown, where a single asterisk means italics. An asterisk
// counts as an opening one only at the start of a word and followed by a
// non-space, and as a closing one only after a non-space and at the end of a
// word, so "*.onmicrosoft.com" and "2 * 3" stay as they are.
func markdown(s string) string {
	if !strings.Contains(s, "*") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		if s[i] == '*' && opens(s, i) {
			if j := closing(s, i+1); j > 0 {
				b.WriteString("**")
				b.WriteString(s[i+1 : j])
				b.WriteString("**")
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// opens reports whether the asterisk at i can open bold text: it starts a
// word and is followed by a non-space.
func opens(s string, i int) bool {
	if i+1 >= len(s) || s[i+1] == '*' || s[i+1] == ' ' || s[i+1] == '\t' {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i == 0 || !isWordRune(r) && r != '*'
}

// closing finds the asterisk, on the same line, that closes bold text
// opened just before from: one after a non-space that ends a word.
func closing(s string, from int) int {
	for j := from + 1; j < len(s); j++ {
		switch s[j] {
		case '\n', '\r':
			return -1
		case '*':
			if s[j-1] == ' ' || s[j-1] == '\t' {
				continue
			}
			r, _ := utf8.DecodeRuneInString(s[j+1:])
			if j+1 < len(s) && (isWordRune(r) || r == '*') {
				continue
			}
			return j
		}
	}
	return -1
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

// outActivity is an activity the bot sends. It is not schema.Activity,
// whose zero timestamps and empty objects would be sent too.
type outActivity struct {
	Type         string                     `json:"type"`
	From         schema.ChannelAccount      `json:"from"`
	Recipient    *schema.ChannelAccount     `json:"recipient,omitempty"`
	Conversation schema.ConversationAccount `json:"conversation"`
	ReplyToID    string                     `json:"replyToId,omitempty"`
	Summary      string                     `json:"summary,omitempty"`
	Locale       string                     `json:"locale,omitempty"`
	Attachments  []schema.Attachment        `json:"attachments"`
}

// renderActivity renders the reply to in as an outgoing activity: from the
// bot to the asker, in the same conversation, replying to replyTo (empty for
// a message that starts no thread, such as the welcome). Its summary, which
// Teams shows in notifications, is the reply's headline.
func renderActivity(in *activity, r helpdesk.Reply, replyTo string) outActivity {
	out := outActivity{
		Type:         "message",
		From:         schema.ChannelAccount{ID: in.Recipient.ID, Name: in.Recipient.Name},
		Conversation: schema.ConversationAccount{ID: in.Conversation.ID},
		ReplyToID:    replyTo,
		Summary:      summary(r),
		Locale:       in.Locale,
		Attachments:  []schema.Attachment{{ContentType: adaptiveCardType, Content: renderCard(r)}},
	}
	if in.From.ID != "" {
		out.Recipient = &schema.ChannelAccount{ID: in.From.ID, Name: in.From.Name}
	}
	return out
}

// summary is the reply's headline, or else the first line of its text,
// without the helpdesk's bold markers.
func summary(r helpdesk.Reply) string {
	s := r.Headline
	if s == "" {
		s, _, _ = strings.Cut(strings.TrimSpace(r.Text), "\n")
	}
	return strings.ReplaceAll(markdown(s), "**", "")
}
