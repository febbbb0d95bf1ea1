package slack

import (
	"encoding/json"
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
	actionSuggest = "wa_suggest_"
	actionShare   = "wa_share"
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
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji *bool  `json:"emoji,omitempty"`
}

// blockElt is a button or, in a context block, a text object.
type blockElt struct {
	Type     string `json:"type"`
	Text     any    `json:"text"`
	ActionID string `json:"action_id,omitempty"`
	Value    string `json:"value,omitempty"`
}

var noEmoji = new(bool)

func plain(s string) *textObj    { return &textObj{Type: "plain_text", Text: s, Emoji: noEmoji} }
func markdown(s string) *textObj { return &textObj{Type: "mrkdwn", Text: s} }

// render turns a platform-neutral reply into Block Kit blocks and the
// fallback text every message must carry.
func render(r helpdesk.Reply, o renderOptions) ([]block, string) {
	blocks := make([]block, 0, 4+len(r.Lines))
	budget := maxMessageChars
	add := func(b block, chars int) bool {
		if len(blocks) >= maxBlocks-1 || chars > budget { // keep room for the buttons
			return false
		}
		budget -= chars
		blocks = append(blocks, b)
		return true
	}
	section := func(text string) bool {
		text = clip(escape(text), maxSectionText)
		return add(block{Type: "section", Text: markdown(text)}, len(text))
	}
	if r.Headline != "" {
		h := clip(strings.ReplaceAll(r.Headline, "*", ""), maxHeader)
		add(block{Type: "header", Text: plain(h)}, len(h))
	}
	if r.Summary != "" {
		section(r.Summary)
	}
	for _, l := range r.Lines {
		if !section("• " + l) {
			break
		}
	}
	if len(r.Details) > 0 {
		section(joinLimited(r.Details, "\n", "• ", maxSectionText))
	}
	if len(r.Steps) > 0 {
		var b strings.Builder
		for i, s := range r.Steps {
			b.WriteString(strconv.Itoa(i+1) + ". " + s + "\n")
		}
		section(strings.TrimSpace(b.String()))
	}
	if r.Notice != "" {
		n := clip(escape(r.Notice), maxSectionText)
		add(block{Type: "context", Elements: []blockElt{{Type: "mrkdwn", Text: n}}}, len(n))
	}
	var buttons []blockElt
	for i, s := range r.Suggestions {
		if i >= maxButtons {
			break
		}
		buttons = append(buttons, blockElt{Type: "button", Text: plain(clip(s.Label, maxButtonText)), ActionID: actionSuggest + strconv.Itoa(i), Value: clip(s.Text, maxButtonValue)})
	}
	if o.ShareText != "" {
		buttons = append(buttons, blockElt{Type: "button", Text: plain(clip(helpdeskLabel("label.share"), maxButtonText)), ActionID: actionShare, Value: clip(o.ShareText, maxButtonValue)})
	}
	if len(buttons) > 0 {
		blocks = append(blocks, block{Type: "actions", BlockID: "wa_actions", Elements: buttons})
	}
	return blocks, clip(r.Text, maxFallback)
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

// helpdeskLabel returns a button label from the knowledge base's phrases.
func helpdeskLabel(key string) string { return helpdesk.Phrase(key) }

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
