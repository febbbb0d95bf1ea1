package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// handoffConfig is where hand-offs go.
type handoffConfig struct {
	channel, lang, serviceURL, tenant string
}

// serviceRef is a Bot Connector an authenticated activity came from, and
// its tenant.
type serviceRef struct{ url, tenant string }

// serviceURLs remembers the Bot Connector of the latest authenticated
// activities: from the hand-off channel's team, and from anywhere.
type serviceURLs struct {
	fromChannel atomic.Pointer[serviceRef]
	any         atomic.Pointer[serviceRef]
}

// saw records the serviceUrl of an authenticated activity (the token's
// serviceurl claim matched it, or in emulator mode it is loopback).
func (s *serviceURLs) saw(a *activity, channel string) {
	if a.ServiceURL == "" {
		return
	}
	ref := &serviceRef{url: a.ServiceURL, tenant: a.tenantID()}
	if cur := s.any.Load(); cur == nil || *cur != *ref {
		s.any.Store(ref)
	}
	if channel != "" && (a.data.Channel.ID == channel || a.data.Team.ID == channel || a.channel() == channel) {
		if cur := s.fromChannel.Load(); cur == nil || *cur != *ref {
			s.fromChannel.Store(ref)
		}
	}
}

// errNoConnector says no Bot Connector is known to post the hand-off to.
var errNoConnector = errors.New("teams: hand-off: no Bot Connector known yet (no activity since the start): set TEAMS_SERVICE_URL")

// conversationParams is the body of POST /v3/conversations: a new
// conversation (a new post) in a channel.
type conversationParams struct {
	IsGroup     bool                  `json:"isGroup"`
	Bot         schema.ChannelAccount `json:"bot"`
	TenantID    string                `json:"tenantId,omitempty"`
	ChannelData handoffChannelData    `json:"channelData"`
	Activity    outActivity           `json:"activity"`
}

type handoffChannelData struct {
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Tenant *struct {
		ID string `json:"id"`
	} `json:"tenant,omitempty"`
}

// SendHandoff posts the summary of a hand-off to a person in
// Config.HandoffChannel, as a new conversation of that channel through the
// Bot Connector (POST {serviceUrl}/v3/conversations): an Adaptive Card with
// who asked, the question, what was checked and the conversation's last
// turns, every outside text shown literally. It is retried as replies are
// (429, 412, 502, 503, 504, a connection never made; a refused token once),
// never when it may have arrived.
func (b *Bot) SendHandoff(ctx context.Context, h helpdesk.Handoff) error {
	hc := b.handoff
	if hc.channel == "" {
		return errors.New("teams: no hand-off channel")
	}
	ref := b.services.fromChannel.Load()
	if ref == nil {
		ref = b.services.any.Load()
	}
	target := serviceRef{url: hc.serviceURL}
	switch {
	case hc.serviceURL != "" && ref != nil:
		target.tenant = ref.tenant
	case hc.serviceURL != "":
		target.tenant = hc.tenant
	case ref != nil:
		target = *ref
	default:
		return errNoConnector
	}
	if _, err := parseServiceURL(target.url); err != nil {
		return fmt.Errorf("teams: hand-off: %w", err)
	}
	if b.verifier == nil && !isLoopback(target.url) {
		return fmt.Errorf("teams: hand-off: %w", errNotLoopback)
	}
	p := conversationParams{IsGroup: true, Bot: schema.ChannelAccount{ID: "28:" + b.appID}, TenantID: target.tenant,
		Activity: outActivity{Type: "message", Summary: handoffSummary(h, hc.lang), Attachments: []schema.Attachment{{ContentType: adaptiveCardType, Content: renderHandoff(h, hc.lang)}}}}
	p.ChannelData.Channel.ID = hc.channel
	if target.tenant != "" {
		p.ChannelData.Tenant = &struct {
			ID string `json:"id"`
		}{target.tenant}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("teams: hand-off: %w", err)
	}
	attempts, err := b.conn.send(ctx, strings.TrimRight(target.url, "/")+"/v3/conversations", buf.Bytes())
	if err != nil {
		return fmt.Errorf("teams: hand-off: %w", err)
	}
	b.log.Info("hand-off posted", "tenant", target.tenant, "attempts", attempts)
	return nil
}

// handoffSummary is the notification line of a hand-off: who asked for a
// person.
func handoffSummary(h helpdesk.Handoff, lang string) string {
	name := h.User.Name
	if name == "" {
		name = helpdesk.PhraseWith(lang, "handoff.summary.someone")
	}
	return literal(helpdesk.PhraseWith(lang, "handoff.summary.title", "name", name))
}

// renderHandoff renders a hand-off's summary as an Adaptive Card.
func renderHandoff(h helpdesk.Handoff, lang string) card {
	phrase := func(key string, kv ...string) string { return literal(helpdesk.PhraseWith(lang, key, kv...)) }
	heading := func(key string) textBlock {
		return textBlock{Type: "TextBlock", Text: "**" + phrase(key) + "**", Wrap: true, Separator: true}
	}
	c := card{Type: "AdaptiveCard", Schema: adaptiveCardSchema, Version: adaptiveCardVersion, Body: []textBlock{}, MSTeams: &cardTeams{Width: "Full"}}
	title := handoffSummary(h, lang) + " " + phrase("handoff.summary.via", "platform", helpdesk.PhraseWith(lang, "handoff.platform."+h.Platform))
	c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: title, Wrap: true, Weight: "Bolder", Size: "Medium"})
	fallback := []string{title}
	if h.Question != "" {
		c.Body = append(c.Body, heading("handoff.summary.question"), textBlock{Type: "TextBlock", Text: literal(h.Question), Wrap: true, Spacing: "Small"})
		fallback = append(fallback, literal(h.Question))
	}
	if len(h.Verdicts) > 0 {
		var lines []string
		for _, v := range h.Verdicts {
			name := v.Input
			if name == "" {
				name = v.Domain.Name
			}
			line := "- " + literal(name) + " — " + literal(helpdesk.Phrase(lang, "web.kind."+string(v.Kind)))
			if v.Certainty != "" {
				line += " (" + literal(string(v.Certainty)) + ")"
			}
			lines = append(lines, line)
		}
		c.Body = append(c.Body, heading("handoff.summary.verdicts"), textBlock{Type: "TextBlock", Text: strings.Join(lines, "\r"), Wrap: true, Spacing: "Small"})
	}
	if len(h.Transcript) > 0 {
		person, assistant := phrase("handoff.summary.person"), phrase("handoff.summary.assistant")
		var lines []string
		for _, t := range h.Transcript {
			switch {
			case strings.HasPrefix(t, "> "):
				lines = append(lines, "**"+person+":** "+literal(t[2:]))
			case strings.HasPrefix(t, "< "):
				lines = append(lines, "_"+assistant+":_ "+literal(t[2:]))
			default:
				lines = append(lines, literal(t))
			}
		}
		c.Body = append(c.Body, heading("handoff.summary.transcript"), textBlock{Type: "TextBlock", Text: strings.Join(lines, "\n\n"), Wrap: true, Spacing: "Small"})
	}
	if h.Topic != "" || h.Lang != "" {
		c.Body = append(c.Body, textBlock{Type: "TextBlock", Text: phrase("handoff.summary.topic", "topic", orDash(h.Topic), "lang", orDash(h.Lang)), Wrap: true, IsSubtle: true, Size: "Small", Separator: true})
	}
	c.FallbackText = strings.Join(fallback, "\n")
	return c
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// clipName bounds a display name from an activity.
func clipName(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
