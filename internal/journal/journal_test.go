package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

var ctx = context.Background()

func TestJournalToFileAndBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	j := New(NewFileStore(dir), Config{Interval: time.Hour}, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				j.Note(ctx, "password.reset_work", helpdesk.NoteAnswered, "en")
			}
			j.Note(ctx, "password.reset_work", helpdesk.NoteHelpful, "en")
			j.Note(ctx, "Free Text! <b>", helpdesk.NoteNotHelpful, "en")
			j.Note(ctx, "password.reset_work", "bogus", "en")
			j.Unanswered(ctx, helpdesk.Unanswered{Text: fmt.Sprintf("printer %d on floor 3", i), Why: "unmatched", Guesses: []string{"help.human", "Not A Topic"}, Lang: "en"})
		}()
	}
	wg.Wait()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the data directory exists before the first flush: %v", err)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// Another store on the same directory: what a restart reads.
	d, err := NewFileStore(dir).Read(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c := d.Counts["password.reset_work"]
	if c[helpdesk.NoteAnswered] != 800 || c[helpdesk.NoteHelpful] != 8 || len(c) != 2 || d.Counts["unknown"][helpdesk.NoteNotHelpful] != 8 {
		t.Errorf("counts = %v", d.Counts)
	}
	if len(d.Unanswered) != 8 || d.Unanswered[0].At.IsZero() || strings.Join(d.Unanswered[0].Guesses, ",") != "help.human" {
		t.Errorf("unanswered = %+v", d.Unanswered)
	}
	if d, _ := NewFileStore(dir).Read(ctx, time.Now().Add(time.Hour)); len(d.Unanswered) != 0 {
		t.Errorf("questions from before since: %+v", d.Unanswered)
	}
}

func TestFileStoreCompacts(t *testing.T) {
	dir := t.TempDir()
	f := NewFileStore(dir)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f.now = func() time.Time { return now }
	old := now.AddDate(0, 0, -KeepDays)
	b := Batch{Counts: map[Key]int{
		{Day(old), "password.reset_work", helpdesk.NoteAnswered}: 5,
		{Day(now), "password.reset_work", helpdesk.NoteAnswered}: 7,
	}}
	for i := range MaxUnanswered + 500 {
		b.Unanswered = append(b.Unanswered, helpdesk.Unanswered{Text: fmt.Sprintf("question %d %s", i, strings.Repeat("x", 200)), Why: "unmatched", Lang: "en", At: now})
	}
	if err := f.Append(ctx, b); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(f.Path())
	f.MaxBytes = before.Size() - 1 // the next append compacts
	if err := f.Append(ctx, Batch{Counts: map[Key]int{{Day(now), "password.reset_work", helpdesk.NoteAnswered}: 1}}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(f.Path())
	if after.Size() >= before.Size() {
		t.Errorf("compaction: %d bytes, before %d", after.Size(), before.Size())
	}
	d, err := f.Read(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if n := d.Counts["password.reset_work"][helpdesk.NoteAnswered]; n != 8 {
		t.Errorf("answered = %d, want 8 (the day beyond %d days dropped)", n, KeepDays)
	}
	if len(d.Unanswered) != MaxUnanswered || !strings.HasPrefix(d.Unanswered[0].Text, "question 500 ") {
		t.Errorf("%d questions kept, first %.20q", len(d.Unanswered), d.Unanswered[0].Text)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestFileStoreSkipsATornLine(t *testing.T) {
	dir := t.TempDir()
	f := NewFileStore(dir)
	if err := f.Append(ctx, Batch{Unanswered: []helpdesk.Unanswered{{Text: "one", Why: "unmatched", At: time.Now()}}}); err != nil {
		t.Fatal(err)
	}
	file, _ := os.OpenFile(f.Path(), os.O_APPEND|os.O_WRONLY, 0)
	file.WriteString("{\"q\":{\"text\":\"half a li")
	file.Close()
	if err := f.Append(ctx, Batch{Unanswered: []helpdesk.Unanswered{{Text: "two", Why: "unmatched", At: time.Now()}}}); err != nil {
		t.Fatal(err)
	}
	d, err := f.Read(ctx, time.Time{})
	if err != nil || len(d.Unanswered) != 2 || d.Unanswered[0].Text != "one" || d.Unanswered[1].Text != "two" {
		t.Errorf("after a torn line: %+v, %v", d.Unanswered, err)
	}
}

// failingStore fails until told otherwise.
type failingStore struct {
	mu   sync.Mutex
	fail bool
	got  []Batch
}

func (s *failingStore) Append(_ context.Context, b Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("down")
	}
	s.got = append(s.got, b)
	return nil
}

func (s *failingStore) Read(context.Context, time.Time) (Data, error) { return Data{}, nil }

func TestFlushFailureKeepsThePending(t *testing.T) {
	s := &failingStore{fail: true}
	j := New(s, Config{Interval: time.Hour}, nil)
	defer j.Close(ctx)
	for range 3 {
		j.Note(ctx, "a.b", helpdesk.NoteAnswered, "en")
	}
	for i := range MaxUnanswered + 10 {
		j.Unanswered(ctx, helpdesk.Unanswered{Text: fmt.Sprint(i)})
	}
	if err := j.Flush(ctx); err == nil {
		t.Fatal("flush to a failing store succeeded")
	}
	j.Note(ctx, "a.b", helpdesk.NoteAnswered, "en")
	s.mu.Lock()
	s.fail = false
	s.mu.Unlock()
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.got) != 1 {
		t.Fatalf("%d batches", len(s.got))
	}
	b := s.got[0]
	var answered int
	for k, n := range b.Counts {
		if k.Topic == "a.b" {
			answered += n
		}
	}
	if answered != 4 || len(b.Unanswered) != MaxUnanswered || b.Unanswered[0].Text != "10" {
		t.Errorf("after recovery: answered %d, %d questions from %q", answered, len(b.Unanswered), b.Unanswered[0].Text)
	}
}

func TestClean(t *testing.T) {
	q := Clean(helpdesk.Unanswered{Text: "  a \n b  " + strings.Repeat("é", 600), Why: strings.Repeat("w", 50), Guesses: []string{"x.y", "BAD", "a.b", "c.d", "e.f", "g.h", "i.j"}})
	if n := len([]rune(q.Text)); n != MaxTextRunes || !strings.HasPrefix(q.Text, "a b é") || !strings.HasSuffix(q.Text, "…") {
		t.Errorf("text %d runes: %.20q", n, q.Text)
	}
	if len(q.Why) != 20 || strings.Join(q.Guesses, ",") != "x.y,a.b,c.d,e.f,g.h" {
		t.Errorf("why %q guesses %v", q.Why, q.Guesses)
	}
}

func TestGroupQuestions(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	qs := []helpdesk.Unanswered{
		{Text: "how do I connect to the printer on floor 3", Why: "unmatched", Lang: "en", At: at},
		{Text: "is …@contoso.com allowed to use the VPN?", Why: "unmatched", Guesses: []string{"guest.access"}, Lang: "en", At: at.Add(time.Minute)},
		{Text: "printer on floor 3 won't connect", Why: "unmatched", Lang: "en", At: at.Add(2 * time.Minute)},
		{Text: "is …@fabrikam.com allowed to use the VPN", Why: "handoff", Guesses: []string{"guest.access"}, Lang: "en", At: at.Add(3 * time.Minute)},
		{Text: "Wie verbinde ich den Drucker im 3. Stock?", Why: "unmatched", Lang: "de", At: at.Add(4 * time.Minute)},
		{Text: "???", Why: "unmatched", At: at.Add(5 * time.Minute)},
		{Text: "???", Why: "unmatched", At: at.Add(6 * time.Minute)},
		{Text: "how do I connect to the printer on floor 3", Why: "not_helpful", Lang: "en", At: at.Add(7 * time.Minute)},
	}
	got := GroupQuestions(qs)
	if got.Total != 8 || len(got.Groups) != 4 {
		for _, g := range got.Groups {
			t.Logf("%d × %q %v", g.Count, g.Example, g.Others)
		}
		t.Fatalf("%d questions in %d groups, want 8 in 4", got.Total, len(got.Groups))
	}
	g := got.Groups[0]
	if g.Count != 3 || g.Example != "how do I connect to the printer on floor 3" || len(g.Others) != 1 || g.Why["not_helpful"] != 1 || !g.Last.Equal(at.Add(7*time.Minute)) {
		t.Errorf("printer group = %+v", g)
	}
	byExample := map[string]Group{}
	for _, g := range got.Groups {
		byExample[g.Example] = g
	}
	vpn := byExample["is …@fabrikam.com allowed to use the VPN"]
	if vpn.Count != 2 || strings.Join(vpn.Guesses, ",") != "guest.access" || vpn.Why["handoff"] != 1 {
		t.Errorf("VPN group = %+v", vpn)
	}
	if g := byExample["???"]; g.Count != 2 {
		t.Errorf("wordless group = %+v", g)
	}
	if g := byExample["Wie verbinde ich den Drucker im 3. Stock?"]; g.Count != 1 || strings.Join(g.Langs, ",") != "de" {
		t.Errorf("German group = %+v", g)
	}
}

func FuzzFileLines(f *testing.F) {
	f.Add([]byte(`{"day":"2026-11-30","counts":{"a.b":{"answered":3}}}` + "\n" + `{"q":{"text":"x","why":"unmatched","at":"2026-11-30T10:00:00Z"}}` + "\n"))
	f.Add([]byte(`{"day":"bogus","counts":{"A B":{"answered":-3}}}` + "\n{\"q\":null}\n[1,2]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), b, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := NewFileStore(dir).Read(ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for topic, ev := range d.Counts {
			if TopicLabel(topic) != topic {
				t.Errorf("topic %q read back", topic)
			}
			for _, n := range ev {
				if n < 0 {
					t.Errorf("negative count")
				}
			}
		}
		for _, q := range d.Unanswered {
			if len([]rune(q.Text)) > MaxTextRunes {
				t.Errorf("text of %d runes", len([]rune(q.Text)))
			}
		}
	})
}

// TestWorstCaseFileSize fills a journal with the most a compaction keeps
// (KeepDays days of 250 topics with every event, MaxUnanswered questions
// of MaxTextRunes four-byte characters, with guesses) and checks that it
// stays under DefaultMaxBytes, so compaction always frees room.
//
//	go test ./internal/journal -run TestWorstCaseFileSize -v
func TestWorstCaseFileSize(t *testing.T) {
	f := NewFileStore(t.TempDir())
	now := time.Now()
	b := Batch{Counts: map[Key]int{}}
	for d := range KeepDays {
		day := Day(now.AddDate(0, 0, -d))
		for i := range 250 {
			for _, e := range []string{helpdesk.NoteAnswered, helpdesk.NoteHelpful, helpdesk.NoteNotHelpful, helpdesk.NoteHandoff} {
				b.Counts[Key{day, fmt.Sprintf("area_%03d.a_rather_long_topic_name", i), e}] = 123456
			}
		}
	}
	for range MaxUnanswered {
		b.Unanswered = append(b.Unanswered, helpdesk.Unanswered{Text: strings.Repeat("😀\x01\"", MaxTextRunes), Why: "none_of_these",
			Guesses: []string{"password.reset_work", "password.reset_personal", "error.aadsts50020", "picker.account_picker", "classify.address"}, Lang: "en", At: now})
	}
	if err := f.Append(ctx, b); err != nil {
		t.Fatal(err)
	}
	size, err := f.compact()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("worst case after compaction: %d bytes (%.1f MiB); compaction at %d MiB", size, float64(size)/(1<<20), DefaultMaxBytes>>20)
	if size >= DefaultMaxBytes {
		t.Errorf("the most a compaction keeps is %d bytes, not under %d", size, DefaultMaxBytes)
	}
}

// BenchmarkNote is what the journal adds to an answer: a count in memory.
func BenchmarkNote(b *testing.B) {
	j := New(&failingStore{}, Config{Interval: time.Hour}, nil)
	defer j.Close(ctx)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j.Note(ctx, "password.reset_work", helpdesk.NoteAnswered, "en")
		}
	})
}

// BenchmarkFileAppend is one flush to the file: a day's counts of 20
// topics and 5 questions, written and synced.
func BenchmarkFileAppend(b *testing.B) {
	f := NewFileStore(b.TempDir())
	batch := Batch{Counts: map[Key]int{}}
	for i := range 20 {
		batch.Counts[Key{Day(time.Now()), fmt.Sprintf("area.topic_%d", i), helpdesk.NoteAnswered}] = 3
	}
	for range 5 {
		batch.Unanswered = append(batch.Unanswered, helpdesk.Unanswered{Text: "how do I connect to the printer on floor 3", Why: "unmatched", Lang: "en", At: time.Now()})
	}
	b.ResetTimer()
	for b.Loop() {
		if err := f.Append(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
