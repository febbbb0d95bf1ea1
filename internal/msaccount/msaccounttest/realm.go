package msaccounttest

import (
	"net/http"
	"net/url"
	"strings"
)

// MicrosoftAccount values in the realm answer.
const (
	msaExists    = 0
	msaNone      = 1
	msaThrottled = 2
)

// serveRealm answers /common/userrealm (reference §1.2, api-version 2.0/2.1).
//
// The address comes from the path form's last segment or else from the
// user parameter and is echoed unchanged as Login. An address that is
// missing or has no '@' names no domain, so it gets the minimal Unknown
// answer, as an unclaimed domain does; the MSA flag is then 1. Other
// api-versions (Microsoft's snake_case 1.0 shape, §1.1) are not modelled:
// they get a plain-text 400 so a client that forgets the parameter fails
// loudly.
func (s *Server) serveRealm(w http.ResponseWriter, r *http.Request, st state) {
	q := r.URL.Query()
	if v := q.Get("api-version"); v != "2.0" && v != "2.1" {
		http.Error(w, "msaccounttest: userrealm needs api-version=2.0 or 2.1", http.StatusBadRequest)
		return
	}
	login := r.PathValue("user")
	if login == "" {
		login = q.Get("user")
	}
	d, acct, ok := s.lookup(login)
	if !ok {
		d = Domain{Type: TypeNone}
	}

	var body object
	switch d.Type {
	case TypeManaged, TypeUnmanaged:
		body = object{
			{"NameSpaceType", "Managed"},
			{"Login", login},
			{"DomainName", d.Name},
			{"FederationBrandName", d.Brand},
			{"TenantBrandingInfo", []any{branding(d)}},
			{"cloud_instance_name", cloudOf(d).name},
			{"is_dsso_enabled", false},
		}
		if d.Type == TypeUnmanaged {
			body = append(body, member{"IsViral", true})
		}
	case TypeFederated:
		body = object{
			{"NameSpaceType", "Federated"},
			{"federation_protocol", "WSTrust"},
			{"Login", login},
			{"AuthURL", wsFedURL("https://"+d.STSHost+"/adfs/ls/", login)},
			{"DomainName", d.Name},
			{"FederationBrandName", d.Brand},
			{"TenantBrandingInfo", nil},
			{"cloud_instance_name", cloudOf(d).name},
		}
	case TypeConsumer:
		body = object{
			{"NameSpaceType", "Federated"},
			{"federation_protocol", "WSTrust"},
			{"Login", login},
			{"AuthURL", wsFedURL("https://login.live.com/login.srf", login)},
			{"DomainName", "live.com"},
			{"FederationBrandName", "MSA Realms"},
			{"TenantBrandingInfo", nil},
			{"cloud_instance_name", "microsoftonline.com"},
			{"ConsumerDomain", true},
		}
	default: // TypeNone, or no domain at all
		body = object{
			{"NameSpaceType", "Unknown"},
			{"Login", login},
			{"cloud_instance_name", "microsoftonline.com"},
		}
	}

	if strings.EqualFold(q.Get("checkForMicrosoftAccount"), "true") {
		msa := msaNone
		switch {
		case st.mode == ModeThrottled:
			msa = msaThrottled
		case ok && acct.Personal:
			msa = msaExists
		}
		body = append(body, member{"IsMicrosoftAccountSet", true}, member{"MicrosoftAccount", msa})
	}
	writeJSON(w, http.StatusOK, body)
}

// wsFedURL is the WS-Federation sign-in URL Microsoft hands out for a
// federated realm; note the lowercase %3a escapes in wtrealm.
func wsFedURL(base, login string) string {
	return base + "?username=" + url.QueryEscape(login) +
		"&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx="
}

// branding is the single TenantBrandingInfo entry of a managed realm.
func branding(d Domain) object {
	cdn := d.TenantID
	if i := strings.IndexByte(cdn, '-'); i > 0 {
		cdn = cdn[:i]
	}
	return object{
		{"Locale", 0},
		{"BannerLogo", "https://aadcdn.msftauthimages.net/dbd5a2dd-" + cdn + "/logintenantbranding/0/bannerlogo?ts=637000000000000000"},
		{"BackgroundColor", "#FFFFFF"},
		{"UserIdLabel", "someone@" + d.Name},
		{"KeepMeSignedInDisabled", false},
	}
}
