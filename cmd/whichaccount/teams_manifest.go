package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gosmarter/whichaccount/bots/teams"
)

// teamsManifest writes the sideloadable Teams app package.
func teamsManifest(args []string, cfg config, stdout io.Writer) error {
	fs := flag.NewFlagSet("manifest teams", flag.ContinueOnError)
	appID := fs.String("app-id", cfg.Teams.AppID, "the bot's Microsoft App `ID`")
	out := fs.String("out", "whichaccount.zip", "the package `FILE` to write")
	channels := fs.Bool("channel-messages", len(cfg.Teams.TriageChannels) > 0, "ask for ChannelMessage.Read.Group (resource-specific consent) so triage channels work without @mentions")
	website := fs.String("website", "", "the developer's website `URL` (https)")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *appID == "" {
		return usageError("manifest teams needs --app-id (the bot's Microsoft App ID)")
	}
	var buf bytes.Buffer
	if err := teams.WritePackage(&buf, *appID, teams.PackageOptions{ChannelMessages: *channels, WebsiteURL: *website}); err != nil {
		return usageError("manifest teams: %v", err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("manifest teams: %w", err)
	}
	_, err := fmt.Fprintf(stdout, "wrote %s (%d bytes): upload it in Teams under Apps → Manage your apps → Upload an app\n", *out, buf.Len())
	return err
}
