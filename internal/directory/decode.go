package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// page is one page of a Graph collection of users.
type page struct {
	Users    []User
	NextLink string
	Count    int // @odata.count, or -1 when absent
}

// rawUser is a user as Graph sends it: nullable strings, and a time that
// may be null or malformed without spoiling the rest.
type rawUser struct {
	ID                *string   `json:"id"`
	UserPrincipalName *string   `json:"userPrincipalName"`
	Mail              *string   `json:"mail"`
	OtherMails        []*string `json:"otherMails"`
	ProxyAddresses    []*string `json:"proxyAddresses"`
	UserType          *string   `json:"userType"`
	AccountEnabled    *bool     `json:"accountEnabled"`
	CreationType      *string   `json:"creationType"`
	ExternalUserState *string   `json:"externalUserState"`
	Identities        []*rawID  `json:"identities"`
	CreatedDateTime   *string   `json:"createdDateTime"`
}

type rawID struct {
	SignInType       *string `json:"signInType"`
	Issuer           *string `json:"issuer"`
	IssuerAssignedID *string `json:"issuerAssignedId"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func strs(ps []*string) []string {
	var out []string
	for _, p := range ps {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// user turns a decoded user into a User. A user without an id is not one.
func (r rawUser) user() (User, error) {
	u := User{
		ID:                str(r.ID),
		UserPrincipalName: str(r.UserPrincipalName),
		Mail:              str(r.Mail),
		OtherMails:        strs(r.OtherMails),
		ProxyAddresses:    strs(r.ProxyAddresses),
		UserType:          str(r.UserType),
		CreationType:      str(r.CreationType),
		ExternalUserState: str(r.ExternalUserState),
	}
	if u.ID == "" {
		return User{}, errors.New("a user without an id")
	}
	// Graph leaves accountEnabled out only when it was not selected; a
	// user it does not describe as disabled is taken as enabled.
	u.AccountEnabled = r.AccountEnabled == nil || *r.AccountEnabled
	for _, id := range r.Identities {
		if id != nil {
			u.Identities = append(u.Identities, Identity{str(id.SignInType), str(id.Issuer), str(id.IssuerAssignedID)})
		}
	}
	if s := str(r.CreatedDateTime); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil && t.UTC().Year() >= 1 && t.UTC().Year() <= 9999 {
			u.CreatedDateTime = t.UTC()
		}
	}
	return u, nil
}

// decodePage decodes a page of users: {"@odata.context", "@odata.count",
// "value": [...], "@odata.nextLink"}.
func decodePage(body []byte) (page, error) {
	var raw struct {
		Value    *[]json.RawMessage `json:"value"`
		NextLink *string            `json:"@odata.nextLink"`
		Count    *json.Number       `json:"@odata.count"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return page{}, fmt.Errorf("decode users: %w", err)
	}
	if raw.Value == nil {
		return page{}, errors.New("decode users: no value")
	}
	p := page{NextLink: str(raw.NextLink), Count: -1}
	if raw.Count != nil {
		n, err := strconv.Atoi(raw.Count.String())
		if err != nil || n < 0 {
			return page{}, fmt.Errorf("decode users: @odata.count %q", raw.Count.String())
		}
		p.Count = n
	}
	p.Users = make([]User, 0, len(*raw.Value))
	for i, m := range *raw.Value {
		u, err := decodeUser(m)
		if err != nil {
			return page{}, fmt.Errorf("decode users: value[%d]: %w", i, err)
		}
		p.Users = append(p.Users, u)
	}
	return p, nil
}

// decodeUser decodes one user object.
func decodeUser(body []byte) (User, error) {
	var r rawUser
	if err := json.Unmarshal(body, &r); err != nil {
		return User{}, fmt.Errorf("decode user: %w", err)
	}
	return r.user()
}

// apiError is Graph's error body: {"error":{"code","message","innerError"}}.
type apiError struct {
	Code    string
	Message string
}

// decodeAPIError reads a Graph error body; a body that is not one gives
// the zero apiError.
func decodeAPIError(body []byte) apiError {
	var raw struct {
		Error *struct {
			Code    *string `json:"code"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &raw) != nil || raw.Error == nil {
		return apiError{}
	}
	return apiError{Code: str(raw.Error.Code), Message: str(raw.Error.Message)}
}

// tokenAnswer is the token endpoint's answer (success or OAuth error).
type tokenAnswer struct {
	AccessToken string
	ExpiresIn   time.Duration
	Error       string // OAuth error code, e.g. invalid_client
	ErrorCodes  []int  // AADSTS numbers
}

// decodeToken decodes the token endpoint's JSON. expires_in may be a
// number or a numeric string (the v1 endpoint sent strings).
func decodeToken(body []byte) (tokenAnswer, error) {
	var raw struct {
		AccessToken *string         `json:"access_token"`
		TokenType   *string         `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		Error       *string         `json:"error"`
		ErrorCodes  []int           `json:"error_codes"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return tokenAnswer{}, fmt.Errorf("decode token: %w", err)
	}
	a := tokenAnswer{AccessToken: str(raw.AccessToken), Error: str(raw.Error), ErrorCodes: raw.ErrorCodes}
	if a.Error != "" {
		return a, nil
	}
	if a.AccessToken == "" {
		return tokenAnswer{}, errors.New("decode token: no access_token")
	}
	if tt := str(raw.TokenType); tt != "" && !strings.EqualFold(tt, "Bearer") {
		return tokenAnswer{}, fmt.Errorf("decode token: token_type %.20q", tt)
	}
	n, err := strconv.ParseInt(string(bytes.Trim(raw.ExpiresIn, `"`)), 10, 64)
	if err != nil || n <= 0 || n > 24*3600 {
		return tokenAnswer{}, fmt.Errorf("decode token: expires_in %.20q", raw.ExpiresIn)
	}
	a.ExpiresIn = time.Duration(n) * time.Second
	return a, nil
}
