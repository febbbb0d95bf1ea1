package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// commandHelp is each command's help, by the name of its FlagSet: how to
// call it, what it does and examples. Its flags come from the FlagSet.
var commandHelp = map[string]struct{ synopsis, about, examples string }{
	"serve": {
		synopsis: "whichaccount [serve]",
		about: `Runs the bot server on $PORT (3978): the web chat at / (on by default outside
production), Slack at POST /slack/events, Teams at POST /api/messages, and
/healthz, /readyz and /metrics. With no platform credentials it still starts
(local mode) and says which platforms are off and why. Configuration comes from
the environment and a .env file in the working directory (see .env.example).`,
		examples: `whichaccount serve                                then open http://localhost:3978/
PORT=8080 WHICHACCOUNT_LOOKUP=offline whichaccount serve
TEAMS_EMULATOR=true whichaccount serve            for the Bot Framework Emulator or Agents Playground`,
	},
	"check": {
		synopsis: "whichaccount check [--json] [--offline] ADDRESS-OR-DOMAIN... | -",
		about: `Prints one verdict per address or domain, in input order: a personal Microsoft
account, a work or school account, both, none or unknown, and how sure. "-"
reads the inputs from stdin, one a line. An invalid input gets its own error
and never stops the others.`,
		examples: `whichaccount check alex@contoso.com sam@outlook.com contoso.com
whichaccount check --json --offline - < addresses.txt`,
	},
	"ask": {
		synopsis: "whichaccount ask [--json] [--offline] [--lang L] TEXT...",
		about: `Prints the assistant's reply to one message: plain text, or with --json the
reply JSON (intent, topic, lang, confidence, emails, domains, verdicts, text,
reply).`,
		examples: `whichaccount ask "why does Teams make me pick between two accounts?"
whichaccount ask --json "is jane@contoso.com personal or work?"
whichaccount ask --lang es "how do I reset my password?"`,
	},
	"chat": {
		synopsis: "whichaccount chat [--offline] [--lang L]",
		about: `Talks with the assistant in this terminal, one message a line. Follow-ups
("why?", "how do I fix it?", "and bob@fabrikam.com?") continue the
conversation. It ends on quit, exit, bye or the end of the input.`,
		examples: `whichaccount chat
whichaccount chat --offline < questions.txt`,
	},
	"audit": {
		synopsis: `whichaccount audit --in FILE|- [--format csv|jsonl|table] [--out FILE] [--rate N] [--concurrency N] [--resume] [--column NAME] [--offline]
whichaccount audit --directory [--format csv|jsonl|table] [--out FILE] [--rate N] [--concurrency N] [--resume]`,
		about: `Checks a whole list (a plain list, or a CSV export from Entra or Google
Workspace), or with --directory every member of your tenant through Microsoft
Graph, and writes one row per address in input order, with progress and a
summary on stderr. It is polite to Microsoft, and --resume continues an
interrupted run without checking anything twice.`,
		examples: `whichaccount audit --in users.csv --out verdicts.jsonl
whichaccount audit --in users.csv --out verdicts.csv --resume
whichaccount audit --in - --format table < addresses.txt
whichaccount audit --directory --out overlaps.csv`,
	},
	"report": {
		synopsis: "whichaccount report [--since 7d] [--format table|json]",
		about: `Prints what the assistant's journal holds from --since on: per topic, how often
it was answered, voted helpful and not helpful, and handed off to a person;
then the questions it could not answer (nothing matched, "None of these", "Not
helpful" with what was missing, hand-offs), grouped by similarity, with
addresses shown only as their domain. It reads where the server writes: Redis
when REDIS_URL is set, else WHICHACCOUNT_DATA_DIR (./data).`,
		examples: `whichaccount report
whichaccount report --since 30d
whichaccount report --since 2026-11-01 --format json > report.json`,
	},
	"manifest": {
		synopsis: "whichaccount manifest slack|teams [flags]",
		about: `Prints the Slack app manifest, or writes the Teams app package. See
"whichaccount manifest slack --help" and "whichaccount manifest teams --help".`,
		examples: `whichaccount manifest slack --url https://bot.example.com
whichaccount manifest teams --app-id $MICROSOFT_APP_ID --out whichaccount.zip`,
	},
	"manifest slack": {
		synopsis: "whichaccount manifest slack --url BASE | --socket-mode [--command /whichaccount]",
		about: `Prints the Slack app manifest to paste into Slack's "Create an app → From a
manifest": the bot's events and slash command at BASE/slack/events, or Socket
Mode (no public URL), and only the scopes the bot uses.`,
		examples: `whichaccount manifest slack --url https://bot.example.com
whichaccount manifest slack --socket-mode > manifest.yaml`,
	},
	"manifest teams": {
		synopsis: "whichaccount manifest teams --app-id ID [--out FILE.zip] [--channel-messages] [--website URL]",
		about: `Writes the Teams app package (manifest and icons) to upload in Teams under
Apps → Manage your apps → Upload an app, or through the Teams admin centre.`,
		examples: `whichaccount manifest teams --app-id $MICROSOFT_APP_ID --out whichaccount.zip
whichaccount manifest teams --app-id $MICROSOFT_APP_ID --channel-messages`,
	},
	"version": {
		synopsis: "whichaccount version",
		about:    "Prints the version and the build (Go version, commit).",
		examples: "whichaccount version",
	},
}

// helpShown is the error of a command whose --help was asked for: run
// prints text on stdout and exits 0.
type helpShown struct{ text string }

func (h *helpShown) Error() string { return "help requested" }

// commandUsageError is a usage error of one command, with that command's
// usage to print after the message.
type commandUsageError struct {
	msg, usage string
}

func (e *commandUsageError) Error() string { return e.msg }
func (e *commandUsageError) Unwrap() error { return errUsage }

// commandUsage is the usage of the command that fs parses flags for.
func commandUsage(fs *flag.FlagSet) string {
	var b strings.Builder
	h, ok := commandHelp[fs.Name()]
	if !ok {
		h.synopsis = "whichaccount " + fs.Name() + " [flags]"
	}
	b.WriteString("Usage:\n")
	for _, l := range strings.Split(h.synopsis, "\n") {
		b.WriteString("  " + l + "\n")
	}
	if h.about != "" {
		b.WriteString("\n" + h.about + "\n")
	}
	var flags strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + strings.ToUpper(name)
		}
		flags.WriteString(line + "\n      " + usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			flags.WriteString(" (default " + f.DefValue + ")")
		}
		flags.WriteString("\n")
	})
	if flags.Len() > 0 {
		b.WriteString("\nFlags:\n" + flags.String())
	}
	if h.examples != "" {
		b.WriteString("\nExamples:\n")
		for _, l := range strings.Split(h.examples, "\n") {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// parseFlagError turns an error of fs.Parse into help or a usage error.
func parseFlagError(fs *flag.FlagSet, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return &helpShown{text: commandUsage(fs)}
	}
	return &commandUsageError{msg: fs.Name() + ": " + err.Error(), usage: commandUsage(fs)}
}

// noFlags parses the arguments of a command that takes none.
func noFlags(name string, args []string) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &commandUsageError{msg: fmt.Sprintf("%s takes no arguments, not %q", name, rest[0]), usage: commandUsage(fs)}
	}
	return nil
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// printErr prints a failed command's error and returns the exit status.
func printErr(err error, cmd string, stdout, stderr io.Writer) int {
	var help *helpShown
	var cu *commandUsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprint(stdout, help.text)
		return 0
	case errors.As(err, &cu):
		fmt.Fprintf(stderr, "whichaccount: %s\n\n%s", cu.msg, cu.usage)
		return 2
	case errors.Is(err, errUsage):
		msg := strings.TrimPrefix(err.Error(), "usage: ")
		if h, ok := commandHelp[cmd]; ok {
			fmt.Fprintf(stderr, "whichaccount: %s\n\nUsage:\n  %s\n\nRun 'whichaccount %s --help' for its flags and examples.\n", msg, strings.ReplaceAll(h.synopsis, "\n", "\n  "), cmd)
		} else {
			fmt.Fprintf(stderr, "whichaccount: %s\n\n%s", msg, usage)
		}
		return 2
	default:
		fmt.Fprintf(stderr, "whichaccount: %s\n", err)
		return 1
	}
}
