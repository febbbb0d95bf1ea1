package helpdesk_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

type corpusCase struct {
	Platform string   `json:"platform"`
	Text     string   `json:"text"`
	Intent   string   `json:"intent"`
	Emails   []string `json:"emails"`
	Domains  []string `json:"domains"`
}

func loadCorpus(t testing.TB) []corpusCase {
	f, err := os.Open("testdata/corpus.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("corpus line %d: %v", len(out)+1, err)
		}
		out = append(out, c)
	}
	return out
}

// offlineLookup answers from the offline rules, so the corpus runs without
// any network.
type offlineLookup struct{}

func (offlineLookup) Lookup(_ context.Context, t msaccount.Target) msaccount.Verdict {
	return msaccount.Offline(t)
}

// The corpus accuracy floors: the test fails if understanding gets worse
// than what docs/quality.md records. Raise them as it improves.
const (
	minIntentAccuracy   = 0.80
	minEntitiesAccuracy = 0.97
)

func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 250 {
		t.Fatalf("corpus has %d messages, want at least 250", len(cases))
	}
	h := helpdesk.New(helpdesk.Config{}, offlineLookup{}, nil)
	var intentOK, entOK int
	perIntent := map[string][2]int{}
	confusion := map[string]int{}
	for i, c := range cases {
		r, err := h.Respond(context.Background(), helpdesk.Message{Platform: c.Platform, Conversation: fmt.Sprint("corpus-", i), User: fmt.Sprint("u", i), Text: c.Text})
		if err != nil {
			t.Fatalf("Respond(%q): %v", c.Text, err)
		}
		if r.Text == "" {
			t.Errorf("Respond(%q): empty text", c.Text)
		}
		pi := perIntent[c.Intent]
		pi[1]++
		if string(r.Intent) == c.Intent {
			intentOK++
			pi[0]++
		} else {
			confusion[c.Intent+" -> "+string(r.Intent)]++
			if testing.Verbose() {
				t.Logf("intent %s, want %s: %.120q", r.Intent, c.Intent, c.Text)
			}
		}
		perIntent[c.Intent] = pi
		if slices.Equal(r.Emails, nonNil(c.Emails)) && slices.Equal(r.Domains, nonNil(c.Domains)) {
			entOK++
		} else {
			t.Logf("entities = %q %q, want %q %q: %.120q", r.Emails, r.Domains, c.Emails, c.Domains, c.Text)
		}
	}
	n := float64(len(cases))
	t.Logf("corpus: %d messages; intent accuracy %.1f%% (%d); entity accuracy %.1f%% (%d)", len(cases), 100*float64(intentOK)/n, intentOK, 100*float64(entOK)/n, entOK)
	keys := make([]string, 0, len(perIntent))
	for k := range perIntent {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  %-24s %3d/%3d", k, perIntent[k][0], perIntent[k][1])
	}
	for k, v := range confusion {
		if v > 1 {
			t.Logf("  confused %s: %d", k, v)
		}
	}
	if got := float64(intentOK) / n; got < minIntentAccuracy {
		t.Errorf("intent accuracy %.3f below the floor %.2f", got, minIntentAccuracy)
	}
	if got := float64(entOK) / n; got < minEntitiesAccuracy {
		t.Errorf("entity accuracy %.3f below the floor %.2f", got, minEntitiesAccuracy)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
