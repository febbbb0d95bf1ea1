package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// newHandler builds the assistant over the verdict client.
func newHandler(cfg config, offline bool, log *slog.Logger) *helpdesk.Handler {
	v, _ := newVerdicts(cfg, offline, log)
	hc := helpdesk.Config{UserLookupsPerMinute: cfg.UserPerMinute}
	if d, ok := v.(helpdesk.Directory); ok {
		hc.Directory, hc.Organisation = d, organisation(cfg)
	}
	return helpdesk.New(hc, v, log)
}

// askOutput is the JSON of `ask --json`.
type askOutput struct {
	Intent   helpdesk.Intent `json:"intent"`
	Emails   []string        `json:"emails"`
	Domains  []string        `json:"domains"`
	Verdicts any             `json:"verdicts"`
	Text     string          `json:"text"`
	Reply    helpdesk.Reply  `json:"reply"`
}

// ask prints the assistant's reply to one message.
func ask(ctx context.Context, args []string, cfg config, log *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the reply as JSON")
	offline := fs.Bool("offline", false, "use the built-in rules only")
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(words, " "))
	if text == "" {
		return usageError("ask needs a message, e.g. whichaccount ask \"is jane@contoso.com a work account?\"")
	}
	h := newHandler(cfg, *offline, log)
	r, err := h.Respond(ctx, helpdesk.Message{Platform: helpdesk.PlatformCLI, Conversation: "cli", User: cliUser(), Text: text})
	if err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	if *asJSON {
		b, err := json.Marshal(askOutput{r.Intent, r.Emails, r.Domains, r.Verdicts, r.Text, r})
		if err != nil {
			return fmt.Errorf("ask: encode: %w", err)
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	_, err = fmt.Fprintln(stdout, r.Text)
	return err
}

// chat holds a conversation on stdin and stdout, one message a line.
func chat(ctx context.Context, args []string, cfg config, log *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	offline := fs.Bool("offline", false, "use the built-in rules only")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError("chat takes no arguments; type your messages after it starts")
	}
	h := newHandler(cfg, *offline, log)
	interactive := isTerminal(stdin)
	if interactive {
		fmt.Fprintln(stdout, "whichaccount — ask me about an address (jane@contoso.com) or a question; Ctrl-D to leave.")
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		if interactive {
			fmt.Fprint(stdout, "> ")
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			return nil
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		r, err := h.Respond(ctx, helpdesk.Message{Platform: helpdesk.PlatformCLI, Conversation: "chat", User: cliUser(), Text: line})
		if err != nil {
			return fmt.Errorf("chat: %w", err)
		}
		if _, err := fmt.Fprintf(stdout, "%s\n\n", r.Text); err != nil {
			return err
		}
	}
}

func cliUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "cli"
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
