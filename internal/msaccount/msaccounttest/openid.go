package msaccounttest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// msaTenantID is the fixed tenant of the Microsoft personal-account world.
const msaTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// cloud holds the hosts one Microsoft cloud puts in its documents (§6).
type cloud struct {
	name          string // cloud_instance_name
	loginHost     string
	aadGraphHost  string // cloud_graph_host_name
	msGraphHost   string // msgraph_host
	rbacURL       string
	defaultRegion string // tenant_region_scope when Domain.Region is empty
}

var (
	globalCloud = cloud{"microsoftonline.com", "login.microsoftonline.com", "graph.windows.net", "graph.microsoft.com", "https://pas.windows.net", "NA"}
	usGovCloud  = cloud{"microsoftonline.us", "login.microsoftonline.us", "graph.windows.net", "graph.microsoft.us", "https://pasff.usgovcloudapi.net", "USGov"}
	chinaCloud  = cloud{"partner.microsoftonline.cn", "login.partner.microsoftonline.cn", "graph.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn", "https://pas.chinacloudapi.cn", "NA"}
)

// cloudOf maps Domain.Cloud to its hosts; an unlisted cloud name gets
// login.{name} and the global graph hosts.
func cloudOf(d Domain) cloud {
	switch d.Cloud {
	case "", globalCloud.name:
		return globalCloud
	case usGovCloud.name:
		return usGovCloud
	case chinaCloud.name:
		return chinaCloud
	}
	c := globalCloud
	c.name, c.loginHost = d.Cloud, "login."+d.Cloud
	return c
}

// serveOpenID answers /{tenant}/v2.0/.well-known/openid-configuration
// (reference §4.1). Tenants are found by any of their domain names or by
// tenant ID, case-insensitively; the document always names the tenant by
// its ID. "common", "organizations", "consumers" and the MSA tenant ID get
// the multi-tenant documents with tenant_region_scope null. Consumer
// domains, ownerless domains and names never added get 400 invalid_tenant
// AADSTS90002; names that are neither a GUID nor a DNS name with a dot get
// AADSTS900023.
func (s *Server) serveOpenID(w http.ResponseWriter, r *http.Request, _ state) {
	raw := r.PathValue("tenant")
	key := strings.ToLower(raw)
	switch {
	case key == "common" || key == "organizations":
		writeMetadata(w, metadata(globalCloud, key, "{tenantid}", nil, ""))
		return
	case key == "consumers" || key == msaTenantID:
		writeMetadata(w, metadata(globalCloud, key, msaTenantID, nil, ""))
		return
	case !isGUID(key) && !isDNSName(key):
		writeInvalidTenant(w, 900023, fmt.Sprintf("Specified tenant identifier '%s' is neither a valid DNS name, nor a valid external domain.", raw))
		return
	}
	d, ok := s.tenant(key)
	if !ok || (d.Type != TypeManaged && d.Type != TypeFederated && d.Type != TypeUnmanaged) {
		writeInvalidTenant(w, 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", raw))
		return
	}
	c := cloudOf(d)
	region := d.Region
	if region == "" {
		region = c.defaultRegion
	}
	writeMetadata(w, metadata(c, d.TenantID, d.TenantID, region, d.SubScope))
}

// metadata builds an OpenID configuration document. segment is the path
// segment of the endpoints, tid the tenant named in issuer, region the
// tenant_region_scope (nil for null) and subScope the optional
// tenant_region_sub_scope.
func metadata(c cloud, segment, tid string, region any, subScope string) object {
	base := "https://" + c.loginHost + "/" + segment
	doc := object{
		{"token_endpoint", base + "/oauth2/v2.0/token"},
		{"token_endpoint_auth_methods_supported", []string{"client_secret_post", "private_key_jwt", "client_secret_basic"}},
		{"jwks_uri", base + "/discovery/v2.0/keys"},
		{"response_modes_supported", []string{"query", "fragment", "form_post"}},
		{"subject_types_supported", []string{"pairwise"}},
		{"id_token_signing_alg_values_supported", []string{"RS256"}},
		{"response_types_supported", []string{"code", "id_token", "code id_token", "id_token token"}},
		{"scopes_supported", []string{"openid", "profile", "email", "offline_access"}},
		{"issuer", "https://" + c.loginHost + "/" + tid + "/v2.0"},
		{"request_uri_parameter_supported", false},
		{"userinfo_endpoint", "https://" + c.msGraphHost + "/oidc/userinfo"},
		{"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
		{"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
		{"http_logout_supported", true},
		{"frontchannel_logout_supported", true},
		{"end_session_endpoint", base + "/oauth2/v2.0/logout"},
		{"claims_supported", []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"}},
		{"kerberos_endpoint", base + "/kerberos"},
		{"tenant_region_scope", region},
	}
	if subScope != "" {
		doc = append(doc, member{"tenant_region_sub_scope", subScope})
	}
	return append(doc,
		member{"cloud_instance_name", c.name},
		member{"cloud_graph_host_name", c.aadGraphHost},
		member{"msgraph_host", c.msGraphHost},
		member{"rbac_url", c.rbacURL},
	)
}

func writeMetadata(w http.ResponseWriter, doc object) {
	w.Header().Set("Cache-Control", "max-age=86400")
	writeJSON(w, http.StatusOK, doc)
}

// zeroID stands in for the trace and correlation IDs of error answers.
const zeroID = "00000000-0000-0000-0000-000000000000"

// writeInvalidTenant answers 400 with ESTS's error shape.
func writeInvalidTenant(w http.ResponseWriter, code int, message string) {
	ts := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	writeJSON(w, http.StatusBadRequest, object{
		{"error", "invalid_tenant"},
		{"error_description", fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", code, message, zeroID, zeroID, ts)},
		{"error_codes", []int{code}},
		{"timestamp", ts},
		{"trace_id", zeroID},
		{"correlation_id", zeroID},
		{"error_uri", fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", code)},
	})
}

// isGUID reports whether s has the 8-4-4-4-12 hex form of a tenant ID.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isDNSName reports whether s (lowercase) is a host name with at least two
// labels of letters, digits and inner hyphens.
func isDNSName(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
