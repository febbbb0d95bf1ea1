// Command whichaccount is a helpdesk assistant that tells personal Microsoft
// accounts from work or school accounts. It serves Slack, Teams and a
// built-in web chat (GET /), and answers on the command line:
//
//	whichaccount [serve]                       run the bot server on $PORT
//	whichaccount check [--json] [--offline] ADDRESS-OR-DOMAIN...
//	whichaccount ask [--json] [--offline] [--lang L] TEXT...
//	whichaccount chat [--offline] [--lang L]
//	whichaccount audit --in FILE | --directory  [--out FILE] [--format …] [--rate N] [--resume]
//	whichaccount report [--since 7d] [--format table|json]
//	whichaccount version
//
// Every command answers --help with its flags and examples. Configuration
// comes from the environment; a .env file in the working directory fills
// variables that are unset.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/joho/godotenv"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// The server allocates little that lives long: collecting less often
		// buys throughput for a few megabytes (docs/performance.md).
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	getenv := dotenvGetenv(os.LookupEnv, ".env")
	os.Exit(run(ctx, os.Args[1:], getenv, os.Stdin, os.Stdout, os.Stderr))
}

// dotenvGetenv returns a getenv that prefers the real environment and falls
// back to the file at path. A missing file is not an error.
func dotenvGetenv(lookup func(string) (string, bool), path string) func(string) string {
	file, _ := godotenv.Read(path)
	return func(k string) string {
		if v, ok := lookup(k); ok {
			return v
		}
		return file[k]
	}
}

// errUsage marks a usage error: exit status 2.
var errUsage = errors.New("usage")

// usageError is a usage error with its message.
func usageError(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, a...)...)
}

const usage = `whichaccount — is it a personal Microsoft account or a work or school account?

Usage:
  whichaccount [serve]                                  run the bot server on $PORT
  whichaccount check [--json] [--offline] INPUT...      one verdict per address or domain ("-" reads stdin)
  whichaccount ask [--json] [--offline] [--lang L] TEXT...  one answer of the assistant
  whichaccount chat [--offline] [--lang L]              a conversation in the terminal
  whichaccount audit --in FILE|- [--format csv|jsonl|table] [--out FILE] [--rate N] [--concurrency N] [--resume] [--column NAME] [--offline]
  whichaccount audit --directory [--format csv|jsonl|table] [--out FILE] [--rate N] [--concurrency N] [--resume]
                                                        every member of your tenant (Microsoft Graph) checked for a personal account
  whichaccount report [--since 7d] [--format table|json]  per topic: answered, helpful, not helpful, handed off;
                                                        and the questions the assistant could not answer
  whichaccount manifest slack --url BASE | manifest teams --app-id ID --out FILE.zip
  whichaccount version

Run 'whichaccount COMMAND --help' for a command's flags and examples.
The server serves a web chat at http://localhost:3978/ (outside production).
Install: go install ./cmd/whichaccount (from a clone of the repository).
`

// run is the whole program: it returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" && len(args) > 0 {
		// "help check" is "check --help".
		cmd, args = args[0], append(args[1:], "--help")
	}
	if cmd == "-h" || cmd == "-help" || cmd == "--help" || cmd == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if cmd == "version" || cmd == "--version" {
		if err := noFlags("version", args); err != nil {
			return printErr(err, cmd, stdout, stderr)
		}
		fmt.Fprintln(stdout, versionString())
		return 0
	}
	// Help needs no configuration: a broken one does not hide it.
	cfg, cerr := loadConfig(getenv)
	if cerr != nil && !wantsHelp(args) {
		fmt.Fprintf(stderr, "whichaccount: configuration problems:\n%s\n", indent(cerr.Error()))
		return 2
	}
	log := newLogger(cfg, stderr)

	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, cfg, log, stdout)
	case "check":
		err = check(ctx, args, cfg, log, stdin, stdout)
	case "ask":
		err = ask(ctx, args, cfg, log, stdout)
	case "chat":
		err = chat(ctx, args, cfg, log, stdin, stdout)
	case "manifest":
		err = manifest(args, cfg, stdout)
	case "audit":
		err = audit(ctx, args, cfg, log, stdin, stdout, stderr)
	case "report":
		err = report(ctx, args, cfg, log, stdout)
	default:
		err = usageError("unknown command %q", cmd)
	}
	return printErr(err, cmd, stdout, stderr)
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// newLogger builds the program's one logger.
func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func versionString() string {
	s := "whichaccount " + version
	if bi, ok := debug.ReadBuildInfo(); ok {
		s += " (" + bi.GoVersion
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" && len(kv.Value) >= 12 {
				s += ", " + kv.Value[:12]
			}
		}
		s += ")"
	}
	return s
}
