package msaccount

import "slices"

// The evidence codes. The package comment lists each one with its source
// and args; the set is closed, and a code never changes meaning.
const (
	// CodeRulesConsumer: Args domain is one of Microsoft's consumer mail
	// domains, whose addresses can only be personal accounts.
	CodeRulesConsumer = "rules.consumer"
	// CodeRulesInitialDomain: Args domain is an Entra tenant's initial
	// domain in Args cloud; its addresses are work or school accounts only.
	CodeRulesInitialDomain = "rules.initial_domain"
	// CodeRulesOtherProvider: Args domain is a mail provider that is not
	// Microsoft; its addresses are never work or school accounts.
	CodeRulesOtherProvider = "rules.other_provider"
	// CodeRulesUnlisted: Args domain is on no built-in list.
	CodeRulesUnlisted = "rules.unlisted"

	// CodeRealmDomainConsumer: the realm reports Args domain as one of
	// Microsoft's consumer domains.
	CodeRealmDomainConsumer = "realm.domain_consumer"
	// CodeRealmDomainManaged: Args domain is verified in a tenant (brand in
	// Args brand, when known) that checks passwords itself.
	CodeRealmDomainManaged = "realm.domain_managed"
	// CodeRealmDomainUnmanaged: Args domain belongs to an unmanaged
	// ("viral") tenant that has no administrator.
	CodeRealmDomainUnmanaged = "realm.domain_unmanaged"
	// CodeRealmDomainFederated: Args domain is verified in a tenant (Args
	// brand) that hands sign-in to the service at host Args sts (absent when
	// unknown).
	CodeRealmDomainFederated = "realm.domain_federated"
	// CodeRealmDomainNone: no tenant owns Args domain in this cloud, so it
	// has no work or school accounts.
	CodeRealmDomainNone = "realm.domain_none"
	// CodeRealmDomainUnrecognised: the realm described Args domain with a
	// namespace type this version does not know (Args value, at most 30
	// characters).
	CodeRealmDomainUnrecognised = "realm.domain_unrecognised"

	// CodeRealmPersonalExists: a personal account exists for Args address.
	CodeRealmPersonalExists = "realm.personal_exists"
	// CodeRealmPersonalAbsent: no personal account exists for Args address.
	CodeRealmPersonalAbsent = "realm.personal_absent"
	// CodeRealmPersonalUnreported: the realm did not say whether a personal
	// account exists.
	CodeRealmPersonalUnreported = "realm.personal_unreported"
	// CodeRealmPersonalThrottled: the realm was throttling, so whether a
	// personal account exists is unconfirmed.
	CodeRealmPersonalThrottled = "realm.personal_throttled"
	// CodeRealmPersonalUnrecognised: the realm gave a personal-account code
	// this version does not know (Args value).
	CodeRealmPersonalUnrecognised = "realm.personal_unrecognised"

	// CodeOpenIDTenant: Args domain belongs to tenant Args tenant_id; Args
	// region, cloud (only when not microsoftonline.com) and sub_scope when
	// known.
	CodeOpenIDTenant = "openid.tenant"
	// CodeOpenIDNoTenant: Microsoft's global cloud has no tenant for Args
	// domain (it may live in another national cloud).
	CodeOpenIDNoTenant = "openid.no_tenant"

	// CodeCredentialExists: the sign-in page knows Args address as a work
	// or school account.
	CodeCredentialExists = "credential_type.exists"
	// CodeCredentialExistsBoth: the sign-in page knows Args address as both
	// a work or school account and a personal account.
	CodeCredentialExistsBoth = "credential_type.exists_both"
	// CodeCredentialPersonalOnly: the sign-in page knows Args address only
	// as a personal account.
	CodeCredentialPersonalOnly = "credential_type.personal_only"
	// CodeCredentialAbsent: the sign-in page does not know Args address as
	// a work or school account; passwordless or unusual accounts can look
	// absent, so this is never certain.
	CodeCredentialAbsent = "credential_type.absent"
	// CodeCredentialExistsRare: the sign-in page gave a rarely seen
	// "exists" code (Args value) for Args address.
	CodeCredentialExistsRare = "credential_type.exists_rare"
	// CodeCredentialUnreliable: whether the work account exists cannot be
	// told: Args reason is "throttled" (Microsoft was throttling) or
	// "federated" (a federated domain's sign-in answers "exists" for any
	// name).
	CodeCredentialUnreliable = "credential_type.unreliable"

	// CodeLookupOfflineMode: the client is configured offline, so the
	// answer comes from the built-in rules by choice. Source "rules".
	CodeLookupOfflineMode = "lookup.offline_mode"
	// CodeLookupFailed: Args endpoint failed. Args reason is one of the
	// Reason constants; Args status carries the HTTP status for
	// ReasonHTTPStatus and ReasonThrottled, Args value the code for
	// ReasonErrorCode.
	CodeLookupFailed = "lookup.failed"
	// CodeLookupBudgetExceeded: the verdict's time budget ran out before
	// Args endpoint answered; what was settled by then stands.
	CodeLookupBudgetExceeded = "lookup.budget_exceeded"
	// CodeLookupCancelled: the caller withdrew the question before
	// Microsoft answered (Args endpoint when one call was cut short).
	CodeLookupCancelled = "lookup.cancelled"
	// CodeLookupThrottledPause: Microsoft asked for fewer lookups, so none
	// are sent until Args until (RFC 3339, UTC); the answer comes from the
	// built-in rules. Source "limits".
	CodeLookupThrottledPause = "lookup.throttled_pause"
	// CodeLimitsUserLimit: the person reached their limit of lookups, so the
	// answer comes from the built-in rules. Source "limits".
	CodeLimitsUserLimit = "limits.user_limit"

	// CodeDirectoryMember: Args address belongs to a member of the
	// organisation's directory (Args match: upn, mail or alias): the work
	// account is confirmed there. Source "directory", as for every
	// directory code (see DirectoryLookup).
	CodeDirectoryMember = "directory.member"
	// CodeDirectoryGuest: Args address is a guest in the directory who
	// signs in at Args home (personal, work, otp, other or unknown), with
	// Args issuer (MicrosoftAccount, ExternalAzureAD, mail, google.com…)
	// and Args invitation (Accepted or PendingAcceptance) when known.
	CodeDirectoryGuest = "directory.guest"
	// CodeDirectoryDisabled: the account of Args address is disabled: it
	// cannot sign in until the helpdesk enables it again.
	CodeDirectoryDisabled = "directory.disabled"
	// CodeDirectoryPending: the guest invitation sent to Args address has
	// not been accepted yet.
	CodeDirectoryPending = "directory.pending"
	// CodeDirectoryNotFound: no user of the directory has Args address.
	// Args owned is "true" when the address's domain belongs to the
	// tenant: then there is no work account for it there, authoritatively.
	CodeDirectoryNotFound = "directory.not_found"
	// CodeDirectoryFailed: the directory could not be asked; the verdict
	// is the public endpoints' alone. Args reason is one of the Directory
	// reasons; Args status, value (Graph's error code) and until (the end
	// of a throttling pause, RFC 3339) when known.
	CodeDirectoryFailed = "directory.failed"
)

// The reasons of CodeDirectoryFailed, in Args reason.
const (
	// DirectoryThrottled: Graph asked for a pause (429 with Retry-After).
	DirectoryThrottled = "throttled"
	// DirectoryDenied: the token was refused or the app lacks
	// User.Read.All.
	DirectoryDenied = "denied"
	// DirectoryUnavailable: Graph failed, timed out or was unreachable.
	DirectoryUnavailable = "unavailable"
	// DirectoryMalformed: Graph's answer could not be read.
	DirectoryMalformed = "malformed"
)

// The reasons of CodeLookupFailed, in Args reason.
const (
	// ReasonTimeout: one call took longer than Config.CallTimeout.
	ReasonTimeout = "timeout"
	// ReasonThrottled: Microsoft answered HTTP 429.
	ReasonThrottled = "throttled"
	// ReasonHTTPStatus: Microsoft answered another unusable HTTP status.
	ReasonHTTPStatus = "http_status"
	// ReasonMalformed: the answer could not be read.
	ReasonMalformed = "malformed"
	// ReasonUnreachable: no answer at all (connection refused, reset, DNS).
	ReasonUnreachable = "unreachable"
	// ReasonErrorCode: the answer carried an error code (Args value).
	ReasonErrorCode = "error_code"
)

var codes = []string{
	CodeRulesConsumer, CodeRulesInitialDomain, CodeRulesOtherProvider, CodeRulesUnlisted,
	CodeRealmDomainConsumer, CodeRealmDomainManaged, CodeRealmDomainUnmanaged, CodeRealmDomainFederated,
	CodeRealmDomainNone, CodeRealmDomainUnrecognised,
	CodeRealmPersonalExists, CodeRealmPersonalAbsent, CodeRealmPersonalUnreported, CodeRealmPersonalThrottled,
	CodeRealmPersonalUnrecognised,
	CodeOpenIDTenant, CodeOpenIDNoTenant,
	CodeCredentialExists, CodeCredentialExistsBoth, CodeCredentialPersonalOnly, CodeCredentialAbsent,
	CodeCredentialExistsRare, CodeCredentialUnreliable,
	CodeLookupOfflineMode, CodeLookupFailed, CodeLookupBudgetExceeded, CodeLookupCancelled,
	CodeLookupThrottledPause, CodeLimitsUserLimit,
	CodeDirectoryMember, CodeDirectoryGuest, CodeDirectoryDisabled, CodeDirectoryPending,
	CodeDirectoryNotFound, CodeDirectoryFailed,
}

// Codes returns every evidence code, in the order the package comment lists
// them.
func Codes() []string { return slices.Clone(codes) }

// KnownCode reports whether code is one of the evidence codes.
func KnownCode(code string) bool { return slices.Contains(codes, code) }

// evidence returns an Evidence line; kv are pairs of arg names and values,
// and pairs with an empty value are left out.
func evidence(source, code, detail string, kv ...string) Evidence {
	e := Evidence{Source: source, Code: code, Detail: detail}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if e.Args == nil {
			e.Args = make(map[string]string, len(kv)/2)
		}
		e.Args[kv[i]] = kv[i+1]
	}
	return e
}
