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
	"slices"
	"strings"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// newHandler builds the assistant over the verdict client.
func newHandler(cfg config, offline bool, log *slog.Logger) *helpdesk.Handler {
	v, _ := newVerdicts(cfg, offline, log)
	hc := helpdesk.Config{UserLookupsPerMinute: cfg.UserPerMinute, Organisation: organisation(cfg), Catalogue: cfg.Catalogue, Lang: cfg.Lang}
	if d, ok := v.(helpdesk.Directory); ok {
		hc.Directory = d
	}
	return helpdesk.New(hc, v, log)
}

// askOutput is the JSON of `ask --json`.
type askOutput struct {
	Intent     helpdesk.Intent `json:"intent"`
	Topic      string          `json:"topic"`
	Lang       string          `json:"lang"`
	Confidence float64         `json:"confidence"`
	Emails     []string        `json:"emails"`
	Domains    []string        `json:"domains"`
	Verdicts   any             `json:"verdicts"`
	Text       string          `json:"text"`
	Reply      helpdesk.Reply  `json:"reply"`
}

// langFlag adds --lang to fs.
func langFlag(fs *flag.FlagSet) *string {
	return fs.String("lang", "", "answer in language `L`, one of "+strings.Join(helpdesk.Languages, ", ")+" (default: the message's own)")
}

func checkLang(l string) error {
	if l != "" && !slices.Contains(helpdesk.Languages, l) {
		return usageError(fmt.Sprintf("--lang %q: want one of %s", l, strings.Join(helpdesk.Languages, ", ")))
	}
	return nil
}

// chatEnds reports whether a line of chat is a request to leave.
func chatEnds(line string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(line), ".!")) {
	case "quit", "exit", "bye", "/quit", "/exit", ":q":
		return true
	}
	return false
}

// ask prints the assistant's reply to one message.
func ask(ctx context.Context, args []string, cfg config, log *slog.Logger, stdout io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the reply as JSON")
	offline := fs.Bool("offline", false, "use the built-in rules only")
	lang := langFlag(fs)
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	text := strings.TrimSpace(strings.Join(words, " "))
	if text == "" {
		return usageError("ask needs a message, e.g. whichaccount ask \"is jane@contoso.com a work account?\"")
	}
	h := newHandler(cfg, *offline, log)
	r, err := h.Respond(ctx, helpdesk.Message{Platform: helpdesk.PlatformCLI, Conversation: "cli", User: cliUser(), Text: text, Lang: *lang})
	if err != nil {
		return fmt.Errorf("ask: %w", err)
	}
	if *asJSON {
		b, err := json.Marshal(askOutput{r.Intent, r.Topic, r.Lang, r.Confidence, r.Emails, r.Domains, r.Verdicts, r.Text, r})
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
	lang := langFlag(fs)
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError("chat takes no arguments; type your messages after it starts")
	}
	if err := checkLang(*lang); err != nil {
		return err
	}
	h := newHandler(cfg, *offline, log)
	interactive := isTerminal(stdin)
	if interactive {
		fmt.Fprintln(stdout, "whichaccount — ask me about an address (jane@contoso.com) or a question; quit or Ctrl-D to leave.")
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
		if chatEnds(line) {
			return nil
		}
		r, err := h.Respond(ctx, helpdesk.Message{Platform: helpdesk.PlatformCLI, Conversation: "chat", User: cliUser(), Text: line, Lang: *lang})
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
