package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gosmarter/whichaccount/internal/journal"
	"github.com/gosmarter/whichaccount/internal/redisstore"
)

// report prints what the journal holds from --since on: per topic, how
// often it was answered, voted on and handed off, and the questions the
// assistant could not answer, grouped by similarity.
func report(ctx context.Context, args []string, cfg config, log *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	sinceFlag := fs.String("since", "7d", "from `WHEN` on: a time back (7d, 36h, 90m) or a date (2026-11-01, UTC)")
	format := fs.String("format", "table", "output `FORMAT`: table or json")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &commandUsageError{msg: fmt.Sprintf("report takes no arguments, not %q", rest[0]), usage: commandUsage(fs)}
	}
	now := time.Now().UTC()
	since, err := parseSince(*sinceFlag, now)
	if err != nil {
		return &commandUsageError{msg: "report: --since: " + err.Error(), usage: commandUsage(fs)}
	}
	if *format != "table" && *format != "json" {
		return &commandUsageError{msg: fmt.Sprintf("report: --format %q: want table or json", *format), usage: commandUsage(fs)}
	}
	var store journal.Store
	where := ""
	if cfg.RedisURL != "" {
		st, err := redisstore.New(ctx, redisstore.Config{URL: cfg.RedisURL, KeySecret: cfg.RedisKeySecret}, log)
		if err != nil {
			return err
		}
		defer st.Close()
		store, where = st.Journal(), "Redis"
	} else {
		fs := journal.NewFileStore(cfg.DataDir)
		store, where = fs, fs.Path()
		if _, err := os.Stat(fs.Path()); errors.Is(err, os.ErrNotExist) {
			where += " (nothing kept there yet)"
		}
	}
	d, err := store.Read(ctx, since)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	r := journal.Summarise(d, since, now)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	return printReport(stdout, r, where)
}

// parseSince reads --since: a number of days (7d), a Go duration (36h,
// 90m) or a date (2006-01-02, UTC).
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 3650 {
			return time.Time{}, fmt.Errorf("%q is not a number of days", s)
		}
		return now.AddDate(0, 0, -n), nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: want a time back such as 7d or 36h, or a date such as 2026-11-01", s)
}

// printReport prints the report as tables.
func printReport(w io.Writer, r journal.Report, where string) error {
	fmt.Fprintf(w, "whichaccount report: %s to %s (UTC), from %s\n\n", r.Since.Format("2006-01-02 15:04"), r.Until.Format("2006-01-02 15:04"), where)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	if len(r.Topics) == 0 {
		fmt.Fprintln(w, "No answers counted in this time.")
	} else {
		// Topics to the left, numbers to the right: the topic column is
		// padded here, the numbers aligned by the tabwriter.
		width := len("(all topics)")
		for _, t := range r.Topics {
			width = max(width, len(t.Topic))
		}
		fmt.Fprintf(tw, "%-*s\tanswered\thelpful\tnot helpful\thand-offs\t\n", width, "topic")
		var tot journal.TopicRow
		for _, t := range r.Topics {
			fmt.Fprintf(tw, "%-*s\t%d\t%d\t%d\t%d\t\n", width, t.Topic, t.Answered, t.Helpful, t.NotHelpful, t.Handoffs)
			tot.Answered += t.Answered
			tot.Helpful += t.Helpful
			tot.NotHelpful += t.NotHelpful
			tot.Handoffs += t.Handoffs
		}
		fmt.Fprintf(tw, "%-*s\t%d\t%d\t%d\t%d\t\n", width, "(all topics)", tot.Answered, tot.Helpful, tot.NotHelpful, tot.Handoffs)
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	u := r.Unanswered
	fmt.Fprintf(w, "\nQuestions the assistant could not answer: %d, in %d groups (addresses shown as their domain)\n", u.Total, len(u.Groups))
	for _, g := range u.Groups {
		fmt.Fprintf(w, "\n%4d× %q\n", g.Count, g.Example)
		for _, o := range g.Others {
			fmt.Fprintf(w, "       also %q\n", o)
		}
		var why []string
		for _, k := range []string{"unmatched", "none_of_these", "not_helpful", "handoff"} {
			if n := g.Why[k]; n > 0 {
				why = append(why, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), n))
			}
		}
		line := "       " + strings.Join(why, ", ")
		if len(g.Guesses) > 0 {
			line += "; closest topics " + strings.Join(g.Guesses, ", ")
		}
		if len(g.Langs) > 0 {
			line += "; " + strings.Join(g.Langs, ", ")
		}
		fmt.Fprintln(w, line+"; last "+g.Last.UTC().Format("2006-01-02 15:04"))
	}
	return nil
}
