package redisstore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/journal"
)

// TestJournalAcrossReplicas: two replicas' journals add up in Redis, the
// questions are capped, and nothing names a topic or a question in clear.
func TestJournalAcrossReplicas(t *testing.T) {
	s := testStore(t)
	ctx := context.Background()
	one := journal.New(s.Journal(), journal.Config{Interval: time.Hour}, nil)
	two := journal.New(s.Journal(), journal.Config{Interval: time.Hour}, nil)
	for i := range 10 {
		one.Note(ctx, "password.reset_work", helpdesk.NoteAnswered, "en")
		two.Note(ctx, "password.reset_work", helpdesk.NoteAnswered, "en")
		two.Unanswered(ctx, helpdesk.Unanswered{Text: fmt.Sprintf("printer %d", i), Why: "unmatched", Lang: "en"})
	}
	one.Note(ctx, "password.reset_work", helpdesk.NoteNotHelpful, "en")
	if err := one.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := two.Close(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := s.Journal().Read(ctx, time.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Counts["password.reset_work"]; c[helpdesk.NoteAnswered] != 20 || c[helpdesk.NoteNotHelpful] != 1 {
		t.Errorf("counts = %v", d.Counts)
	}
	if len(d.Unanswered) != 10 || d.Unanswered[0].Text != "printer 0" || d.Unanswered[9].Text != "printer 9" {
		t.Errorf("questions = %+v", d.Unanswered)
	}
	// The cap.
	var b journal.Batch
	for i := range journal.MaxUnanswered + 5 {
		b.Unanswered = append(b.Unanswered, helpdesk.Unanswered{Text: fmt.Sprint("q", i), At: time.Now()})
	}
	if err := s.Journal().Append(ctx, b); err != nil {
		t.Fatal(err)
	}
	if n := s.rdb.LLen(ctx, s.Journal().listKey()).Val(); n != journal.MaxUnanswered {
		t.Errorf("list holds %d, want %d", n, journal.MaxUnanswered)
	}
	keys, _ := s.rdb.Keys(ctx, "*").Result()
	for _, k := range keys {
		if strings.Contains(k, "password") || strings.Contains(k, "unanswered") || strings.Contains(k, time.Now().Format("2006")) {
			t.Errorf("key %q names what it holds", k)
		}
	}
}
