package helpdesk

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// The knowledge catalogue is data: catalogue/<lang>/*.md hold the topics,
// catalogue/<lang>/phrases.txt the sentences built around verdicts and the
// platforms' chrome. The format is documented in catalogue/README.md.
//
//go:embed catalogue
var catalogueFS embed.FS

// Languages are the languages the assistant answers in; the first is the
// base every topic is defined in.
var Languages = []string{"en", "de", "fr", "es", "nl"}

// Aspects are the sides of an answer a topic may say in a sentence of
// its own (TopicText.Aspects), each asked by the phrases of "match." and
// its key: how long, and who does it.
var Aspects = []string{"how_long", "who"}

// BaseLang is the language every topic is defined in.
const BaseLang = "en"

// Topic is one entry of the catalogue: one question people ask, and the
// answer that answers it.
type Topic struct {
	ID     string
	Intent Intent
	// Follow are the topics offered as buttons after this one.
	Follow []string
	// Variants name the topic to answer instead when the question names an
	// address whose verdict is one of the keys: personal, work, both, none,
	// unknown, lookalike.
	Variants map[string]string
	// Matchable is false for topics reached only by ID.
	Matchable bool
	// Online topics are matched only when lookups ask Microsoft: a
	// lookup limit, say, never happens with the built-in rules alone.
	Online bool
	// Requires, when set, are groups of words (after synonyms); a message
	// must hold a word of every group for the topic to be matched: a
	// message about a password sent by mistake names a password, and one
	// about resetting someone else's password names a password and
	// someone else.
	Requires [][]string
	// Text holds the words, by language.
	Text map[string]*TopicText
	// Source is where the topic was defined (file:line), for messages.
	Source string
}

// TopicText is a topic's words in one language.
type TopicText struct {
	Label  string
	Answer string
	// Aspects say one side of the answer in one sentence each, by key
	// (Aspects): how long ("how long do i have after that") and who does
	// it ("can i do that myself or is that IT"), given only to someone
	// who asks that right after the answer.
	Aspects map[string]string
	// AskFor, when set, says what to ask the helpdesk for when the
	// person asks for a person right after this topic's answer ("ask them
	// to remove your lost phone and give you a Temporary Access Pass"):
	// the hand-off then says what the ticket needs.
	AskFor   string
	Details  []string
	Steps    []string
	Examples []string
	// Replies are what people answer to this topic, each with the topic
	// that answers it ("it's the one the company gave me =>
	// picker.tile_work"): read only right after this topic's answer.
	Replies []string
}

// Catalogue is the loaded knowledge: topics and phrases in every language.
type Catalogue struct {
	Topics map[string]*Topic
	// IDs lists the topic IDs in a stable order.
	IDs []string
	// Phrases holds the short sentences, by language then key.
	Phrases map[string]map[string]string
	// spoken is, by language, the words each topic's answer uses, and
	// all of them together under "" (spokenBy), worked out the first time
	// they are needed.
	spoken     map[string]map[string]topicWords
	spokenOnce sync.Once
	// Patterns are the lines of patterns.txt: error codes and messages
	// recognised before ranking.
	Patterns []string
}

// variantKeys are the keys a topic's variants may use: first those that
// say what a verdict found (kindKeys), then "offline" (lookups are
// configured off: no kind was asked of Microsoft), "provider" (every
// domain is another mail provider's, which is no kind of Microsoft
// account), "personal_pair" (two or more addresses, every one a personal
// account: a question about them is about personal accounts only, though
// no single kind decides it), "admin" (who asks, not what the address
// is), "sorted" (the message says a fix worked: "that worked, thanks"),
// "subject" (a typed follow-up to an answer on a subject: "still not
// working" after an error's steps) and "left_org" (the message says the
// person has left the organisation or school: "left my job and now Word
// says unlicensed").
var variantKeys = append(slices.Clone(kindKeys), "offline", "provider", "personal_pair", "admin", "sorted", "subject", "left_org")

// kindKeys are the variant keys chosen by the kind of account a verdict
// finds.
var kindKeys = []string{"personal", "work", "both", "none", "unknown", "lookalike", "consumer"}

var topicIDPattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)

// BuiltinCatalogue loads the embedded catalogue.
func BuiltinCatalogue() (*Catalogue, error) {
	sub, err := fs.Sub(catalogueFS, "catalogue")
	if err != nil {
		return nil, err
	}
	c := &Catalogue{Topics: map[string]*Topic{}, Phrases: map[string]map[string]string{}}
	if err := c.load(sub, "catalogue"); err != nil {
		return nil, err
	}
	return c, c.Check()
}

// LoadDir adds the topics and phrases of dir (laid out as the built-in
// catalogue: <lang>/*.md and <lang>/phrases.txt) to c: new IDs are added,
// existing ones replaced. The result is checked as a whole. Load before the
// catalogue answers anything: what is worked out from it on first use
// (spokenBy) is not worked out again.
func (c *Catalogue) LoadDir(dir string) error {
	if err := c.load(os.DirFS(dir), dir); err != nil {
		return err
	}
	return c.Check()
}

func (c *Catalogue) load(fsys fs.FS, name string) error {
	var errs []error
	seen := map[string]bool{}
	for _, lang := range Languages {
		files, err := fs.Glob(fsys, lang+"/*.md")
		if err != nil {
			return err
		}
		for _, f := range files {
			if strings.EqualFold(path.Base(f), "README.md") {
				continue
			}
			if err := c.loadTopics(fsys, f, path.Join(name, f), lang, seen); err != nil {
				errs = append(errs, err)
			}
		}
		b, err := fs.ReadFile(fsys, lang+"/phrases.txt")
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			errs = append(errs, err)
		default:
			if err := c.loadPhrases(string(b), path.Join(name, lang, "phrases.txt"), lang); err != nil {
				errs = append(errs, err)
			}
		}
	}
	b, err := fs.ReadFile(fsys, "patterns.txt")
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		errs = append(errs, err)
	default:
		p, err := parsePatterns(string(b), path.Join(name, "patterns.txt"))
		if err != nil {
			errs = append(errs, err)
		}
		c.Patterns = append(p, c.Patterns...) // the organisation's first
	}
	slices.Sort(c.IDs)
	return errors.Join(errs...)
}

// dataLines yields the lines of a catalogue data file that hold data,
// trimmed, with their numbers from 1: blank lines and # comments aside.
func dataLines(text string) iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for i, line := range strings.Split(text, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				if !yield(i+1, line) {
					return
				}
			}
		}
	}
}

func (c *Catalogue) loadPhrases(text, file, lang string) error {
	m := c.Phrases[lang]
	if m == nil {
		m = map[string]string{}
		c.Phrases[lang] = m
	}
	for n, line := range dataLines(text) {
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			return fmt.Errorf("%s:%d: want \"key = text\"", file, n)
		}
		// A word joiner (U+2060) at either end keeps spacing that trimming
		// would take (French " :", a thousands separator); it is not part
		// of the text.
		m[strings.TrimSpace(k)] = strings.ReplaceAll(strings.TrimSpace(v), "\u2060", "")
	}
	return nil
}

// loadTopics reads one topic file. In the base language a topic's
// structure is defined (and replaced, when a later file names the same ID);
// other languages add their words to topics defined in the base.
func (c *Catalogue) loadTopics(fsys fs.FS, f, file, lang string, seen map[string]bool) error {
	b, err := fs.ReadFile(fsys, f)
	if err != nil {
		return err
	}
	var (
		t       *Topic
		tt      *TopicText
		list    *[]string
		field   string
		errs    []error
		pending []*Topic
	)
	bad := func(n int, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s:%d: %s", file, n, fmt.Sprintf(format, a...)))
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimRight(sc.Text(), " \t\r")
		line := strings.TrimSpace(raw)
		switch {
		case strings.HasPrefix(raw, "## "):
			id := strings.TrimSpace(raw[3:])
			if !topicIDPattern.MatchString(id) {
				bad(n, "topic ID %q: want lowercase area.name", id)
				t, tt = nil, nil
				continue
			}
			t = &Topic{ID: id, Matchable: true, Text: map[string]*TopicText{}, Source: fmt.Sprintf("%s:%d", file, n)}
			tt = &TopicText{}
			t.Text[lang] = tt
			pending = append(pending, t)
			list, field = nil, ""
			continue
		case line == "" || t == nil:
			continue
		case strings.HasPrefix(line, "- ") || line == "-":
			if list == nil {
				bad(n, "list item outside details, steps, examples or replies")
				continue
			}
			if item := strings.TrimSpace(strings.TrimPrefix(line, "-")); item != "" {
				*list = append(*list, item)
			}
			continue
		case raw != line && field == "answer":
			tt.Answer += " " + line
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || strings.ContainsAny(key, " \t") {
			bad(n, "want \"field: value\", a \"- \" list item or an indented continuation")
			continue
		}
		list, field = nil, key
		structural := key == "intent" || key == "follow" || key == "variants" || key == "match" || key == "requires"
		if structural && lang != BaseLang {
			bad(n, "%q belongs in the %s file of the topic only", key, BaseLang)
			continue
		}
		switch key {
		case "intent":
			if !validIntent(val) {
				bad(n, "unknown intent %q", val)
			}
			t.Intent = Intent(val)
		case "follow":
			t.Follow = splitList(val)
		case "variants":
			t.Variants = map[string]string{}
			for _, kv := range splitList(val) {
				k, v, ok := strings.Cut(kv, "=")
				k, v = strings.TrimSpace(k), strings.TrimSpace(v)
				if !ok || !slices.Contains(variantKeys, k) || v == "" {
					bad(n, "variant %q: want one of %s = topic ID", kv, strings.Join(variantKeys, ", "))
					continue
				}
				t.Variants[k] = v
			}
		case "requires":
			t.Requires = append(t.Requires, splitList(val))
		case "match":
			switch val {
			case "never":
				t.Matchable = false
			case "online":
				t.Online = true
			default:
				bad(n, "match: only \"never\" or \"online\" is allowed")
			}
		case "label":
			tt.Label = val
		case "answer":
			tt.Answer = val
		case "ask_for":
			tt.AskFor = val
		case "details":
			list = &tt.Details
		case "steps":
			list = &tt.Steps
		case "examples":
			list = &tt.Examples
		case "replies":
			list = &tt.Replies
		default:
			if !slices.Contains(Aspects, key) {
				bad(n, "unknown field %q", key)
				break
			}
			if tt.Aspects == nil {
				tt.Aspects = map[string]string{}
			}
			tt.Aspects[key] = val
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	for _, p := range pending {
		// Within one source an ID is defined once per language; a later
		// source (the organisation's directory) replaces a topic whole.
		if seen[lang+":"+p.ID] {
			errs = append(errs, fmt.Errorf("%s: topic %s is defined twice in this source", p.Source, p.ID))
			continue
		}
		seen[lang+":"+p.ID] = true
		if lang == BaseLang {
			if _, ok := c.Topics[p.ID]; !ok {
				c.IDs = append(c.IDs, p.ID)
			}
			c.Topics[p.ID] = p
			continue
		}
		base, ok := c.Topics[p.ID]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: topic %s is not defined in %s", p.Source, p.ID, BaseLang))
			continue
		}
		base.Text[lang] = p.Text[lang]
	}
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Check reports every defect of the catalogue at once: topics without an
// intent or an answer, follow-ups and variants that name no topic,
// matchable topics with fewer than minExamples examples, intents with no
// topic, and phrases missing in the base language.
func (c *Catalogue) Check() error {
	var errs []error
	covered := map[Intent]bool{}
	for _, id := range c.IDs {
		t := c.Topics[id]
		en := t.Text[BaseLang]
		if t.Intent == "" {
			errs = append(errs, fmt.Errorf("%s: topic %s has no intent", t.Source, id))
		}
		covered[t.Intent] = true
		if en == nil || strings.TrimSpace(en.Answer) == "" {
			errs = append(errs, fmt.Errorf("%s: topic %s has no answer", t.Source, id))
		}
		if en != nil && en.Label == "" {
			errs = append(errs, fmt.Errorf("%s: topic %s has no label", t.Source, id))
		}
		if t.Matchable && en != nil && len(en.Examples) < minExamples {
			errs = append(errs, fmt.Errorf("%s: topic %s has %d examples, want at least %d", t.Source, id, len(en.Examples), minExamples))
		}
		for _, f := range t.Follow {
			if c.Topics[f] == nil {
				errs = append(errs, fmt.Errorf("%s: topic %s follows up with unknown topic %s", t.Source, id, f))
			}
		}
		for k, v := range t.Variants {
			if c.Topics[v] == nil {
				errs = append(errs, fmt.Errorf("%s: topic %s has variant %s = unknown topic %s", t.Source, id, k, v))
			}
		}
		for lang, tt := range t.Text {
			for _, r := range tt.Replies {
				if _, to, ok := splitReply(r); !ok || c.Topics[to] == nil {
					errs = append(errs, fmt.Errorf("%s: topic %s (%s): reply %q: want \"words => topic ID\" naming a topic", t.Source, id, lang, r))
				}
			}
			for _, s := range tt.said(true) {
				if err := checkText(s); err != nil {
					errs = append(errs, fmt.Errorf("%s: topic %s (%s): %w", t.Source, id, lang, err))
				}
			}
		}
	}
	for _, i := range Intents {
		if !covered[i] {
			errs = append(errs, fmt.Errorf("catalogue: no topic has intent %s", i))
		}
	}
	for _, id := range requiredTopics {
		if c.Topics[id] == nil {
			errs = append(errs, fmt.Errorf("catalogue: topic %s is missing (the assistant reaches it by ID)", id))
		}
	}
	for _, k := range requiredPhrases {
		if c.Phrases[BaseLang][k] == "" {
			errs = append(errs, fmt.Errorf("catalogue: phrase %q is missing in %s", k, BaseLang))
		}
	}
	return errors.Join(errs...)
}

// requiredPhrases are the phrases the assistant always uses.
var requiredPhrases = []string{"verdict.both", "verdict.personal", "verdict.work", "verdict.none", "verdict.unknown",
	"certainty.confirmed", "certainty.likely", "certainty.unconfirmed", "certainty.offline", "certainty.failed",
	"didyoumean.headline", "label.why", "label.none", "steps.heading", "default.org", "default.helpdesk", "default.sspr_url"}

// minExamples is the fewest example questions a matchable topic has.
const minExamples = 10

var placeholderPattern = regexp.MustCompile(`\{[^{}]*\}`)

// checkText reports markup or placeholders the catalogue's text may not use.
func checkText(s string) error {
	for _, p := range placeholderPattern.FindAllString(s, -1) {
		if !slices.Contains(placeholders, p) && !strings.HasPrefix(p, "{"+askPrefix) {
			return fmt.Errorf("unknown placeholder %s in %q", p, s)
		}
	}
	if strings.Count(s, "**")%2 != 0 {
		return fmt.Errorf("unbalanced ** in %q", s)
	}
	if strings.Contains(s, "](") || strings.ContainsAny(s, "<>") {
		return fmt.Errorf("markup in %q (only **bold** is allowed)", s)
	}
	return nil
}

// Missing lists, per language other than the base, what has no words in
// that language: topics (by ID) and phrases (as "phrase:key").
func (c *Catalogue) Missing() map[string][]string {
	out := map[string][]string{}
	for _, lang := range Languages[1:] {
		for _, id := range c.IDs {
			t := c.Topics[id]
			tt := t.Text[lang]
			if tt == nil || tt.Answer == "" || tt.Label == "" || (t.Matchable && len(tt.Examples) < minExamples) ||
				len(tt.Steps) != len(t.Text[BaseLang].Steps) || len(tt.Details) != len(t.Text[BaseLang].Details) ||
				(tt.AskFor == "") != (t.Text[BaseLang].AskFor == "") ||
				slices.ContainsFunc(Aspects, func(a string) bool { return (tt.Aspects[a] == "") != (t.Text[BaseLang].Aspects[a] == "") }) {
				out[lang] = append(out[lang], id)
			}
		}
		for k := range c.Phrases[BaseLang] {
			if c.Phrases[lang][k] == "" {
				out[lang] = append(out[lang], "phrase:"+k)
			}
		}
		slices.Sort(out[lang])
	}
	return out
}

// topicWords is what a text says, as rankWords reads it: first its label
// and answer, named those and its steps, all of it with its details and
// steps.
type topicWords struct{ first, named, all map[string]bool }

// spokenBy returns the words topic id says in lang, in English when it is
// not translated, as its answers are; the id "" holds the words every
// answer in lang says.
func (c *Catalogue) spokenBy(lang, id string) topicWords {
	c.spokenOnce.Do(func() {
		c.spoken = map[string]map[string]topicWords{}
		for _, l := range Languages {
			every := topicWords{map[string]bool{}, map[string]bool{}, map[string]bool{}}
			c.spoken[l] = map[string]topicWords{"": every}
			ws := words{cat: c, lang: l}
			for tid := range c.Topics {
				tt := ws.text(tid)
				tw := topicWords{map[string]bool{}, map[string]bool{}, map[string]bool{}}
				said := tt.said(true)
				steps := len(said) - len(tt.Steps) // said ends with the steps
				for i, s := range said {
					for _, w := range rankWords(s) {
						if i < 2 { // the label and the answer
							tw.first[w], every.first[w] = true, true
						}
						if i < 2 || i >= steps {
							tw.named[w], every.named[w] = true, true
						}
						tw.all[w], every.all[w] = true, true
					}
				}
				c.spoken[l][tid] = tw
			}
		}
	})
	return c.spoken[lang][id]
}

// said returns what the text says: its label and answer, and with whole
// its aspects (empty where it has none), details and steps too, in a
// slice of its own. What it asks the helpdesk for (AskFor) is said only
// with a hand-off, so it isn't among them.
func (tt *TopicText) said(whole bool) []string {
	if tt == nil {
		return nil
	}
	out := make([]string, 0, 2+len(Aspects)+len(tt.Details)+len(tt.Steps))
	out = append(out, tt.Label, tt.Answer)
	if whole {
		for _, a := range Aspects {
			out = append(out, tt.Aspects[a])
		}
		out = append(append(out, tt.Details...), tt.Steps...)
	}
	return out
}
