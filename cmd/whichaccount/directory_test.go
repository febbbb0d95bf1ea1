package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
	"github.com/gosmarter/whichaccount/bots/teams/teamstest"
	"github.com/gosmarter/whichaccount/internal/directory/directorytest"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// graphEnv is the environment that points the directory at the fake.
func graphEnv(g *directorytest.Server) map[string]string {
	return map[string]string{"GRAPH_TENANT_ID": directorytest.TenantID, "GRAPH_CLIENT_ID": directorytest.ClientID,
		"GRAPH_CLIENT_SECRET": directorytest.ClientSecret, "GRAPH_API_URL": g.URL, "GRAPH_TOKEN_URL": g.TokenURL}
}

func TestGraphConfig(t *testing.T) {
	const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	tests := []struct {
		name          string
		env           map[string]string
		on            bool
		apiURL, token string
		err           string
	}{
		{name: "off", env: nil},
		{name: "on with Microsoft's URLs", env: map[string]string{"GRAPH_TENANT_ID": strings.ToUpper(tenant), "GRAPH_CLIENT_ID": "c", "GRAPH_CLIENT_SECRET": "s"},
			on: true, apiURL: "https://graph.microsoft.com", token: "https://login.microsoftonline.com/" + tenant + "/oauth2/v2.0/token"},
		{name: "on with other URLs", env: map[string]string{"GRAPH_TENANT_ID": tenant, "GRAPH_CLIENT_ID": "c", "GRAPH_CLIENT_SECRET": "s",
			"GRAPH_API_URL": "https://graph.microsoft.us", "GRAPH_TOKEN_URL": "https://login.microsoftonline.us/" + tenant + "/oauth2/v2.0/token"},
			on: true, apiURL: "https://graph.microsoft.us", token: "https://login.microsoftonline.us/" + tenant + "/oauth2/v2.0/token"},
		{name: "secret missing", env: map[string]string{"GRAPH_TENANT_ID": tenant, "GRAPH_CLIENT_ID": "c"},
			err: "GRAPH_CLIENT_SECRET is missing"},
		{name: "two missing", env: map[string]string{"GRAPH_CLIENT_SECRET": "s"},
			err: "GRAPH_TENANT_ID and GRAPH_CLIENT_ID are missing"},
		{name: "tenant not a GUID", env: map[string]string{"GRAPH_TENANT_ID": "contoso.onmicrosoft.com", "GRAPH_CLIENT_ID": "c", "GRAPH_CLIENT_SECRET": "s"},
			err: `GRAPH_TENANT_ID "contoso.onmicrosoft.com" is not a tenant ID`},
		{name: "bad URL", env: map[string]string{"GRAPH_TENANT_ID": tenant, "GRAPH_CLIENT_ID": "c", "GRAPH_CLIENT_SECRET": "s", "GRAPH_API_URL": "graph"},
			err: `GRAPH_API_URL "graph" is not an http(s) URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("loadConfig error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.directoryOn() != tt.on {
				t.Errorf("directory on = %v, want %v", c.directoryOn(), tt.on)
			}
			if tt.on && (c.Directory.TenantID != tenant || c.Directory.APIURL != tt.apiURL || c.Directory.TokenURL != tt.token || c.Directory.ClientSecret != "s") {
				t.Errorf("directory config = %+v", c.Directory)
			}
		})
	}
	// The usage error names the missing variable, with exit status 2.
	code, _, errs := runCmd(t, map[string]string{"GRAPH_TENANT_ID": tenant}, "", "check", "a@b.com")
	if code != 2 || !strings.Contains(errs, "GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET are missing") {
		t.Errorf("run = %d, %q", code, errs)
	}
}

func TestStartUpSummarySaysWhetherTheDirectoryIsOn(t *testing.T) {
	g := directorytest.New(t)
	a, _ := testApp(t, slacktest.New(t), microsoftFake(t), io.Discard, graphEnv(g))
	if s := strings.Join(a.status, "\n"); !strings.Contains(s, "Directory: on — Microsoft Graph for tenant "+directorytest.TenantID) || !strings.Contains(s, "not Slack: SLACK_ALLOWED_TEAMS is empty") {
		t.Errorf("status with Graph:\n%s", s)
	}
	env := graphEnv(g)
	env["SLACK_ALLOWED_TEAMS"] = "T0001"
	a, _ = testApp(t, slacktest.New(t), microsoftFake(t), io.Discard, env)
	if s := strings.Join(a.status, "\n"); !strings.Contains(s, "and Slack users of the workspaces in SLACK_ALLOWED_TEAMS") {
		t.Errorf("status with Graph and allowed teams:\n%s", s)
	}
	a, _ = testApp(t, slacktest.New(t), microsoftFake(t), io.Discard, nil)
	if s := strings.Join(a.status, "\n"); !strings.Contains(s, "Directory: off — set GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET") {
		t.Errorf("status without Graph:\n%s", s)
	}
}

// TestTeamsWhichAccountFromTheDirectory drives the server: a Teams user of
// the organisation's tenant asks which account they are using, and about
// a colleague; the answers come from the directory.
func TestTeamsWhichAccountFromTheDirectory(t *testing.T) {
	bf := teamstest.New(t)
	bf.AllowAnonymous()
	g := directorytest.New(t)
	g.AddUser(directorytest.User{ID: "00000000-0000-0000-0000-00000000a1e5", UserPrincipalName: "alex@contoso.com", Mail: "alex@contoso.com"})
	g.AddUser(directorytest.User{UserPrincipalName: "megan@contoso.com", Mail: "megan@contoso.com", Disabled: true})
	ms := msaccounttest.New(t)
	ms.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: directorytest.TenantID, Brand: "Contoso Ltd"})
	ms.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	ms.AddAccount("megan@contoso.com", msaccounttest.Account{Work: true})
	env := graphEnv(g)
	env["TEAMS_EMULATOR"] = "true"
	_, srv := testApp(t, slacktest.New(t), ms, io.Discard, env)

	if code := teamstest.Post(t, srv.URL+"/api/messages", "", bf.Message("which account am I using right now?")); code != http.StatusOK {
		t.Fatalf("activity = %d", code)
	}
	if acts := bf.WaitActivities(t, 1); !strings.Contains(string(acts[0].Body), "signed in to Teams as alex@contoso.com, a member of your organisation") {
		t.Errorf("reply = %s", acts[0].Body)
	}
	if code := teamstest.Post(t, srv.URL+"/api/messages", "", bf.Message("is megan@contoso.com a work account?")); code != http.StatusOK {
		t.Fatalf("activity = %d", code)
	}
	if acts := bf.WaitActivities(t, 2); !strings.Contains(string(acts[1].Body), "disabled in your directory") {
		t.Errorf("reply = %s", acts[1].Body)
	}
	if g.Requests(directorytest.User1) != 1 || g.Requests(directorytest.Users) != 1 || g.Requests(directorytest.Token) != 1 {
		t.Errorf("Graph requests: %d by ID, %d lookups, %d tokens", g.Requests(directorytest.User1), g.Requests(directorytest.Users), g.Requests(directorytest.Token))
	}
}

func TestCheckWithTheDirectory(t *testing.T) {
	g := directorytest.New(t)
	g.AddUser(directorytest.User{UserPrincipalName: "alex@contoso.com", Mail: "alex@contoso.com"})
	ms := msaccounttest.New(t)
	ms.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: directorytest.TenantID, Brand: "Contoso Ltd"})
	ms.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	env := graphEnv(g)
	env["WHICHACCOUNT_LOGIN_URL"] = ms.URL
	code, out, errs := runCmd(t, env, "", "check", "--json", "alex@contoso.com", "nobody@contoso.com", "contoso.com")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := decodeLines(t, out)
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	if d, _ := lines[0]["directory"].(map[string]any); d["found"] != true || d["user_type"] != "Member" || lines[0]["kind"] != "both" {
		t.Errorf("member line = %v", lines[0])
	}
	if d, _ := lines[1]["directory"].(map[string]any); d["found"] != false || lines[1]["work"] != "no" || lines[1]["certainty"] != "confirmed" {
		t.Errorf("not-found line = %v", lines[1])
	}
	if _, ok := lines[2]["directory"]; ok {
		t.Errorf("a domain got a directory object: %v", lines[2])
	}
	if n := g.Requests(directorytest.Users); n != 2 {
		t.Errorf("Graph lookups = %d, want 2", n)
	}
	// Offline never asks Graph.
	g.Reset()
	runCmd(t, env, "", "check", "--offline", "alex@contoso.com")
	if n := g.Requests(directorytest.Users) + g.Requests(directorytest.Token); n != 0 {
		t.Errorf("offline check sent %d requests to Graph", n)
	}
}

func TestAuditDirectoryUsageErrors(t *testing.T) {
	g := directorytest.New(t)
	list := writeFile(t, "list.txt", auditList)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		err  string
	}{
		{"no Graph", nil, []string{"audit", "--directory"}, "needs Microsoft Graph: set GRAPH_TENANT_ID"},
		{"with a list", graphEnv(g), []string{"audit", "--directory", "--in", list}, "--in FILE or --directory, not both"},
		{"with a column", graphEnv(g), []string{"audit", "--directory", "--column", "mail"}, "--column is for --in lists"},
		{"offline", graphEnv(g), []string{"audit", "--directory", "--offline"}, "cannot run offline"},
		{"neither", nil, []string{"audit"}, "or --directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCmd(t, tt.env, "", tt.args...)
			if code != 2 || !strings.Contains(errs, tt.err) || out != "" {
				t.Errorf("run(%q) = %d, %q, stderr %q; want 2 and %q", tt.args, code, out, errs, tt.err)
			}
		})
	}
	if n := g.Requests(directorytest.Users) + g.Requests(directorytest.Token); n != 0 {
		t.Errorf("usage errors sent %d requests to Graph", n)
	}
}

// TestAuditDirectoryThroughRun is the whole-tenant audit from the command
// line against both fakes: rows, the summary with the overlaps and the
// fix, and a resumed run that checks nothing twice.
func TestAuditDirectoryThroughRun(t *testing.T) {
	g := directorytest.New(t)
	ms := msaccounttest.New(t)
	ms.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: directorytest.TenantID, Brand: "Contoso Ltd"})
	for _, u := range []struct {
		upn, alias string
		personal   bool
	}{{"alex@contoso.com", "alex.wilber@contoso.com", true}, {"megan@contoso.com", "", false}, {"pat@contoso.com", "", true}, {"lee@contoso.com", "", false}} {
		proxies := []string{"SMTP:" + u.upn}
		if u.alias != "" {
			proxies = append(proxies, "smtp:"+u.alias)
		}
		g.AddUser(directorytest.User{UserPrincipalName: u.upn, Mail: u.upn, ProxyAddresses: proxies})
		ms.AddAccount(u.upn, msaccounttest.Account{Work: true, Personal: u.personal})
	}
	g.AddUser(directorytest.User{UserPrincipalName: "jane_outlook.com#EXT#@contoso.onmicrosoft.com", Mail: "jane@outlook.com", UserType: "Guest"})
	env := graphEnv(g)
	env["WHICHACCOUNT_LOGIN_URL"] = ms.URL
	out := t.TempDir() + "/tenant.jsonl"
	code, stdout, errs := runCmd(t, env, "", "audit", "--directory", "--out", out, "--rate", "1000")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s", code, stdout, errs)
	}
	for _, want := range []string{"reading the members of tenant " + directorytest.TenantID, "4 members with 5 addresses",
		"members checked: 4 (5 addresses)", "overlaps: 2 members with an address that is also a personal Microsoft account (2 addresses)",
		"alex@contoso.com", "pat@contoso.com", "the fix to send them", "Your work address <their address> is also the name of a personal Microsoft account"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	b, _ := os.ReadFile(out)
	rows := decodeLines(t, string(b))
	if len(rows) != 5 || rows[0]["input"] != "alex@contoso.com" || rows[0]["kind"] != "both" || rows[1]["input"] != "alex.wilber@contoso.com" {
		t.Fatalf("rows:\n%s", b)
	}
	if d := rows[0]["directory"].(map[string]any); d["user"] != "alex@contoso.com" || d["user_type"] != "Member" {
		t.Errorf("directory object = %v", d)
	}

	// Resumed with everything written: Graph is read again, Microsoft's
	// sign-in endpoints are not asked anything.
	ms.Reset()
	code, _, errs = runCmd(t, env, "", "audit", "--directory", "--out", out, "--resume")
	if code != 0 || ms.Requests(msaccounttest.EndpointRealm) != 0 || !strings.Contains(errs, "5 resumed from the earlier run") {
		t.Errorf("resume: %d, %d realm requests\n%s", code, ms.Requests(msaccounttest.EndpointRealm), errs)
	}
	if again, _ := os.ReadFile(out); string(again) != string(b) {
		t.Errorf("a finished output changed on resume")
	}
}
