package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strings"
	"text/tabwriter"
)

// CheckConcurrency is the lookups check keeps in flight.
const CheckConcurrency = 8

// Check is `whichaccount check` on the pipeline: one verdict per input, in
// input order, repeats looked up again (from the client's cache), written
// as the verdict JSON one a line (jsonLines) or as check's table, with the
// client's own pace (no bulk settings, no retries, no progress, no
// resume). Cancelling ctx stops it with what was written so far.
func Check(ctx context.Context, c Checker, inputs iter.Seq[string], out io.Writer, jsonLines bool) error {
	w := NewCheckWriter(out, jsonLines)
	_, err := Run(ctx, c, Job{Stream: numbered(inputs), Out: w}, Config{Concurrency: CheckConcurrency, Attempts: 1, Repeats: true})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if ctx.Err() != nil {
		return nil // interrupted: what was looked up is written
	}
	return err
}

// numbered gives each input its position as its line.
func numbered(inputs iter.Seq[string]) iter.Seq[Input] {
	return func(yield func(Input) bool) {
		n := 0
		for s := range inputs {
			n++
			if !yield(Input{Line: n, Text: s}) {
				return
			}
		}
	}
}

// Args gives check's inputs: each argument, and for "-" each non-empty
// line of stdin (trimmed), read as they come.
func Args(args []string, stdin io.Reader) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, a := range args {
			if a != "-" {
				if !yield(a) {
					return
				}
				continue
			}
			sc := bufio.NewScanner(stdin)
			sc.Buffer(make([]byte, 64*1024), 1<<20)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if line == "" {
					continue
				}
				if !yield(line) {
					return
				}
			}
		}
	}
}

// CheckWriter writes rows as `whichaccount check` prints them: the verdict
// JSON one a line, or a table of INPUT, KIND, PERSONAL, WORK, DOMAIN,
// CERTAINTY and WHY (the last evidence line), aligned over all its rows
// when closed.
type CheckWriter struct {
	w    io.Writer
	bw   *bufio.Writer
	tw   *tabwriter.Writer
	json bool
}

// NewCheckWriter returns a CheckWriter to w; a table starts with its
// header.
func NewCheckWriter(w io.Writer, jsonLines bool) *CheckWriter {
	c := &CheckWriter{w: w, json: jsonLines}
	if jsonLines {
		c.bw = bufio.NewWriter(w)
	} else {
		c.tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(c.tw, "INPUT\tKIND\tPERSONAL\tWORK\tDOMAIN\tCERTAINTY\tWHY")
	}
	return c
}

// Write writes one row.
func (c *CheckWriter) Write(r Row) error {
	v := r.Verdict
	if c.json {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("audit: encode verdict: %w", err)
		}
		c.bw.Write(b)
		return c.bw.WriteByte('\n')
	}
	name := v.Address
	if name == "" {
		name = v.Domain.Name
	}
	if v.Domain.Unicode != "" {
		name += " (" + v.Domain.Unicode + ")"
	}
	if v.Error != "" {
		_, err := fmt.Fprintf(c.tw, "%s\t%s\t\t\t\t\t%s\n", clipInput(v.Input), "error", v.Error)
		return err
	}
	domain := string(v.Domain.Type)
	if v.Domain.Brand != "" {
		domain += " (" + v.Domain.Brand + ")"
	}
	why := ""
	if n := len(v.Evidence); n > 0 {
		why = v.Evidence[n-1].Detail
	}
	_, err := fmt.Fprintf(c.tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, v.Kind, v.Personal, v.Work, domain, v.Certainty, why)
	return err
}

// Flush writes out the JSON lines written so far. A table waits for
// Close: its columns are aligned over every row.
func (c *CheckWriter) Flush() error {
	if c.json {
		return c.bw.Flush()
	}
	return nil
}

// Close writes out everything, the table aligned.
func (c *CheckWriter) Close() error {
	if c.json {
		return c.bw.Flush()
	}
	return c.tw.Flush()
}

// clipInput makes untrusted input safe to print in a table row.
func clipInput(s string) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}
