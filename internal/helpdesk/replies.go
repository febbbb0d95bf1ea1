package helpdesk

import (
	"math"
	"strings"
)

// replies reads a message right after an answer against what people
// answer to that answer (a topic's replies: in the catalogue): "it's the
// one the company gave me" after which tile to pick. Such a reply is
// written for one answer and read only after it, so it never moves the
// ranking of any other message.
type replies struct {
	byTopic map[string][]reply
	// idf weighs a word by how few topics' examples hold it, in the
	// language where it is most common: a word every topic uses says
	// little about which reply a message is.
	idf     map[string]float64
	unknown float64 // the weight of a word no example holds
}

type reply struct {
	words map[string]bool
	to    string
}

// replyShare is the share of the weight of a reply's words and of the
// message's other words that the words they share must carry for the
// message to be that reply. A message's other words weigh a third
// (messageExtra): people wrap a reply in words of their own ("haha ok,
// who do I call then?"), while a reply holds only what matters.
const (
	replyShare   = 0.5
	messageExtra = 0.35
)

// replyMargin is how far ahead of a reply for any other answer the best
// reply must be: a message that reads nearly as well as a reply for
// another answer is no clear reply.
const replyMargin = 0.8

// splitReply reads a replies: line, "words => topic ID".
func splitReply(s string) (words, to string, ok bool) {
	words, to, ok = strings.Cut(s, "=>")
	words, to = strings.TrimSpace(words), strings.TrimSpace(to)
	return words, to, ok && words != "" && to != ""
}

func newReplies(c *Catalogue) *replies {
	x := &replies{byTopic: map[string][]reply{}, idf: map[string]float64{}}
	// Document frequency by language: a function word of Dutch is common
	// among the Dutch examples, however rare among all of them.
	df := map[string]map[string]int{}
	docs := map[string]int{}
	for _, id := range c.IDs {
		t := c.Topics[id]
		for lang, tt := range t.Text {
			seen := map[string]bool{}
			for _, ex := range tt.Examples {
				for _, w := range withoutStopWords(rankWords(question(ex))) {
					if !seen[w] {
						seen[w] = true
						if df[lang] == nil {
							df[lang] = map[string]int{}
						}
						df[lang][w]++
					}
				}
			}
			if len(tt.Examples) > 0 {
				docs[lang]++
			}
			for _, r := range tt.Replies {
				said, to, ok := splitReply(r)
				if !ok || c.Topics[to] == nil {
					continue // Check reports it
				}
				ws := map[string]bool{}
				for _, w := range withoutStopWords(rankWords(question(said))) {
					ws[w] = true
				}
				if len(ws) > 0 {
					x.byTopic[id] = append(x.byTopic[id], reply{words: ws, to: to})
				}
			}
		}
	}
	for lang, ws := range df {
		for w, n := range ws {
			v := math.Log(1 + float64(docs[lang])/float64(n))
			if old, ok := x.idf[w]; !ok || v < old {
				x.idf[w] = v
			}
		}
	}
	x.unknown = math.Log(1 + float64(max(docs[BaseLang], 1)))
	return x
}

func (x *replies) weight(w string) float64 {
	if v, ok := x.idf[w]; ok {
		return v
	}
	return x.unknown
}

// match returns the topic that answers qw (a message's words, stop words
// aside) as a reply to topic id, or "" when no reply of id is close
// enough (replyShare) or replies close enough lead to different answers.
func (x *replies) match(id string, qw []string) string {
	rs := x.byTopic[id]
	if len(rs) == 0 || len(qw) == 0 {
		return ""
	}
	said := make(map[string]bool, len(qw))
	for _, w := range qw {
		said[w] = true
	}
	var msg float64
	for w := range said {
		msg += x.weight(w)
	}
	best, second, to := 0.0, 0.0, ""
	for _, r := range rs {
		var shared, own float64
		for w := range r.words {
			if said[w] {
				shared += x.weight(w)
			}
			own += x.weight(w)
		}
		s := shared / (own + messageExtra*(msg-shared))
		switch {
		case s > best && r.to == to:
			best = s
		case s > best:
			best, second, to = s, best, r.to
		case s > second && r.to != to:
			second = s
		}
	}
	if best < replyShare || second >= best*replyMargin {
		return "" // none, or as much a reply for another answer: "one says work, one says personal"
	}
	return to
}
