package msaccount_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

const (
	realm = msaccounttest.EndpointRealm
	oidc  = msaccounttest.EndpointOpenID
	cred  = msaccounttest.EndpointCredentialType
)

// roundTrips runs lookup while the fake holds every request, and returns
// the requests of each round trip: the calls the client had in flight
// together before any of them was answered, sorted.
func roundTrips(t *testing.T, f *msaccounttest.Server, lookup func()) [][]string {
	t.Helper()
	f.Hold()
	defer f.Unhold()
	done := make(chan struct{})
	go func() {
		defer close(done)
		lookup()
	}()
	var trips [][]string
	deadline := time.After(10 * time.Second)
	for {
		held := f.Held()
		if len(held) == 0 {
			select {
			case <-done:
				return trips
			case <-deadline:
				t.Fatalf("lookup did not finish; round trips so far %q", trips)
			case <-time.After(time.Millisecond):
			}
			continue
		}
		// The calls of one round trip leave the client together; wait
		// until no more arrive before answering them.
		for {
			time.Sleep(50 * time.Millisecond)
			more := f.Held()
			if len(more) == len(held) {
				break
			}
			held = more
		}
		slices.Sort(held)
		trips = append(trips, held)
		f.Release()
	}
}

// TestRoundTrips pins the calls of each verdict and which of them run at
// once, by domain type: one round trip when the domain's facts are known,
// two at most when they are not, and GetCredentialType only where it can
// change the verdict and only once the domain is known to check its own
// passwords.
func TestRoundTrips(t *testing.T) {
	tests := []struct {
		name  string
		input string
		warm  string // an earlier lookup at the same domain, or ""
		want  [][]string
		kind  msaccount.Kind
	}{
		{"managed cold", "wendy@contoso.com", "", [][]string{{oidc, realm}, {cred}}, msaccount.KindWork},
		{"managed warm", "wendy@contoso.com", "alex@contoso.com", [][]string{{cred, realm}}, msaccount.KindWork},
		{"unmanaged cold", "vic@viral-example.com", "", [][]string{{oidc, realm}, {cred}}, msaccount.KindWork},
		{"unmanaged warm", "vic@viral-example.com", "x@viral-example.com", [][]string{{cred, realm}}, msaccount.KindWork},
		{"federated cold", "jo@fabrikam.com", "", [][]string{{oidc, realm}}, msaccount.KindUnknown},
		{"federated warm", "jo@fabrikam.com", "x@fabrikam.com", [][]string{{realm}}, msaccount.KindUnknown},
		{"consumer cold", "sam@outlook.com", "", [][]string{{realm}}, msaccount.KindPersonal},
		{"consumer warm", "sam@outlook.com", "x@outlook.com", [][]string{{realm}}, msaccount.KindPersonal},
		{"no tenant cold", "lee@no-tenant.example.org", "", [][]string{{oidc, realm}}, msaccount.KindPersonal},
		{"no tenant warm", "lee@no-tenant.example.org", "x@no-tenant.example.org", [][]string{{realm}}, msaccount.KindPersonal},
		{"mail provider cold", "kim@gmail.com", "", [][]string{{realm}}, msaccount.KindPersonal},
		{"mail provider warm", "kim@gmail.com", "x@gmail.com", [][]string{{realm}}, msaccount.KindPersonal},
		{"US government cold", "gov@agency.gov", "", [][]string{{oidc, realm}, {cred}}, msaccount.KindWork},
		{"bare domain cold", "contoso.com", "", [][]string{{oidc, realm}}, msaccount.KindUnknown},
		{"bare domain warm", "contoso.com", "alex@contoso.com", nil, msaccount.KindUnknown},
		{"bare consumer domain", "outlook.com", "", [][]string{{realm}}, msaccount.KindPersonal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			c := newClient(f, msaccount.Config{})
			if tt.warm != "" {
				c.Check(context.Background(), tt.warm)
				f.Reset()
			}
			var v msaccount.Verdict
			got := roundTrips(t, f, func() { v = c.Check(context.Background(), tt.input) })
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Check(%q) round trips = %q, want %q", tt.input, got, tt.want)
			}
			if v.Kind != tt.kind || v.Certainty == msaccount.Unconfirmed {
				t.Errorf("Check(%q) = %s, %s; evidence %+v", tt.input, v.Kind, v.Certainty, v.Evidence)
			}
			checkCodes(t, v)
		})
	}
}

// TestConcurrentColdLookupsShareTheTenant: addresses at a domain not yet
// known, looked up at once, each ask the realm (their own personal side)
// and GetCredentialType, and share one OpenID call.
func TestConcurrentColdLookupsShareTheTenant(t *testing.T) {
	f := newFake(t)
	f.SetLatency(50 * time.Millisecond)
	c := newClient(f, msaccount.Config{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if v := c.Check(context.Background(), fmt.Sprintf("user%d@contoso.com", i)); v.Domain.TenantID != contosoTenant {
				t.Errorf("user%d: tenant %q; evidence %+v", i, v.Domain.TenantID, v.Evidence)
			}
		})
	}
	wg.Wait()
	if got := [3]int{f.Requests(realm), f.Requests(oidc), f.Requests(cred)}; got != [3]int{20, 1, 20} {
		t.Errorf("requests (realm, openid, credential type) = %v, want [20 1 20]", got)
	}
}

// TestBudgetCoversTheWholeVerdict: with every call answering after 200 ms,
// a cold managed verdict needs two round trips (400 ms). A budget of 500 ms
// is enough; a budget of 300 ms ends the verdict at 300 ms with what the
// first round trip settled (the domain, its tenant, the personal side) and
// the work side unknown because GetCredentialType ran out of time.
func TestBudgetCoversTheWholeVerdict(t *testing.T) {
	const latency = 200 * time.Millisecond
	f := newFake(t)
	f.SetLatency(latency)

	start := time.Now()
	v := newClient(f, msaccount.Config{Budget: 500 * time.Millisecond}).Check(context.Background(), "alex@contoso.com")
	if v.Kind != msaccount.KindBoth || v.Certainty != msaccount.Confirmed {
		t.Errorf("budget for two round trips: %s %s; evidence %+v", v.Kind, v.Certainty, v.Evidence)
	}
	if took := time.Since(start); took < 2*latency || took > 500*time.Millisecond {
		t.Errorf("two round trips took %v", took)
	}

	f.Reset()
	c := newClient(f, msaccount.Config{Budget: 300 * time.Millisecond})
	start = time.Now()
	v = c.Check(context.Background(), "alex@contoso.com")
	took := time.Since(start)
	if took < 300*time.Millisecond || took > 2*latency {
		t.Errorf("verdict cut by the budget came after %v, want about 300ms", took)
	}
	if v.Domain.Type != msaccount.Managed || v.Domain.TenantID != contosoTenant || v.Personal != msaccount.Yes || v.Work != msaccount.Unknown {
		t.Errorf("partial verdict = type %s tenant %q personal %s work %s; evidence %+v", v.Domain.Type, v.Domain.TenantID, v.Personal, v.Work, v.Evidence)
	}
	if v.Certainty != msaccount.Likely {
		t.Errorf("partial verdict certainty = %s, want likely", v.Certainty)
	}
	if !hasCode(v, msaccount.CodeLookupBudgetExceeded, map[string]string{"endpoint": "credential_type"}) || !hasCode(v, msaccount.CodeRealmPersonalExists, nil) {
		t.Errorf("partial verdict codes = %v", codesOf(v))
	}
	if !hasEvidence(v, "did not answer in time") {
		t.Errorf("partial verdict evidence = %+v", v.Evidence)
	}
	checkCodes(t, v)
	// The domain's facts were complete: the next address at the domain
	// needs one round trip, which fits the budget.
	f.Reset()
	if v := c.Check(context.Background(), "wendy@contoso.com"); v.Kind != msaccount.KindWork || f.Requests(oidc) != 0 {
		t.Errorf("next address: %s, %d OpenID requests; evidence %+v", v.Kind, f.Requests(oidc), v.Evidence)
	}
}

// TestWarmRealmFailureKeepsTheWorkSide: at a known domain the realm and
// GetCredentialType run at once; when only the realm fails, the verdict
// keeps what GetCredentialType said and names the realm's failure.
func TestWarmRealmFailureKeepsTheWorkSide(t *testing.T) {
	f := newFake(t)
	target, _ := url.Parse(f.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var failRealm atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failRealm.Load() && strings.HasPrefix(r.URL.Path, "/common/userrealm") {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	c := msaccount.New(msaccount.Config{LoginURL: front.URL, RatePerSecond: 10000}, nil)
	c.Check(context.Background(), "alex@contoso.com")
	failRealm.Store(true)
	v := c.Check(context.Background(), "wendy@contoso.com")
	if v.Domain.Type != msaccount.Managed || v.Personal != msaccount.Unknown || v.Work != msaccount.Yes || v.Certainty != msaccount.Likely {
		t.Errorf("verdict = type %s personal %s work %s %s; evidence %+v", v.Domain.Type, v.Personal, v.Work, v.Certainty, v.Evidence)
	}
	if !hasCode(v, msaccount.CodeLookupFailed, map[string]string{"endpoint": "realm", "reason": "http_status", "status": "503"}) || !hasCode(v, msaccount.CodeCredentialExists, nil) {
		t.Errorf("codes = %v", codesOf(v))
	}
	checkCodes(t, v)
}
