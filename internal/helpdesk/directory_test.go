package helpdesk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/directory"
	"github.com/gosmarter/whichaccount/internal/directory/directorytest"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// orgAssistant is an assistant with Contoso's directory, over the fakes of
// Microsoft's sign-in endpoints and of Graph.
type orgAssistant struct {
	h        *helpdesk.Handler
	graph    *directorytest.Server
	memberID string
	guestID  string
}

func newOrgAssistant(t *testing.T, org helpdesk.Organisation, perMinute int) *orgAssistant {
	t.Helper()
	s := msaccounttest.New(t)
	s.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: directorytest.TenantID, Brand: "Contoso Ltd"})
	s.AddDomain(msaccounttest.Domain{Name: "outlook.com", Type: msaccounttest.TypeConsumer})
	s.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	s.AddAccount("megan@contoso.com", msaccounttest.Account{Work: true})
	s.AddAccount("jane@outlook.com", msaccounttest.Account{Personal: true})
	g := directorytest.New(t)
	a := &orgAssistant{graph: g}
	a.memberID = g.AddUser(directorytest.User{UserPrincipalName: "alex@contoso.com", Mail: "alex@contoso.com", DisplayName: "Alex Wilber"})
	g.AddUser(directorytest.User{UserPrincipalName: "megan@contoso.com", Mail: "megan@contoso.com", Disabled: true})
	a.guestID = g.AddUser(directorytest.User{UserPrincipalName: "jane_outlook.com#EXT#@contoso.onmicrosoft.com", Mail: "jane@outlook.com", UserType: "Guest",
		ExternalUserState: "PendingAcceptance", DisplayName: "Jane Doe"})
	dir := directory.New(directory.Config{TenantID: directorytest.TenantID, ClientID: directorytest.ClientID, ClientSecret: directorytest.ClientSecret,
		APIURL: g.URL, TokenURL: g.TokenURL, RatePerSecond: 1000}, nil)
	signIn := msaccount.New(msaccount.Config{LoginURL: s.URL, RatePerSecond: 1000}, nil)
	a.h = helpdesk.New(helpdesk.Config{UserLookupsPerMinute: perMinute, Directory: msaccount.NewDirectoryLookup(signIn, dir), Organisation: org}, signIn, nil)
	return a
}

func TestDirectoryOnlyForTheOrganisation(t *testing.T) {
	org := helpdesk.Organisation{TenantID: directorytest.TenantID}
	tests := []struct {
		name string
		org  helpdesk.Organisation
		msg  helpdesk.Message
		uses bool
	}{
		{"Teams, the organisation's tenant", org, helpdesk.Message{Platform: helpdesk.PlatformTeams, TenantID: strings.ToUpper(directorytest.TenantID)}, true},
		{"Teams, another tenant", org, helpdesk.Message{Platform: helpdesk.PlatformTeams, TenantID: "11111111-2222-3333-4444-555555555555"}, false},
		{"Teams, no tenant", org, helpdesk.Message{Platform: helpdesk.PlatformTeams}, false},
		{"Slack, any workspace", org, helpdesk.Message{Platform: helpdesk.PlatformSlack}, false},
		{"Slack, the organisation's workspaces", helpdesk.Organisation{TenantID: directorytest.TenantID, Slack: true}, helpdesk.Message{Platform: helpdesk.PlatformSlack}, true},
		{"command line", org, helpdesk.Message{Platform: helpdesk.PlatformCLI}, true},
		{"unknown platform", org, helpdesk.Message{Platform: "web"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newOrgAssistant(t, tt.org, 30)
			m := tt.msg
			m.Conversation, m.User, m.Text = "c", "u", "is alex@contoso.com a personal or a work account?"
			r, err := a.h.Respond(context.Background(), m)
			if err != nil || len(r.Verdicts) != 1 {
				t.Fatalf("Respond = %+v, %v", r, err)
			}
			v := r.Verdicts[0]
			if got := v.Directory != nil; got != tt.uses {
				t.Errorf("directory used = %v, want %v", got, tt.uses)
			}
			calls := a.graph.Requests(directorytest.Users)
			if (calls == 1) != tt.uses || calls > 1 {
				t.Errorf("Graph calls = %d", calls)
			}
			if tt.uses && !strings.Contains(r.Text, "Your directory confirms it") {
				t.Errorf("reply does not say what the directory found:\n%s", r.Text)
			}
		})
	}
}

func TestDirectoryWordsSayOnlyWhatTheHelpdeskNeeds(t *testing.T) {
	a := newOrgAssistant(t, helpdesk.Organisation{TenantID: directorytest.TenantID}, 30)
	ask := func(text string) helpdesk.Reply {
		r, err := a.h.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformTeams, TenantID: directorytest.TenantID, Conversation: text, User: "u", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := ask("is jane@outlook.com personal or work?")
	for _, want := range []string{"guest", "hasn't accepted the invitation"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("guest reply lacks %q:\n%s", want, r.Text)
		}
	}
	r2 := ask("what about megan@contoso.com?")
	if !strings.Contains(r2.Text, "disabled") || !strings.Contains(r2.Text, "enable it again") {
		t.Errorf("disabled account reply:\n%s", r2.Text)
	}
	r3 := ask("is nobody@contoso.com a work account?")
	if !strings.Contains(r3.Text, "no account with this address") {
		t.Errorf("not-found reply:\n%s", r3.Text)
	}
	for _, r := range []helpdesk.Reply{r, r2, r3} {
		for _, private := range []string{"Jane Doe", "#EXT#", "Alex Wilber", a.guestID} {
			if strings.Contains(r.Text, private) {
				t.Errorf("reply carries %q:\n%s", private, r.Text)
			}
		}
	}
}

func TestWhichAccountAmIUsingInTeams(t *testing.T) {
	a := newOrgAssistant(t, helpdesk.Organisation{TenantID: directorytest.TenantID}, 30)
	ask := func(tenant, objectID string) helpdesk.Reply {
		r, err := a.h.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformTeams, TenantID: tenant, UserObjectID: objectID,
			Conversation: objectID, User: objectID, Text: "which account am I using right now?"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := ask(directorytest.TenantID, a.memberID); !strings.Contains(r.Text, "You're signed in to Teams as alex@contoso.com, a member of your organisation") {
		t.Errorf("member:\n%s", r.Text)
	}
	if r := ask(directorytest.TenantID, a.guestID); !strings.Contains(r.Text, "as jane@outlook.com, a guest in this organisation") {
		t.Errorf("guest:\n%s", r.Text)
	}
	calls := a.graph.Requests(directorytest.User1)
	if calls != 2 {
		t.Errorf("Graph calls by ID = %d, want 2", calls)
	}
	// Another tenant's user: the tenant answer alone, no Graph call.
	if r := ask("11111111-2222-3333-4444-555555555555", a.memberID); strings.Contains(r.Text, "You're signed in to Teams as") || a.graph.Requests(directorytest.User1) != calls {
		t.Errorf("another tenant:\n%s", r.Text)
	}
	// Graph down: the tenant answer still comes.
	a.graph.SetFailure(503)
	if r := ask(directorytest.TenantID, "00000000-0000-0000-0000-0000000000ff"); len(r.Headline) == 0 || strings.Contains(r.Text, "You're signed in to Teams as") {
		t.Errorf("Graph down:\n%s", r.Text)
	}
}

func TestDirectoryLookupsCountTowardTheUserLimit(t *testing.T) {
	a := newOrgAssistant(t, helpdesk.Organisation{TenantID: directorytest.TenantID}, 2)
	m := helpdesk.Message{Platform: helpdesk.PlatformTeams, TenantID: directorytest.TenantID, UserObjectID: a.memberID, Conversation: "c", User: "u"}
	for _, text := range []string{"is megan@contoso.com personal?", "which account am I using?", "and jane@outlook.com?"} {
		m.Text = text
		if _, err := a.h.Respond(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.graph.Requests(directorytest.Users) + a.graph.Requests(directorytest.User1); n != 2 {
		t.Errorf("Graph calls = %d, want 2 (the limit)", n)
	}
}

// TestGraphTroubleIsNotMicrosoftsSignInTrouble: when only the directory
// fails, the answer is the public one, said as confirmed as it is, and
// "why?" says the directory could not be asked.
func TestGraphTroubleIsNotMicrosoftsSignInTrouble(t *testing.T) {
	a := newOrgAssistant(t, helpdesk.Organisation{TenantID: directorytest.TenantID}, 30)
	a.graph.Throttle(1, time.Minute)
	m := helpdesk.Message{Platform: helpdesk.PlatformTeams, TenantID: directorytest.TenantID, Conversation: "c", User: "u", Text: "is alex@contoso.com personal or work?"}
	r, err := a.h.Respond(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Verdicts) != 1 || r.Verdicts[0].Kind != msaccount.KindBoth || r.Verdicts[0].Directory != nil {
		t.Fatalf("verdicts = %+v", r.Verdicts)
	}
	for _, wrong := range []string{"slow down", "isn't confirmed", "fewer lookups"} {
		if strings.Contains(r.Text, wrong) {
			t.Errorf("Graph's pause is told as Microsoft's sign-in trouble (%q):\n%s", wrong, r.Text)
		}
	}
	m.Text = "why?"
	r, err = a.h.Respond(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "Your directory (Microsoft Graph) asked me to wait") {
		t.Errorf("why? does not say the directory could not be asked:\n%s", r.Text)
	}
}

// TestTenantID: asked for an organisation's tenant ID, the assistant looks
// up the domain named, or the addresses of the last answer, and gives the
// reasons for the verdict, which name it; asked with neither, it says what
// a tenant ID is and looks up the domain sent next.
func TestTenantID(t *testing.T) {
	s := msaccounttest.New(t)
	const fabrikam = "6babcaad-604b-40ac-a9d7-9fd97c0b779f"
	s.AddDomain(msaccounttest.Domain{Name: "fabrikam.com", Type: msaccounttest.TypeManaged, TenantID: fabrikam, Brand: "Fabrikam"})
	s.AddAccount("bob@fabrikam.com", msaccounttest.Account{Work: true})
	h := helpdesk.New(helpdesk.Config{}, msaccount.New(msaccount.Config{LoginURL: s.URL, RatePerSecond: 1000}, nil), nil)
	m := helpdesk.Message{Platform: helpdesk.PlatformCLI, User: "u"}
	m.Conversation = "a"
	dialogue(t, h, m, []step{
		{text: "is bob@fabrikam.com a work account?", topic: "classify.address"},
		{text: "whats the tenant id for that one", topic: "classify.tenant_id", has: []string{fabrikam}},
	})
	m.Conversation = "b"
	dialogue(t, h, m, []step{
		{text: "how do i leave an organisation i'm a guest in", topic: "guest.leave"},
		{text: "c'est quoi ce tenantId je le trouve où", topic: "classify.tenant_id", has: []string{"GUID"}, hasNot: []string{fabrikam}},
		{text: "le domaine c'est fabrikam.com", topic: "classify.tenant_id", has: []string{fabrikam}},
	})
	m.Conversation = "d"
	dialogue(t, h, m, []step{
		{text: "how do i remove myself from an organisation in teams? i was a guest for a client project"},
		{text: "i use my outlook.com for it if that matters"},
		{text: "where do i get their tenant id lol", topic: "classify.tenant_id", has: []string{"GUID"}},
	})
	m.Conversation = "c"
	dialogue(t, h, m, []step{
		{text: "what's the tenant id of fabrikam.com?", topic: "classify.tenant_id", has: []string{fabrikam}},
		{text: "how does a guest with a personal account leave the tenant, need a tenant id?", topic: "guest.leave"},
	})
}
