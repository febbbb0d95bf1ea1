package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"strings"

	auditpkg "github.com/gosmarter/whichaccount/internal/audit"
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
		return nil, parseFlagError(fs, err)
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

// check prints one verdict per input, in input order, on the bulk
// pipeline of internal/audit.
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
	return auditpkg.Check(ctx, client, auditpkg.Args(inputs, stdin), stdout, *asJSON)
}
