package slack

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// SendHandoff posts the summary of a hand-off to a person in
// Config.HandoffChannel: who asked (a mention when they asked in Slack),
// the question, what was checked, the conversation's last turns and a link
// to the conversation. Everything that came from outside is shown
// literally, as the answers' renderer does: never as markup, a mention or
// a link. The post is retried as every post is (rate limits, 5xx, a
// connection never made), never when it may have arrived.
func (b *Bot) SendHandoff(ctx context.Context, h helpdesk.Handoff) error {
	channel := b.cfg.HandoffChannel
	if channel == "" {
		return errors.New("slack: no hand-off channel")
	}
	link := b.conversationLink(ctx, h)
	blocks, text := renderHandoff(h, b.cfg.HandoffLang, link)
	if _, err := b.send.postMessage(ctx, channel, "", toSlack(blocks), text); err != nil {
		return fmt.Errorf("slack: hand-off: %w", err)
	}
	return nil
}

// slackTS is a message timestamp, as a thread's ends its conversation key.
var slackTS = regexp.MustCompile(`^[0-9]{9,11}\.[0-9]{6}$`)

// conversationLink is a link to where a Slack hand-off's conversation
// happened: the thread's permalink (chat.getPermalink), or without a
// thread (a direct message) the channel in the workspace (from auth.test's
// URL); "" for other platforms or when Slack does not say.
func (b *Bot) conversationLink(ctx context.Context, h helpdesk.Handoff) string {
	if h.Platform != helpdesk.PlatformSlack {
		return ""
	}
	parts := strings.Split(h.Conversation, ":") // team:channel[:thread ts | :user]
	if len(parts) < 2 || !slackChannelID.MatchString(parts[1]) {
		return ""
	}
	channel := parts[1]
	if len(parts) == 3 && slackTS.MatchString(parts[2]) {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		link, err := b.api.GetPermalinkContext(ctx, &slackapi.PermalinkParameters{Channel: channel, Ts: parts[2]})
		if err == nil && safeLink(link) {
			return link
		}
		if err != nil {
			b.log.Debug("chat.getPermalink failed; linking the channel", "error", safeErr(err))
		}
	}
	if id := b.ident.Load(); id != nil && safeLink(id.url) {
		return strings.TrimSuffix(id.url, "/") + "/archives/" + channel
	}
	return ""
}

var slackChannelID = regexp.MustCompile(`^[CGD][A-Z0-9]{2,30}$`)

// safeLink reports whether a link from Slack can go into mrkdwn as a link:
// https, and nothing that would end the link early.
func safeLink(s string) bool {
	return strings.HasPrefix(s, "https://") && len(s) < 1000 && !strings.ContainsAny(s, "<>| \n")
}

// userMention is the mention of a Slack user (<@U…>) from a helpdesk user
// ("team:user"), or "" when it is not one.
var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,30}$`)

func userMention(h helpdesk.Handoff) string {
	if h.Platform != helpdesk.PlatformSlack {
		return ""
	}
	_, user, ok := strings.Cut(h.User.ID, ":")
	if !ok || !slackUserID.MatchString(user) {
		return ""
	}
	return "<@" + user + ">"
}

// renderHandoff renders a hand-off's summary as Block Kit, and its
// fallback text.
func renderHandoff(h helpdesk.Handoff, lang, link string) ([]block, string) {
	phrase := func(key string, kv ...string) string { return helpdesk.PhraseWith(lang, key, kv...) }
	name := literal(h.User.Name)
	who := userMention(h)
	switch {
	case who != "" && name != "":
		who += " (" + name + ")"
	case who == "" && name != "":
		who = name
	case who == "":
		who = literal(phrase("handoff.summary.someone"))
	}
	const mark = "\x00"
	title := escape(phrase("handoff.summary.title", "name", mark))
	title = strings.Replace(title, mark, who, 1)
	via := escape(phrase("handoff.summary.via", "platform", phrase("handoff.platform."+h.Platform)))
	blocks := []block{{Type: "section", Text: markdown(clip("*"+title+"* "+via, maxSectionText))}}
	if h.Question != "" {
		blocks = append(blocks, block{Type: "section", Text: markdown(clip("*"+escape(phrase("handoff.summary.question"))+"*\n>"+literal(h.Question), maxSectionText))})
	}
	if len(h.Verdicts) > 0 {
		lines := make([]string, 0, len(h.Verdicts))
		for _, v := range h.Verdicts {
			name := v.Input
			if name == "" {
				name = v.Domain.Name
			}
			kind := escape(helpdesk.Phrase(lang, "web.kind."+string(v.Kind)))
			line := literal(name) + " — " + kind
			if v.Certainty != "" {
				line += " (" + literal(string(v.Certainty)) + ")"
			}
			lines = append(lines, line)
		}
		blocks = append(blocks, block{Type: "section", Text: markdown("*" + escape(phrase("handoff.summary.verdicts")) + "*\n" + joinLimited(lines, "\n", "• ", maxSectionText-200))})
	}
	if len(h.Transcript) > 0 {
		person, assistant := escape(phrase("handoff.summary.person")), escape(phrase("handoff.summary.assistant"))
		lines := make([]string, 0, len(h.Transcript))
		for _, t := range h.Transcript {
			switch {
			case strings.HasPrefix(t, "> "):
				lines = append(lines, "*"+person+":* "+literal(t[2:]))
			case strings.HasPrefix(t, "< "):
				lines = append(lines, "_"+assistant+":_ "+literal(t[2:]))
			default:
				lines = append(lines, literal(t))
			}
		}
		blocks = append(blocks, block{Type: "section", Text: markdown("*" + escape(phrase("handoff.summary.transcript")) + "*\n" + joinLimited(lines, "\n", "", maxSectionText-200))})
	}
	var ctx []string
	if h.Topic != "" || h.Lang != "" {
		ctx = append(ctx, escape(phrase("handoff.summary.topic", "topic", orDash(h.Topic), "lang", orDash(h.Lang))))
	}
	if link != "" {
		ctx = append(ctx, "<"+link+"|"+escape(phrase("handoff.summary.link"))+">")
	}
	if len(ctx) > 0 {
		blocks = append(blocks, block{Type: "context", Elements: []blockElt{{Type: "mrkdwn", Text: strings.Join(ctx, " · "), Verbatim: true}}})
	}
	plainWho := h.User.Name
	if plainWho == "" {
		plainWho = phrase("handoff.summary.someone")
	}
	fallback := literal(phrase("handoff.summary.title", "name", plainWho))
	if h.Question != "" {
		fallback += ": " + literal(h.Question)
	}
	return blocks, clip(fallback, maxFallback)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
