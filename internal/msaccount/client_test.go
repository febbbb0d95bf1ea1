package msaccount_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

const (
	contosoTenant = "72f988bf-0000-0000-0000-2d7cd011db47"
	fabrikamTen   = "11111111-2222-3333-4444-555555555555"
	viralTenant   = "22222222-3333-4444-5555-666666666666"
	govTenant     = "33333333-4444-5555-6666-777777777777"
)

// newFake returns the fake with the domains and accounts of the reference's
// truth table.
func newFake(t *testing.T) *msaccounttest.Server {
	t.Helper()
	f := msaccounttest.New(t)
	f.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: contosoTenant, Brand: "Contoso Ltd", Region: "EU"})
	f.AddDomain(msaccounttest.Domain{Name: "fabrikam.com", Type: msaccounttest.TypeFederated, TenantID: fabrikamTen, Brand: "Fabrikam", Region: "NA", STSHost: "sts.fabrikam.com"})
	f.AddDomain(msaccounttest.Domain{Name: "viral-example.com", Type: msaccounttest.TypeUnmanaged, TenantID: viralTenant, Brand: "viral-example.com", Region: "NA"})
	f.AddDomain(msaccounttest.Domain{Name: "agency.gov", Type: msaccounttest.TypeManaged, TenantID: govTenant, Brand: "Agency", Cloud: "microsoftonline.us", Region: "USGov", SubScope: "DODCON"})
	f.AddDomain(msaccounttest.Domain{Name: "outlook.com", Type: msaccounttest.TypeConsumer})
	f.AddDomain(msaccounttest.Domain{Name: "hotmail.co.uk", Type: msaccounttest.TypeConsumer})
	f.AddAccount("sam@outlook.com", msaccounttest.Account{Personal: true})
	f.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	f.AddAccount("wendy@contoso.com", msaccounttest.Account{Work: true})
	f.AddAccount("pat@contoso.com", msaccounttest.Account{Personal: true})
	f.AddAccount("jo@fabrikam.com", msaccounttest.Account{Work: true})
	f.AddAccount("kim@gmail.com", msaccounttest.Account{Personal: true})
	f.AddAccount("lee@no-tenant.example.org", msaccounttest.Account{Personal: true})
	f.AddAccount("vic@viral-example.com", msaccounttest.Account{Work: true})
	f.AddAccount("gov@agency.gov", msaccounttest.Account{Work: true})
	return f
}

func newClient(f *msaccounttest.Server, cfg msaccount.Config) *msaccount.Client {
	cfg.LoginURL = f.URL
	if cfg.RatePerSecond == 0 {
		cfg.RatePerSecond = 10000
	}
	return msaccount.New(cfg, nil)
}

func TestClientTruthTable(t *testing.T) {
	tests := []struct {
		name     string
		mode     msaccounttest.Mode
		latency  time.Duration
		input    string
		personal msaccount.Answer
		work     msaccount.Answer
		kind     msaccount.Kind
		dtype    msaccount.DomainType
		cert     msaccount.Certainty
		tenant   string
		cloud    string
		evidence string // a substring of some evidence detail
		code     string // the code of some evidence line
		args     map[string]string
	}{
		{name: "consumer with personal account", input: "Sam@Outlook.com", personal: "yes", work: "no", kind: "personal", dtype: "consumer", cert: "confirmed", evidence: "consumer domains", code: msaccount.CodeRealmDomainConsumer, args: map[string]string{"domain": "outlook.com"}},
		{name: "consumer without personal account", input: "nobody@hotmail.co.uk", personal: "no", work: "no", kind: "none", dtype: "consumer", cert: "confirmed", evidence: "no personal Microsoft account", code: msaccount.CodeRealmPersonalAbsent, args: map[string]string{"address": "nobody@hotmail.co.uk"}},
		{name: "managed work only", input: "wendy@contoso.com", personal: "no", work: "yes", kind: "work", dtype: "managed", cert: "confirmed", tenant: contosoTenant, evidence: "as a work or school account", code: msaccount.CodeCredentialExists, args: map[string]string{"address": "wendy@contoso.com"}},
		{name: "managed personal only", input: "pat@contoso.com", personal: "yes", work: "no", kind: "personal", dtype: "managed", cert: "likely", tenant: contosoTenant, evidence: "only as a personal account", code: msaccount.CodeCredentialPersonalOnly},
		{name: "managed both", input: "alex@contoso.com", personal: "yes", work: "yes", kind: "both", dtype: "managed", cert: "confirmed", tenant: contosoTenant, evidence: "both", code: msaccount.CodeCredentialExistsBoth},
		{name: "managed neither is never certain", input: "ghost@contoso.com", personal: "no", work: "no", kind: "none", dtype: "managed", cert: "likely", tenant: contosoTenant, evidence: "not certain", code: msaccount.CodeCredentialAbsent},
		{name: "federated hides the work account", input: "jo@fabrikam.com", personal: "no", work: "unknown", kind: "unknown", dtype: "federated", cert: "likely", tenant: fabrikamTen, evidence: "sts.fabrikam.com", code: msaccount.CodeRealmDomainFederated, args: map[string]string{"domain": "fabrikam.com", "brand": "Fabrikam", "sts": "sts.fabrikam.com"}},
		{name: "federated nobody is not reported as existing", input: "nobody@fabrikam.com", personal: "no", work: "unknown", kind: "unknown", dtype: "federated", cert: "likely", evidence: "cannot be checked", code: msaccount.CodeCredentialUnreliable, args: map[string]string{"reason": "federated"}},
		{name: "unmanaged tenant", input: "vic@viral-example.com", personal: "no", work: "yes", kind: "work", dtype: "unmanaged", cert: "confirmed", tenant: viralTenant, evidence: "unmanaged", code: msaccount.CodeRealmDomainUnmanaged},
		{name: "ownerless with personal account", input: "lee@no-tenant.example.org", personal: "yes", work: "no", kind: "personal", dtype: "none", cert: "confirmed", evidence: "no Microsoft Entra tenant owns", code: msaccount.CodeRealmDomainNone, args: map[string]string{"domain": "no-tenant.example.org"}},
		{name: "ownerless without personal account", input: "x@no-tenant.example.org", personal: "no", work: "no", kind: "none", dtype: "none", cert: "confirmed", evidence: "no work or school accounts", code: msaccount.CodeRealmPersonalAbsent},
		{name: "gmail with personal account", input: "kim@gmail.com", personal: "yes", work: "no", kind: "personal", dtype: "none", cert: "confirmed", code: msaccount.CodeRealmPersonalExists, args: map[string]string{"address": "kim@gmail.com"}},
		{name: "US government tenant", input: "gov@agency.gov", personal: "no", work: "yes", kind: "work", dtype: "managed", cert: "confirmed", tenant: govTenant, cloud: "microsoftonline.us", evidence: "microsoftonline.us", code: msaccount.CodeOpenIDTenant, args: map[string]string{"domain": "agency.gov", "tenant_id": govTenant, "region": "USGov", "cloud": "microsoftonline.us", "sub_scope": "DODCON"}},
		{name: "bare managed domain", input: "contoso.com", personal: "unknown", work: "yes", kind: "unknown", dtype: "managed", cert: "confirmed", tenant: contosoTenant, code: msaccount.CodeRealmDomainManaged, args: map[string]string{"domain": "contoso.com", "brand": "Contoso Ltd"}},
		{name: "bare consumer domain", input: "@outlook.com", personal: "yes", work: "no", kind: "personal", dtype: "consumer", cert: "confirmed", code: msaccount.CodeRealmDomainConsumer},
		{name: "throttled realm stays unknown", mode: msaccounttest.ModeThrottled, input: "alex@contoso.com", personal: "unknown", work: "unknown", kind: "unknown", dtype: "managed", cert: "unconfirmed", evidence: "throttl", code: msaccount.CodeRealmPersonalThrottled},
		{name: "throttled consumer keeps the rule", mode: msaccounttest.ModeThrottled, input: "sam@outlook.com", personal: "unknown", work: "no", kind: "unknown", dtype: "consumer", cert: "likely", evidence: "throttled", code: msaccount.CodeRealmPersonalThrottled},
		{name: "server error falls back to rules", mode: msaccounttest.ModeError500, input: "sam@outlook.com", personal: "unknown", work: "no", kind: "unknown", dtype: "consumer", cert: "likely", evidence: "HTTP 500", code: msaccount.CodeLookupFailed, args: map[string]string{"endpoint": "realm", "reason": "http_status", "status": "500"}},
		{name: "server error unknown domain", mode: msaccounttest.ModeError500, input: "alex@contoso.com", personal: "unknown", work: "unknown", kind: "unknown", dtype: "unknown", cert: "unconfirmed", evidence: "couldn't confirm", code: msaccount.CodeRulesUnlisted},
		{name: "malformed JSON", mode: msaccounttest.ModeMalformed, input: "alex@contoso.com", personal: "unknown", work: "unknown", kind: "unknown", dtype: "unknown", cert: "unconfirmed", evidence: "could not be read", code: msaccount.CodeLookupFailed, args: map[string]string{"endpoint": "realm", "reason": "malformed"}},
		{name: "slow past the budget", latency: 2 * time.Second, input: "alex@contoso.com", personal: "unknown", work: "unknown", kind: "unknown", dtype: "unknown", cert: "unconfirmed", evidence: "did not answer in time", code: msaccount.CodeLookupFailed, args: map[string]string{"endpoint": "realm", "reason": "timeout"}},
		{name: "invalid input", input: "jane@", personal: "unknown", work: "unknown", kind: "unknown", dtype: "unknown", cert: "unconfirmed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.SetMode(tt.mode)
			f.SetLatency(tt.latency)
			c := newClient(f, msaccount.Config{Budget: 300 * time.Millisecond, CallTimeout: 250 * time.Millisecond})
			v := c.Check(context.Background(), tt.input)
			got := fmt.Sprintf("%s/%s/%s/%s/%s", v.Personal, v.Work, v.Kind, v.Domain.Type, v.Certainty)
			want := fmt.Sprintf("%s/%s/%s/%s/%s", tt.personal, tt.work, tt.kind, tt.dtype, tt.cert)
			if got != want {
				t.Errorf("Check(%q) = %s, want %s\nevidence: %+v", tt.input, got, want, v.Evidence)
			}
			if tt.tenant != "" && v.Domain.TenantID != tt.tenant {
				t.Errorf("Check(%q).Domain.TenantID = %q, want %q", tt.input, v.Domain.TenantID, tt.tenant)
			}
			if tt.cloud != "" && v.Domain.Cloud != tt.cloud {
				t.Errorf("Check(%q).Domain.Cloud = %q, want %q", tt.input, v.Domain.Cloud, tt.cloud)
			}
			if tt.evidence != "" && !hasEvidence(v, tt.evidence) {
				t.Errorf("Check(%q) evidence lacks %q: %+v", tt.input, tt.evidence, v.Evidence)
			}
			if tt.code != "" && !hasCode(v, tt.code, tt.args) {
				t.Errorf("Check(%q) evidence lacks code %s with args %v: %+v", tt.input, tt.code, tt.args, v.Evidence)
			}
			checkCodes(t, v)
			if tt.input == "jane@" && v.Error == "" {
				t.Errorf("Check(%q).Error is empty", tt.input)
			}
			if v.Input != tt.input {
				t.Errorf("Check(%q).Input = %q", tt.input, v.Input)
			}
		})
	}
}

func hasEvidence(v msaccount.Verdict, s string) bool {
	for _, e := range v.Evidence {
		if strings.Contains(e.Detail, s) {
			return true
		}
	}
	return false
}

func TestVerdictJSONShape(t *testing.T) {
	f := newFake(t)
	c := newClient(f, msaccount.Config{})
	v := c.Check(context.Background(), "Alex@Contoso.com")
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"input", "address", "domain", "personal", "work", "kind", "certainty", "evidence", "error"} {
		if _, ok := m[k]; !ok {
			t.Errorf("verdict JSON lacks %q: %s", k, b)
		}
	}
	d := m["domain"].(map[string]any)
	for _, k := range []string{"name", "type", "tenant_id", "brand", "cloud", "region"} {
		if _, ok := d[k]; !ok {
			t.Errorf("verdict JSON domain lacks %q: %s", k, b)
		}
	}
	if m["input"] != "Alex@Contoso.com" || m["address"] != "alex@contoso.com" || d["brand"] != "Contoso Ltd" || d["region"] != "EU" || d["cloud"] != "microsoftonline.com" {
		t.Errorf("verdict JSON = %s", b)
	}
}

func TestRequestsSentAreWellFormed(t *testing.T) {
	f := newFake(t)
	c := newClient(f, msaccount.Config{})
	c.Check(context.Background(), "alex@contoso.com")
	realm := f.LastRequests(msaccounttest.EndpointRealm)
	if len(realm) != 1 {
		t.Fatalf("realm requests = %d, want 1", len(realm))
	}
	q := realm[0].Query
	if q.Get("user") != "alex@contoso.com" || q.Get("api-version") != "2.1" || q.Get("checkForMicrosoftAccount") != "true" {
		t.Errorf("realm query = %v", q)
	}
	cred := f.LastRequests(msaccounttest.EndpointCredentialType)
	if len(cred) != 1 || cred[0].Method != "POST" {
		t.Fatalf("credential type requests = %+v", cred)
	}
	var body map[string]any
	if err := json.Unmarshal(cred[0].Body, &body); err != nil || body["username"] != "alex@contoso.com" || body["isOtherIdpSupported"] != true {
		t.Errorf("credential type body = %s (%v)", cred[0].Body, err)
	}
	if n := f.Requests(msaccounttest.EndpointOpenID); n != 1 {
		t.Errorf("openid requests = %d, want 1", n)
	}
}

func TestCoalescingAndCache(t *testing.T) {
	f := newFake(t)
	f.SetLatency(50 * time.Millisecond)
	c := newClient(f, msaccount.Config{MaxConcurrent: 4})
	const n = 1000
	var wg sync.WaitGroup
	kinds := make([]msaccount.Kind, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kinds[i] = c.Check(context.Background(), "alex@contoso.com").Kind
		}()
	}
	wg.Wait()
	for i, k := range kinds {
		if k != msaccount.KindBoth {
			t.Fatalf("lookup %d kind = %s, want both", i, k)
		}
	}
	if got := f.Requests(msaccounttest.EndpointRealm); got != 1 {
		t.Errorf("realm requests for %d concurrent lookups = %d, want 1", n, got)
	}
	if got := f.Requests(msaccounttest.EndpointCredentialType); got != 1 {
		t.Errorf("credential type requests = %d, want 1", got)
	}
	f.Reset()
	for range 10 {
		c.Check(context.Background(), "ALEX@contoso.com")
	}
	if got := f.Requests(msaccounttest.EndpointRealm) + f.Requests(msaccounttest.EndpointCredentialType) + f.Requests(msaccounttest.EndpointOpenID); got != 0 {
		t.Errorf("requests for repeats within the TTL = %d, want 0", got)
	}
	// A second address at the same domain reuses the domain facts.
	c.Check(context.Background(), "wendy@contoso.com")
	if got := f.Requests(msaccounttest.EndpointOpenID); got != 0 {
		t.Errorf("openid requests for a second address at a known domain = %d, want 0", got)
	}
}

func TestThrottlingBacksOff(t *testing.T) {
	f := newFake(t)
	f.SetMode(msaccounttest.ModeThrottled)
	c := newClient(f, msaccount.Config{Backoff: time.Hour})
	c.Check(context.Background(), "alex@contoso.com")
	before := f.Requests(msaccounttest.EndpointRealm)
	v := c.Check(context.Background(), "wendy@contoso.com")
	if after := f.Requests(msaccounttest.EndpointRealm); after != before {
		t.Errorf("realm requests during back-off = %d, want %d", after, before)
	}
	if v.Kind != msaccount.KindUnknown || !hasEvidence(v, "fewer lookups") {
		t.Errorf("verdict during back-off = %s %+v", v.Kind, v.Evidence)
	}
	if st := c.Stats(); st.Throttled == 0 {
		t.Errorf("Stats().Throttled = 0")
	}
}

func TestErrorsAreNotCachedLong(t *testing.T) {
	f := newFake(t)
	f.SetMode(msaccounttest.ModeError500)
	c := newClient(f, msaccount.Config{ErrorTTL: time.Nanosecond})
	if v := c.Check(context.Background(), "alex@contoso.com"); v.Kind != msaccount.KindUnknown {
		t.Fatalf("kind while failing = %s", v.Kind)
	}
	f.SetMode(msaccounttest.ModeNormal)
	time.Sleep(time.Millisecond)
	if v := c.Check(context.Background(), "alex@contoso.com"); v.Kind != msaccount.KindBoth {
		t.Errorf("kind after recovery = %s, want both: %+v", v.Kind, v.Evidence)
	}
}

func TestOfflineNeverCallsOut(t *testing.T) {
	f := newFake(t)
	c := newClient(f, msaccount.Config{Offline: true})
	v := c.Check(context.Background(), "sam@outlook.com")
	if v.Work != msaccount.No || v.Domain.Type != msaccount.Consumer {
		t.Errorf("offline verdict = %+v", v)
	}
	if n := f.Requests(msaccounttest.EndpointRealm); n != 0 {
		t.Errorf("offline lookups sent %d requests", n)
	}
}

func TestCallerCancellation(t *testing.T) {
	f := newFake(t)
	f.SetLatency(time.Second)
	c := newClient(f, msaccount.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	v := c.Check(ctx, "alex@contoso.com")
	if v.Kind != msaccount.KindUnknown || !hasEvidence(v, "withdrawn") {
		t.Errorf("cancelled lookup = %s %+v", v.Kind, v.Evidence)
	}
}

func TestWaitOnBackoff(t *testing.T) {
	f := newFake(t)
	f.SetMode(msaccounttest.ModeThrottled)
	c := newClient(f, msaccount.Config{Backoff: 50 * time.Millisecond, WaitOnBackoff: true, Budget: 5 * time.Second})
	c.Check(context.Background(), "alex@contoso.com") // throttled: starts a pause
	f.SetMode(msaccounttest.ModeNormal)
	start := time.Now()
	v := c.Check(context.Background(), "wendy@contoso.com")
	if v.Kind != msaccount.KindWork {
		t.Errorf("after waiting out the pause: kind %s, evidence %+v", v.Kind, v.Evidence)
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Errorf("lookup did not wait for the pause (%v)", waited)
	}
}

// TestWaitNotice: a lookup that must ask Microsoft says so before it
// waits; one answered from the cache or the offline rules does not.
func TestWaitNotice(t *testing.T) {
	ms := msaccounttest.New(t)
	c := msaccount.New(msaccount.Config{LoginURL: ms.URL, RatePerSecond: 1000}, nil)
	notices := 0
	ctx := msaccount.WithWaitNotice(context.Background(), func() { notices++ })
	tgt, _ := msaccount.Parse("alex@contoso.com")
	c.Lookup(ctx, tgt)
	if notices != 1 {
		t.Fatalf("a lookup that asked Microsoft gave %d notices, want 1", notices)
	}
	c.Lookup(ctx, tgt)
	if notices != 1 {
		t.Errorf("a cached answer gave a notice")
	}
	msaccount.New(msaccount.Config{Offline: true}, nil).Lookup(ctx, tgt)
	if notices != 1 {
		t.Errorf("an offline answer gave a notice")
	}
}
