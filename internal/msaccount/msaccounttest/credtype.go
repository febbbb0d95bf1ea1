package msaccounttest

import (
	"encoding/json"
	"net/http"
)

// IfExistsResult, ThrottleStatus, PrefCredential and DomainType values (§3).
const (
	existsWork     = 0
	existsNone     = 1
	existsThrottle = 2
	existsPersonal = 5
	existsBoth     = 6

	throttleNone  = 0
	throttleAAD   = 1
	throttleMSA   = 2
	prefPassword  = 1
	prefFederated = 4
	prefMSA       = 6

	domainUnknown   = 1
	domainConsumer  = 2
	domainManaged   = 3
	domainFederated = 4
)

// apiCanary is an opaque token in every answer; clients should ignore it.
const apiCanary = "AQABAAAAAAD--DLA3VO7QrddgJg7WevrAgDs_wUA9P-fake-msaccounttest-canary"

// serveCredentialType answers POST /common/GetCredentialType (§3).
//
// The body must be a JSON object; only its username is read (Go matches
// "username" and "Username" alike). A body that is not JSON, or cannot be
// read, gets 400. A username without '@' is treated like an address at a
// domain no tenant owns.
//
// Answers by domain type, following Microsoft's quirks:
//   - managed and unmanaged: IfExistsResult 0 (work only), 5 (personal
//     only, PrefCredential 6), 6 (both) or 1 (neither); unmanaged adds
//     IsUnmanaged true and, since a viral tenant is the product of
//     self-service sign-up, IsSignupDisallowed false.
//   - federated: IfExistsResult 0 whether or not the user exists, with
//     Credentials.FederationRedirectUrl; the answer has no IsUnmanaged key.
//   - consumer: 5 when a personal account exists, else 1.
//   - none: 1 (or 5 for a personal account) with ThrottleStatus 1, no
//     UserTenantBranding, and the extra null CertAuthParams and GoogleParams.
//
// ModeThrottled turns IfExistsResult and ThrottleStatus into 2 everywhere.
func (s *Server) serveCredentialType(w http.ResponseWriter, r *http.Request, st state) {
	var req struct {
		Username string `json:"username"`
	}
	if st.bodyErr != nil || json.Unmarshal(st.body, &req) != nil {
		http.Error(w, "msaccounttest: GetCredentialType needs a JSON body with a username", http.StatusBadRequest)
		return
	}
	user := req.Username
	d, acct, ok := s.lookup(user)
	if !ok {
		d = Domain{Type: TypeNone}
	}

	ifExists, throttle := existsNone, throttleNone
	pref := prefPassword
	switch d.Type {
	case TypeManaged, TypeUnmanaged:
		switch {
		case acct.Work && acct.Personal:
			ifExists = existsBoth
		case acct.Work:
			ifExists = existsWork
		case acct.Personal:
			ifExists, pref = existsPersonal, prefMSA
		}
	case TypeFederated:
		ifExists, pref = existsWork, prefFederated
	case TypeConsumer:
		pref = prefMSA
		if acct.Personal {
			ifExists = existsPersonal
		}
	default:
		throttle = throttleAAD
		if acct.Personal {
			ifExists, pref = existsPersonal, prefMSA
		}
	}
	if st.mode == ModeThrottled {
		ifExists, throttle = existsThrottle, throttleMSA
	}

	creds := object{
		{"PrefCredential", pref},
		{"HasPassword", true},
		{"RemoteNgcParams", nil},
		{"FidoParams", nil},
		{"SasParams", nil},
	}
	var body object
	switch d.Type {
	case TypeManaged, TypeUnmanaged:
		body = object{
			{"Username", user},
			{"Display", user},
			{"IfExistsResult", ifExists},
			{"IsUnmanaged", d.Type == TypeUnmanaged},
			{"ThrottleStatus", throttle},
			{"Credentials", creds},
			{"EstsProperties", object{{"UserTenantBranding", nil}, {"DomainType", domainManaged}}},
			{"IsSignupDisallowed", d.Type == TypeManaged},
			{"apiCanary", apiCanary},
		}
	case TypeFederated:
		creds = append(creds, member{"FederationRedirectUrl", wsFedURL("https://"+d.STSHost+"/adfs/ls/", user)})
		body = object{
			{"Username", user},
			{"Display", user},
			{"IfExistsResult", ifExists},
			{"ThrottleStatus", throttle},
			{"Credentials", creds},
			{"EstsProperties", object{{"UserTenantBranding", nil}, {"DomainType", domainFederated}}},
			{"IsSignupDisallowed", true},
			{"apiCanary", apiCanary},
		}
	case TypeConsumer:
		body = object{
			{"Username", user},
			{"Display", user},
			{"IfExistsResult", ifExists},
			{"IsUnmanaged", false},
			{"ThrottleStatus", throttle},
			{"Credentials", creds},
			{"EstsProperties", object{{"UserTenantBranding", nil}, {"DomainType", domainConsumer}}},
			{"IsSignupDisallowed", false},
			{"apiCanary", apiCanary},
		}
	default:
		creds = append(creds, member{"CertAuthParams", nil}, member{"GoogleParams", nil})
		body = object{
			{"Username", user},
			{"Display", user},
			{"IfExistsResult", ifExists},
			{"IsUnmanaged", false},
			{"ThrottleStatus", throttle},
			{"Credentials", creds},
			{"EstsProperties", object{{"DomainType", domainUnknown}}},
			{"IsSignupDisallowed", false},
			{"apiCanary", apiCanary},
		}
	}
	writeJSON(w, http.StatusOK, body)
}
