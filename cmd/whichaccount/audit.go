package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"

	auditpkg "github.com/gosmarter/whichaccount/internal/audit"
	"github.com/gosmarter/whichaccount/internal/directory"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// audit checks a whole list of addresses, or with --directory every
// member of the organisation's tenant: one row per entry in order,
// progress and a summary on stderr, resumable with --resume. The work is
// internal/audit's; audit parses the flags and wires it.
//
//	whichaccount audit [--offline] --in FILE|- [--format csv|jsonl|table] [--out FILE]
//	                   [--rate N] [--concurrency N] [--resume] [--column NAME]
//	whichaccount audit --directory [--format csv|jsonl|table] [--out FILE]
//	                   [--rate N] [--concurrency N] [--resume]
func audit(ctx context.Context, args []string, cfg config, log *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	offline := fs.Bool("offline", false, "use the built-in rules only")
	in := fs.String("in", "", "the list `FILE`: a text file of one address a line, a CSV, or - for stdin")
	dir := fs.Bool("directory", false, "check every member of the organisation's tenant (Microsoft Graph) for an overlapping personal account")
	formatName := fs.String("format", "", "`FORMAT` of the rows: csv, jsonl or table (default: from --out's extension, else table)")
	out := fs.String("out", "", "write the rows to `FILE` instead of stdout")
	rate := fs.Float64("rate", auditpkg.DefaultRate, "`N` calls per second to Microsoft")
	concurrency := fs.Int("concurrency", auditpkg.DefaultConcurrency, "`N` lookups in flight")
	resume := fs.Bool("resume", false, "continue the --out file of an interrupted run")
	column := fs.String("column", "", "the CSV `COLUMN` that holds the addresses (a header or a number)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return usageError("audit takes no arguments besides its flags (did you mean --in %s?)", rest[0])
	case *dir && *in != "":
		return usageError("audit takes --in FILE or --directory, not both")
	case *dir && *column != "":
		return usageError("audit --column is for --in lists; --directory reads the tenant's members")
	case *dir && (*offline || cfg.Lookup.Offline):
		return usageError("audit --directory checks members with Microsoft's sign-in endpoints: it cannot run offline")
	case *dir && !cfg.directoryOn():
		return usageError("audit --directory needs Microsoft Graph: set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (an app with User.Read.All)")
	case !*dir && *in == "":
		return usageError("audit needs --in FILE (or --in - to read the list from stdin), or --directory")
	case !(*rate > 0) || math.IsInf(*rate, 0):
		return usageError("audit --rate must be a number of calls per second above 0, not %v", *rate)
	case *concurrency < 1 || *concurrency > 1000:
		return usageError("audit --concurrency must be between 1 and 1000, not %d", *concurrency)
	case *resume && *out == "":
		return usageError("audit --resume needs --out FILE: it continues that file")
	case *out != "" && *out == *in:
		return usageError("audit --out must not be the --in file")
	}
	format := auditpkg.Table
	switch {
	case *formatName != "":
		if format, err = auditpkg.ParseFormat(*formatName); err != nil {
			return usageError("%s", strings.TrimPrefix(err.Error(), "audit: "))
		}
	case *out != "":
		format = auditpkg.FormatFor(*out)
	}
	if *resume && format == auditpkg.Table {
		return usageError("audit --resume needs --format csv or jsonl: a table cannot be read back")
	}
	if *out != "" && !*resume {
		if st, err := os.Stat(*out); err == nil && st.Size() > 0 {
			return usageError("%s already exists: add --resume to continue it, or remove it", *out)
		}
	}

	// The list of an --in audit.
	var inputs []auditpkg.Input
	var src auditpkg.Source
	name := "stdin"
	if !*dir {
		var list io.Reader = stdin
		if *in != "-" {
			f, err := os.Open(*in)
			if err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			defer f.Close()
			list, name = f, *in
		}
		inputs, src, err = auditpkg.Read(list, auditpkg.ReadOptions{Name: name, Column: *column})
		if errors.Is(err, auditpkg.ErrNoColumn) {
			return usageError("%s: %s", name, strings.TrimPrefix(err.Error(), "audit: "))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}

	// The output, and what an earlier run wrote to it.
	var done []msaccount.Verdict
	w := stdout
	header := true
	var file *auditpkg.OutputFile
	if *out != "" {
		if file, err = auditpkg.OpenOutput(*out, format, *resume); err != nil {
			return err
		}
		defer file.Close()
		w, done, header = file, file.Done, file.Header
	}

	progress := auditpkg.NewProgress(stderr, writerIsTerminal(stderr), 0)
	clientLog := log
	if writerIsTerminal(stderr) {
		clientLog = newLogger(cfg, progress.Wrap(stderr))
		if *out == "" && writerIsTerminal(stdout) {
			w = progress.Wrap(stdout)
		}
	}
	acfg := auditpkg.Config{Rate: *rate, Concurrency: *concurrency}
	lc := acfg.Lookup(cfg.Lookup)
	lc.Offline = lc.Offline || *offline
	// For members the directory settles the work side: only the personal
	// side is asked, one call an address.
	lc.PersonalOnly = *dir
	client := msaccount.New(lc, clientLog)
	mode := fmt.Sprintf("at most %v calls a second to Microsoft, %d at a time", *rate, *concurrency)
	if client.Offline() {
		mode = "offline: built-in rules only"
	}

	var checker auditpkg.Checker = client
	var rows auditpkg.RowWriter
	fix := ""
	if *dir {
		tenant, err := auditpkg.ReadTenant(ctx, directory.New(cfg.Directory, clientLog), progress)
		if err != nil {
			return err
		}
		inputs = tenant.Inputs(done)
		checker = tenant.Checker(client)
		fix = helpdesk.PhraseWith("en", "audit.overlap_fix", "address", "{address}")
		rows = auditpkg.NewDirectoryWriter(w, format, header, fix)
		progress.Printf("audit: checking the members' addresses for personal Microsoft accounts; %s", mode)
	} else {
		rows = auditpkg.NewWriter(w, format, header)
		progress.Printf("audit: reading %s as %s; %s", name, src, mode)
	}

	sum, runErr := auditpkg.Run(ctx, checker, auditpkg.Job{
		Inputs:   inputs,
		Done:     done,
		Out:      rows,
		Progress: progress,
	}, acfg)
	if file != nil {
		if err := file.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}
	if errors.Is(runErr, auditpkg.ErrMismatch) {
		return fmt.Errorf("%s: %s; to start again, remove it or choose another --out", *out, strings.TrimPrefix(runErr.Error(), "audit: "))
	}
	sum.Fix = fix
	sum.Write(progress.Wrap(stderr))
	switch {
	case runErr == nil:
		return nil
	case ctx.Err() != nil && *out != "":
		return fmt.Errorf("interrupted: %d of %d rows are in %s; run the same command with --resume to continue", sum.Rows, sum.Inputs, *out)
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted after %d of %d rows; use --out FILE to be able to resume", sum.Rows, sum.Inputs)
	}
	return runErr
}

// writerIsTerminal reports whether w is a terminal.
func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}
