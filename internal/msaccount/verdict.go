package msaccount

import "errors"

// Answer is whether an account exists: yes, no or unknown.
type Answer string

// The answers a Verdict gives for each kind of account.
const (
	Yes     Answer = "yes"
	No      Answer = "no"
	Unknown Answer = "unknown"
)

// DomainType is how Microsoft sees a domain.
type DomainType string

// The domain types of the verdict JSON contract.
const (
	// Consumer is one of Microsoft's own consumer mail domains (personal only).
	Consumer DomainType = "consumer"
	// Managed is verified in an Entra tenant that checks passwords itself.
	Managed DomainType = "managed"
	// Federated is verified in an Entra tenant that signs in elsewhere (AD FS…).
	Federated DomainType = "federated"
	// Unmanaged is owned by a self-service ("viral") tenant with no admin.
	Unmanaged DomainType = "unmanaged"
	// NoTenant means no tenant owns the domain.
	NoTenant DomainType = "none"
	// UnknownType means the type could not be determined.
	UnknownType DomainType = "unknown"
)

// Kind sums up a verdict.
type Kind string

// The kinds of the verdict JSON contract.
const (
	KindBoth     Kind = "both"
	KindPersonal Kind = "personal"
	KindWork     Kind = "work"
	KindNone     Kind = "none"
	KindUnknown  Kind = "unknown"
)

// Certainty says how far a verdict can be relied on.
type Certainty string

// Certainty levels, strongest first.
const (
	// Confirmed: Microsoft's sign-in service settled both questions.
	Confirmed Certainty = "confirmed"
	// Likely: the answer rests on rules or on a source with known blind
	// spots (a "not found" can hide a passwordless user), or only one of the
	// two questions was settled.
	Likely Certainty = "likely"
	// Unconfirmed: nothing could be settled.
	Unconfirmed Certainty = "unconfirmed"
)

// Domain holds what is known about the domain of an input.
type Domain struct {
	Name string     `json:"name"`
	Type DomainType `json:"type"`
	// TenantID is the Entra tenant that owns the domain, if any.
	TenantID string `json:"tenant_id"`
	// Brand is the tenant's sign-in brand name, e.g. "Contoso Ltd".
	Brand string `json:"brand"`
	// Cloud is the tenant's cloud instance, e.g. microsoftonline.com or
	// microsoftonline.us.
	Cloud string `json:"cloud"`
	// Region is the tenant's region scope, e.g. EU, NA, USGov.
	Region string `json:"region"`
	// Unicode is the internationalised form of Name, when it differs.
	Unicode string `json:"unicode,omitempty"`
	// SubScope is the tenant's region sub-scope (GCC, DODCON, DOD).
	SubScope string `json:"sub_scope,omitempty"`
}

// Evidence is one fact behind a verdict and where it came from.
type Evidence struct {
	// Source is "rules", "realm", "openid", "credential_type", "limits" or
	// "directory".
	Source string `json:"source"`
	// Detail states the fact in an English sentence, for readers of the
	// verdict JSON. Programs read Code and Args instead.
	Detail string `json:"detail"`
	// Code names the fact: one of the codes listed in the package comment
	// (CodeRealmPersonalExists…), stable across versions.
	Code string `json:"code"`
	// Args carries the data of the fact (domain, address, brand, endpoint,
	// reason, status, until…), as the package comment lists per code. It is
	// shared with cached verdicts: read it, don't modify it.
	Args map[string]string `json:"args,omitempty"`
}

// Verdict is the answer for one input, in the JSON shape of the design's
// verdict contract.
type Verdict struct {
	Input     string     `json:"input"`
	Address   string     `json:"address"`
	Domain    Domain     `json:"domain"`
	Personal  Answer     `json:"personal"`
	Work      Answer     `json:"work"`
	Kind      Kind       `json:"kind"`
	Certainty Certainty  `json:"certainty"`
	Evidence  []Evidence `json:"evidence"`
	Error     string     `json:"error"`
	// ErrorCode names what is wrong with an invalid input (one of the
	// Input codes), for programs that word it themselves.
	ErrorCode string `json:"error_code,omitempty"`
	// ErrorChar is the offending character for InputBadChar.
	ErrorChar string `json:"-"`

	// Directory is what the organisation's own directory (Microsoft
	// Graph) says about the address, when it was asked (see
	// DirectoryLookup); nil otherwise.
	Directory *DirectoryFacts `json:"directory,omitempty"`
}

// KindOf sums up the two answers as the contract defines.
func KindOf(personal, work Answer) Kind {
	switch {
	case personal == Yes && work == Yes:
		return KindBoth
	case personal == Yes && work == No:
		return KindPersonal
	case personal == No && work == Yes:
		return KindWork
	case personal == No && work == No:
		return KindNone
	}
	return KindUnknown
}

// invalid is the verdict of an input that is not an address or a domain.
func invalid(input string, err error) Verdict {
	v := Verdict{
		Input:     input,
		Domain:    Domain{Type: UnknownType},
		Personal:  Unknown,
		Work:      Unknown,
		Kind:      KindUnknown,
		Certainty: Unconfirmed,
		Evidence:  []Evidence{},
		Error:     err.Error(),
	}
	var ie *InputError
	if errors.As(err, &ie) {
		v.ErrorCode, v.ErrorChar = ie.Code, ie.Char
	}
	return v
}

// finish fills the derived fields. strong says whether every settled answer
// came from a source without known blind spots.
func (v *Verdict) finish(strong bool) {
	v.Kind = KindOf(v.Personal, v.Work)
	switch {
	case v.Personal != Unknown && v.Work != Unknown && strong:
		v.Certainty = Confirmed
	case v.Personal != Unknown || v.Work != Unknown:
		v.Certainty = Likely
	default:
		v.Certainty = Unconfirmed
	}
	if v.Evidence == nil {
		v.Evidence = []Evidence{}
	}
}

// clone returns a copy that shares nothing mutable with v.
func (v Verdict) clone() Verdict {
	v.Evidence = append([]Evidence(nil), v.Evidence...)
	if v.Directory != nil {
		d := *v.Directory
		v.Directory = &d
	}
	return v
}
