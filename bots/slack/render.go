package slack

import (
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

// render turns a platform-neutral reply into Block Kit blocks and the
// fallback text every message must carry.
func render(r helpdesk.Reply, o renderOptions) ([]slackapi.Block, string) {
	var blocks []slackapi.Block
	budget := maxMessageChars
	add := func(b slackapi.Block, chars int) bool {
		if len(blocks) >= maxBlocks-1 || chars > budget { // keep room for the buttons
			return false
		}
		budget -= chars
		blocks = append(blocks, b)
		return true
	}
	section := func(text string) bool {
		text = clip(escape(text), maxSectionText)
		return add(slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, false), nil, nil), len(text))
	}
	if r.Headline != "" {
		h := clip(strings.ReplaceAll(r.Headline, "*", ""), maxHeader)
		add(slackapi.NewHeaderBlock(slackapi.NewTextBlockObject(slackapi.PlainTextType, h, false, false)), len(h))
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
		add(slackapi.NewContextBlock("", slackapi.NewTextBlockObject(slackapi.MarkdownType, n, false, false)), len(n))
	}
	var buttons []slackapi.BlockElement
	for i, s := range r.Suggestions {
		if i >= maxButtons {
			break
		}
		buttons = append(buttons, slackapi.NewButtonBlockElement(actionSuggest+strconv.Itoa(i), clip(s.Text, maxButtonValue),
			slackapi.NewTextBlockObject(slackapi.PlainTextType, clip(s.Label, maxButtonText), false, false)))
	}
	if o.ShareText != "" {
		share := helpdeskLabel("label.share")
		buttons = append(buttons, slackapi.NewButtonBlockElement(actionShare, clip(o.ShareText, maxButtonValue),
			slackapi.NewTextBlockObject(slackapi.PlainTextType, clip(share, maxButtonText), false, false)))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slackapi.NewActionBlock("wa_actions", buttons...))
	}
	return blocks, clip(r.Text, maxFallback)
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
