package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/journal"
)

// readTimeout bounds reading the journal back (the report), which moves
// more than one operation of the answering path.
const readTimeout = 10 * time.Second

// JournalStore keeps the journal in Redis, where every replica writes: a
// hash per day of counts (field "topic|event"), kept journal.KeepDays, and
// one list of the last journal.MaxUnanswered questions (LPUSH, then LTRIM),
// kept as long after the last one. Key names are keyed hashes, as every
// other key's. Writes go through the circuit breaker: while Redis is down
// they fail, and the journal keeps them for its next flush.
type JournalStore struct {
	s *Store
}

// Journal returns the shared journal store.
func (s *Store) Journal() *JournalStore { return &JournalStore{s: s} }

var _ journal.Store = (*JournalStore)(nil)

func (j *JournalStore) dayKey(day string) string { return j.s.key("jd", day) }
func (j *JournalStore) listKey() string          { return j.s.key("jq", "unanswered") }

const keepFor = journal.KeepDays * 24 * time.Hour

// Append implements journal.Store, in one round trip.
func (j *JournalStore) Append(ctx context.Context, b journal.Batch) error {
	if len(b.Counts) == 0 && len(b.Unanswered) == 0 {
		return nil
	}
	rctx, cancel, ok := j.s.begin(ctx)
	if !ok {
		return ErrCircuitOpen
	}
	defer cancel()
	pipe := j.s.rdb.TxPipeline()
	days := map[string]bool{}
	for k, n := range b.Counts {
		key := j.dayKey(k.Day)
		pipe.HIncrBy(rctx, key, k.Topic+"|"+k.Event, int64(n))
		if !days[k.Day] {
			days[k.Day] = true
			pipe.Expire(rctx, key, keepFor)
		}
	}
	if len(b.Unanswered) > 0 {
		vals := make([]any, 0, len(b.Unanswered))
		for _, q := range b.Unanswered {
			v, err := json.Marshal(journal.Clean(q))
			if err != nil {
				continue
			}
			vals = append(vals, v)
		}
		list := j.listKey()
		pipe.LPush(rctx, list, vals...)
		pipe.LTrim(rctx, list, 0, journal.MaxUnanswered-1)
		pipe.Expire(rctx, list, keepFor)
	}
	_, err := pipe.Exec(rctx)
	j.s.end(ctx, err)
	if err != nil {
		j.s.failed("journal", err)
		return fmt.Errorf("redisstore: journal: %w", err)
	}
	return nil
}

// Read implements journal.Store: the day hashes from since's day to today
// and the questions since since, in one round trip.
func (j *JournalStore) Read(ctx context.Context, since time.Time) (journal.Data, error) {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	now := j.s.now()
	from := now.AddDate(0, 0, -(journal.KeepDays - 1))
	if since.After(from) {
		from = since
	}
	pipe := j.s.rdb.Pipeline()
	var days []string
	for d := from.UTC(); journal.Day(d) <= journal.Day(now); d = d.AddDate(0, 0, 1) {
		days = append(days, journal.Day(d))
	}
	hashes := make([]interface {
		Result() (map[string]string, error)
	}, len(days))
	for i, d := range days {
		hashes[i] = pipe.HGetAll(ctx, j.dayKey(d))
	}
	list := pipe.LRange(ctx, j.listKey(), 0, journal.MaxUnanswered-1)
	if _, err := pipe.Exec(ctx); err != nil {
		return journal.Data{}, fmt.Errorf("redisstore: journal read: %w", err)
	}
	out := journal.Data{Counts: map[string]map[string]int{}}
	for _, h := range hashes {
		m, _ := h.Result()
		for field, v := range m {
			topic, event, ok := strings.Cut(field, "|")
			var n int
			if _, err := fmt.Sscan(v, &n); !ok || err != nil || n <= 0 {
				continue
			}
			topic = journal.TopicLabel(topic)
			if out.Counts[topic] == nil {
				out.Counts[topic] = map[string]int{}
			}
			out.Counts[topic][event] += n
		}
	}
	for _, raw := range list.Val() {
		var q helpdesk.Unanswered
		if json.Unmarshal([]byte(raw), &q) != nil || q.At.Before(since) {
			continue
		}
		out.Unanswered = append(out.Unanswered, journal.Clean(q))
	}
	slices.Reverse(out.Unanswered) // LPUSH keeps the newest first
	return out, nil
}
