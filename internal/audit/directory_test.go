package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/directory"
	"github.com/gosmarter/whichaccount/internal/directory/directorytest"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// fakeTenant is Contoso with n members as both Graph and the public
// sign-in endpoints see it: every tenth member has an alias besides the
// address they sign in with, and 3 % of the members have a personal
// Microsoft account on one of their addresses (most on the sign-in name,
// some on the alias). A few guests and a disabled member are among them.
type fakeTenant struct {
	graph    *directorytest.Server
	signIn   *msaccounttest.Server
	dir      *directory.Client
	members  int
	addrs    int
	overlaps map[string]string // overlapping address → the member's sign-in name
}

func newFakeTenant(t testing.TB, n int) *fakeTenant {
	t.Helper()
	ft := &fakeTenant{graph: directorytest.New(t), signIn: msaccounttest.New(t), members: n, overlaps: map[string]string{}}
	ft.signIn.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: directorytest.TenantID, Brand: "Contoso Ltd", Region: "EU"})
	ft.signIn.AddDomain(msaccounttest.Domain{Name: "outlook.com", Type: msaccounttest.TypeConsumer})
	for i := range n {
		upn := fmt.Sprintf("user%05d@contoso.com", i)
		u := directorytest.User{UserPrincipalName: upn, Mail: upn, ProxyAddresses: []string{"SMTP:" + upn},
			Created: time.Date(2015+i%10, time.Month(1+i%12), 1+i%28, 9, 0, 0, 0, time.UTC), Disabled: i == 7}
		ft.signIn.AddAccount(upn, msaccounttest.Account{Work: true})
		ft.addrs++
		alias := ""
		if i%10 == 0 {
			alias = fmt.Sprintf("first.last%05d@contoso.com", i)
			u.ProxyAddresses = append(u.ProxyAddresses, "smtp:"+alias)
			ft.addrs++
		}
		// 3 %: 150 of 5,000; every fifth of them on the alias.
		if i%100 < 3 {
			target := upn
			if alias != "" && i%500 == 0 {
				target = alias
			}
			ft.signIn.AddAccount(target, msaccounttest.Account{Personal: true, Work: target == upn})
			ft.overlaps[target] = upn
		}
		ft.graph.AddUser(u)
		if i%1000 == 0 {
			g := fmt.Sprintf("guest%d@outlook.com", i)
			ft.graph.AddUser(directorytest.User{UserPrincipalName: strings.ReplaceAll(g, "@", "_") + "#EXT#@contoso.onmicrosoft.com", Mail: g, UserType: "Guest"})
			ft.signIn.AddAccount(g, msaccounttest.Account{Personal: true})
		}
	}
	ft.dir = directory.New(directory.Config{TenantID: directorytest.TenantID, ClientID: directorytest.ClientID, ClientSecret: directorytest.ClientSecret,
		APIURL: ft.graph.URL, TokenURL: ft.graph.TokenURL, RatePerSecond: 1000}, nil)
	return ft
}

// client is the bulk sign-in client of a run at cfg; the directory
// settles the work side, so only the personal side is asked.
func (ft *fakeTenant) client(cfg Config) *msaccount.Client {
	base := cfg.Lookup(msaccount.Config{LoginURL: ft.signIn.URL, PersonalOnly: true})
	base.Burst = 1
	return msaccount.New(base, nil)
}

// directoryRun runs a directory audit into buf (JSONL) continuing done.
func (ft *fakeTenant) directoryRun(ctx context.Context, t *testing.T, cfg Config, done []msaccount.Verdict, out RowWriter) (*Summary, error) {
	t.Helper()
	tenant, err := ReadTenant(ctx, ft.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tenant.Members() != ft.members {
		t.Fatalf("%d members read, want %d", tenant.Members(), ft.members)
	}
	return Run(ctx, tenant.Checker(ft.client(cfg)), Job{Inputs: tenant.Inputs(done), Done: done, Out: out}, cfg)
}

// realmAddresses are the addresses the sign-in fake was asked about.
func (ft *fakeTenant) realmAddresses() []string {
	var out []string
	for _, r := range ft.signIn.LastRequests(msaccounttest.EndpointRealm) {
		if u := r.Query.Get("user"); u != "" && !strings.HasPrefix(u, "someone@") {
			out = append(out, strings.ToLower(u))
		}
	}
	return out
}

func TestDirectoryAuditFindsExactlyTheOverlaps(t *testing.T) {
	ft := newFakeTenant(t, 5000)
	var buf bytes.Buffer
	cfg := Config{Rate: 5000, Concurrency: 16}
	sum, err := ft.directoryRun(context.Background(), t, cfg, nil, NewDirectoryWriter(&buf, JSONL, true, "rename {address}"))
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := ReadRows(bytes.NewReader(buf.Bytes()), int64(buf.Len()), JSONL)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != ft.addrs || sum.Rows != ft.addrs || sum.Members != ft.members {
		t.Fatalf("%d rows (summary %d) for %d members, want %d rows for %d", len(rows), sum.Rows, sum.Members, ft.addrs, ft.members)
	}
	found := map[string]string{}
	for _, v := range rows {
		d := v.Directory
		if d == nil || !d.Found || d.UserType != "Member" || d.User == "" || d.Since == "" || v.Work != msaccount.Yes {
			t.Fatalf("row without the member's facts: %+v", v)
		}
		if v.Kind == msaccount.KindBoth {
			found[v.Address] = d.User
		}
		if v.Certainty != msaccount.Confirmed {
			t.Errorf("%s: certainty %s", v.Address, v.Certainty)
		}
		if strings.Contains(v.Address, "guest") {
			t.Errorf("a guest was audited: %s", v.Address)
		}
	}
	if len(ft.overlaps) != 150 || len(found) != len(ft.overlaps) {
		t.Errorf("found %d overlaps, want %d", len(found), len(ft.overlaps))
	}
	for a, upn := range ft.overlaps {
		if found[a] != upn {
			t.Errorf("overlap %s (member %s) found as %q", a, upn, found[a])
		}
	}
	if len(sum.Overlapping) != 150 || sum.Unconfirmed != 0 {
		t.Errorf("summary: %d overlapping, %d unconfirmed", len(sum.Overlapping), sum.Unconfirmed)
	}
	var text strings.Builder
	sum.Fix = "rename {address}"
	sum.Write(&text)
	for _, want := range []string{"members checked: 5,000 (5,500 addresses)", "overlaps: 150 members with an address that is also a personal Microsoft account (150 addresses)",
		"user00000@contoso.com", "work account since 2015-01-01", "… and 130 more", "rename <their address>"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, text.String())
		}
	}
	// Every address was asked about once, no more, and only the personal
	// side: GetCredentialType could not change a member's verdict.
	asked := ft.realmAddresses()
	if len(asked) != ft.addrs {
		t.Errorf("realm asked %d times for %d addresses", len(asked), ft.addrs)
	}
	if n := ft.signIn.Requests(msaccounttest.EndpointCredentialType); n != 0 {
		t.Errorf("GetCredentialType asked %d times", n)
	}
	if sum.Calls["realm"] != int64(ft.addrs) || sum.Calls["openid"] != 1 {
		t.Errorf("calls = %v", sum.Calls)
	}
	if n := ft.graph.Requests(directorytest.Users); n != 6 { // ceil(5,000 / 999)
		t.Errorf("Graph pages = %d, want 6", n)
	}
}

func TestDirectoryAuditResumesWithoutRechecking(t *testing.T) {
	ft := newFakeTenant(t, 5000)
	path := filepath.Join(t.TempDir(), "tenant.csv")
	cfg := Config{Rate: 5000, Concurrency: 16}

	// The first run is interrupted after 2,000 rows.
	out, err := OpenOutput(path, CSV, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err = ft.directoryRun(ctx, t, cfg, nil, &cancelAfter{Writer: NewDirectoryWriter(out, CSV, out.Header, "fix {address}"), n: 2000, cancel: cancel})
	out.Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	first, err := OpenOutput(path, CSV, true)
	if err != nil {
		t.Fatal(err)
	}
	written := map[string]bool{}
	for _, v := range first.Done {
		written[v.Address] = true
	}
	first.Close()
	if len(written) < 2000 || len(written) >= ft.addrs {
		t.Fatalf("the interrupted run wrote %d rows", len(written))
	}

	// The second run resumes and checks only what was not written.
	ft.signIn.Reset()
	out, err = OpenOutput(path, CSV, true)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ft.directoryRun(context.Background(), t, cfg, out.Done, NewDirectoryWriter(out, CSV, out.Header, "fix {address}"))
	out.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ft.realmAddresses() {
		if written[a] {
			t.Fatalf("%s was checked again after it was written", a)
		}
	}
	if got := len(ft.realmAddresses()); got != ft.addrs-len(written) {
		t.Errorf("resumed run asked about %d addresses, want %d", got, ft.addrs-len(written))
	}
	if sum.Resumed != len(written) || sum.Rows != ft.addrs || len(sum.Overlapping) != 150 || sum.Members != ft.members {
		t.Errorf("summary: resumed %d, rows %d, overlaps %d, members %d", sum.Resumed, sum.Rows, len(sum.Overlapping), sum.Members)
	}

	// The whole file: every address once, the overlaps with their fix.
	b, _ := os.ReadFile(path)
	all, _, err := ReadRows(bytes.NewReader(b), int64(len(b)), CSV)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, v := range all {
		addrs = append(addrs, v.Address)
	}
	slices.Sort(addrs)
	if len(slices.Compact(addrs)) != ft.addrs || len(all) != ft.addrs {
		t.Errorf("%d rows, %d distinct, want %d", len(all), len(addrs), ft.addrs)
	}
	if !strings.Contains(string(b), "directory_found,user_type,enabled,home,invitation,user,since,fix") ||
		!strings.Contains(string(b), ",true,Member,true,work,,user00000@contoso.com,2015-01-01,fix first.last00000@contoso.com\n") {
		t.Errorf("CSV lacks the directory columns or an overlap's fix:\n%.600s", b)
	}
}

func TestDirectoryAuditStaysWithinTheRate(t *testing.T) {
	ft := newFakeTenant(t, 400) // 440 addresses, a call each
	cfg := Config{Rate: 200, Concurrency: 8}
	start := time.Now()
	sum, err := ft.directoryRun(context.Background(), t, cfg, nil, NewDirectoryWriter(&bytes.Buffer{}, JSONL, true, ""))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	var calls int64
	for _, n := range sum.Calls {
		calls += n
	}
	// A bucket of one: call k starts no earlier than (k-1)/rate.
	if min := time.Duration(float64(calls-1) / cfg.Rate * float64(time.Second)); elapsed < min {
		t.Errorf("%d calls in %v at --rate %v: faster than %v", calls, elapsed, cfg.Rate, min)
	}
	if calls < 440 {
		t.Errorf("%d calls for 440 addresses", calls)
	}
}
