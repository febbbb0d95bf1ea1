package helpdesk

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// The words of the assistant live in knowledge/: one Markdown file per topic,
// reviewable as prose. Each file is
//
//	# Headline
//	Short answer.
//	## More
//	- detail …
//	## Steps
//	- step …
//	## Suggestions
//	- Label | message sent when the button is pressed
//
//go:embed knowledge/*.md
var knowledgeFS embed.FS

// Topic is one entry of the knowledge base.
type Topic struct {
	Key         string
	Headline    string
	Short       string
	More        []string
	Steps       []string
	Suggestions []Suggestion
}

// Suggestion is a follow-up the platforms render as a button; pressing it
// sends Text as the next message of the conversation.
type Suggestion struct {
	Label string `json:"label"`
	Text  string `json:"text"`
}

// knowledge is the parsed knowledge base, by topic key.
var knowledge = mustLoadKnowledge(knowledgeFS)

func mustLoadKnowledge(fsys fs.FS) map[string]Topic {
	k, err := loadKnowledge(fsys)
	if err != nil {
		panic(err) // the files are embedded: a bad one is a build defect, caught by tests
	}
	return k
}

func loadKnowledge(fsys fs.FS) (map[string]Topic, error) {
	files, err := fs.Glob(fsys, "knowledge/*.md")
	if err != nil {
		return nil, err
	}
	out := make(map[string]Topic, len(files))
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		key := strings.TrimSuffix(strings.TrimPrefix(f, "knowledge/"), ".md")
		t, err := parseTopic(key, string(b))
		if err != nil {
			return nil, fmt.Errorf("helpdesk: knowledge %s: %w", f, err)
		}
		out[key] = t
	}
	return out, nil
}

func parseTopic(key, text string) (Topic, error) {
	t := Topic{Key: key}
	section := "short"
	var short []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "# "):
			t.Headline = strings.TrimSpace(trimmed[2:])
			continue
		case strings.HasPrefix(trimmed, "## "):
			section = strings.ToLower(strings.TrimSpace(trimmed[3:]))
			continue
		case trimmed == "":
			continue
		}
		item := strings.TrimSpace(strings.TrimPrefix(trimmed, "- "))
		switch section {
		case "short":
			short = append(short, trimmed)
		case "more":
			t.More = append(t.More, item)
		case "steps":
			t.Steps = append(t.Steps, item)
		case "suggestions":
			label, msg, ok := strings.Cut(item, "|")
			if !ok {
				return t, fmt.Errorf("suggestion %q has no | between label and message", item)
			}
			t.Suggestions = append(t.Suggestions, Suggestion{strings.TrimSpace(label), strings.TrimSpace(msg)})
		default:
			return t, fmt.Errorf("unknown section %q", section)
		}
	}
	t.Short = strings.Join(short, " ")
	if t.Headline == "" || t.Short == "" {
		return t, fmt.Errorf("missing headline or short answer")
	}
	return t, nil
}

// topic returns the topic for key; a missing key is a defect caught by tests.
func topic(key string) Topic {
	if t, ok := knowledge[key]; ok {
		return t
	}
	return Topic{Key: key, Headline: "Sorry", Short: "I don't have an answer written for that yet."}
}

// TopicFor returns the knowledge base entry for key.
func TopicFor(key string) (Topic, bool) {
	t, ok := knowledge[key]
	return t, ok
}
