package helpdesk

import (
	"strings"
)

// renderText is the plain-text rendering of a reply: the form the command
// line prints and the platforms send as their fallback text.
func renderText(r Reply) string {
	var b strings.Builder
	n := len(r.Headline) + len(r.Summary) + len(r.Notice) + 64
	for _, group := range [][]string{r.Lines, r.Details, r.Steps} {
		for _, l := range group {
			n += len(l) + 8
		}
	}
	for _, s := range r.Suggestions {
		n += len(s.Label) + 4
	}
	b.Grow(n)
	if r.Headline != "" {
		b.WriteString(r.Headline)
		b.WriteString("\n")
	}
	if r.Summary != "" {
		b.WriteString(r.Summary)
		b.WriteString("\n")
	}
	for _, l := range r.Lines {
		b.WriteString("• ")
		b.WriteString(l)
		b.WriteString("\n")
	}
	for _, d := range r.Details {
		b.WriteString("- ")
		b.WriteString(d)
		b.WriteString("\n")
	}
	if len(r.Steps) > 0 {
		b.WriteString(phrase("steps.heading"))
		b.WriteString(":\n")
		for i, s := range r.Steps {
			b.WriteString(strings.Repeat(" ", 2))
			b.WriteString(itoa(i + 1))
			b.WriteString(". ")
			b.WriteString(s)
			b.WriteString("\n")
		}
	}
	if r.Notice != "" {
		b.WriteString(r.Notice)
		b.WriteString("\n")
	}
	if len(r.Suggestions) > 0 {
		labels := make([]string, len(r.Suggestions))
		for i, s := range r.Suggestions {
			labels[i] = s.Label
		}
		b.WriteString(phrase("suggest.heading"))
		b.WriteString(": ")
		b.WriteString(strings.Join(labels, " · "))
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
