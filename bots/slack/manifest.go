package slack

import (
	"fmt"
	"strconv"
	"strings"
)

// Manifest returns the Slack app manifest (YAML) for a bot served at
// baseURL (ignored in Socket Mode), ready for "Create an app from a
// manifest". It asks for no scope the bot does not use: commands for the
// slash command, chat:write to answer, app_mentions:read, im:history and
// channels:history for the events it reads, reactions:write to label triage
// requests, users:read for each person's locale (the language to answer in).
func Manifest(baseURL, command string, socketMode bool) string {
	if command == "" {
		command = "/whichaccount"
	}
	if !strings.HasPrefix(command, "/") {
		command = "/" + command
	}
	url := strings.TrimRight(baseURL, "/") + "/slack/events"
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("_metadata:")
	w("  major_version: 1")
	w("  minor_version: 1")
	w("display_information:")
	w("  name: whichaccount")
	w("  description: %s", strconv.Quote("Personal Microsoft account or work or school account? Checks an address and explains what to do."))
	w("  background_color: \"#2c5f8a\"")
	w("  long_description: %s", strconv.Quote("whichaccount tells a helpdesk whether an email address is a personal Microsoft account, a work or school account, or both, by asking Microsoft's public sign-in service. It explains the difference in plain words and says what to do next: which password reset page to use, how to stop the \"used with more than one account\" picker, what happens to OneDrive when someone leaves. It never asks for passwords."))
	w("features:")
	w("  app_home:")
	w("    home_tab_enabled: false")
	w("    messages_tab_enabled: true")
	w("    messages_tab_read_only_enabled: false")
	w("  bot_user:")
	w("    display_name: whichaccount")
	w("    always_online: true")
	w("  slash_commands:")
	w("    - command: %s", command)
	if !socketMode {
		w("      url: %s", url)
	}
	w("      description: %s", strconv.Quote("Is it a personal or a work or school Microsoft account?"))
	w("      usage_hint: \"jane@contoso.com | help | share <question>\"")
	w("      should_escape: false")
	w("oauth_config:")
	w("  scopes:")
	w("    bot:")
	for _, s := range []string{"commands", "chat:write", "app_mentions:read", "im:history", "channels:history", "reactions:write", "users:read"} {
		w("      - %s", s)
	}
	w("settings:")
	w("  event_subscriptions:")
	if !socketMode {
		w("    request_url: %s", url)
	}
	w("    bot_events:")
	for _, e := range []string{"app_mention", "message.im", "message.channels"} {
		w("      - %s", e)
	}
	w("  interactivity:")
	w("    is_enabled: true")
	if !socketMode {
		w("    request_url: %s", url)
	}
	w("  org_deploy_enabled: false")
	w("  socket_mode_enabled: %t", socketMode)
	w("  token_rotation_enabled: false")
	return b.String()
}
