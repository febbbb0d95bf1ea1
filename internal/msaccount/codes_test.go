package msaccount_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// requiredArgs are the args every line of a code carries, as the package
// comment documents them.
var requiredArgs = map[string][]string{
	msaccount.CodeRulesConsumer:             {"domain"},
	msaccount.CodeRulesInitialDomain:        {"domain", "cloud"},
	msaccount.CodeRulesOtherProvider:        {"domain"},
	msaccount.CodeRulesUnlisted:             {"domain"},
	msaccount.CodeRealmDomainConsumer:       {"domain"},
	msaccount.CodeRealmDomainManaged:        {"domain"},
	msaccount.CodeRealmDomainUnmanaged:      {"domain"},
	msaccount.CodeRealmDomainFederated:      {"domain"},
	msaccount.CodeRealmDomainNone:           {"domain"},
	msaccount.CodeRealmDomainUnrecognised:   {"domain", "value"},
	msaccount.CodeRealmPersonalExists:       {"address"},
	msaccount.CodeRealmPersonalAbsent:       {"address"},
	msaccount.CodeRealmPersonalUnrecognised: {"value"},
	msaccount.CodeOpenIDTenant:              {"domain", "tenant_id"},
	msaccount.CodeOpenIDNoTenant:            {"domain"},
	msaccount.CodeCredentialExists:          {"address"},
	msaccount.CodeCredentialExistsBoth:      {"address"},
	msaccount.CodeCredentialPersonalOnly:    {"address"},
	msaccount.CodeCredentialAbsent:          {"address"},
	msaccount.CodeCredentialExistsRare:      {"address", "value"},
	msaccount.CodeCredentialUnreliable:      {"reason"},
	msaccount.CodeLookupFailed:              {"endpoint", "reason"},
	msaccount.CodeLookupBudgetExceeded:      {"endpoint"},
	msaccount.CodeLookupThrottledPause:      {"until"},
	msaccount.CodeDirectoryMember:           {"address", "match"},
	msaccount.CodeDirectoryGuest:            {"address", "home"},
	msaccount.CodeDirectoryDisabled:         {"address"},
	msaccount.CodeDirectoryPending:          {"address"},
	msaccount.CodeDirectoryNotFound:         {"address", "owned"},
	msaccount.CodeDirectoryFailed:           {"reason"},
}

// checkCodes fails the test unless every evidence line of v carries a known
// code, from a source that fits it, with the args the code promises and an
// English detail.
func checkCodes(t *testing.T, v msaccount.Verdict) {
	t.Helper()
	for _, e := range v.Evidence {
		if !msaccount.KnownCode(e.Code) {
			t.Errorf("%s: evidence %+v has an unknown code", v.Input, e)
			continue
		}
		if e.Detail == "" {
			t.Errorf("%s: evidence %+v has no detail", v.Input, e)
		}
		family, _, _ := strings.Cut(e.Code, ".")
		okSource := false
		switch family {
		case "rules", "realm", "openid", "credential_type", "limits", "directory":
			okSource = e.Source == family
		case "lookup":
			switch e.Code {
			case msaccount.CodeLookupOfflineMode:
				okSource = e.Source == "rules"
			case msaccount.CodeLookupThrottledPause:
				okSource = e.Source == "limits"
			case msaccount.CodeLookupCancelled:
				okSource = e.Source == "limits" || e.Source == e.Args["endpoint"]
			default:
				okSource = e.Source == e.Args["endpoint"]
			}
		}
		if !okSource {
			t.Errorf("%s: evidence %+v: source %q does not fit code %s", v.Input, e, e.Source, e.Code)
		}
		for _, k := range requiredArgs[e.Code] {
			if e.Args[k] == "" {
				t.Errorf("%s: evidence %+v lacks arg %q", v.Input, e, k)
			}
		}
		if e.Code == msaccount.CodeLookupFailed {
			switch r := e.Args["reason"]; r {
			case msaccount.ReasonTimeout, msaccount.ReasonMalformed, msaccount.ReasonUnreachable:
			case msaccount.ReasonThrottled, msaccount.ReasonHTTPStatus:
				if e.Args["status"] == "" {
					t.Errorf("%s: evidence %+v lacks the HTTP status", v.Input, e)
				}
			case msaccount.ReasonErrorCode:
				if e.Args["value"] == "" {
					t.Errorf("%s: evidence %+v lacks the error code", v.Input, e)
				}
			default:
				t.Errorf("%s: evidence %+v: unknown reason %q", v.Input, e, r)
			}
		}
	}
}

// hasCode reports whether some evidence line of v has code and at least
// the args given.
func hasCode(v msaccount.Verdict, code string, args map[string]string) bool {
	for _, e := range v.Evidence {
		if e.Code != code {
			continue
		}
		ok := true
		for k, want := range args {
			if e.Args[k] != want {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func codesOf(v msaccount.Verdict) []string {
	var out []string
	for _, e := range v.Evidence {
		out = append(out, e.Code)
	}
	return out
}

func TestCodesAreDistinctAndDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range msaccount.Codes() {
		if seen[c] {
			t.Errorf("code %s listed twice", c)
		}
		seen[c] = true
		if !msaccount.KnownCode(c) {
			t.Errorf("KnownCode(%q) = false", c)
		}
	}
	if msaccount.KnownCode("") || msaccount.KnownCode("realm") {
		t.Error("KnownCode accepts a non-code")
	}
}

func TestOfflineRulesCarryCodes(t *testing.T) {
	tests := []struct{ input, code, cloud string }{
		{"sam@outlook.com", msaccount.CodeRulesConsumer, ""},
		{"hotmail.co.uk", msaccount.CodeRulesConsumer, ""},
		{"x@contoso.onmicrosoft.com", msaccount.CodeRulesInitialDomain, "microsoftonline.com"},
		{"agency.onmicrosoft.us", msaccount.CodeRulesInitialDomain, "microsoftonline.us"},
		{"kim@gmail.com", msaccount.CodeRulesOtherProvider, ""},
		{"alex@contoso.com", msaccount.CodeRulesUnlisted, ""},
		{"outlook.com.evil.io", msaccount.CodeRulesUnlisted, ""},
	}
	for _, tt := range tests {
		v := msaccount.CheckOffline(tt.input)
		if got := codesOf(v); len(got) != 1 || got[0] != tt.code {
			t.Errorf("CheckOffline(%q) codes = %v, want [%s]", tt.input, got, tt.code)
		}
		if tt.cloud != "" && !hasCode(v, tt.code, map[string]string{"cloud": tt.cloud}) {
			t.Errorf("CheckOffline(%q) evidence = %+v, want cloud %s", tt.input, v.Evidence, tt.cloud)
		}
		checkCodes(t, v)
	}
	if v := msaccount.CheckOffline("jane@"); len(v.Evidence) != 0 {
		t.Errorf("an invalid input has evidence: %+v", v.Evidence)
	}
	t0, _ := msaccount.Parse("kim@gmail.com")
	v := msaccount.UserLimited(t0)
	if !hasCode(v, msaccount.CodeLimitsUserLimit, nil) || !hasCode(v, msaccount.CodeRulesOtherProvider, nil) {
		t.Errorf("UserLimited codes = %v", codesOf(v))
	}
	checkCodes(t, v)
}

// TestOfflineModeIsNotAFailure tells apart, by codes alone, an answer from
// the rules because the client is offline and one because Microsoft
// failed, throttled, ran out of time or the question was withdrawn.
func TestOfflineModeIsNotAFailure(t *testing.T) {
	f := newFake(t)
	offline := newClient(f, msaccount.Config{Offline: true}).Check(context.Background(), "sam@outlook.com")
	if !hasCode(offline, msaccount.CodeLookupOfflineMode, nil) || !hasCode(offline, msaccount.CodeRulesConsumer, nil) {
		t.Errorf("offline codes = %v", codesOf(offline))
	}
	checkCodes(t, offline)

	failures := map[string]msaccount.Verdict{}
	f.SetMode(msaccounttest.ModeError500)
	failures["HTTP 500"] = newClient(f, msaccount.Config{}).Check(context.Background(), "sam@outlook.com")
	f.SetMode(msaccounttest.ModeMalformed)
	failures["malformed"] = newClient(f, msaccount.Config{}).Check(context.Background(), "sam@outlook.com")
	f.SetMode(msaccounttest.ModeNormal)
	f.SetLatency(time.Second)
	failures["timeout"] = newClient(f, msaccount.Config{CallTimeout: 20 * time.Millisecond}).Check(context.Background(), "sam@outlook.com")
	failures["budget"] = newClient(f, msaccount.Config{Budget: 20 * time.Millisecond}).Check(context.Background(), "sam@outlook.com")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	failures["withdrawn"] = newClient(f, msaccount.Config{}).Check(ctx, "sam@outlook.com")
	cancel()
	f.SetLatency(0)
	f.SetMode(msaccounttest.ModeThrottled)
	throttled := newClient(f, msaccount.Config{Backoff: time.Hour})
	throttled.Check(context.Background(), "alex@contoso.com")
	failures["pause"] = throttled.Check(context.Background(), "sam@outlook.com")
	down := newClient(&msaccounttest.Server{URL: "http://127.0.0.1:1"}, msaccount.Config{})
	failures["unreachable"] = down.Check(context.Background(), "sam@outlook.com")

	want := map[string]string{
		"HTTP 500":    msaccount.CodeLookupFailed,
		"malformed":   msaccount.CodeLookupFailed,
		"timeout":     msaccount.CodeLookupFailed,
		"unreachable": msaccount.CodeLookupFailed,
		"budget":      msaccount.CodeLookupBudgetExceeded,
		"withdrawn":   msaccount.CodeLookupCancelled,
		"pause":       msaccount.CodeLookupThrottledPause,
	}
	reasons := map[string]string{"HTTP 500": "http_status", "malformed": "malformed", "timeout": "timeout", "unreachable": "unreachable"}
	for name, v := range failures {
		checkCodes(t, v)
		if hasCode(v, msaccount.CodeLookupOfflineMode, nil) {
			t.Errorf("%s: a failure carries %s: %v", name, msaccount.CodeLookupOfflineMode, codesOf(v))
		}
		if !hasCode(v, want[name], nil) {
			t.Errorf("%s: codes = %v, want %s", name, codesOf(v), want[name])
		}
		if r, ok := reasons[name]; ok && !hasCode(v, msaccount.CodeLookupFailed, map[string]string{"reason": r}) {
			t.Errorf("%s: evidence = %+v, want reason %s", name, v.Evidence, r)
		}
		// The rules still answer what they know.
		if !hasCode(v, msaccount.CodeRulesConsumer, nil) {
			t.Errorf("%s: codes = %v, want the rule too", name, codesOf(v))
		}
	}
	if until := failures["pause"].Evidence[len(failures["pause"].Evidence)-1].Args["until"]; until == "" {
		t.Errorf("pause without until: %+v", failures["pause"].Evidence)
	} else if _, err := time.Parse(time.RFC3339, until); err != nil {
		t.Errorf("until %q is not RFC 3339: %v", until, err)
	}
}

func TestEvidenceJSON(t *testing.T) {
	f := newFake(t)
	v := newClient(f, msaccount.Config{}).Check(context.Background(), "alex@contoso.com")
	b, err := json.Marshal(v.Evidence)
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	if err := json.Unmarshal(b, &lines); err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l["source"] == "" || l["detail"] == "" || l["code"] == "" {
			t.Errorf("evidence JSON %v lacks source, detail or code", l)
		}
	}
	if !strings.Contains(string(b), `"code":"credential_type.exists_both","args":{"address":"alex@contoso.com"}`) {
		t.Errorf("evidence JSON = %s", b)
	}
	// Lines without args leave the key out.
	off := msaccount.New(msaccount.Config{Offline: true}, nil).Check(context.Background(), "alex@contoso.com")
	b, _ = json.Marshal(off.Evidence[0])
	if strings.Contains(string(b), "args") {
		t.Errorf("offline-mode line JSON = %s", b)
	}
}

// TestHTTP429IsThrottling: Microsoft answering 429 is a failure with reason
// throttled, and starts the client's pause, which the next lookup reports.
func TestHTTP429IsThrottling(t *testing.T) {
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	defer busy.Close()
	c := msaccount.New(msaccount.Config{LoginURL: busy.URL, RatePerSecond: 10000, Backoff: time.Hour}, nil)
	v := c.Check(context.Background(), "alex@contoso.com")
	if !hasCode(v, msaccount.CodeLookupFailed, map[string]string{"endpoint": "realm", "reason": msaccount.ReasonThrottled, "status": "429"}) {
		t.Errorf("codes after a 429: %+v", v.Evidence)
	}
	checkCodes(t, v)
	if v = c.Check(context.Background(), "wendy@contoso.com"); !hasCode(v, msaccount.CodeLookupThrottledPause, nil) {
		t.Errorf("next lookup during the pause: %+v", v.Evidence)
	}
	checkCodes(t, v)
}
