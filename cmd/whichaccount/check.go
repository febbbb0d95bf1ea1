package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// parseFlags parses fs from args, allowing flags after the positional
// arguments ("check alex@contoso.com --json"). "--" ends the flags.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if f := fs.Lookup(name); f != nil && !strings.Contains(a, "=") && !isBoolFlag(f) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
			continue
		}
		rest = append(rest, a)
	}
	if err := fs.Parse(flags); err != nil {
		return nil, usageError("%s %v", fs.Name(), err)
	}
	return rest, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// lookupClient builds the verdict client from the configuration.
func lookupClient(cfg config, offline bool, log *slog.Logger) *msaccount.Client {
	lc := cfg.Lookup
	lc.Offline = lc.Offline || offline
	return msaccount.New(lc, log)
}

// check prints one verdict per input, in input order.
func check(ctx context.Context, args []string, cfg config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "one JSON object per line")
	offline := fs.Bool("offline", false, "use the built-in rules only")
	inputs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(inputs) == 0 {
		return usageError("check needs at least one address or domain, or - to read them from stdin")
	}
	client, _ := newVerdicts(cfg, *offline, log)

	lines := make(chan string)
	go func() {
		defer close(lines)
		for _, in := range inputs {
			if in != "-" {
				select {
				case lines <- in:
				case <-ctx.Done():
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
				select {
				case lines <- line:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	out := &verdictWriter{w: stdout, json: *asJSON}
	if !*asJSON {
		out.tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(out.tw, "INPUT\tKIND\tPERSONAL\tWORK\tDOMAIN\tCERTAINTY\tWHY")
	}
	if err := checkAll(ctx, client, lines, 8, out.write); err != nil {
		return err
	}
	return out.flush()
}

// checkAll looks up inputs with up to n in flight and hands the verdicts to
// emit in input order.
func checkAll(ctx context.Context, client verdicts, inputs <-chan string, n int, emit func(msaccount.Verdict) error) error {
	type slot struct{ done chan msaccount.Verdict }
	queue := make(chan slot, n)
	var wg sync.WaitGroup
	go func() {
		defer close(queue)
		for in := range inputs {
			s := slot{done: make(chan msaccount.Verdict, 1)}
			queue <- s // blocks when n lookups are ahead of the writer
			wg.Add(1)
			go func(in string) {
				defer wg.Done()
				s.done <- client.Check(ctx, in)
			}(in)
		}
	}()
	var err error
	for s := range queue {
		v := <-s.done
		if err == nil {
			err = emit(v)
		}
	}
	wg.Wait()
	return err
}

// verdictWriter renders verdicts as JSON lines or a table.
type verdictWriter struct {
	w    io.Writer
	json bool
	tw   *tabwriter.Writer
}

func (o *verdictWriter) write(v msaccount.Verdict) error {
	if o.json {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode verdict: %w", err)
		}
		_, err = o.w.Write(append(b, '\n'))
		return err
	}
	name := v.Address
	if name == "" {
		name = v.Domain.Name
	}
	if v.Domain.Unicode != "" {
		name += " (" + v.Domain.Unicode + ")"
	}
	if v.Error != "" {
		_, err := fmt.Fprintf(o.tw, "%s\t%s\t\t\t\t\t%s\n", oneLine(v.Input), "error", v.Error)
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
	_, err := fmt.Fprintf(o.tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, v.Kind, v.Personal, v.Work, domain, v.Certainty, why)
	return err
}

func (o *verdictWriter) flush() error {
	if o.tw != nil {
		return o.tw.Flush()
	}
	return nil
}

// oneLine makes untrusted input safe to print in a table row.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}
