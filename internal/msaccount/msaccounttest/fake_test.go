package msaccounttest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	contosoTID  = "c0c0c0c0-0000-4000-8000-000000000001"
	fabrikamTID = "fabfab00-0000-4000-8000-000000000002"
	viralTID    = "71a10000-0000-4000-8000-000000000003"
	govTID      = "90090000-0000-4000-8000-000000000004"
)

// world returns a fake loaded with one domain of every type and a few accounts.
func world(t *testing.T) *Server {
	t.Helper()
	s := New(t)
	s.AddDomain(Domain{Name: "contoso.com", Type: TypeManaged, TenantID: contosoTID, Brand: "Contoso Ltd", Region: "EU"})
	s.AddDomain(Domain{Name: "Fabrikam.com", Type: TypeFederated, TenantID: fabrikamTID, Brand: "Fabrikam", STSHost: "sts.fabrikam.com"})
	s.AddDomain(Domain{Name: "outlook.com", Type: TypeConsumer})
	s.AddDomain(Domain{Name: "viral.example", Type: TypeUnmanaged, TenantID: viralTID, Brand: "viral.example"})
	s.AddDomain(Domain{Name: "gov.example", Type: TypeManaged, TenantID: govTID, Brand: "Gov Agency", Cloud: "microsoftonline.us", Region: "USGov", SubScope: "DODCON"})
	s.AddDomain(Domain{Name: "no-tenant.example", Type: TypeNone})
	s.AddAccount("alex@contoso.com", Account{Personal: true, Work: true})
	s.AddAccount("wendy@contoso.com", Account{Work: true})
	s.AddAccount("pat@contoso.com", Account{Personal: true})
	s.AddAccount("vic@viral.example", Account{Work: true})
	s.AddAccount("jo@fabrikam.com", Account{Work: true})
	s.AddAccount("sam@outlook.com", Account{Personal: true})
	s.AddAccount("kim@gmail.com", Account{Personal: true})
	s.AddAccount("pia@no-tenant.example", Account{Personal: true})
	return s
}

var client = &http.Client{Timeout: 10 * time.Second}

// result is one answer from the fake, decoded where it is JSON.
type result struct {
	status int
	header http.Header
	raw    string
	obj    map[string]any
	keys   []string // top-level keys in the order sent
}

func do(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	res := result{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && json.Valid(b) {
		if err := json.Unmarshal(b, &res.obj); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", req.Method, req.URL, b, err)
		}
		res.keys = orderedKeys(t, b)
	}
	return res
}

func get(t *testing.T, s *Server, path string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func postCred(t *testing.T, s *Server, query, body string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/common/GetCredentialType"+query, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

// orderedKeys lists the keys of the JSON object raw in the order they appear.
func orderedKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not an object: %s", raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// nestedKeys lists the keys of the object under key in raw, in order.
func nestedKeys(t *testing.T, raw string, key string) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	return orderedKeys(t, m[key])
}

// checkFields compares want against the decoded answer; numbers are given as ints.
func checkFields(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: key %q missing", what, k)
			continue
		}
		if n, isInt := w.(int); isInt {
			w = float64(n)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s = %#v, want %#v", what, k, g, w)
		}
	}
}

func TestRealm(t *testing.T) {
	s := world(t)
	const msa = "&api-version=2.1&checkForMicrosoftAccount=true"
	managedKeys := []string{"NameSpaceType", "Login", "DomainName", "FederationBrandName", "TenantBrandingInfo", "cloud_instance_name", "is_dsso_enabled", "IsMicrosoftAccountSet", "MicrosoftAccount"}
	federatedKeys := []string{"NameSpaceType", "federation_protocol", "Login", "AuthURL", "DomainName", "FederationBrandName", "TenantBrandingInfo", "cloud_instance_name", "IsMicrosoftAccountSet", "MicrosoftAccount"}
	unknownKeys := []string{"NameSpaceType", "Login", "cloud_instance_name", "IsMicrosoftAccountSet", "MicrosoftAccount"}
	tests := []struct {
		name     string
		path     string
		wantKeys []string
		want     map[string]any
	}{
		{
			name:     "managed overlap, query form",
			path:     "/common/userrealm?user=alex%40contoso.com" + msa,
			wantKeys: managedKeys,
			want: map[string]any{"NameSpaceType": "Managed", "Login": "alex@contoso.com", "DomainName": "contoso.com",
				"FederationBrandName": "Contoso Ltd", "cloud_instance_name": "microsoftonline.com", "is_dsso_enabled": false,
				"IsMicrosoftAccountSet": true, "MicrosoftAccount": 0},
		},
		{
			name:     "managed work only, path form",
			path:     "/common/userrealm/wendy@contoso.com?api-version=2.1&checkForMicrosoftAccount=true",
			wantKeys: managedKeys,
			want:     map[string]any{"NameSpaceType": "Managed", "Login": "wendy@contoso.com", "MicrosoftAccount": 1},
		},
		{
			name:     "path form, escaped, mixed case echoed",
			path:     "/common/userrealm/Alex%40Contoso.COM?api-version=2.1&checkForMicrosoftAccount=true",
			wantKeys: managedKeys,
			want:     map[string]any{"Login": "Alex@Contoso.COM", "DomainName": "contoso.com", "MicrosoftAccount": 0},
		},
		{
			name:     "api-version 2.0",
			path:     "/common/userrealm?user=pat%40contoso.com&api-version=2.0&checkForMicrosoftAccount=true",
			wantKeys: managedKeys,
			want:     map[string]any{"MicrosoftAccount": 0},
		},
		{
			name:     "without MSA check",
			path:     "/common/userrealm?user=alex%40contoso.com&api-version=2.1",
			wantKeys: managedKeys[:7],
			want:     map[string]any{"NameSpaceType": "Managed"},
		},
		{
			name:     "unmanaged (viral) tenant",
			path:     "/common/userrealm?user=vic%40viral.example" + msa,
			wantKeys: append(append(append([]string(nil), managedKeys[:7]...), "IsViral"), managedKeys[7:]...),
			want:     map[string]any{"NameSpaceType": "Managed", "IsViral": true, "DomainName": "viral.example", "MicrosoftAccount": 1},
		},
		{
			name:     "US government tenant",
			path:     "/common/userrealm?user=gus%40gov.example" + msa,
			wantKeys: managedKeys,
			want:     map[string]any{"NameSpaceType": "Managed", "cloud_instance_name": "microsoftonline.us"},
		},
		{
			name:     "federated",
			path:     "/common/userrealm/jo@fabrikam.com?api-version=2.1&checkForMicrosoftAccount=true",
			wantKeys: federatedKeys,
			want: map[string]any{"NameSpaceType": "Federated", "federation_protocol": "WSTrust", "Login": "jo@fabrikam.com",
				"AuthURL":    "https://sts.fabrikam.com/adfs/ls/?username=jo%40fabrikam.com&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx=",
				"DomainName": "fabrikam.com", "FederationBrandName": "Fabrikam", "TenantBrandingInfo": nil,
				"cloud_instance_name": "microsoftonline.com", "IsMicrosoftAccountSet": true, "MicrosoftAccount": 1},
		},
		{
			name:     "consumer domain",
			path:     "/common/userrealm?user=sam%40outlook.com" + msa,
			wantKeys: append(append(append([]string(nil), federatedKeys[:8]...), "ConsumerDomain"), federatedKeys[8:]...),
			want: map[string]any{"NameSpaceType": "Federated", "federation_protocol": "WSTrust", "Login": "sam@outlook.com",
				"AuthURL":    "https://login.live.com/login.srf?username=sam%40outlook.com&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx=",
				"DomainName": "live.com", "FederationBrandName": "MSA Realms", "TenantBrandingInfo": nil,
				"cloud_instance_name": "microsoftonline.com", "ConsumerDomain": true, "MicrosoftAccount": 0},
		},
		{
			name:     "consumer domain, no personal account",
			path:     "/common/userrealm?user=nobody%40outlook.com" + msa,
			wantKeys: append(append(append([]string(nil), federatedKeys[:8]...), "ConsumerDomain"), federatedKeys[8:]...),
			want:     map[string]any{"ConsumerDomain": true, "MicrosoftAccount": 1},
		},
		{
			name:     "domain never added, MSA exists",
			path:     "/common/userrealm?user=kim%40gmail.com" + msa,
			wantKeys: unknownKeys,
			want: map[string]any{"NameSpaceType": "Unknown", "Login": "kim@gmail.com", "cloud_instance_name": "microsoftonline.com",
				"IsMicrosoftAccountSet": true, "MicrosoftAccount": 0},
		},
		{
			name:     "ownerless domain",
			path:     "/common/userrealm?user=x%40no-tenant.example" + msa,
			wantKeys: unknownKeys,
			want:     map[string]any{"NameSpaceType": "Unknown", "MicrosoftAccount": 1},
		},
		{
			name:     "no @",
			path:     "/common/userrealm?user=alex" + msa,
			wantKeys: unknownKeys,
			want:     map[string]any{"NameSpaceType": "Unknown", "Login": "alex", "MicrosoftAccount": 1},
		},
		{
			name:     "user missing",
			path:     "/common/userrealm?api-version=2.1&checkForMicrosoftAccount=true",
			wantKeys: unknownKeys,
			want:     map[string]any{"NameSpaceType": "Unknown", "Login": "", "MicrosoftAccount": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := get(t, s, tt.path)
			if got.status != http.StatusOK {
				t.Fatalf("GET %s: status %d, want 200; body %s", tt.path, got.status, got.raw)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q, want application/json; charset=utf-8", ct)
			}
			if !reflect.DeepEqual(got.keys, tt.wantKeys) {
				t.Errorf("keys = %q, want %q", got.keys, tt.wantKeys)
			}
			checkFields(t, tt.path, got.obj, tt.want)
		})
	}

	t.Run("branding entry", func(t *testing.T) {
		got := get(t, s, "/common/userrealm?user=alex%40contoso.com"+msa)
		var m struct{ TenantBrandingInfo []json.RawMessage }
		if err := json.Unmarshal([]byte(got.raw), &m); err != nil || len(m.TenantBrandingInfo) != 1 {
			t.Fatalf("TenantBrandingInfo: %v, %d entries in %s; want one", err, len(m.TenantBrandingInfo), got.raw)
		}
		wantKeys := []string{"Locale", "BannerLogo", "BackgroundColor", "UserIdLabel", "KeepMeSignedInDisabled"}
		if keys := orderedKeys(t, m.TenantBrandingInfo[0]); !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("branding keys = %q, want %q", keys, wantKeys)
		}
		var entry map[string]any
		_ = json.Unmarshal(m.TenantBrandingInfo[0], &entry)
		checkFields(t, "branding", entry, map[string]any{"Locale": 0, "BackgroundColor": "#FFFFFF", "UserIdLabel": "someone@contoso.com", "KeepMeSignedInDisabled": false})
		if u, _ := entry["BannerLogo"].(string); !strings.HasPrefix(u, "https://aadcdn.msftauthimages.net/") {
			t.Errorf("BannerLogo = %q, want an aadcdn.msftauthimages.net URL", u)
		}
	})

	t.Run("AuthURL is not HTML-escaped", func(t *testing.T) {
		got := get(t, s, "/common/userrealm?user=jo%40fabrikam.com"+msa)
		if !strings.Contains(got.raw, "&wa=wsignin1.0") {
			t.Errorf("raw body %s: want a literal & in AuthURL", got.raw)
		}
	})

	for _, path := range []string{
		"/common/userrealm?user=alex%40contoso.com",
		"/common/userrealm?user=alex%40contoso.com&api-version=1.0",
		"/common/userrealm/alex@contoso.com",
	} {
		t.Run("unsupported api-version "+path, func(t *testing.T) {
			if got := get(t, s, path); got.status != http.StatusBadRequest {
				t.Errorf("GET %s: status %d, want 400", path, got.status)
			}
		})
	}
}

func TestRealmThrottled(t *testing.T) {
	s := world(t)
	s.SetMode(ModeThrottled)
	for _, user := range []string{"alex@contoso.com", "kim@gmail.com", "sam@outlook.com", "jo@fabrikam.com"} {
		got := get(t, s, "/common/userrealm?user="+url.QueryEscape(user)+"&api-version=2.1&checkForMicrosoftAccount=true")
		if got.status != http.StatusOK {
			t.Fatalf("%s: status %d, want 200", user, got.status)
		}
		checkFields(t, user, got.obj, map[string]any{"IsMicrosoftAccountSet": true, "MicrosoftAccount": 2})
	}
	got := get(t, s, "/common/userrealm?user=sam%40outlook.com&api-version=2.1&checkForMicrosoftAccount=true")
	checkFields(t, "throttled consumer", got.obj, map[string]any{"ConsumerDomain": true, "DomainName": "live.com"})
}

func TestOpenID(t *testing.T) {
	s := world(t)
	const wk = "/v2.0/.well-known/openid-configuration"
	tests := []struct {
		name   string
		tenant string
		want   map[string]any
		absent []string
	}{
		{
			name:   "managed by domain",
			tenant: "contoso.com",
			want: map[string]any{
				"token_endpoint":         "https://login.microsoftonline.com/" + contosoTID + "/oauth2/v2.0/token",
				"jwks_uri":               "https://login.microsoftonline.com/" + contosoTID + "/discovery/v2.0/keys",
				"issuer":                 "https://login.microsoftonline.com/" + contosoTID + "/v2.0",
				"authorization_endpoint": "https://login.microsoftonline.com/" + contosoTID + "/oauth2/v2.0/authorize",
				"userinfo_endpoint":      "https://graph.microsoft.com/oidc/userinfo",
				"tenant_region_scope":    "EU", "cloud_instance_name": "microsoftonline.com",
				"cloud_graph_host_name": "graph.windows.net", "msgraph_host": "graph.microsoft.com", "rbac_url": "https://pas.windows.net",
			},
			absent: []string{"tenant_region_sub_scope"},
		},
		{
			name:   "managed by tenant ID, upper case",
			tenant: strings.ToUpper(contosoTID),
			want:   map[string]any{"issuer": "https://login.microsoftonline.com/" + contosoTID + "/v2.0"},
		},
		{
			name:   "domain in upper case",
			tenant: "CONTOSO.COM",
			want:   map[string]any{"issuer": "https://login.microsoftonline.com/" + contosoTID + "/v2.0"},
		},
		{
			name:   "federated",
			tenant: "fabrikam.com",
			want:   map[string]any{"issuer": "https://login.microsoftonline.com/" + fabrikamTID + "/v2.0", "tenant_region_scope": "NA"},
		},
		{
			name:   "unmanaged",
			tenant: "viral.example",
			want:   map[string]any{"issuer": "https://login.microsoftonline.com/" + viralTID + "/v2.0"},
		},
		{
			name:   "US government",
			tenant: "gov.example",
			want: map[string]any{
				"issuer":                  "https://login.microsoftonline.us/" + govTID + "/v2.0",
				"token_endpoint":          "https://login.microsoftonline.us/" + govTID + "/oauth2/v2.0/token",
				"tenant_region_scope":     "USGov",
				"tenant_region_sub_scope": "DODCON",
				"cloud_instance_name":     "microsoftonline.us",
				"msgraph_host":            "graph.microsoft.us",
			},
		},
		{
			name:   "common",
			tenant: "common",
			want: map[string]any{
				"issuer":              "https://login.microsoftonline.com/{tenantid}/v2.0",
				"token_endpoint":      "https://login.microsoftonline.com/common/oauth2/v2.0/token",
				"tenant_region_scope": nil,
			},
		},
		{
			name:   "consumers",
			tenant: "consumers",
			want: map[string]any{
				"issuer":              "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
				"tenant_region_scope": nil,
			},
		},
	}
	standard := []string{"token_endpoint", "jwks_uri", "issuer", "authorization_endpoint", "userinfo_endpoint",
		"tenant_region_scope", "cloud_instance_name", "cloud_graph_host_name", "msgraph_host", "rbac_url",
		"response_types_supported", "response_modes_supported", "scopes_supported", "subject_types_supported",
		"id_token_signing_alg_values_supported", "device_authorization_endpoint", "end_session_endpoint",
		"kerberos_endpoint", "claims_supported"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := get(t, s, "/"+tt.tenant+wk)
			if got.status != http.StatusOK {
				t.Fatalf("status %d, want 200; body %s", got.status, got.raw)
			}
			if cc := got.header.Get("Cache-Control"); cc != "max-age=86400" {
				t.Errorf("Cache-Control = %q, want max-age=86400", cc)
			}
			for _, k := range standard {
				if _, ok := got.obj[k]; !ok {
					t.Errorf("key %q missing", k)
				}
			}
			checkFields(t, tt.tenant, got.obj, tt.want)
			for _, k := range tt.absent {
				if _, ok := got.obj[k]; ok {
					t.Errorf("key %q present, want it absent", k)
				}
			}
			// Resolve-MsIdTenant reads the tenant from issuer.split("/")[3].
			if iss, _ := got.obj["issuer"].(string); tt.tenant != "common" && !isGUID(strings.Split(iss, "/")[3]) {
				t.Errorf("issuer %q: segment 3 is not a tenant ID", iss)
			}
		})
	}

	errKeys := []string{"error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}
	for _, tt := range []struct {
		tenant string
		code   int
	}{
		{"outlook.com", 90002},
		{"no-tenant.example", 90002},
		{"never-added.example", 90002},
		{"00000000-1111-4222-8333-444444444444", 90002},
		{"contoso", 900023},
		{"not_a_domain.com", 900023},
		{"-bad-.example", 900023},
	} {
		t.Run("invalid tenant "+tt.tenant, func(t *testing.T) {
			got := get(t, s, "/"+tt.tenant+wk)
			if got.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", got.status, got.raw)
			}
			if !reflect.DeepEqual(got.keys, errKeys) {
				t.Errorf("keys = %q, want %q", got.keys, errKeys)
			}
			checkFields(t, tt.tenant, got.obj, map[string]any{
				"error":       "invalid_tenant",
				"error_codes": []any{float64(tt.code)},
				"error_uri":   fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", tt.code),
			})
			desc, _ := got.obj["error_description"].(string)
			if !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d: ", tt.code)) || !strings.Contains(desc, "'"+tt.tenant+"'") ||
				!strings.Contains(desc, "\r\nTrace ID: ") {
				t.Errorf("error_description = %q, want AADSTS%d naming %q", desc, tt.code, tt.tenant)
			}
		})
	}
}

func TestCredentialType(t *testing.T) {
	s := world(t)
	classic := []string{"PrefCredential", "HasPassword", "RemoteNgcParams", "FidoParams", "SasParams"}
	managedKeys := []string{"Username", "Display", "IfExistsResult", "IsUnmanaged", "ThrottleStatus", "Credentials", "EstsProperties", "IsSignupDisallowed", "apiCanary"}
	federatedKeys := []string{"Username", "Display", "IfExistsResult", "ThrottleStatus", "Credentials", "EstsProperties", "IsSignupDisallowed", "apiCanary"}
	tests := []struct {
		name      string
		body      string
		wantKeys  []string
		credKeys  []string
		estsKeys  []string
		want      map[string]any
		wantCreds map[string]any
		wantEsts  map[string]any
	}{
		{
			name:     "managed, both (overlap)",
			body:     `{"username":"alex@contoso.com","isOtherIdpSupported":true}`,
			wantKeys: managedKeys, credKeys: classic, estsKeys: []string{"UserTenantBranding", "DomainType"},
			want: map[string]any{"Username": "alex@contoso.com", "Display": "alex@contoso.com", "IfExistsResult": 6,
				"IsUnmanaged": false, "ThrottleStatus": 0, "IsSignupDisallowed": true},
			wantCreds: map[string]any{"PrefCredential": 1, "HasPassword": true, "RemoteNgcParams": nil, "FidoParams": nil, "SasParams": nil},
			wantEsts:  map[string]any{"UserTenantBranding": nil, "DomainType": 3},
		},
		{
			name:     "managed, work only, Username spelling",
			body:     `{"Username":"wendy@contoso.com"}`,
			wantKeys: managedKeys, credKeys: classic,
			want:      map[string]any{"Username": "wendy@contoso.com", "IfExistsResult": 0, "ThrottleStatus": 0},
			wantCreds: map[string]any{"PrefCredential": 1},
			wantEsts:  map[string]any{"DomainType": 3},
		},
		{
			name:     "managed, personal only",
			body:     `{"username":"pat@contoso.com"}`,
			wantKeys: managedKeys, credKeys: classic,
			want:      map[string]any{"IfExistsResult": 5},
			wantCreds: map[string]any{"PrefCredential": 6},
		},
		{
			name:     "managed, neither",
			body:     `{"username":"nobody@contoso.com"}`,
			wantKeys: managedKeys, credKeys: classic,
			want:      map[string]any{"IfExistsResult": 1, "ThrottleStatus": 0},
			wantCreds: map[string]any{"PrefCredential": 1},
			wantEsts:  map[string]any{"DomainType": 3},
		},
		{
			name:     "managed, case-insensitive address",
			body:     `{"username":"Alex@CONTOSO.com"}`,
			wantKeys: managedKeys,
			want:     map[string]any{"Username": "Alex@CONTOSO.com", "IfExistsResult": 6},
		},
		{
			name:     "unmanaged",
			body:     `{"username":"vic@viral.example"}`,
			wantKeys: managedKeys, credKeys: classic,
			want:     map[string]any{"IfExistsResult": 0, "IsUnmanaged": true, "IsSignupDisallowed": false},
			wantEsts: map[string]any{"DomainType": 3},
		},
		{
			name:     "federated, user exists",
			body:     `{"username":"jo@fabrikam.com"}`,
			wantKeys: federatedKeys, credKeys: append(append([]string(nil), classic...), "FederationRedirectUrl"),
			estsKeys: []string{"UserTenantBranding", "DomainType"},
			want:     map[string]any{"IfExistsResult": 0, "ThrottleStatus": 0, "IsSignupDisallowed": true},
			wantCreds: map[string]any{"PrefCredential": 4, "HasPassword": true,
				"FederationRedirectUrl": "https://sts.fabrikam.com/adfs/ls/?username=jo%40fabrikam.com&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx="},
			wantEsts: map[string]any{"UserTenantBranding": nil, "DomainType": 4},
		},
		{
			name:     "federated, user does not exist: still 0",
			body:     `{"username":"ghost@fabrikam.com"}`,
			wantKeys: federatedKeys,
			want:     map[string]any{"IfExistsResult": 0},
			wantCreds: map[string]any{"PrefCredential": 4,
				"FederationRedirectUrl": "https://sts.fabrikam.com/adfs/ls/?username=ghost%40fabrikam.com&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx="},
		},
		{
			name:     "consumer, personal exists",
			body:     `{"username":"sam@outlook.com"}`,
			wantKeys: managedKeys, credKeys: classic, estsKeys: []string{"UserTenantBranding", "DomainType"},
			want:      map[string]any{"IfExistsResult": 5, "IsUnmanaged": false, "ThrottleStatus": 0, "IsSignupDisallowed": false},
			wantCreds: map[string]any{"PrefCredential": 6},
			wantEsts:  map[string]any{"DomainType": 2},
		},
		{
			name:     "consumer, nobody",
			body:     `{"username":"nobody@outlook.com"}`,
			wantKeys: managedKeys,
			want:     map[string]any{"IfExistsResult": 1},
			wantEsts: map[string]any{"DomainType": 2},
		},
		{
			name:     "ownerless domain",
			body:     `{"username":"x@no-tenant.example"}`,
			wantKeys: managedKeys, credKeys: append(append([]string(nil), classic...), "CertAuthParams", "GoogleParams"),
			estsKeys:  []string{"DomainType"},
			want:      map[string]any{"Username": "x@no-tenant.example", "IfExistsResult": 1, "IsUnmanaged": false, "ThrottleStatus": 1, "IsSignupDisallowed": false},
			wantCreds: map[string]any{"PrefCredential": 1, "CertAuthParams": nil, "GoogleParams": nil},
			wantEsts:  map[string]any{"DomainType": 1},
		},
		{
			name:     "ownerless domain, personal account",
			body:     `{"username":"pia@no-tenant.example"}`,
			wantKeys: managedKeys,
			want:     map[string]any{"IfExistsResult": 5, "ThrottleStatus": 1},
			wantEsts: map[string]any{"DomainType": 1},
		},
		{
			name:     "domain never added, personal account",
			body:     `{"username":"kim@gmail.com"}`,
			wantKeys: managedKeys,
			want:     map[string]any{"IfExistsResult": 5, "ThrottleStatus": 1},
			wantEsts: map[string]any{"DomainType": 1},
		},
		{
			name:     "no @",
			body:     `{"username":"alex"}`,
			wantKeys: managedKeys,
			want:     map[string]any{"IfExistsResult": 1, "ThrottleStatus": 1},
			wantEsts: map[string]any{"DomainType": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := postCred(t, s, "?mkt=en-US", tt.body)
			if got.status != http.StatusOK {
				t.Fatalf("status %d, want 200; body %s", got.status, got.raw)
			}
			if !reflect.DeepEqual(got.keys, tt.wantKeys) {
				t.Errorf("keys = %q, want %q", got.keys, tt.wantKeys)
			}
			if tt.credKeys != nil {
				if keys := nestedKeys(t, got.raw, "Credentials"); !reflect.DeepEqual(keys, tt.credKeys) {
					t.Errorf("Credentials keys = %q, want %q", keys, tt.credKeys)
				}
			}
			if tt.estsKeys != nil {
				if keys := nestedKeys(t, got.raw, "EstsProperties"); !reflect.DeepEqual(keys, tt.estsKeys) {
					t.Errorf("EstsProperties keys = %q, want %q", keys, tt.estsKeys)
				}
			}
			checkFields(t, "top level", got.obj, tt.want)
			creds, _ := got.obj["Credentials"].(map[string]any)
			checkFields(t, "Credentials", creds, tt.wantCreds)
			ests, _ := got.obj["EstsProperties"].(map[string]any)
			checkFields(t, "EstsProperties", ests, tt.wantEsts)
			if _, ok := got.obj["FederationRedirectUrl"]; ok {
				t.Errorf("FederationRedirectUrl at top level; Microsoft puts it inside Credentials")
			}
			if c, _ := got.obj["apiCanary"].(string); !strings.HasPrefix(c, "AQABAAAA") {
				t.Errorf("apiCanary = %q, want an opaque AQABAAAA… string", c)
			}
		})
	}

	for _, body := range []string{"", "not json", `{"username":`, `["alex@contoso.com"]`} {
		t.Run(fmt.Sprintf("malformed body %q", body), func(t *testing.T) {
			if got := postCred(t, s, "", body); got.status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", got.status)
			}
		})
	}

	t.Run("GET is not allowed", func(t *testing.T) {
		if got := get(t, s, "/common/GetCredentialType"); got.status != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405", got.status)
		}
	})
}

func TestCredentialTypeThrottled(t *testing.T) {
	s := world(t)
	s.SetMode(ModeThrottled)
	for _, user := range []string{"alex@contoso.com", "jo@fabrikam.com", "sam@outlook.com", "x@no-tenant.example", "vic@viral.example"} {
		got := postCred(t, s, "", `{"username":"`+user+`"}`)
		if got.status != http.StatusOK {
			t.Fatalf("%s: status %d, want 200", user, got.status)
		}
		checkFields(t, user, got.obj, map[string]any{"IfExistsResult": 2, "ThrottleStatus": 2})
	}
}

func TestOpenIDIgnoresThrottling(t *testing.T) {
	s := world(t)
	s.SetMode(ModeThrottled)
	if got := get(t, s, "/contoso.com/v2.0/.well-known/openid-configuration"); got.status != http.StatusOK {
		t.Errorf("status %d, want 200", got.status)
	}
}

// routes gives one valid request per endpoint.
var routes = []struct {
	endpoint string
	method   string
	path     string
	body     string
}{
	{EndpointRealm, http.MethodGet, "/common/userrealm?user=alex%40contoso.com&api-version=2.1&checkForMicrosoftAccount=true", ""},
	{EndpointRealm, http.MethodGet, "/common/userrealm/alex@contoso.com?api-version=2.1&checkForMicrosoftAccount=true", ""},
	{EndpointOpenID, http.MethodGet, "/contoso.com/v2.0/.well-known/openid-configuration", ""},
	{EndpointOpenID, http.MethodGet, "/outlook.com/v2.0/.well-known/openid-configuration", ""},
	{EndpointCredentialType, http.MethodPost, "/common/GetCredentialType?mkt=en-US", `{"username":"alex@contoso.com"}`},
	{EndpointCredentialType, http.MethodPost, "/common/GetCredentialType", `not json`},
}

func newRequest(t *testing.T, ctx context.Context, s *Server, method, path, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func TestModes(t *testing.T) {
	s := world(t)
	for _, r := range routes {
		t.Run("Error500 "+r.path, func(t *testing.T) {
			s.SetMode(ModeError500)
			got := do(t, newRequest(t, context.Background(), s, r.method, r.path, r.body))
			if got.status != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", got.status)
			}
			if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(got.raw, "<html>") {
				t.Errorf("Content-Type %q, body %q: want a short HTML page", ct, got.raw)
			}
		})
		t.Run("Malformed "+r.path, func(t *testing.T) {
			s.SetMode(ModeMalformed)
			got := do(t, newRequest(t, context.Background(), s, r.method, r.path, r.body))
			if got.status != http.StatusOK {
				t.Errorf("status %d, want 200", got.status)
			}
			if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			if got.raw == "" || !strings.HasPrefix(got.raw, "{") || json.Valid([]byte(got.raw)) {
				t.Errorf("body %q: want truncated JSON", got.raw)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(got.raw), &v); err == nil {
				t.Errorf("decoding %q succeeded, want an error", got.raw)
			}
		})
	}
	s.SetMode(ModeNormal)
	if got := get(t, s, routes[0].path); got.status != http.StatusOK || got.obj["NameSpaceType"] != "Managed" {
		t.Errorf("after ModeNormal: status %d, body %s", got.status, got.raw)
	}
}

func TestNotFound(t *testing.T) {
	s := world(t)
	for _, path := range []string{
		"/",
		"/nope",
		"/common/oauth2/v2.0/token",
		"/contoso.com/.well-known/openid-configuration",
		"/GetUserRealm.srf?login=alex%40contoso.com",
		"/common/userrealm/a/b?api-version=2.1",
	} {
		if got := get(t, s, path); got.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, got.status)
		}
	}
	s.SetMode(ModeError500)
	if got := get(t, s, "/nope"); got.status != http.StatusNotFound {
		t.Errorf("GET /nope in ModeError500: status %d, want 404", got.status)
	}
	for _, e := range endpoints {
		if n := s.Requests(e); n != 0 {
			t.Errorf("Requests(%q) = %d after only unknown paths, want 0", e, n)
		}
	}
}

func TestRequestsAndReset(t *testing.T) {
	s := world(t)
	for _, r := range routes {
		do(t, newRequest(t, context.Background(), s, r.method, r.path, r.body))
	}
	for _, e := range endpoints {
		if n := s.Requests(e); n != 2 {
			t.Errorf("Requests(%q) = %d, want 2", e, n)
		}
		if n := len(s.LastRequests(e)); n != 2 {
			t.Errorf("len(LastRequests(%q)) = %d, want 2", e, n)
		}
	}

	realm := s.LastRequests(EndpointRealm)
	if r := realm[0]; r.Method != http.MethodGet || r.Path != "/common/userrealm" ||
		r.Query.Get("user") != "alex@contoso.com" || r.Query.Get("api-version") != "2.1" ||
		r.Query.Get("checkForMicrosoftAccount") != "true" {
		t.Errorf("realm request 0 = %+v", r)
	}
	if r := realm[1]; r.Path != "/common/userrealm/alex@contoso.com" || r.Query.Get("user") != "" {
		t.Errorf("realm request 1 = %+v", r)
	}
	if r := s.LastRequests(EndpointOpenID)[1]; r.Path != "/outlook.com/v2.0/.well-known/openid-configuration" {
		t.Errorf("openid request 1 path = %q", r.Path)
	}
	cred := s.LastRequests(EndpointCredentialType)
	if r := cred[0]; r.Method != http.MethodPost || r.Query.Get("mkt") != "en-US" ||
		string(r.Body) != `{"username":"alex@contoso.com"}` || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("credtype request 0 = %+v, body %q", r, r.Body)
	}
	if string(cred[1].Body) != "not json" {
		t.Errorf("credtype request 1 body = %q, want the malformed body as sent", cred[1].Body)
	}

	// Returned records are copies.
	cred[0].Body[0] = 'X'
	cred[0].Query.Set("mkt", "changed")
	if r := s.LastRequests(EndpointCredentialType)[0]; r.Body[0] != '{' || r.Query.Get("mkt") != "en-US" {
		t.Errorf("LastRequests shares memory with the fake: %+v", r)
	}

	s.Reset()
	for _, e := range endpoints {
		if n := s.Requests(e); n != 0 {
			t.Errorf("after Reset, Requests(%q) = %d, want 0", e, n)
		}
		if n := len(s.LastRequests(e)); n != 0 {
			t.Errorf("after Reset, len(LastRequests(%q)) = %d, want 0", e, n)
		}
	}
	// Reset keeps the world.
	if got := get(t, s, routes[0].path); got.obj["MicrosoftAccount"] != float64(0) {
		t.Errorf("after Reset: body %s, want the account still known", got.raw)
	}
	if n := s.Requests(EndpointRealm); n != 1 {
		t.Errorf("Requests(realm) = %d after one more request, want 1", n)
	}
}

// recorder captures Errorf calls instead of failing the test.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestMisuseFailsTheTest(t *testing.T) {
	s := New(t)
	rec := &recorder{TB: t}
	s.t = rec
	s.Requests("realms")
	s.LastRequests("")
	s.AddDomain(Domain{Name: "x.example", Type: "Managed", TenantID: contosoTID})
	s.AddDomain(Domain{Name: "y.example", Type: TypeManaged})
	s.AddDomain(Domain{Name: "z.example", Type: TypeFederated, TenantID: fabrikamTID})
	if len(rec.errors) != 5 {
		t.Errorf("got %d errors, want 5: %q", len(rec.errors), rec.errors)
	}
	if got := get(t, s, "/x.example/v2.0/.well-known/openid-configuration"); got.status != http.StatusBadRequest {
		t.Errorf("rejected domain was added anyway: status %d", got.status)
	}
}

func TestLatency(t *testing.T) {
	s := world(t)
	const d = 150 * time.Millisecond
	s.SetLatency(d)
	for _, r := range routes[:5] {
		start := time.Now()
		got := do(t, newRequest(t, context.Background(), s, r.method, r.path, r.body))
		if elapsed := time.Since(start); elapsed < d {
			t.Errorf("%s: answered after %v, want at least %v", r.path, elapsed, d)
		}
		if got.status >= 500 {
			t.Errorf("%s: status %d", r.path, got.status)
		}
	}
	s.SetLatency(0)
	start := time.Now()
	get(t, s, routes[0].path)
	if elapsed := time.Since(start); elapsed > d {
		t.Errorf("after SetLatency(0): answered after %v", elapsed)
	}
}

func TestLatencyCountsOnArrival(t *testing.T) {
	s := world(t)
	s.SetLatency(300 * time.Millisecond)
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, s.URL+routes[0].path, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- result{}
	}()
	deadline := time.Now().Add(250 * time.Millisecond)
	for s.Requests(EndpointRealm) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-done:
		t.Fatal("answer arrived before the latency elapsed")
	default:
	}
	if n := s.Requests(EndpointRealm); n != 1 {
		t.Errorf("Requests(realm) = %d while the answer is pending, want 1", n)
	}
	<-done
}

func TestLatencyHonoursCancellation(t *testing.T) {
	s := world(t)
	s.SetLatency(time.Hour)
	for _, r := range routes[:5] {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		resp, err := client.Do(newRequest(t, ctx, s, r.method, r.path, r.body))
		cancel()
		if err == nil {
			resp.Body.Close()
			t.Fatalf("%s: got an answer despite an hour of latency", r.path)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: error %v, want context.DeadlineExceeded", r.path, err)
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Errorf("%s: gave up after %v", r.path, elapsed)
		}
	}
	for _, e := range endpoints {
		if n := s.Requests(e); n == 0 {
			t.Errorf("Requests(%q) = 0, want abandoned requests counted", e)
		}
	}
	// httptest.Server.Close waits for every handler; it returns promptly
	// only if the handlers stopped waiting when their requests were cancelled.
	closed := make(chan struct{})
	go func() { s.ts.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("handlers still sleeping after their requests were cancelled")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := world(t)
	const workers, perWorker = 8, 30
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var mutator sync.WaitGroup
	mutator.Add(1)
	go func() {
		defer mutator.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.SetMode(Mode(i % 4))
			s.SetLatency(time.Duration(i%2) * time.Millisecond)
			s.AddAccount(fmt.Sprintf("u%d@contoso.com", i), Account{Work: true})
			s.AddDomain(Domain{Name: fmt.Sprintf("d%d.example", i), Type: TypeManaged, TenantID: contosoTID})
			_ = s.Requests(EndpointOpenID)
			_ = s.LastRequests(EndpointCredentialType)
			time.Sleep(time.Millisecond)
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				r := routes[(w+i)%len(routes)]
				req, err := http.NewRequest(r.method, s.URL+r.path, strings.NewReader(r.body))
				if err != nil {
					t.Error(err)
					return
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	close(stop)
	mutator.Wait()
	total := 0
	for _, e := range endpoints {
		total += s.Requests(e)
		if n, m := s.Requests(e), len(s.LastRequests(e)); n != m {
			t.Errorf("Requests(%q) = %d but %d recorded", e, n, m)
		}
	}
	if total != workers*perWorker {
		t.Errorf("counted %d requests, want %d", total, workers*perWorker)
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{ModeNormal: "Normal", ModeThrottled: "Throttled", ModeError500: "Error500", ModeMalformed: "Malformed", Mode(9): "Mode(9)"} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", int(m), got, want)
		}
	}
}

func TestHold(t *testing.T) {
	s := world(t)
	s.Hold()
	answered := make(chan int, 3)
	for _, r := range routes[:2] {
		go func() {
			got := do(t, newRequest(t, context.Background(), s, r.method, r.path, r.body))
			answered <- got.status
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Held()) < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if held := s.Held(); len(held) != 2 || held[0] != EndpointRealm || held[1] != EndpointRealm {
		t.Fatalf("Held() = %q, want two realm requests", held)
	}
	select {
	case <-answered:
		t.Fatal("a held request was answered")
	case <-time.After(20 * time.Millisecond):
	}
	s.Release()
	for range 2 {
		if status := <-answered; status != http.StatusOK {
			t.Errorf("released request: status %d", status)
		}
	}
	// Still holding: the next request waits for the next Release.
	go func() { answered <- get(t, s, routes[0].path).status }()
	for len(s.Held()) < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if held := s.Held(); len(held) != 1 {
		t.Fatalf("Held() after Release = %q, want one request", held)
	}
	s.Unhold()
	if status := <-answered; status != http.StatusOK {
		t.Errorf("after Unhold: status %d", status)
	}
	if held := s.Held(); len(held) != 0 {
		t.Errorf("Held() after Unhold = %q", held)
	}
	// A held request whose client gives up leaves the held set.
	s.Hold()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if resp, err := client.Do(newRequest(t, ctx, s, routes[0].method, routes[0].path, routes[0].body)); err == nil {
		resp.Body.Close()
		t.Fatal("a held request was answered")
	}
	for len(s.Held()) > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if held := s.Held(); len(held) != 0 {
		t.Errorf("Held() after the client gave up = %q", held)
	}
	s.Unhold()
}
