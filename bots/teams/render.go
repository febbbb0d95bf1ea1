package teams

import (
	"regexp"
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

// textBlock is an Adaptive Card TextBlock, or an ActionSet when Actions is
// set (Type "ActionSet").
type textBlock struct {
	Type      string         `json:"type"`
	Text      string         `json:"text,omitempty"`
	Wrap      bool           `json:"wrap,omitempty"`
	Actions   []submitAction `json:"actions,omitempty"`
	Weight    string         `json:"weight,omitempty"`
	Size      string         `json:"size,omitempty"`
	IsSubtle  bool           `json:"isSubtle,omitempty"`
	Separator bool           `json:"separator,omitempty"`
	Spacing   string         `json:"spacing,omitempty"`
}

// submitAction is an Action.Submit button. Its data comes back as the value
// of a message activity, which the adapter reads as the text it carries.
type submitAction struct {
	Type  string     `json:"type"`
	Title string     `json:"title"`
	Data  submitData `json:"data"`
}

type submitData struct {
	Action string `json:"action"`
}

// renderCard renders a reply as an Adaptive Card: the headline in bold, the
// summary, the per-verdict lines and the details as lists, the steps
// numbered, the notice in small print, and up to maxButtons choices and
// suggestions as buttons. The card's fallbackText is the reply's plain text.
func renderCard(r helpdesk.Reply) card {
	c := card{
		Type:         "AdaptiveCard",
		Schema:       adaptiveCardSchema,
		Version:      adaptiveCardVersion,
		FallbackText: plainText(r.Text),
		Body:         []textBlock{},
		MSTeams:      &cardTeams{Width: "Full"},
	}
	if len(r.Headline) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: markdown(r.Headline), Wrap: true, Weight: "Bolder", Size: "Medium"})
	}
	if len(r.Summary) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: markdown(r.Summary), Wrap: true})
	}
	if len(r.Lines) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: list(r.Lines, false), Wrap: true})
	}
	if len(r.Details) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: list(r.Details, false), Wrap: true, Separator: true})
	}
	if len(r.Steps) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: "**" + literal(helpdesk.Phrase(r.Lang, "steps.heading")) + "**", Wrap: true, Separator: true})
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: list(r.Steps, true), Wrap: true, Spacing: "Small"})
	}
	if len(r.Notice) > 0 {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: markdown(r.Notice), Wrap: true, IsSubtle: true, Size: "Small", Separator: true})
	}
	c.Actions = buttons(append(append([]helpdesk.Suggestion(nil), r.Choices...), r.Suggestions...))
	if fb := buttons(r.Feedback); len(fb) > 0 {
		// Feedback is a row of its own, under the answer, apart from the
		// follow-ups.
		c.Body = append(c.Body, textBlock{Type: "ActionSet", Actions: fb, Separator: true})
	}
	return c
}

// buttons are Action.Submit buttons for suggestions, at most maxButtons.
func buttons(ss []helpdesk.Suggestion) []submitAction {
	var out []submitAction
	for _, s := range ss {
		if len(out) == maxButtons {
			break
		}
		if s.Label == "" || s.Action == "" {
			continue
		}
		out = append(out, submitAction{Type: "Action.Submit", Title: s.Label, Data: submitData{Action: s.Action}})
	}
	return out
}

// list renders items as one Markdown list. Adaptive Cards separate list
// items with \r.
func list(items []helpdesk.Rich, numbered bool) string {
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
		b.WriteString(markdown(it))
	}
	return b.String()
}

// markdown writes spans in Teams' Markdown: emphasis as **bold**, the
// assistant's own web addresses as links, and every character that Teams
// would read as markup (in outside text above all: a tenant's name, an
// address) replaced by a look-alike, so nothing from outside becomes
// formatting, a list item or a link.
func markdown(r helpdesk.Rich) string {
	var b strings.Builder
	for _, s := range r {
		t := literal(s.Text)
		if !s.Quoted {
			t = linkify(t)
		}
		if s.Strong && strings.TrimSpace(t) != "" {
			lead := t[:len(t)-len(strings.TrimLeft(t, " "))]
			trail := t[len(strings.TrimRight(t, " ")):]
			t = lead + "**" + strings.TrimSpace(t) + "**" + trail
		}
		b.WriteString(t)
	}
	out := b.String()
	if strings.HasPrefix(out, "#") {
		out = "\uff03" + out[1:] // a heading only at the start of a block
	}
	return out
}

// literal replaces Markdown's control characters with look-alikes. An
// underscore inside a word (first_last@contoso.com) is no markup and stays;
// parentheses are markup only after a bracket, which never survives; line
// breaks become spaces, so nothing starts a heading or a list item.
func literal(s string) string {
	if !strings.ContainsAny(s, "*_[]`~<>\\\r\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := rune(' ')
	for i, r := range s {
		switch r {
		case '*':
			b.WriteRune('\u2217')
		case '[':
			b.WriteRune('\uff3b')
		case ']':
			b.WriteRune('\uff3d')
		case '`':
			b.WriteRune('\u02cb')
		case '~':
			b.WriteRune('\u223c')
		case '<':
			b.WriteRune('\u2039')
		case '>':
			b.WriteRune('\u203a')
		case '\\':
			b.WriteRune('\u29f5')
		case '\r', '\n':
			b.WriteRune(' ')
		case '_':
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if isWordRune(prev) && isWordRune(next) {
				b.WriteRune(r)
			} else {
				b.WriteRune('\u02cd')
			}
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// webAddress finds the catalogue's own web addresses (aka.ms/sspr,
// account.live.com/password/reset, https://learn.microsoft.com/…).
var webAddress = regexp.MustCompile(`\b(?:https://)?(?:[a-z0-9-]+\.)+(?:com|ms|net|org|microsoft)/[A-Za-z0-9/_.?=&%-]*[A-Za-z0-9/]|\bhttps://(?:[a-z0-9-]+\.)+[a-z]+\b`)

// linkify turns web addresses in the assistant's own text into Markdown
// links.
func linkify(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return webAddress.ReplaceAllStringFunc(s, func(m string) string {
		url := m
		if !strings.HasPrefix(url, "https://") {
			url = "https://" + url
		}
		return "[" + m + "](" + url + ")"
	})
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
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

// summary is the reply's headline, or else the first line of its text, as
// plain text.
func summary(r helpdesk.Reply) string {
	s := r.Headline.String()
	if s == "" {
		s, _, _ = strings.Cut(strings.TrimSpace(r.Text), "\n")
	}
	return literal(s)
}

// plainText is a reply's plain text for places Teams may still read as
// Markdown (the card's fallback): each line made inert, the lines kept.
func plainText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = literal(l)
	}
	return strings.Join(lines, "\n")
}
