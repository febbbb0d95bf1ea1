package main

import (
	"context"
	"log/slog"

	"github.com/gosmarter/whichaccount/internal/directory"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// organisation is the organisation the assistant serves. Whose questions
// may consult its directory: Teams users of GRAPH_TENANT_ID, Slack users
// only when SLACK_ALLOWED_TEAMS limits the bot to the organisation's
// workspaces, and the command line. Its facts fill the catalogue's
// {org}, {helpdesk} and {sspr_url}.
func organisation(cfg config) helpdesk.Organisation {
	return helpdesk.Organisation{TenantID: cfg.Directory.TenantID, Slack: len(cfg.Slack.AllowedTeams) > 0,
		Name: cfg.Org.Name, Domains: cfg.Org.Domains, Helpdesk: cfg.Org.Helpdesk, SSPRURL: cfg.Org.SSPRURL}
}

// directoryStatus is the start-up summary's line about Microsoft Graph.
func directoryStatus(cfg config) string {
	if !cfg.directoryOn() {
		return "Directory: off — set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (an app with User.Read.All) for authoritative answers about your own tenant's people"
	}
	who := "Teams users of that tenant"
	if len(cfg.Slack.AllowedTeams) > 0 {
		who += " and Slack users of the workspaces in SLACK_ALLOWED_TEAMS"
	} else {
		who += " (not Slack: SLACK_ALLOWED_TEAMS is empty, so any workspace could ask)"
	}
	return "Directory: on — Microsoft Graph for tenant " + cfg.Directory.TenantID + ", consulted for " + who
}

// verdicts is where the command line gets verdicts from.
type verdicts interface {
	Lookup(ctx context.Context, t msaccount.Target) msaccount.Verdict
	Check(ctx context.Context, input string) msaccount.Verdict
	Stats() msaccount.Stats
	Offline() bool
}

// newVerdicts builds the command line's verdicts: the sign-in client, with
// the organisation's directory when Microsoft Graph is configured (whoever
// runs the command line holds the organisation's configuration). It also
// returns the directory client, or nil.
func newVerdicts(cfg config, offline bool, log *slog.Logger) (verdicts, *directory.Client) {
	c := lookupClient(cfg, offline, log)
	if !cfg.directoryOn() || c.Offline() {
		return c, nil
	}
	d := directory.New(cfg.Directory, log)
	return msaccount.NewDirectoryLookup(c, d), d
}
