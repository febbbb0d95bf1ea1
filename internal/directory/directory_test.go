package directory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/directory/directorytest"
)

// tenant is the fake Contoso tenant of these tests.
func tenant(t *testing.T) *directorytest.Server {
	t.Helper()
	f := directorytest.New(t)
	f.AddUser(directorytest.User{ID: "00000000-0000-0000-0000-00000000a1e5", UserPrincipalName: "alex@contoso.com", Mail: "alex.wilber@contoso.com",
		ProxyAddresses: []string{"SMTP:alex.wilber@contoso.com", "smtp:alex@contoso.onmicrosoft.com", "smtp:awilber@contoso.com"},
		OtherMails:     []string{"alex.private@gmail.com"},
		Identities:     []directorytest.Identity{ident("userPrincipalName", "contoso.onmicrosoft.com", "alex@contoso.com")}})
	f.AddUser(directorytest.User{UserPrincipalName: "megan@contoso.com", Mail: "megan@contoso.com", Disabled: true})
	guest := func(mail, state string, ids ...directorytest.Identity) {
		f.AddUser(directorytest.User{UserPrincipalName: strings.ReplaceAll(mail, "@", "_") + "#EXT#@contoso.onmicrosoft.com", Mail: mail,
			OtherMails: []string{mail}, UserType: "Guest", CreationType: "Invitation", ExternalUserState: state, Identities: ids})
	}
	guest("jane@outlook.com", "Accepted", ident("federated", "MicrosoftAccount", ""))
	guest("bob@fabrikam.com", "Accepted", ident("federated", "ExternalAzureAD", ""))
	guest("sam@example.org", "Accepted", ident("federated", "mail", "sam@example.org"))
	guest("lee@gmail.com", "Accepted", ident("federated", "google.com", "lee@gmail.com"))
	guest("pat@northwind.com", "PendingAcceptance", ident("userPrincipalName", "contoso.onmicrosoft.com", "pat_northwind.com#EXT#@contoso.onmicrosoft.com"))
	guest("o'brien@tailspin.com", "Accepted", ident("federated", "ExternalAzureAD", ""))
	return f
}

func ident(signInType, issuer, assigned string) directorytest.Identity {
	return directorytest.Identity{SignInType: signInType, Issuer: issuer, IssuerAssignedID: assigned}
}

func newClient(f *directorytest.Server, mod func(*Config)) *Client {
	cfg := Config{TenantID: directorytest.TenantID, ClientID: directorytest.ClientID, ClientSecret: directorytest.ClientSecret,
		APIURL: f.URL, TokenURL: f.TokenURL, RatePerSecond: 1000}
	if mod != nil {
		mod(&cfg)
	}
	return New(cfg, nil)
}

func TestFindAddress(t *testing.T) {
	f := tenant(t)
	c := newClient(f, nil)
	tests := []struct {
		address   string
		upn       string
		guest     bool
		enabled   bool
		home      Home
		pending   bool
		issuer    string
		match     Match
		wantError error
	}{
		{address: "alex@contoso.com", upn: "alex@contoso.com", enabled: true, home: HomeWork, match: MatchUPN},
		{address: "Alex.Wilber@Contoso.com", upn: "alex@contoso.com", enabled: true, home: HomeWork, match: MatchMail},
		{address: "awilber@contoso.com", upn: "alex@contoso.com", enabled: true, home: HomeWork, match: MatchOther},
		{address: "megan@contoso.com", upn: "megan@contoso.com", enabled: false, home: HomeWork, match: MatchUPN},
		{address: "jane@outlook.com", upn: "jane_outlook.com#EXT#@contoso.onmicrosoft.com", guest: true, enabled: true, home: HomePersonal, issuer: "MicrosoftAccount", match: MatchMail},
		{address: "bob@fabrikam.com", upn: "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com", guest: true, enabled: true, home: HomeWork, issuer: "ExternalAzureAD", match: MatchMail},
		{address: "sam@example.org", upn: "sam_example.org#EXT#@contoso.onmicrosoft.com", guest: true, enabled: true, home: HomeOTP, issuer: "mail", match: MatchMail},
		{address: "lee@gmail.com", upn: "lee_gmail.com#EXT#@contoso.onmicrosoft.com", guest: true, enabled: true, home: HomeOther, issuer: "google.com", match: MatchMail},
		{address: "pat@northwind.com", upn: "pat_northwind.com#EXT#@contoso.onmicrosoft.com", guest: true, enabled: true, home: HomeUnknown, pending: true, match: MatchMail},
		{address: "o'brien@tailspin.com", upn: "o'brien_tailspin.com#EXT#@contoso.onmicrosoft.com", guest: true, enabled: true, home: HomeWork, issuer: "ExternalAzureAD", match: MatchMail},
		{address: "nobody@contoso.com", wantError: ErrNotFound},
		// A member's contact address (otherMails) is found like an alias:
		// the caller tells them apart by the domain.
		{address: "alex.private@gmail.com", upn: "alex@contoso.com", enabled: true, home: HomeWork, match: MatchOther},
	}
	for _, tt := range tests {
		t.Run(tt.address, func(t *testing.T) {
			f.Reset()
			u, err := c.FindAddress(context.Background(), tt.address)
			if tt.wantError != nil {
				if !errors.Is(err, tt.wantError) {
					t.Fatalf("FindAddress(%q) = %+v, %v; want %v", tt.address, u, err, tt.wantError)
				}
			} else if err != nil {
				t.Fatalf("FindAddress(%q): %v", tt.address, err)
			}
			if tt.wantError == nil && (u.UserPrincipalName != tt.upn || u.IsGuest() != tt.guest || u.AccountEnabled != tt.enabled ||
				u.Home() != tt.home || u.Pending() != tt.pending || u.Issuer() != tt.issuer || u.Match != tt.match) {
				t.Errorf("FindAddress(%q) = %+v (home %q, issuer %q)", tt.address, u, u.Home(), u.Issuer())
			}
			reqs := f.LastRequests(directorytest.Users)
			if len(reqs) != 1 {
				t.Fatalf("%d requests to /v1.0/users, want 1", len(reqs))
			}
			r := reqs[0]
			lower := strings.ToLower(tt.address)
			lit := "'" + strings.ReplaceAll(lower, "'", "''") + "'"
			if got := r.Query.Get("$select"); got != "id,userPrincipalName,mail,userType,accountEnabled,creationType,externalUserState,identities" {
				t.Errorf("$select = %q", got)
			}
			if r.Query.Get("$count") != "true" || r.Header.Get("ConsistencyLevel") != "eventual" {
				t.Errorf("advanced query parameters missing: %v %v", r.Query, r.Header)
			}
			if filter := r.Query.Get("$filter"); !strings.Contains(filter, "userPrincipalName eq "+lit) || !strings.Contains(filter, "mail eq "+lit) ||
				!strings.Contains(filter, "proxyAddresses/any(p:p eq 'smtp:") || !strings.Contains(filter, "otherMails/any(m:m eq "+lit+")") {
				t.Errorf("$filter = %q", filter)
			}
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				t.Errorf("no bearer token")
			}
		})
	}
	// Every lookup above came with the one token.
	if n := f.Requests(directorytest.Token); n != 0 {
		t.Errorf("token requests after the first lookup: %d", n)
	}
}

func TestCacheAndCoalescing(t *testing.T) {
	f := tenant(t)
	c := newClient(f, func(c *Config) { c.TTL = time.Minute })
	now := time.Now()
	var clock sync.Mutex
	c.now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	advance := func(d time.Duration) { clock.Lock(); now = now.Add(d); clock.Unlock() }
	ctx := context.Background()

	f.SetLatency(50 * time.Millisecond)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.FindAddress(ctx, "alex@contoso.com"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := f.Requests(directorytest.Users); n != 1 {
		t.Errorf("20 identical lookups at once: %d requests, want 1", n)
	}
	if st := c.Stats(); st.Coalesced != 19 || st.Calls["find"] != 1 || st.Calls["token"] != 1 {
		t.Errorf("stats = %+v", st)
	}
	f.SetLatency(0)

	// Cached, "no such user" too, for the TTL.
	c.FindAddress(ctx, "nobody@contoso.com")
	f.Reset()
	for _, a := range []string{"alex@contoso.com", "ALEX@contoso.com", "nobody@contoso.com"} {
		if _, err := c.FindAddress(ctx, a); err != nil && !errors.Is(err, ErrNotFound) {
			t.Error(err)
		}
	}
	if n := f.Requests(directorytest.Users); n != 0 {
		t.Errorf("cached lookups sent %d requests", n)
	}
	advance(61 * time.Second)
	c.FindAddress(ctx, "alex@contoso.com")
	if n := f.Requests(directorytest.Users); n != 1 {
		t.Errorf("after the TTL: %d requests, want 1", n)
	}
}

func TestTokenCachedUntilShortlyBeforeExpiry(t *testing.T) {
	f := tenant(t)
	f.SetTokenLifetime(10 * time.Minute)
	c := newClient(f, func(c *Config) { c.TTL = time.Nanosecond })
	now := time.Now()
	c.now = func() time.Time { return now }
	ctx := context.Background()
	for range 5 {
		c.FindAddress(ctx, "alex@contoso.com")
	}
	if n := f.Requests(directorytest.Token); n != 1 {
		t.Fatalf("token requests = %d, want 1", n)
	}
	r := f.LastRequests(directorytest.Token)[0]
	if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("scope") != "https://graph.microsoft.com/.default" ||
		r.Form.Get("client_id") != directorytest.ClientID || r.Form.Get("client_secret") != directorytest.ClientSecret {
		t.Errorf("token request form = %v", r.Form)
	}
	now = now.Add(8*time.Minute + 59*time.Second) // a tenth of the lifetime before expiry: still kept
	c.FindAddress(ctx, "alex@contoso.com")
	if n := f.Requests(directorytest.Token); n != 1 {
		t.Errorf("token requests at 8m59s = %d, want 1", n)
	}
	now = now.Add(2 * time.Second)
	c.FindAddress(ctx, "alex@contoso.com")
	if n := f.Requests(directorytest.Token); n != 2 {
		t.Errorf("token requests at 9m01s = %d, want 2", n)
	}

	// A token Graph no longer accepts is replaced once.
	f.ExpireTokens()
	now = now.Add(time.Second)
	if _, err := c.FindAddress(ctx, "alex@contoso.com"); err != nil {
		t.Errorf("after the token was revoked: %v", err)
	}
	if n := f.Requests(directorytest.Token); n != 3 {
		t.Errorf("token requests after a 401 = %d, want 3", n)
	}
}

func TestThrottlingPausesTheWholeClient(t *testing.T) {
	f := tenant(t)
	c := newClient(f, nil)
	now := time.Now()
	var clock sync.Mutex
	c.now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	ctx := context.Background()
	c.FindAddress(ctx, "megan@contoso.com") // token in hand

	f.Reset()
	f.Throttle(1, 30*time.Second)
	_, err := c.FindAddress(ctx, "alex@contoso.com")
	var e *Error
	if !errors.Is(err, ErrThrottled) || !errors.As(err, &e) || e.Status != http.StatusTooManyRequests || e.Until.Sub(now) != 30*time.Second {
		t.Fatalf("FindAddress under 429 = %v (%+v)", err, e)
	}
	// Other lookups wait too, without a request, until Retry-After has
	// passed; failures are not cached.
	for _, a := range []string{"jane@outlook.com", "alex@contoso.com"} {
		if _, err := c.FindAddress(ctx, a); !errors.Is(err, ErrThrottled) {
			t.Errorf("FindAddress(%q) during the pause = %v", a, err)
		}
	}
	if _, err := c.UserByID(ctx, "00000000-0000-0000-0000-00000000a1e5"); !errors.Is(err, ErrThrottled) {
		t.Errorf("UserByID during the pause = %v", err)
	}
	if n := f.Requests(directorytest.Users) + f.Requests(directorytest.User1); n != 1 {
		t.Errorf("requests during the pause = %d, want only the throttled one", n)
	}
	if c.Stats().Throttled != 1 {
		t.Errorf("throttled = %d", c.Stats().Throttled)
	}
	clock.Lock()
	now = now.Add(31 * time.Second)
	clock.Unlock()
	if _, err := c.FindAddress(ctx, "alex@contoso.com"); err != nil {
		t.Errorf("after the pause: %v", err)
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*directorytest.Server)
		cfg   func(*Config)
		want  error
		code  string
	}{
		{"graph down", func(f *directorytest.Server) { f.SetFailure(http.StatusServiceUnavailable) }, nil, ErrUnavailable, "serviceNotAvailable"},
		{"graph error", func(f *directorytest.Server) { f.SetFailure(http.StatusInternalServerError) }, nil, ErrUnavailable, ""},
		{"no permission", func(f *directorytest.Server) { f.Deny(true) }, nil, ErrDenied, "Authorization_RequestDenied"},
		{"wrong secret", func(f *directorytest.Server) { f.RefuseTokens(true) }, nil, ErrDenied, "invalid_client AADSTS7000215"},
		{"wrong client", nil, func(c *Config) { c.ClientID = "00000000-0000-0000-0000-000000000000" }, ErrDenied, "unauthorized_client AADSTS700016"},
		{"unreachable", nil, func(c *Config) { c.APIURL = "http://127.0.0.1:1" }, ErrUnavailable, ""},
		{"slow", func(f *directorytest.Server) { f.SetLatency(time.Second) }, func(c *Config) { c.CallTimeout = 50 * time.Millisecond }, ErrUnavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tenant(t)
			if tt.setup != nil {
				tt.setup(f)
			}
			var logs bytes.Buffer
			cfg := Config{TenantID: directorytest.TenantID, ClientID: directorytest.ClientID, ClientSecret: directorytest.ClientSecret,
				APIURL: f.URL, TokenURL: f.TokenURL, RatePerSecond: 1000}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			c := New(cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			_, err := c.FindAddress(context.Background(), "alex@contoso.com")
			var e *Error
			if !errors.Is(err, tt.want) || !errors.As(err, &e) {
				t.Fatalf("FindAddress = %v, want %v", err, tt.want)
			}
			if tt.code != "" && !strings.Contains(e.Code, tt.code) {
				t.Errorf("code = %q, want %q", e.Code, tt.code)
			}
			for _, secret := range []string{"alex@contoso.com", directorytest.ClientSecret, "fake-graph-token"} {
				if strings.Contains(logs.String()+err.Error(), secret) {
					t.Errorf("logs or error carry %q:\n%s\n%v", secret, logs.String(), err)
				}
			}
		})
	}
}

func TestRefusedTokenIsRememberedBriefly(t *testing.T) {
	f := tenant(t)
	f.RefuseTokens(true)
	c := newClient(f, nil)
	for range 3 {
		if _, err := c.FindAddress(context.Background(), "alex@contoso.com"); !errors.Is(err, ErrDenied) {
			t.Fatal(err)
		}
	}
	if n := f.Requests(directorytest.Token); n != 1 {
		t.Errorf("token requests with a refused secret = %d, want 1", n)
	}
}

func TestUserByID(t *testing.T) {
	f := tenant(t)
	c := newClient(f, nil)
	ctx := context.Background()
	u, err := c.UserByID(ctx, "00000000-0000-0000-0000-00000000A1E5")
	if err != nil || u.UserPrincipalName != "alex@contoso.com" || u.IsGuest() || !u.AccountEnabled {
		t.Fatalf("UserByID = %+v, %v", u, err)
	}
	r := f.LastRequests(directorytest.User1)[0]
	if r.Path != "/v1.0/users/00000000-0000-0000-0000-00000000a1e5" || r.Query.Get("$select") != lookupSelect {
		t.Errorf("request = %s %v", r.Path, r.Query)
	}
	if _, err := c.UserByID(ctx, "11111111-1111-1111-1111-111111111111"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown ID: %v", err)
	}
	before := f.Requests(directorytest.User1)
	for _, bad := range []string{"", "../users", "alex@contoso.com", "00000000-0000-0000-0000-00000000a1e5/manager"} {
		if _, err := c.UserByID(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("UserByID(%q) = %v", bad, err)
		}
	}
	if f.Requests(directorytest.User1) != before {
		t.Error("malformed IDs were sent to Graph")
	}
}

func TestMembersPagesThroughTheTenant(t *testing.T) {
	f := directorytest.New(t)
	for i := range 2500 {
		f.AddUser(directorytest.User{UserPrincipalName: fmt.Sprintf("user%d@contoso.com", i), Mail: fmt.Sprintf("user%d@contoso.com", i),
			ProxyAddresses: []string{fmt.Sprintf("SMTP:user%d@contoso.com", i), fmt.Sprintf("smtp:u%d@contoso.onmicrosoft.com", i)}})
		if i%100 == 0 {
			f.AddUser(directorytest.User{UserPrincipalName: fmt.Sprintf("g%d_outlook.com#EXT#@contoso.onmicrosoft.com", i), Mail: fmt.Sprintf("g%d@outlook.com", i), UserType: "Guest"})
		}
	}
	c := newClient(f, nil)
	f.Throttle(1, time.Second) // the first page is throttled once: waited out
	var got []User
	pages := 0
	err := c.Members(context.Background(), func(us []User) error {
		pages++
		got = append(got, us...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2500 || pages != 3 {
		t.Fatalf("%d members in %d pages, want 2500 in 3", len(got), pages)
	}
	seen := map[string]bool{}
	for i, u := range got {
		if u.IsGuest() || seen[u.ID] {
			t.Fatalf("member %d = %+v (repeated or a guest)", i, u)
		}
		seen[u.ID] = true
	}
	if a := got[7].Addresses(); len(a) != 2 || a[0] != "user7@contoso.com" || a[1] != "u7@contoso.onmicrosoft.com" {
		t.Errorf("addresses = %q", a)
	}
	reqs := f.LastRequests(directorytest.Users)
	if len(reqs) != 4 { // the throttled one, then three pages
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	q := reqs[0].Query
	if q.Get("$top") != "999" || q.Get("$filter") != "userType eq 'Member'" || q.Get("$select") != memberSelect {
		t.Errorf("first page query = %v", q)
	}
	if reqs[2].Query.Get("$skiptoken") == "" {
		t.Errorf("second page did not follow @odata.nextLink: %v", reqs[2].Query)
	}
}

func TestMembersStopsAtAForeignNextLink(t *testing.T) {
	// A nextLink that points away from the configured Graph would carry
	// the token there. Here the client knows Graph as localhost and the
	// fake's nextLinks name 127.0.0.1.
	f := directorytest.New(t)
	for i := range 1000 {
		f.AddUser(directorytest.User{UserPrincipalName: fmt.Sprintf("user%d@contoso.com", i)})
	}
	c := newClient(f, func(c *Config) { c.APIURL = strings.Replace(f.URL, "127.0.0.1", "localhost", 1) })
	pages := 0
	err := c.Members(context.Background(), func([]User) error { pages++; return nil })
	if !errors.Is(err, ErrBadAnswer) || pages != 1 || f.Requests(directorytest.Users) != 1 {
		t.Errorf("Members = %v after %d pages, %d requests", err, pages, f.Requests(directorytest.Users))
	}
}
