package helpdesk_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

func TestZZAndHarm(t *testing.T) {
	cases := loadCorpus(t, "testdata/tune.jsonl")
	cat, _ := helpdesk.BuiltinCatalogue()
	h := helpdesk.New(helpdesk.Config{UserLookupsPerMinute: 1 << 20}, offlineLookup{}, nil)
	r := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	and := map[string]string{"en": "and ", "de": "und ", "fr": "et ", "es": "y ", "nl": "en "}
	n, lost, gained := 0, 0, 0
	for i := range 4000 {
		a, b := cases[r.IntN(len(cases))], cases[r.IntN(len(cases))]
		if len(b.Emails)+len(b.Domains) > 0 || len(helpdesk.QueryWords(b.Text)) > 4 {
			continue
		}
		n++
		text := and[b.Lang] + b.Text
		alone, _ := h.Respond(ctx, helpdesk.Message{Platform: b.Platform, Conversation: fmt.Sprint("alone-", i), User: fmt.Sprint("a", i), Text: b.Text})
		h.Respond(ctx, helpdesk.Message{Platform: a.Platform, Conversation: fmt.Sprint("pair-", i), User: fmt.Sprint("p", i), Text: a.Text})
		after, _ := h.Respond(ctx, helpdesk.Message{Platform: b.Platform, Conversation: fmt.Sprint("pair-", i), User: fmt.Sprint("p", i), Text: text})
		switch right, rightAfter := topicRight(cat, b, alone.Topic), topicRight(cat, b, after.Topic); {
		case right && !rightAfter:
			lost++
			fmt.Printf("LOST %q after %q: %s (alone %s)\n", text, a.Text, after.Topic, alone.Topic)
		case !right && rightAfter:
			gained++
		}
	}
	fmt.Println(n, "lost", lost, "gained", gained)
}
