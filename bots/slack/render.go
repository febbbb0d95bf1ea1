package slack

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// Block Kit limits this renderer keeps to.
const (
	maxBlocks       = 50
	maxHeader       = 150
	maxSectionText  = 3000
	maxButtonText   = 75
	maxButtonValue  = 2000
	maxButtons      = 5
	maxMessageChars = 12000 // below Slack's undocumented msg_blocks_too_long (about 13k)
	maxFallback     = 39000
)

// Action IDs of the buttons the bot renders; clicks come back with them.
const (
	actionSuggest  = "wa_suggest_"
	actionFeedback = "wa_feedback_"
	actionShare    = "wa_share"
)

// renderOptions say how a reply will be shown.
type renderOptions struct {
	// ShareText, when set, adds a button that posts the answer to the
	// channel: its value is the question to answer again in public.
	ShareText string
}

// block is one Block Kit block. The renderer builds these plain structs
// rather than slack-go's block types, whose custom JSON marshalling cost as
// much as composing the answer itself on the acknowledgement path; toSlack
// converts them for the Web API.
type block struct {
	Type     string     `json:"type"`
	BlockID  string     `json:"block_id,omitempty"`
	Text     *textObj   `json:"text,omitempty"`
	Elements []blockElt `json:"elements,omitempty"`
}

type textObj struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Emoji    *bool  `json:"emoji,omitempty"`
	Verbatim bool   `json:"verbatim,omitempty"`
}

// blockElt is a button or, in a context block, a text object.
type blockElt struct {
	Type     string `json:"type"`
	Text     any    `json:"text"`
	ActionID string `json:"action_id,omitempty"`
	Value    string `json:"value,omitempty"`
	Verbatim bool   `json:"verbatim,omitempty"`
}

var noEmoji = new(bool)

func plain(s string) *textObj { return &textObj{Type: "plain_text", Text: s, Emoji: noEmoji} }

// markdown is mrkdwn that Slack shows as written: verbatim, so that nothing
// in it (an address, a tenant's name) is turned into a link or a mention
// unless the renderer wrote the link itself.
func markdown(s string) *textObj { return &textObj{Type: "mrkdwn", Text: s, Verbatim: true} }

// render turns a platform-neutral reply into Block Kit blocks and the
// fallback text every message must carry.
func render(r helpdesk.Reply, o renderOptions) ([]block, string) {
	blocks := make([]block, 0, 6+len(r.Lines))
	budget := maxMessageChars
	add := func(b block, chars int) bool {
		if len(blocks) >= maxBlocks-2 || chars > budget { // keep room for the two rows of buttons
			return false
		}
		budget -= chars
		blocks = append(blocks, b)
		return true
	}
	section := func(text string) bool {
		text = clip(text, maxSectionText)
		return add(block{Type: "section", Text: markdown(text)}, len(text))
	}
	switch {
	case len(r.Headline) == 0:
	case quotes(r.Headline):
		// Outside text stays out of headers, whose plain text Slack may
		// still decorate; a section shows it verbatim.
		section(mrkdwn(r.Headline))
	default:
		h := clip(r.Headline.String(), maxHeader)
		add(block{Type: "header", Text: plain(h)}, len(h))
	}
	if len(r.Summary) > 0 {
		section(mrkdwn(r.Summary))
	}
	if len(r.Lines) > 0 {
		lines := make([]string, len(r.Lines))
		for i, l := range r.Lines {
			lines[i] = mrkdwn(l)
		}
		section(joinLimited(lines, "\n", "• ", maxSectionText))
	}
	if len(r.Details) > 0 {
		details := make([]string, len(r.Details))
		for i, d := range r.Details {
			details[i] = mrkdwn(d)
		}
		section(joinLimited(details, "\n", "• ", maxSectionText))
	}
	if len(r.Steps) > 0 {
		var b strings.Builder
		b.WriteByte('*')
		b.WriteString(escape(helpdesk.Phrase(r.Lang, "steps.heading")))
		b.WriteString("*\n")
		for i, s := range r.Steps {
			b.WriteString(strconv.Itoa(i + 1))
			b.WriteString(". ")
			writeMrkdwn(&b, s)
			b.WriteByte('\n')
		}
		section(strings.TrimSpace(b.String()))
	}
	if len(r.Notice) > 0 {
		n := clip(mrkdwn(r.Notice), maxSectionText)
		add(block{Type: "context", Elements: []blockElt{{Type: "mrkdwn", Text: n, Verbatim: true}}}, len(n))
	}
	// The buttons and their labels are allocated once for the message.
	nb := min(len(r.Choices)+len(r.Suggestions), maxButtons)
	nf := min(len(r.Feedback), maxButtons)
	elts := make([]blockElt, 0, nb+1+nf)
	labels := make([]textObj, 0, nb+1+nf)
	button := func(label, id, value string) blockElt {
		labels = append(labels, textObj{Type: "plain_text", Text: clip(label, maxButtonText), Emoji: noEmoji})
		return blockElt{Type: "button", Text: &labels[len(labels)-1], ActionID: id, Value: clip(value, maxButtonValue)}
	}
	for i := range nb {
		s := suggestionAt(r, i)
		elts = append(elts, button(s.Label, actionSuggest+buttonIndex[i], s.Action))
	}
	if o.ShareText != "" {
		elts = append(elts, button(helpdesk.Phrase(r.Lang, "label.share"), actionShare, o.ShareText))
	}
	if len(elts) > 0 {
		blocks = append(blocks, block{Type: "actions", BlockID: "wa_actions", Elements: elts[:len(elts):len(elts)]})
	}
	if nf > 0 && len(blocks) < maxBlocks {
		from := len(elts)
		for i, s := range r.Feedback[:nf] {
			elts = append(elts, button(s.Label, actionFeedback+buttonIndex[i], s.Action))
		}
		blocks = append(blocks, block{Type: "actions", BlockID: "wa_feedback", Elements: elts[from:]})
	}
	return blocks, clip(literal(r.Text), maxFallback)
}

// mrkdwn writes spans as mrkdwn: emphasis as *bold*, the assistant's own
// web addresses as links, and outside text literally.
func mrkdwn(r helpdesk.Rich) string {
	if len(r) == 1 && !r[0].Strong && !r[0].Quoted {
		return linkify(escape(r[0].Text)) // one plain span: often the text as it is
	}
	var b strings.Builder
	writeMrkdwn(&b, r)
	return b.String()
}

// suggestionAt is the i-th button of a reply: its choices, then its
// suggestions.
func suggestionAt(r helpdesk.Reply, i int) helpdesk.Suggestion {
	if i < len(r.Choices) {
		return r.Choices[i]
	}
	return r.Suggestions[i-len(r.Choices)]
}

// buttonIndex are the action IDs' numbers, spelt once.
var buttonIndex = [maxButtons]string{"0", "1", "2", "3", "4"}

// writeMrkdwn writes spans as mrkdwn to b (see mrkdwn).
func writeMrkdwn(b *strings.Builder, r helpdesk.Rich) {
	for _, s := range r {
		t := s.Text
		switch {
		case s.Quoted:
			t = literal(t)
		default:
			t = linkify(escape(t))
		}
		if s.Strong && strings.TrimSpace(t) != "" {
			lead := t[:len(t)-len(strings.TrimLeft(t, " "))]
			trail := t[len(strings.TrimRight(t, " ")):]
			t = lead + "*" + strings.TrimSpace(t) + "*" + trail
		}
		b.WriteString(t)
	}
}

// quotes reports whether r holds outside text.
func quotes(r helpdesk.Rich) bool {
	for _, s := range r {
		if s.Quoted {
			return true
		}
	}
	return false
}

// literal makes outside text inert in mrkdwn: its control characters are
// escaped and its formatting characters replaced by look-alikes, so a
// tenant named "*URGENT* <https://evil.example|reset here>" shows as
// written, neither bold nor a link.
func literal(s string) string {
	return literalReplacer.Replace(s)
}

var literalReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "*", "\u2217", "~", "\u223c", "`", "\u02cb", "_", "\u02cd")

// webAddress finds the catalogue's own web addresses (aka.ms/sspr,
// account.live.com/password/reset, https://learn.microsoft.com/…).
var webAddress = regexp.MustCompile(`\b(?:https://)?(?:[a-z0-9-]+\.)+(?:com|ms|net|org|microsoft)(?:/[A-Za-z0-9/_.?=&%-]*[A-Za-z0-9/])?`)

// linkify turns web addresses in the assistant's own (escaped) text into
// Slack links. No address spans white space, so only the words that hold
// a slash are searched: an address with a path or https:// is the only
// one that becomes a link.
func linkify(s string) string {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	done := 0
	for i >= 0 {
		start := strings.LastIndexAny(s[:i], asciiSpace) + 1
		end := len(s)
		if n := strings.IndexAny(s[i:], asciiSpace); n >= 0 {
			end = i + n
		}
		b.WriteString(s[done:start])
		b.WriteString(webAddress.ReplaceAllStringFunc(s[start:end], link))
		done = end
		i = strings.IndexByte(s[end:], '/')
		if i >= 0 {
			i += end
		}
	}
	b.WriteString(s[done:])
	return b.String()
}

// asciiSpace ends a word for linkify: no web address holds it.
const asciiSpace = " \t\n\r"

// link is the Slack link of a web address found in the assistant's text.
func link(m string) string {
	if !strings.Contains(m, "/") && !strings.HasPrefix(m, "https://") {
		return m // a bare domain in prose is a name, not a place to go
	}
	url := m
	if !strings.HasPrefix(url, "https://") {
		url = "https://" + url
	}
	return "<" + url + "|" + m + ">"
}

// toSlack converts rendered blocks to slack-go's types for the Web API.
func toSlack(blocks []block) []slackapi.Block {
	if len(blocks) == 0 {
		return nil
	}
	raw, err := json.Marshal(blocks)
	if err != nil {
		return nil
	}
	var out slackapi.Blocks
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil
	}
	return out.BlockSet
}

func joinLimited(items []string, sep, prefix string, limit int) string {
	var b strings.Builder
	for _, it := range items {
		line := prefix + it
		if b.Len()+len(line)+len(sep) > limit {
			break
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(line)
	}
	return b.String()
}

// escape makes text safe for mrkdwn: &, < and > are control characters.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return mrkdwnEscaper.Replace(s)
}

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// clip shortens s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
