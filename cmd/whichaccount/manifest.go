package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	slackbot "github.com/gosmarter/whichaccount/bots/slack"
)

// manifest prints the Slack app manifest or writes the Teams app package.
func manifest(args []string, cfg config, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("manifest needs a platform: manifest slack --url BASE, or manifest teams --app-id ID --out FILE.zip")
	}
	if strings.HasPrefix(args[0], "-") {
		if _, err := parseFlags(flag.NewFlagSet("manifest", flag.ContinueOnError), args[:1]); err != nil {
			return err
		}
	}
	platform, args := args[0], args[1:]
	switch platform {
	case "slack":
		fs := flag.NewFlagSet("manifest slack", flag.ContinueOnError)
		base := fs.String("url", "", "public `BASE` URL of the bot (https://bot.example.com); not needed with --socket-mode")
		socket := fs.Bool("socket-mode", cfg.Slack.AppToken != "", "use Socket Mode instead of a public URL")
		command := fs.String("command", "/whichaccount", "the slash `COMMAND`")
		if _, err := parseFlags(fs, args); err != nil {
			return err
		}
		if !*socket {
			u, err := url.Parse(*base)
			if *base == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return usageError("manifest slack needs --url with the bot's public https base URL (or --socket-mode)")
			}
		}
		_, err := fmt.Fprint(stdout, slackbot.Manifest(*base, *command, *socket))
		return err
	case "teams":
		return teamsManifest(args, cfg, stdout)
	}
	return usageError("manifest: unknown platform %q (slack or teams)", platform)
}
