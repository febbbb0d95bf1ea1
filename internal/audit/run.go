package audit

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// Job is one run's work.
type Job struct {
	// Inputs is the list, in order (see Read).
	Inputs []Input
	// Stream, when set instead of Inputs, hands over the inputs as they
	// come (check reading stdin): rows are written as their turn comes,
	// and there is no plan, progress total or resume.
	Stream iter.Seq[Input]
	// Done holds the rows an earlier run wrote for the first inputs (see
	// ReadRows); they are counted in the summary, not looked up again.
	Done []msaccount.Verdict
	// Out receives one row per remaining input, in input order.
	Out RowWriter
	// Progress, if not nil, shows the run's plan and progress.
	Progress *Progress
}

// RowWriter receives the rows of a run. *Writer is one.
type RowWriter interface {
	Write(Row) error
	Flush() error
}

// ErrMismatch means the rows to resume do not belong to the list.
var ErrMismatch = errors.New("the output does not belong to this input")

// duplicatePrefix starts the error of a duplicate row.
const duplicatePrefix = "duplicate of line "

// flushAfter is how long written rows may wait in the buffer while the
// next row is being looked up, in a run over a list. A streamed run (check)
// flushes as soon as it has to wait: someone is waiting for each verdict.
const flushAfter = 200 * time.Millisecond

// Run looks up every input after job.Done and writes one row per input to
// job.Out in input order: an input that is not an address, is empty, or
// repeats an earlier one (compared as normalised addresses) gets a row
// with its error and no lookup; every other input gets its verdict.
//
// Up to cfg.Concurrency lookups are in flight. A verdict Microsoft left
// open by throttling is looked up again, up to cfg.Attempts times in all
// (a client configured by Config.Lookup waits out Microsoft's pause first);
// what is still open after that is written as it is: unknown, never a
// guess.
//
// When ctx is cancelled Run starts no more lookups, gives those in flight
// cfg.Grace to finish, writes every row it can write in order, flushes,
// and returns the summary with an error wrapping ctx's. A row whose lookup
// did not finish is not written, so a resumed run checks it. Run also
// fails with ErrMismatch when job.Done does not match the first inputs, and
// when writing fails.
func Run(ctx context.Context, c Checker, job Job, cfg Config) (*Summary, error) {
	cfg = cfg.withDefaults()
	start := time.Now()
	startStats := c.Stats()
	sum := newSummary(len(job.Inputs))

	// Plan: check the resumed rows, and find each address's first line.
	if len(job.Done) > len(job.Inputs) {
		return sum, fmt.Errorf("audit: %w: it has %d rows but the input has %d entries", ErrMismatch, len(job.Done), len(job.Inputs))
	}
	first := make(map[string]int, len(job.Inputs))
	todo := 0
	if job.Stream != nil && (len(job.Inputs) > 0 || len(job.Done) > 0) {
		return sum, errors.New("audit: a job streams its inputs or lists them, not both")
	}
	for i, in := range job.Inputs {
		if i < len(job.Done) && !sameInput(job.Done[i].Input, in.Text) {
			return sum, fmt.Errorf("audit: %w: row %d is for %.60q but line %d of the input is %.60q", ErrMismatch, i+1, job.Done[i].Input, in.Line, in.Text)
		}
		if in.Err != "" {
			continue
		}
		t, err := msaccount.Parse(in.Text)
		if err != nil {
			continue
		}
		if _, dup := first[t.Key()]; dup && !cfg.Repeats {
			continue
		}
		first[t.Key()] = in.Line
		if i >= len(job.Done) {
			todo++
		}
	}
	for i, v := range job.Done {
		sum.add(job.Inputs[i].Line, v)
	}
	sum.Resumed = len(job.Done)
	if p := job.Progress; p != nil {
		rest := len(job.Inputs) - len(job.Done)
		msg := fmt.Sprintf("audit: %s entries", num(len(job.Inputs)))
		if len(job.Done) > 0 {
			msg += fmt.Sprintf(", %s already written, %s to go", num(len(job.Done)), num(rest))
		}
		msg += fmt.Sprintf("; %s to look up, %s bad or repeated", num(todo), num(rest-todo))
		p.Printf("%s", msg)
	}

	// Lookups run on lctx, which outlives ctx by the grace period.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	lctx, stopLookups := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLookups()
	var graceTimer atomic.Pointer[time.Timer]
	stopAfter := context.AfterFunc(runCtx, func() {
		graceTimer.Store(time.AfterFunc(cfg.Grace, stopLookups))
	})
	defer func() {
		stopAfter()
		if t := graceTimer.Load(); t != nil {
			t.Stop()
		}
	}()

	type result struct {
		v          msaccount.Verdict
		incomplete bool // cut short: not written
	}
	type slot struct {
		line int
		done chan result
	}
	type task struct {
		t msaccount.Target
		s slot
	}
	tasks := make(chan task)
	order := make(chan slot, 4*cfg.Concurrency+16)
	var looked, dispatched atomic.Int64

	lookup := func(t msaccount.Target) result {
		for attempt := 1; ; attempt++ {
			v := c.Lookup(lctx, t)
			if lctx.Err() != nil {
				return result{incomplete: true}
			}
			_, throttled := failure(v)
			if !throttled || !open(v) || attempt >= cfg.Attempts {
				return result{v: v}
			}
			if runCtx.Err() != nil {
				// Stopping: leave the address for a resumed run rather than
				// write an answer throttling spoiled.
				return result{incomplete: true}
			}
		}
	}
	var workers sync.WaitGroup
	for range cfg.Concurrency {
		workers.Go(func() {
			for tk := range tasks {
				r := lookup(tk.t)
				looked.Add(1)
				tk.s.done <- r
			}
		})
	}

	// The dispatcher hands out lookups in input order. Every task it hands
	// out is also queued for the writer, so every lookup started is
	// written (or, past the grace period, deliberately dropped).
	go func() {
		defer close(order)
		defer close(tasks)
		inputs := job.Stream
		if inputs == nil {
			inputs = slices.Values(job.Inputs[len(job.Done):])
		}
		for in := range inputs {
			if runCtx.Err() != nil {
				return
			}
			dispatched.Add(1)
			s := slot{line: in.Line, done: make(chan result, 1)}
			var t msaccount.Target
			var err error
			if in.Err == "" {
				t, err = msaccount.Parse(in.Text)
			}
			if err == nil && in.Err == "" {
				if _, seen := first[t.Key()]; !seen {
					first[t.Key()] = in.Line // streamed: found as they come
				}
			}
			switch {
			case in.Err != "":
				s.done <- result{v: errorVerdict(in.Text, in.Err)}
			case err != nil:
				s.done <- result{v: msaccount.CheckOffline(in.Text)}
			case first[t.Key()] != in.Line && !cfg.Repeats:
				s.done <- result{v: duplicate(t, first[t.Key()])}
			default:
				select {
				case tasks <- task{t, s}:
				case <-runCtx.Done():
					return
				}
			}
			order <- s
		}
	}()

	// Progress.
	stopProgress := make(chan struct{})
	var progressDone sync.WaitGroup
	var written atomic.Int64
	if p := job.Progress; p != nil {
		m := &meter{start: start, rows: len(job.Inputs), todo: todo}
		sampleNow := func() string {
			st := c.Stats()
			var calls int64
			for k, n := range st.Calls {
				calls += n - startStats.Calls[k]
			}
			return m.line(p.terminal, time.Now(), int(written.Load())+len(job.Done), int(looked.Load()), calls, st.Throttled-startStats.Throttled)
		}
		m.line(p.terminal, start, len(job.Done), 0, 0, 0)
		progressDone.Go(func() {
			tick := time.NewTicker(p.period())
			defer tick.Stop()
			for {
				select {
				case <-tick.C:
					p.show(sampleNow())
				case <-stopProgress:
					if p.terminal {
						p.show(sampleNow())
						p.done()
					}
					return
				}
			}
		})
	}

	// The writer: rows in order, flushed whenever it has to wait (for a
	// lookup, or for the next input to arrive).
	var werr error
	stopped := false
	flush := func() {
		if err := job.Out.Flush(); err != nil && werr == nil {
			werr, stopped = err, true
			stopRun()
		}
	}
	after := flushAfter
	if job.Stream != nil {
		after = 0
	}
	for {
		s, ok := waitFor(order, after, flush)
		if !ok {
			break
		}
		if stopped {
			continue // drain, so the dispatcher can finish
		}
		r, _ := waitFor(s.done, after, flush)
		if r.incomplete || stopped {
			stopped = true
			continue
		}
		if err := job.Out.Write(Row{Line: s.line, Verdict: r.v}); err != nil {
			werr, stopped = err, true
			stopRun()
			continue
		}
		written.Add(1)
		sum.add(s.line, r.v)
	}
	workers.Wait()
	if err := job.Out.Flush(); err != nil && werr == nil {
		werr = err
	}
	close(stopProgress)
	progressDone.Wait()

	st := c.Stats()
	sum.LookedUp = int(looked.Load())
	sum.Calls = map[string]int64{}
	for k, n := range st.Calls {
		sum.Calls[k] = n - startStats.Calls[k]
	}
	sum.ThrottleSignals = st.Throttled - startStats.Throttled
	sum.Elapsed = time.Since(start)
	if job.Stream != nil {
		sum.Inputs = int(dispatched.Load())
	}
	sum.Interrupted = sum.Rows < sum.Inputs || (job.Stream != nil && ctx.Err() != nil)
	sum.finish()
	switch {
	case werr != nil:
		return sum, fmt.Errorf("audit: write: %w", werr)
	case sum.Interrupted && ctx.Err() != nil:
		return sum, fmt.Errorf("audit: interrupted after %d of %d rows: %w", sum.Rows, sum.Inputs, context.Cause(ctx))
	case sum.Interrupted:
		return sum, fmt.Errorf("audit: stopped after %d of %d rows", sum.Rows, sum.Inputs)
	}
	return sum, nil
}

// waitFor receives from ch, calling flush once if nothing comes within
// after (at once when after is 0).
func waitFor[T any](ch <-chan T, after time.Duration, flush func()) (T, bool) {
	select {
	case v, ok := <-ch:
		return v, ok
	default:
	}
	if after <= 0 {
		flush()
		v, ok := <-ch
		return v, ok
	}
	t := time.NewTimer(after)
	defer t.Stop()
	select {
	case v, ok := <-ch:
		return v, ok
	case <-t.C:
		flush()
	}
	v, ok := <-ch
	return v, ok
}

// errorVerdict is the row of an entry that could not be read.
func errorVerdict(text, reason string) msaccount.Verdict {
	v := msaccount.CheckOffline("")
	v.Input, v.Error = text, reason
	return v
}

// duplicate is the row of an address already on an earlier line: its
// verdict is on that line's row.
func duplicate(t msaccount.Target, line int) msaccount.Verdict {
	v := msaccount.CheckOffline("")
	v.Input, v.Address = t.Input, t.Address
	v.Domain.Name, v.Domain.Unicode = t.Domain, t.DomainUnicode
	v.Error, v.ErrorCode = duplicatePrefix+itoa(line), ""
	return v
}
