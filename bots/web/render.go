package web

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// response is the JSON answer to a message: the reply to render, its
// language, and the page's words in that language.
type response struct {
	Lang  string            `json:"lang"`
	Reply reply             `json:"reply"`
	Words map[string]string `json:"words"`
}

// reply is a helpdesk.Reply as the page renders it: every part, spans
// unchanged (the page shows Strong as emphasis and Quoted as outside text,
// never as a link), and the verdicts reduced to what the page shows of
// them.
type reply struct {
	Headline    helpdesk.Rich         `json:"headline,omitempty"`
	Verdicts    []verdict             `json:"verdicts,omitempty"`
	Summary     helpdesk.Rich         `json:"summary,omitempty"`
	Lines       []helpdesk.Rich       `json:"lines,omitempty"`
	Details     []helpdesk.Rich       `json:"details,omitempty"`
	Steps       []helpdesk.Rich       `json:"steps,omitempty"`
	Notice      helpdesk.Rich         `json:"notice,omitempty"`
	Choices     []helpdesk.Suggestion `json:"choices,omitempty"`
	Suggestions []helpdesk.Suggestion `json:"suggestions,omitempty"`
	Feedback    []helpdesk.Suggestion `json:"feedback,omitempty"`
}

// verdict is what the page shows of a checked address or domain: its name
// as the person wrote it, and its kind.
type verdict struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// render turns the assistant's reply into what the page renders.
func render(r helpdesk.Reply) reply {
	out := reply{
		Headline: r.Headline, Summary: r.Summary, Lines: r.Lines, Details: r.Details,
		Steps: r.Steps, Notice: r.Notice,
		Choices: buttons(r.Choices), Suggestions: buttons(r.Suggestions), Feedback: buttons(r.Feedback),
	}
	for _, v := range r.Verdicts {
		if v.Error != "" || v.Kind == "" {
			continue
		}
		name := v.Input
		if name == "" {
			name = v.Domain.Name
		}
		out.Verdicts = append(out.Verdicts, verdict{Name: name, Kind: string(v.Kind)})
	}
	return out
}

// buttons keeps the suggestions a button can show and send.
func buttons(s []helpdesk.Suggestion) []helpdesk.Suggestion {
	var out []helpdesk.Suggestion
	for _, x := range s {
		if x.Label != "" && x.Action != "" {
			out = append(out, x)
		}
	}
	return out
}

// pageKeys are the page's words: the page's name for each, and the
// catalogue's phrase it comes from.
var pageKeys = [][2]string{
	{"title", "web.title"}, {"heading", "web.heading"}, {"intro", "web.intro"}, {"starters", "web.starters"},
	{"input_label", "web.input_label"}, {"placeholder", "web.placeholder"}, {"send", "web.send"}, {"hint", "web.hint"},
	{"thinking", "web.thinking"}, {"error", "web.error"}, {"offline", "web.offline"}, {"too_long", "web.too_long"},
	{"refused", "web.refused"}, {"log", "web.log"}, {"you", "web.you"}, {"assistant", "web.assistant"},
	{"verdicts", "web.verdicts"}, {"noscript", "web.noscript"}, {"feedback", "web.feedback"},
	{"kind.personal", "web.kind.personal"}, {"kind.work", "web.kind.work"}, {"kind.both", "web.kind.both"},
	{"kind.none", "web.kind.none"}, {"kind.unknown", "web.kind.unknown"},
	{"steps", "steps.heading"}, {"choices", "choices.heading"}, {"suggest", "suggest.heading"},
}

// PageKeys lists the catalogue phrases the page shows.
func PageKeys() []string {
	out := make([]string, len(pageKeys))
	for i, k := range pageKeys {
		out[i] = k[1]
	}
	return out
}

// pageWords are the page's words in lang.
func (b *Bot) pageWords(lang string) map[string]string {
	w := make(map[string]string, len(pageKeys))
	for _, k := range pageKeys {
		if k[1] == "web.too_long" {
			w[k[0]] = helpdesk.PhraseWith(lang, k[1], "n", b.number(lang, b.cfg.MaxMessage))
			continue
		}
		w[k[0]] = helpdesk.Phrase(lang, k[1])
	}
	return w
}

// starter is a question the page offers before the conversation starts.
type starter struct{ Label, Text string }

// renderPage renders the page in lang, with or without its header.
func (b *Bot) renderPage(lang string, embedded bool) ([]byte, error) {
	words := b.words[lang]
	wordsJSON, err := json.Marshal(words)
	if err != nil {
		return nil, fmt.Errorf("web: page words: %w", err)
	}
	var starters []starter
	for _, s := range helpdesk.Starters(lang) {
		starters = append(starters, starter{Label: s.Label, Text: s.Example})
	}
	var buf bytes.Buffer
	err = pageTemplate.Execute(&buf, map[string]any{
		"Lang": lang, "W": words, "Words": string(wordsJSON), "Embed": embedded,
		"Max": b.cfg.MaxMessage, "Starters": starters,
	})
	if err != nil {
		return nil, fmt.Errorf("web: page: %w", err)
	}
	return buf.Bytes(), nil
}
