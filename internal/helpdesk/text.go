package helpdesk

import (
	"strings"
)

// renderText is the plain-text rendering of a reply: the form the command
// line prints and the platforms send as their fallback text. It carries no
// markup of any platform.
func renderText(r Reply, w words) string {
	var b strings.Builder
	b.Grow(textSize(r))
	line := func(prefix string, x Rich) {
		if len(x) == 0 {
			return
		}
		b.WriteString(prefix)
		for _, s := range x {
			b.WriteString(s.Text)
		}
		b.WriteByte('\n')
	}
	line("", r.Headline)
	line("", r.Summary)
	for _, l := range r.Lines {
		line("• ", l)
	}
	for _, d := range r.Details {
		line("- ", d)
	}
	if len(r.Steps) > 0 {
		b.WriteString(w.phraseText("steps.heading"))
		b.WriteString(w.phraseText("text.colon"))
		b.WriteString("\n")
		for i, s := range r.Steps {
			line("  "+itoa(i+1)+". ", s)
		}
	}
	line("", r.Notice)
	labels := func(heading string, s []Suggestion) {
		if len(s) == 0 {
			return
		}
		b.WriteString(w.phraseText(heading))
		b.WriteString(w.phraseText("text.colon"))
		b.WriteString(" ")
		for i, x := range s {
			if i > 0 {
				b.WriteString(" · ")
			}
			b.WriteString(x.Label)
		}
		b.WriteByte('\n')
	}
	labels("choices.heading", r.Choices)
	labels("suggest.heading", r.Suggestions)
	return strings.TrimRight(b.String(), "\n")
}

// textSize is about the size of a reply's plain text, to build it in one
// allocation.
func textSize(r Reply) int {
	n := 64
	for _, x := range [][]Rich{{r.Headline, r.Summary, r.Notice}, r.Lines, r.Details, r.Steps} {
		for _, rich := range x {
			for _, s := range rich {
				n += len(s.Text) + 2
			}
			n += 6
		}
	}
	for _, s := range [][]Suggestion{r.Choices, r.Suggestions} {
		for _, x := range s {
			n += len(x.Label) + 4
		}
	}
	return n
}

// Phrase returns one of the catalogue's short phrases (button labels, the
// platforms' chrome) in a language or a locale's (fr, fr-FR; the fallback
// language for anything else), for platform adapters, which compose no
// words of their own.
func Phrase(langOrLocale, key string) string {
	c, err := builtin()
	if err != nil {
		return key
	}
	lang := localeLang(langOrLocale)
	if lang == "" {
		lang = BaseLang
	}
	return words{cat: c, lang: lang}.phraseText(key)
}

// PhraseWith is Phrase with placeholders filled from pairs of name and
// value (plain text), for callers outside the conversation such as the
// whole-tenant audit's message to overlapping members.
func PhraseWith(lang, key string, kv ...string) string {
	c, err := builtin()
	if err != nil {
		return key
	}
	var args []arg
	for i := 0; i+1 < len(kv); i += 2 {
		args = append(args, plainArg(kv[i], kv[i+1]))
	}
	return words{cat: c, lang: lang}.phraseText(key, args...)
}

// WelcomeAction is the Message.Action that greets someone who has just
// added the assistant.
const WelcomeAction = actionTopic + topicHelp

// Starter is a question to offer before any conversation, such as in a
// Teams app's command list.
type Starter struct {
	Label   string
	Example string
}

// Starters are the help topic's follow-ups, each as its label and its
// first example question, in lang.
func Starters(lang string) []Starter {
	c, err := builtin()
	if err != nil {
		return nil
	}
	w := words{cat: c, lang: lang}
	var out []Starter
	for _, id := range c.Topics[topicHelp].Follow {
		tt := w.text(id)
		if len(tt.Examples) == 0 {
			tt = c.Topics[id].Text[BaseLang]
		}
		if len(tt.Examples) > 0 {
			out = append(out, Starter{Label: tt.Label, Example: tt.Examples[0]})
		}
	}
	return out
}
