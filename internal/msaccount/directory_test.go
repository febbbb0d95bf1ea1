package msaccount_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/directory"
	"github.com/gosmarter/whichaccount/internal/directory/directorytest"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// directoryWorld is Contoso's tenant seen from both sides: the public
// sign-in endpoints (msaccounttest) and its own directory (directorytest,
// whose tenant owns contoso.com).
type directoryWorld struct {
	signIn *msaccounttest.Server
	graph  *directorytest.Server
	lookup *msaccount.DirectoryLookup
	dir    *directory.Client
}

func newDirectoryWorld(t *testing.T) *directoryWorld {
	t.Helper()
	s := msaccounttest.New(t)
	s.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: directorytest.TenantID, Brand: "Contoso Ltd", Region: "EU"})
	s.AddDomain(msaccounttest.Domain{Name: "fabrikam.com", Type: msaccounttest.TypeManaged, TenantID: fabrikamTen, Brand: "Fabrikam", Region: "NA"})
	s.AddDomain(msaccounttest.Domain{Name: "outlook.com", Type: msaccounttest.TypeConsumer})
	s.AddDomain(msaccounttest.Domain{Name: "example.org", Type: msaccounttest.TypeNone})
	s.AddDomain(msaccounttest.Domain{Name: "northwind.com", Type: msaccounttest.TypeNone})
	s.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	s.AddAccount("megan@contoso.com", msaccounttest.Account{Work: true})
	s.AddAccount("jane@outlook.com", msaccounttest.Account{Personal: true})
	s.AddAccount("bob@fabrikam.com", msaccounttest.Account{Work: true})

	g := directorytest.New(t)
	g.AddUser(directorytest.User{UserPrincipalName: "alex@contoso.com", Mail: "alex@contoso.com", ProxyAddresses: []string{"SMTP:alex@contoso.com"},
		OtherMails: []string{"alex.home@example.org"}})
	g.AddUser(directorytest.User{UserPrincipalName: "megan@contoso.com", Mail: "megan@contoso.com", Disabled: true})
	guest := func(mail, state, issuer string) {
		u := directorytest.User{UserPrincipalName: strings.ReplaceAll(mail, "@", "_") + "#EXT#@contoso.onmicrosoft.com", Mail: mail,
			OtherMails: []string{mail}, UserType: "Guest", CreationType: "Invitation", ExternalUserState: state}
		if issuer != "" {
			u.Identities = []directorytest.Identity{{SignInType: "federated", Issuer: issuer}}
		}
		g.AddUser(u)
	}
	guest("jane@outlook.com", "Accepted", "MicrosoftAccount")
	guest("bob@fabrikam.com", "Accepted", "ExternalAzureAD")
	guest("sam@example.org", "Accepted", "mail")
	guest("pat@northwind.com", "PendingAcceptance", "")

	dir := directory.New(directory.Config{TenantID: directorytest.TenantID, ClientID: directorytest.ClientID, ClientSecret: directorytest.ClientSecret,
		APIURL: g.URL, TokenURL: g.TokenURL, RatePerSecond: 1000}, nil)
	c := msaccount.New(msaccount.Config{LoginURL: s.URL, RatePerSecond: 1000}, nil)
	return &directoryWorld{signIn: s, graph: g, lookup: msaccount.NewDirectoryLookup(c, dir), dir: dir}
}

func TestDirectoryVerdicts(t *testing.T) {
	tests := []struct {
		name      string
		address   string
		setup     func(*directoryWorld)
		kind      msaccount.Kind
		certainty msaccount.Certainty
		facts     string // the directory object's JSON; "" for none
		codes     []string
		args      map[string]string // of the last directory line
	}{
		{name: "member with an overlapping personal account", address: "alex@contoso.com", kind: msaccount.KindBoth, certainty: msaccount.Confirmed,
			facts: `{"found":true,"user_type":"Member","enabled":true,"home":"work"}`,
			codes: []string{msaccount.CodeDirectoryMember}, args: map[string]string{"match": "upn"}},
		{name: "disabled member", address: "megan@contoso.com", kind: msaccount.KindWork, certainty: msaccount.Confirmed,
			facts: `{"found":true,"user_type":"Member","enabled":false,"home":"work"}`,
			codes: []string{msaccount.CodeDirectoryMember, msaccount.CodeDirectoryDisabled}},
		{name: "guest with a personal home", address: "jane@outlook.com", kind: msaccount.KindPersonal, certainty: msaccount.Confirmed,
			facts: `{"found":true,"user_type":"Guest","enabled":true,"home":"personal","invitation":"Accepted"}`,
			codes: []string{msaccount.CodeDirectoryGuest}, args: map[string]string{"home": "personal", "issuer": "MicrosoftAccount", "invitation": "Accepted"}},
		{name: "guest with a work home elsewhere", address: "bob@fabrikam.com", kind: msaccount.KindWork, certainty: msaccount.Confirmed,
			facts: `{"found":true,"user_type":"Guest","enabled":true,"home":"work","invitation":"Accepted"}`,
			codes: []string{msaccount.CodeDirectoryGuest}, args: map[string]string{"home": "work", "issuer": "ExternalAzureAD"}},
		{name: "guest with one-time passcodes", address: "sam@example.org", kind: msaccount.KindNone, certainty: msaccount.Confirmed,
			facts: `{"found":true,"user_type":"Guest","enabled":true,"home":"otp","invitation":"Accepted"}`,
			codes: []string{msaccount.CodeDirectoryGuest}, args: map[string]string{"home": "otp", "issuer": "mail"}},
		{name: "pending invitation", address: "pat@northwind.com", kind: msaccount.KindNone, certainty: msaccount.Confirmed,
			facts: `{"found":true,"user_type":"Guest","enabled":true,"invitation":"PendingAcceptance"}`,
			codes: []string{msaccount.CodeDirectoryGuest, msaccount.CodeDirectoryPending}},
		// The sign-in page's "absent" can hide passwordless users ("likely");
		// the directory settles it for the tenant's own domain.
		{name: "not found in the tenant's domain", address: "nobody@contoso.com", kind: msaccount.KindNone, certainty: msaccount.Confirmed,
			facts: `{"found":false}`, codes: []string{msaccount.CodeDirectoryNotFound}, args: map[string]string{"owned": "true"}},
		{name: "not found elsewhere", address: "kim@example.org", kind: msaccount.KindNone, certainty: msaccount.Confirmed,
			facts: `{"found":false}`, codes: []string{msaccount.CodeDirectoryNotFound}, args: map[string]string{"owned": "false"}},
		// A member's contact address is not an account of the directory.
		{name: "a member's contact address", address: "alex.home@example.org", kind: msaccount.KindNone, certainty: msaccount.Confirmed,
			facts: `{"found":false}`, codes: []string{msaccount.CodeDirectoryNotFound}, args: map[string]string{"owned": "false"}},
		{name: "graph down", address: "alex@contoso.com", setup: func(w *directoryWorld) { w.graph.SetFailure(http.StatusServiceUnavailable) },
			kind: msaccount.KindBoth, certainty: msaccount.Confirmed,
			codes: []string{msaccount.CodeDirectoryFailed}, args: map[string]string{"reason": "unavailable", "status": "503"}},
		{name: "graph down, and the sign-in page unsure", address: "nobody@contoso.com", setup: func(w *directoryWorld) { w.graph.SetFailure(http.StatusInternalServerError) },
			kind: msaccount.KindNone, certainty: msaccount.Likely,
			codes: []string{msaccount.CodeDirectoryFailed}, args: map[string]string{"reason": "unavailable", "status": "500"}},
		{name: "graph throttling", address: "alex@contoso.com", setup: func(w *directoryWorld) { w.graph.Throttle(1, 30*time.Second) },
			kind: msaccount.KindBoth, certainty: msaccount.Confirmed,
			codes: []string{msaccount.CodeDirectoryFailed}, args: map[string]string{"reason": "throttled", "status": "429"}},
		{name: "app without the permission", address: "alex@contoso.com", setup: func(w *directoryWorld) { w.graph.Deny(true) },
			kind: msaccount.KindBoth, certainty: msaccount.Confirmed,
			codes: []string{msaccount.CodeDirectoryFailed}, args: map[string]string{"reason": "denied", "status": "403", "value": "Authorization_RequestDenied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newDirectoryWorld(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			v := w.lookup.Check(context.Background(), tt.address)
			checkCodes(t, v)
			if v.Kind != tt.kind || v.Certainty != tt.certainty {
				t.Errorf("Check(%q) = %s, %s; want %s, %s\n%+v", tt.address, v.Kind, v.Certainty, tt.kind, tt.certainty, v.Evidence)
			}
			b, _ := json.Marshal(v)
			var got struct {
				Directory json.RawMessage `json:"directory"`
			}
			json.Unmarshal(b, &got)
			if string(got.Directory) != tt.facts {
				t.Errorf("directory = %s, want %s", got.Directory, tt.facts)
			}
			var dirCodes []string
			var last msaccount.Evidence
			for _, e := range v.Evidence {
				if e.Source == "directory" {
					dirCodes = append(dirCodes, e.Code)
					if e.Code != msaccount.CodeDirectoryDisabled && e.Code != msaccount.CodeDirectoryPending {
						last = e
					}
				}
			}
			if strings.Join(dirCodes, " ") != strings.Join(tt.codes, " ") {
				t.Errorf("directory codes = %q, want %q", dirCodes, tt.codes)
			}
			for k, want := range tt.args {
				if last.Args[k] != want {
					t.Errorf("arg %s = %q, want %q (%+v)", k, last.Args[k], want, last)
				}
			}
			if n := w.graph.Requests(directorytest.Users); n != 1 {
				t.Errorf("Graph requests = %d, want 1", n)
			}
		})
	}
}

func TestDirectoryCallsPerLookup(t *testing.T) {
	w := newDirectoryWorld(t)
	ctx := context.Background()
	w.lookup.Check(ctx, "alex@contoso.com")
	if n := w.graph.Requests(directorytest.Users); n != 1 {
		t.Errorf("first lookup: %d Graph calls, want 1", n)
	}
	for range 3 {
		if v := w.lookup.Check(ctx, "Alex@Contoso.com"); v.Directory == nil || !v.Directory.Found {
			t.Errorf("cached lookup lost the directory: %+v", v)
		}
	}
	if n := w.graph.Requests(directorytest.Users); n != 1 {
		t.Errorf("after three cached lookups: %d Graph calls, want 1", n)
	}
	// A domain is not a person: no Graph call.
	w.lookup.Check(ctx, "contoso.com")
	if n := w.graph.Requests(directorytest.Users); n != 1 {
		t.Errorf("a domain lookup asked Graph")
	}
	// Throttled once: the whole client waits, with no further request.
	w.graph.Throttle(1, time.Minute)
	w.lookup.Check(ctx, "megan@contoso.com")
	v := w.lookup.Check(ctx, "nobody@contoso.com")
	if n := w.graph.Requests(directorytest.Users); n != 2 {
		t.Errorf("during Graph's pause: %d calls, want 2", n)
	}
	if !hasCode(v, msaccount.CodeDirectoryFailed, map[string]string{"reason": "throttled"}) || v.Directory != nil {
		t.Errorf("lookup during the pause = %+v", v)
	}
}

func TestDirectoryOfflineNeverAsks(t *testing.T) {
	w := newDirectoryWorld(t)
	l := msaccount.NewDirectoryLookup(msaccount.New(msaccount.Config{Offline: true}, nil), w.dir)
	if v := l.Check(context.Background(), "alex@contoso.com"); v.Directory != nil || !l.Offline() {
		t.Errorf("offline verdict = %+v", v)
	}
	if n := w.graph.Requests(directorytest.Users) + w.graph.Requests(directorytest.Token); n != 0 {
		t.Errorf("offline lookup sent %d requests to Graph", n)
	}
}

func TestSelf(t *testing.T) {
	w := newDirectoryWorld(t)
	ctx := context.Background()
	id := w.graph.AddUser(directorytest.User{UserPrincipalName: "kai@contoso.com", Mail: "kai@contoso.com"})
	gid := w.graph.AddUser(directorytest.User{UserPrincipalName: "lou_outlook.com#EXT#@contoso.onmicrosoft.com", Mail: "lou@outlook.com", UserType: "Guest",
		ExternalUserState: "Accepted", Identities: []directorytest.Identity{{SignInType: "federated", Issuer: "MicrosoftAccount"}}})
	f, err := w.lookup.Self(ctx, id)
	if err != nil || !f.Found || f.UserType != "Member" || f.User != "kai@contoso.com" || f.Home != "work" {
		t.Errorf("Self(member) = %+v, %v", f, err)
	}
	f, err = w.lookup.Self(ctx, gid)
	if err != nil || f.UserType != "Guest" || f.User != "lou@outlook.com" || f.Home != "personal" {
		t.Errorf("Self(guest) = %+v, %v", f, err)
	}
	f, err = w.lookup.Self(ctx, "99999999-0000-0000-0000-000000000000")
	if err != nil || f.Found {
		t.Errorf("Self(unknown) = %+v, %v", f, err)
	}
	w.graph.SetFailure(http.StatusServiceUnavailable)
	if _, err := w.lookup.Self(ctx, "99999999-0000-0000-0000-000000000001"); err == nil {
		t.Error("Self with Graph down: no error")
	}
}

func TestPersonalOnlySkipsTheWorkSide(t *testing.T) {
	w := newDirectoryWorld(t)
	c := msaccount.New(msaccount.Config{LoginURL: w.signIn.URL, RatePerSecond: 1000, PersonalOnly: true}, nil)
	v := c.Check(context.Background(), "alex@contoso.com")
	if v.Personal != msaccount.Yes || v.Work != msaccount.Unknown || w.signIn.Requests(msaccounttest.EndpointCredentialType) != 0 {
		t.Errorf("personal-only verdict = %+v, %d GetCredentialType calls", v, w.signIn.Requests(msaccounttest.EndpointCredentialType))
	}
	// With the member's facts from the directory, it is settled.
	u, err := w.dir.FindAddress(context.Background(), "alex@contoso.com")
	if v = v.WithDirectory(directorytest.TenantID, u, err); v.Kind != msaccount.KindBoth || v.Certainty != msaccount.Confirmed {
		t.Errorf("with the directory = %s, %s", v.Kind, v.Certainty)
	}
}

// BenchmarkDirectoryLookup is a chat lookup with the directory, against
// the fakes without latency: cold (a new address each time) and cached
// (the same address). It reports the Graph and sign-in calls per lookup
// (docs/performance.md):
//
//	go test ./internal/msaccount -run XXX -bench DirectoryLookup -benchtime 2000x
func BenchmarkDirectoryLookup(b *testing.B) {
	for _, cached := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "cached"}[cached]
		b.Run(name, func(b *testing.B) {
			s := msaccounttest.New(b)
			s.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: directorytest.TenantID, Brand: "Contoso Ltd"})
			g := directorytest.New(b)
			dir := directory.New(directory.Config{TenantID: directorytest.TenantID, ClientID: directorytest.ClientID, ClientSecret: directorytest.ClientSecret,
				APIURL: g.URL, TokenURL: g.TokenURL, RatePerSecond: 1e6, CacheSize: 1 << 20}, nil)
			l := msaccount.NewDirectoryLookup(msaccount.New(msaccount.Config{LoginURL: s.URL, RatePerSecond: 1e6}, nil), dir)
			ctx := context.Background()
			g.AddUser(directorytest.User{UserPrincipalName: "warm.up@contoso.com", Mail: "warm.up@contoso.com"})
			l.Check(ctx, "warm.up@contoso.com") // the token and the domain's facts
			g.Reset()
			s.Reset()
			i := 0
			for b.Loop() {
				a := "user" + strconv.Itoa(i) + "@contoso.com"
				if cached {
					a = "warm.up@contoso.com"
				} else {
					g.AddUser(directorytest.User{UserPrincipalName: a, Mail: a})
				}
				i++
				if v := l.Check(ctx, a); v.Directory == nil || !v.Directory.Found {
					b.Fatalf("%s: %+v", a, v)
				}
			}
			b.ReportMetric(float64(g.Requests(directorytest.Users)+g.Requests(directorytest.Token))/float64(i), "graph-calls/op")
			b.ReportMetric(float64(s.Requests(msaccounttest.EndpointRealm)+s.Requests(msaccounttest.EndpointOpenID)+s.Requests(msaccounttest.EndpointCredentialType))/float64(i), "signin-calls/op")
		})
	}
}
