package msaccount

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// The sign-in endpoints are undocumented and drift: these decoders ignore
// unknown keys, allow missing ones, and accept numbers and booleans written
// as strings. encoding/json already matches keys case-insensitively, which
// absorbs spellings such as AuthURL and AuthUrl.

// flexInt is an integer that may arrive as a number or a string.
type flexInt struct {
	Set   bool
	Value int
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	s := strings.Trim(string(b), `"`)
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		// A float such as 1.0, or junk: tolerate floats, reject junk.
		fl, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || fl != float64(int(fl)) {
			return fmt.Errorf("not an integer: %.20q", s)
		}
		n = int(fl)
	}
	f.Set, f.Value = true, n
	return nil
}

// flexBool is a boolean that may arrive as true/false, "true"/"false", 1/0.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(strings.Trim(string(bytes.TrimSpace(b)), `"`)) {
	case "true", "1":
		*f = true
	case "false", "0", "null", "":
		*f = false
	default:
		return fmt.Errorf("not a boolean: %.20q", b)
	}
	return nil
}

// realmAnswer is the part of a user realm v2.1 answer the verdict uses.
type realmAnswer struct {
	NameSpaceType       string   `json:"NameSpaceType"`
	Login               string   `json:"Login"`
	DomainName          string   `json:"DomainName"`
	FederationBrandName string   `json:"FederationBrandName"`
	CloudInstanceName   string   `json:"cloud_instance_name"`
	AuthURL             string   `json:"AuthURL"`
	ConsumerDomain      flexBool `json:"ConsumerDomain"`
	IsViral             flexBool `json:"IsViral"`
	MicrosoftAccountSet flexBool `json:"IsMicrosoftAccountSet"`
	MicrosoftAccount    flexInt  `json:"MicrosoftAccount"`
}

// decodeRealm decodes a user realm answer.
func decodeRealm(body []byte) (realmAnswer, error) {
	var r realmAnswer
	if err := json.Unmarshal(body, &r); err != nil {
		return r, fmt.Errorf("decode realm: %w", err)
	}
	if r.NameSpaceType == "" {
		return r, fmt.Errorf("decode realm: no NameSpaceType")
	}
	return r, nil
}

// consumer reports whether the realm describes a Microsoft consumer domain,
// which the realm reports as a federation to the personal-account realm
// rather than as Unknown.
func (r realmAnswer) consumer() bool {
	return bool(r.ConsumerDomain) ||
		strings.EqualFold(r.DomainName, "live.com") ||
		strings.EqualFold(r.FederationBrandName, "MSA Realms") ||
		strings.EqualFold(r.stsHost(), "login.live.com")
}

// stsHost is the host of the federated sign-in service, or "".
func (r realmAnswer) stsHost() string {
	if r.AuthURL == "" {
		return ""
	}
	u, err := url.Parse(r.AuthURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// openIDAnswer is the part of an OpenID configuration (or its error) used.
type openIDAnswer struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	RegionScope           string `json:"tenant_region_scope"`
	RegionSubScope        string `json:"tenant_region_sub_scope"`
	CloudInstanceName     string `json:"cloud_instance_name"`
	Error                 string `json:"error"`
	ErrorCodes            []int  `json:"error_codes"`
}

// decodeOpenID decodes an OpenID configuration document or error.
func decodeOpenID(body []byte) (openIDAnswer, error) {
	var o openIDAnswer
	if err := json.Unmarshal(body, &o); err != nil {
		return o, fmt.Errorf("decode openid: %w", err)
	}
	return o, nil
}

// tenantID is the GUID path segment of the issuer (or, failing that, of the
// authorization or token endpoint).
func (o openIDAnswer) tenantID() string {
	for _, s := range []string{o.Issuer, o.AuthorizationEndpoint, o.TokenEndpoint} {
		u, err := url.Parse(s)
		if err != nil {
			continue
		}
		for _, seg := range strings.Split(u.Path, "/") {
			if isGUID(seg) {
				return strings.ToLower(seg)
			}
		}
	}
	return ""
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
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

// credentialAnswer is the part of a GetCredentialType answer used.
type credentialAnswer struct {
	IfExistsResult flexInt  `json:"IfExistsResult"`
	IsUnmanaged    flexBool `json:"IsUnmanaged"`
	ThrottleStatus flexInt  `json:"ThrottleStatus"`
	Credentials    struct {
		PrefCredential        flexInt `json:"PrefCredential"`
		FederationRedirectURL string  `json:"FederationRedirectUrl"`
	} `json:"Credentials"`
	EstsProperties struct {
		DomainType flexInt `json:"DomainType"`
	} `json:"EstsProperties"`
}

// decodeCredentialType decodes a GetCredentialType answer.
func decodeCredentialType(body []byte) (credentialAnswer, error) {
	var c credentialAnswer
	if err := json.Unmarshal(body, &c); err != nil {
		return c, fmt.Errorf("decode credential type: %w", err)
	}
	if !c.IfExistsResult.Set {
		return c, fmt.Errorf("decode credential type: no IfExistsResult")
	}
	return c, nil
}

// The IfExistsResult codes of GetCredentialType.
const (
	existsWork      = 0
	existsNot       = 1
	existsThrottled = 2
	existsPersonal  = 5
	existsBoth      = 6
	existsAcma      = 8
)

// The EstsProperties.DomainType codes.
const (
	domainTypeUnknown   = 1
	domainTypeFederated = 4
)
