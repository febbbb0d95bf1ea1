package helpdesk

import (
	_ "embed"
	"strings"
)

//go:embed knowledge/phrases.txt
var phrasesText string

var phrases = parsePhrases(phrasesText)

func parsePhrases(text string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

// phrase returns the sentence for key with its {placeholders} filled from
// pairs of name, value.
func phrase(key string, kv ...string) string {
	s, ok := phrases[key]
	if !ok {
		s = key
	}
	if len(kv) == 0 {
		return s
	}
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}

// Phrase returns one of the knowledge base's short phrases (button labels
// and the like) for platform adapters, which compose no words of their own.
func Phrase(key string) string { return phrase(key) }
