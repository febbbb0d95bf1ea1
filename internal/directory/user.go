package directory

import (
	"strings"
	"time"
)

// The userType values of Microsoft Graph.
const (
	Member = "Member"
	Guest  = "Guest"
)

// The externalUserState values of an invited guest.
const (
	PendingAcceptance = "PendingAcceptance"
	Accepted          = "Accepted"
)

// Home is where a user's account lives: where they sign in.
type Home string

// The homes of the verdict's directory object.
const (
	// HomeWork: a work or school account, in this tenant (members) or in
	// another organisation's (guests from another Entra tenant).
	HomeWork Home = "work"
	// HomePersonal: a guest who signs in with a personal Microsoft account.
	HomePersonal Home = "personal"
	// HomeOTP: a guest who signs in with a one-time passcode sent by mail.
	HomeOTP Home = "otp"
	// HomeOther: a guest who signs in elsewhere (Google, Facebook, a SAML
	// or WS-Fed partner); Identity names the issuer.
	HomeOther Home = "other"
	// HomeUnknown: a guest who has not redeemed the invitation yet, so no
	// sign-in identity is recorded.
	HomeUnknown Home = ""
)

// Identity is one of a user's sign-in identities (Graph objectIdentity).
type Identity struct {
	SignInType       string `json:"signInType"`
	Issuer           string `json:"issuer"`
	IssuerAssignedID string `json:"issuerAssignedId"`
}

// User is one user of the tenant, with the properties this package asks
// Graph for. What is not selected stays empty.
type User struct {
	ID                string     `json:"id"`
	UserPrincipalName string     `json:"userPrincipalName"`
	Mail              string     `json:"mail"`
	OtherMails        []string   `json:"otherMails"`
	ProxyAddresses    []string   `json:"proxyAddresses"`
	UserType          string     `json:"userType"`
	AccountEnabled    bool       `json:"accountEnabled"`
	CreationType      string     `json:"creationType"`
	ExternalUserState string     `json:"externalUserState"`
	Identities        []Identity `json:"identities"`
	CreatedDateTime   time.Time  `json:"createdDateTime"`

	// Match says how FindAddress found the user.
	Match Match `json:"-"`
}

// IsGuest reports whether the user is a guest (B2B collaboration user).
func (u User) IsGuest() bool { return strings.EqualFold(u.UserType, Guest) }

// Pending reports whether the user is a guest whose invitation has not
// been redeemed.
func (u User) Pending() bool { return strings.EqualFold(u.ExternalUserState, PendingAcceptance) }

// Home says where the user signs in: HomeWork for members; for guests, it
// follows the federated identity Graph records (issuer MicrosoftAccount:
// personal; ExternalAzureAD, an Entra STS or an onmicrosoft.com domain:
// work; mail: a one-time passcode; anything else: other). A guest with no
// federated identity (an invitation not yet redeemed) is HomeUnknown.
func (u User) Home() Home {
	if !u.IsGuest() {
		return HomeWork
	}
	issuer, ok := u.homeIssuer()
	if !ok {
		return HomeUnknown
	}
	i := strings.ToLower(issuer)
	switch {
	case i == "microsoftaccount" || i == "live.com":
		return HomePersonal
	case i == "externalazuread",
		strings.HasPrefix(i, "https://sts.windows.net/"),
		strings.HasPrefix(i, "https://login.microsoftonline.com/"),
		strings.HasSuffix(i, ".onmicrosoft.com"):
		return HomeWork
	case i == "mail":
		return HomeOTP
	}
	return HomeOther
}

// Issuer is the issuer of the identity a guest signs in with ("" for
// members and for guests with none yet).
func (u User) Issuer() string {
	if !u.IsGuest() {
		return ""
	}
	i, _ := u.homeIssuer()
	return i
}

// homeIssuer is the issuer of the first federated identity.
func (u User) homeIssuer() (string, bool) {
	for _, id := range u.Identities {
		if strings.EqualFold(id.SignInType, "federated") && id.Issuer != "" {
			return id.Issuer, true
		}
	}
	return "", false
}

// Addresses returns the addresses a member can be reached at and sign in
// with, lowercased, without repeats, in this order: the user principal
// name (unless it is a guest's #EXT# name), mail, then the SMTP proxy
// addresses (primary first, as Graph lists them). otherMails are not among
// them: they are contact addresses, often the person's private ones.
func (u User) Addresses() []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" || !strings.Contains(a, "@") || strings.Contains(a, "#ext#") || seen[a] {
			return
		}
		seen[a] = true
		out = append(out, a)
	}
	add(u.UserPrincipalName)
	add(u.Mail)
	for _, p := range u.ProxyAddresses {
		if kind, addr, ok := strings.Cut(p, ":"); ok && strings.EqualFold(kind, "smtp") {
			add(addr)
		}
	}
	return out
}

// Match says which property of a user an address was found in.
type Match int

// How an address matched.
const (
	// MatchNone: not matched (a user read by ID or listed).
	MatchNone Match = iota
	// MatchOther: an SMTP proxy address (a member's alias) or one of
	// otherMails (a guest's invited address, or a member's contact
	// address, which is not an account). A lookup selects neither
	// property, so it cannot tell which.
	MatchOther
	// MatchAlias: an SMTP proxy address, known to be one (from the member
	// listing, which selects them).
	MatchAlias
	// MatchMail: the mail property (how guests are found).
	MatchMail
	// MatchUPN: the user principal name.
	MatchUPN
)

// matchOf says how strongly an address names u, from the properties a
// lookup selects: Graph returned u because one of the filter's clauses
// matched, so a user matched by neither name nor mail matched through a
// proxy address or otherMails.
func matchOf(u User, address string) Match {
	switch {
	case strings.EqualFold(u.UserPrincipalName, address):
		return MatchUPN
	case strings.EqualFold(u.Mail, address):
		return MatchMail
	}
	return MatchOther
}

// best returns the user an address names most strongly, members before
// guests on a tie, and how it matched; false when users is empty.
func best(users []User, address string) (User, bool) {
	var found User
	for _, u := range users {
		u.Match = matchOf(u, address)
		if u.Match > found.Match || (u.Match == found.Match && found.IsGuest() && !u.IsGuest()) {
			found = u
		}
	}
	return found, found.Match != MatchNone
}
