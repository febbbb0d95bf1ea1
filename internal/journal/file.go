package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// FileName is the journal's file in its data directory.
const FileName = "journal.jsonl"

// DefaultMaxBytes is the size past which a FileStore compacts its file.
// What compaction keeps (KeepDays of counts and MaxUnanswered questions of
// at most MaxTextRunes) stays well under it, so the file never grows much
// beyond it.
const DefaultMaxBytes = 8 << 20

// FileStore keeps the journal in one append-only JSONL file under a data
// directory: a line per day's counts ({"day":…,"counts":{topic:{event:n}}})
// and a line per question ({"q":{…}}). When an append takes the file past
// MaxBytes, it is rewritten (to a temporary file, then renamed over it) with
// one line per day of the last KeepDays and the last MaxUnanswered
// questions. Appends and compactions take a lock on the directory
// (journal.lock), so processes sharing it do not lose each other's lines;
// readers need none. A torn last line (a crash mid-write) is skipped.
type FileStore struct {
	dir, path string
	// MaxBytes is the size that triggers compaction (DefaultMaxBytes).
	MaxBytes int64
	now      func() time.Time
	mu       sync.Mutex
	// floor is the size below which no compaction is tried again: twice
	// what the last one left, should that ever exceed MaxBytes.
	floor int64
}

// NewFileStore returns the store in dir. It touches nothing until the
// first append, which creates dir.
func NewFileStore(dir string) *FileStore {
	return &FileStore{dir: dir, path: filepath.Join(dir, FileName), MaxBytes: DefaultMaxBytes, now: time.Now}
}

// Path is the journal file's path.
func (f *FileStore) Path() string { return f.path }

// line is one line of the file.
type line struct {
	Day    string                    `json:"day,omitempty"`
	Counts map[string]map[string]int `json:"counts,omitempty"`
	Q      *helpdesk.Unanswered      `json:"q,omitempty"`
}

// Append implements Store.
func (f *FileStore) Append(ctx context.Context, b Batch) error {
	if b.empty() {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(f.dir, 0o750); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	unlock, err := lockDir(f.dir)
	if err != nil {
		return fmt.Errorf("journal: lock: %w", err)
	}
	defer unlock()
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	w := bufio.NewWriter(file)
	if torn(file) {
		w.WriteByte('\n') // end a line torn by a crash, so that only it is lost
	}
	enc := newEncoder(w)
	for _, l := range batchLines(b) {
		if err := enc.Encode(l); err != nil {
			file.Close()
			return fmt.Errorf("journal: %w", err)
		}
	}
	err = w.Flush()
	if err == nil {
		err = file.Sync()
	}
	st, serr := file.Stat()
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("journal: append: %w", err)
	}
	if serr == nil && st.Size() > max(f.MaxBytes, f.floor) {
		size, err := f.compact()
		if err != nil {
			return fmt.Errorf("journal: compact: %w", err)
		}
		f.floor = 2 * size
	}
	return nil
}

// newEncoder writes JSON lines without escaping <, > and &, so that a
// question costs what it says.
func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// torn reports whether the file does not end with a newline.
func torn(f *os.File) bool {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false
	}
	var last [1]byte
	_, err = f.ReadAt(last[:], st.Size()-1)
	return err == nil && last[0] != '\n'
}

// batchLines are a batch as lines: one per day of counts, one per
// question.
func batchLines(b Batch) []line {
	days := map[string]map[string]map[string]int{}
	for k, n := range b.Counts {
		d := days[k.Day]
		if d == nil {
			d = map[string]map[string]int{}
			days[k.Day] = d
		}
		if d[k.Topic] == nil {
			d[k.Topic] = map[string]int{}
		}
		d[k.Topic][k.Event] += n
	}
	out := make([]line, 0, len(days)+len(b.Unanswered))
	for _, day := range sortedKeys(days) {
		out = append(out, line{Day: day, Counts: days[day]})
	}
	for i := range b.Unanswered {
		out = append(out, line{Q: &b.Unanswered[i]})
	}
	return out
}

// contents is the whole journal, as a file holds it.
type contents struct {
	days       map[string]map[string]map[string]int
	unanswered []helpdesk.Unanswered // oldest first, at most MaxUnanswered
}

// load reads the file; a missing one is empty.
func (f *FileStore) load() (contents, int64, error) {
	c := contents{days: map[string]map[string]map[string]int{}}
	file, err := os.Open(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, 0, nil
	}
	if err != nil {
		return c, 0, err
	}
	defer file.Close()
	r := bufio.NewReaderSize(file, 64<<10)
	var n int64
	for {
		b, err := r.ReadBytes('\n')
		n += int64(len(b))
		if len(b) > 0 && b[len(b)-1] == '\n' {
			c.add(b)
		}
		if err == io.EOF {
			return c, n, nil
		}
		if err != nil {
			return c, n, err
		}
	}
}

// add adds one line; lines that do not decode are skipped.
func (c *contents) add(b []byte) {
	var l line
	if json.Unmarshal(b, &l) != nil {
		return
	}
	if l.Q != nil {
		c.unanswered = append(c.unanswered, Clean(*l.Q))
		if len(c.unanswered) >= 2*MaxUnanswered {
			c.unanswered = append(c.unanswered[:0], c.unanswered[len(c.unanswered)-MaxUnanswered:]...)
		}
		return
	}
	if _, err := time.Parse(time.DateOnly, l.Day); err != nil {
		return
	}
	d := c.days[l.Day]
	if d == nil {
		d = map[string]map[string]int{}
		c.days[l.Day] = d
	}
	for topic, events := range l.Counts {
		topic = TopicLabel(topic)
		if d[topic] == nil {
			d[topic] = map[string]int{}
		}
		for e, n := range events {
			if n > 0 {
				d[topic][e] += n
			}
		}
	}
}

// trim drops what a compaction does not keep: days before the last
// KeepDays, questions beyond the last MaxUnanswered.
func (c *contents) trim(now time.Time) {
	oldest := Day(now.AddDate(0, 0, -(KeepDays - 1)))
	for d := range c.days {
		if d < oldest {
			delete(c.days, d)
		}
	}
	if extra := len(c.unanswered) - MaxUnanswered; extra > 0 {
		c.unanswered = c.unanswered[extra:]
	}
}

// compact rewrites the file with what it keeps and returns its new size.
// The caller holds the lock.
func (f *FileStore) compact() (int64, error) {
	c, _, err := f.load()
	if err != nil {
		return 0, err
	}
	c.trim(f.now())
	tmp, err := os.CreateTemp(f.dir, FileName+".*.tmp")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	enc := newEncoder(w)
	for _, day := range sortedKeys(c.days) {
		if err := enc.Encode(line{Day: day, Counts: c.days[day]}); err != nil {
			tmp.Close()
			return 0, err
		}
	}
	for i := range c.unanswered {
		if err := enc.Encode(line{Q: &c.unanswered[i]}); err != nil {
			tmp.Close()
			return 0, err
		}
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Chmod(0o640); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, err
	}
	st, err := tmp.Stat()
	if err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return 0, err
	}
	if d, err := os.Open(f.dir); err == nil {
		d.Sync() // the rename itself survives a crash
		d.Close()
	}
	return st.Size(), nil
}

// Read implements Store.
func (f *FileStore) Read(_ context.Context, since time.Time) (Data, error) {
	c, _, err := f.load()
	if err != nil {
		return Data{}, fmt.Errorf("journal: read %s: %w", f.path, err)
	}
	return c.since(since), nil
}

// since is the contents from since on.
func (c contents) since(since time.Time) Data {
	d := Data{Counts: map[string]map[string]int{}}
	from := Day(since)
	for day, topics := range c.days {
		if day < from {
			continue
		}
		for topic, events := range topics {
			if d.Counts[topic] == nil {
				d.Counts[topic] = map[string]int{}
			}
			for e, n := range events {
				d.Counts[topic][e] += n
			}
		}
	}
	qs := c.unanswered
	if extra := len(qs) - MaxUnanswered; extra > 0 {
		qs = qs[extra:]
	}
	for _, q := range qs {
		if !q.At.Before(since) {
			d.Unanswered = append(d.Unanswered, q)
		}
	}
	return d
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
