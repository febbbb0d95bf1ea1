// Package journal keeps what the helpdesk learns from the assistant: per
// day, how often each topic was answered, voted helpful or not helpful and
// handed off to a person, and the questions it could not answer (their
// addresses already reduced to domains by the core). It reads them back
// for `whichaccount report`, grouping similar questions.
//
// A Journal is the helpdesk.Journal the assistant writes to. It never
// makes the answer wait: it adds to counts in memory and a background
// flush hands them to a Store once a second (and at Close). A Store keeps
// them: FileStore in a bounded JSONL file under a data directory, for a
// single server; redisstore's in Redis, for replicas. Everything is
// bounded: at most MaxUnanswered questions are kept (the oldest dropped
// first), each at most MaxTextRunes long, and counts for KeepDays days.
package journal

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// Bounds of what is kept.
const (
	// MaxUnanswered is how many unanswered questions are kept: the newest.
	MaxUnanswered = 2000
	// KeepDays is how many days of counts are kept.
	KeepDays = 90
	// MaxTextRunes bounds a kept question.
	MaxTextRunes = 500
	// maxGuesses bounds the topic guesses kept with a question.
	maxGuesses = 5
	// maxPendingKeys bounds the distinct day/topic/event counts waiting
	// for a flush; past it, notes about new topics are dropped.
	maxPendingKeys = 10000
)

// Key names one count: a day (UTC, 2006-01-02), a topic and an event (one
// of the helpdesk.Note constants).
type Key struct {
	Day, Topic, Event string
}

// Batch is what a flush hands to a Store.
type Batch struct {
	Counts     map[Key]int
	Unanswered []helpdesk.Unanswered // oldest first
}

func (b Batch) empty() bool { return len(b.Counts) == 0 && len(b.Unanswered) == 0 }

// Data is what a Store holds from a time on.
type Data struct {
	// Counts are per topic, then event, summed over the days read.
	Counts map[string]map[string]int
	// Unanswered are the questions kept, oldest first.
	Unanswered []helpdesk.Unanswered
}

// Store keeps batches and reads them back.
type Store interface {
	// Append adds a batch. An error leaves the batch to the caller, which
	// offers it again with the next one.
	Append(ctx context.Context, b Batch) error
	// Read returns the counts of the days from since's on, and the
	// questions kept since since.
	Read(ctx context.Context, since time.Time) (Data, error)
}

// Config configures a Journal. Zero values take the defaults noted.
type Config struct {
	// Interval is the time between flushes (1s).
	Interval time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Journal is a helpdesk.Journal that writes to a Store in the background.
// It is safe for concurrent use.
type Journal struct {
	store Store
	log   *slog.Logger
	now   func() time.Time

	mu      sync.Mutex
	pending Batch
	dropped int // questions and notes dropped while the store failed

	flushMu  sync.Mutex // one flush at a time; guards lastWarn
	lastWarn time.Time
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
}

// New returns a Journal writing to store, flushing every cfg.Interval
// until Close.
func New(store Store, cfg Config, log *slog.Logger) *Journal {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	j := &Journal{store: store, log: log.With("component", "journal"), now: cfg.Now,
		pending: Batch{Counts: map[Key]int{}}, stop: make(chan struct{}), done: make(chan struct{})}
	go j.loop(cfg.Interval)
	return j
}

func (j *Journal) loop(every time.Duration) {
	defer close(j.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-j.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			j.Flush(ctx)
			cancel()
		}
	}
}

// Note implements helpdesk.Journal.
func (j *Journal) Note(_ context.Context, topic, event, _ string) {
	switch event {
	case helpdesk.NoteAnswered, helpdesk.NoteHelpful, helpdesk.NoteNotHelpful, helpdesk.NoteHandoff:
	default:
		return
	}
	k := Key{Day: Day(j.now()), Topic: TopicLabel(topic), Event: event}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, ok := j.pending.Counts[k]; !ok && len(j.pending.Counts) >= maxPendingKeys {
		j.dropped++
		return
	}
	j.pending.Counts[k]++
}

// Unanswered implements helpdesk.Journal.
func (j *Journal) Unanswered(_ context.Context, q helpdesk.Unanswered) {
	q = Clean(q)
	if q.At.IsZero() {
		q.At = j.now().UTC()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.pending.Unanswered) >= MaxUnanswered {
		j.pending.Unanswered = append(j.pending.Unanswered[:0], j.pending.Unanswered[1:]...)
		j.dropped++
	}
	j.pending.Unanswered = append(j.pending.Unanswered, q)
}

// Flush hands what is pending to the store now. On failure it stays
// pending (within the bounds) for the next flush.
func (j *Journal) Flush(ctx context.Context) error {
	j.flushMu.Lock()
	defer j.flushMu.Unlock()
	j.mu.Lock()
	b := j.pending
	j.pending = Batch{Counts: map[Key]int{}}
	dropped := j.dropped
	j.dropped = 0
	j.mu.Unlock()
	if dropped > 0 {
		j.log.Warn("journal entries dropped: more arrived than it keeps while the store was failing", "dropped", dropped)
	}
	if b.empty() {
		return nil
	}
	err := j.store.Append(ctx, b)
	if err == nil {
		return nil
	}
	if now := j.now(); now.Sub(j.lastWarn) >= time.Minute {
		j.lastWarn = now
		j.log.Warn("journal flush failed; kept for the next one (warned at most once a minute)", "error", err.Error())
	}
	// Put the batch back in front of what arrived meanwhile, within the
	// bounds.
	j.mu.Lock()
	defer j.mu.Unlock()
	for k, n := range j.pending.Counts {
		b.Counts[k] += n
	}
	b.Unanswered = append(b.Unanswered, j.pending.Unanswered...)
	if extra := len(b.Unanswered) - MaxUnanswered; extra > 0 {
		b.Unanswered = b.Unanswered[extra:]
		j.dropped += extra
	}
	for k := range b.Counts {
		if len(b.Counts) <= maxPendingKeys {
			break
		}
		delete(b.Counts, k)
		j.dropped++
	}
	j.pending = b
	return err
}

// Close stops the background flushes and flushes what is pending, within
// ctx.
func (j *Journal) Close(ctx context.Context) error {
	j.once.Do(func() { close(j.stop) })
	<-j.done
	return j.Flush(ctx)
}

// Day is the day of t as counts are keyed: UTC, 2006-01-02.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// TopicLabel is topic if it is shaped as a catalogue ID, else "unknown":
// what reaches the store and the metrics is never free-form.
func TopicLabel(topic string) string {
	if topic == "" || len(topic) > 64 {
		return "unknown"
	}
	for _, r := range topic {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.') {
			return "unknown"
		}
	}
	return topic
}

// Clean bounds a question for keeping: its text clipped to MaxTextRunes
// (whitespace folded, control characters and invalid UTF-8 replaced), at most a few guesses, each a topic label, and
// short fields.
func Clean(q helpdesk.Unanswered) helpdesk.Unanswered {
	text := strings.ToValidUTF8(q.Text, "\uFFFD")
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' ' // a control character would cost six bytes in JSON
		}
		return r
	}, text)
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) > MaxTextRunes {
		r := []rune(text)
		text = string(r[:MaxTextRunes-1]) + "…"
	}
	out := helpdesk.Unanswered{Text: text, Why: clip(q.Why, 20), Lang: clip(q.Lang, 8), At: q.At.UTC()}
	for _, g := range q.Guesses {
		if len(out.Guesses) == maxGuesses {
			break
		}
		if g = TopicLabel(g); g != "unknown" {
			out.Guesses = append(out.Guesses, g)
		}
	}
	return out
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
