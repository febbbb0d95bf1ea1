// Package msaccount decides whether an address or a domain belongs to a
// personal Microsoft account, a work or school account, both or neither. It
// owns the offline rules (Microsoft's consumer domains, Entra initial
// domains, other mail providers), the calls to Microsoft's public sign-in
// endpoints (user realm, OpenID discovery, GetCredentialType), and the cache,
// coalescing, pacing and back-off around them.
//
// # Evidence codes
//
// Every Evidence line of a Verdict carries a stable Code from the closed set
// below, and Args with the data the line is about. Detail is the same fact
// as an English sentence for readers of the verdict JSON; programs that word
// verdicts for people (in the reply's language) read Code and Args and never
// parse Detail. KnownCode tells whether a code belongs to the set; Codes
// lists it. Args may be shared with cached verdicts: read them, do not
// modify them.
//
// Built-in rules (source "rules"):
//
//	rules.consumer          domain       one of Microsoft's consumer mail domains: personal accounts only
//	rules.initial_domain    domain cloud an Entra tenant's initial domain (*.onmicrosoft.com…): work accounts only
//	rules.other_provider    domain       a mail provider that is not Microsoft: never work accounts
//	rules.unlisted          domain       on no built-in list: only Microsoft can tell
//
// User realm (source "realm"), about the domain:
//
//	realm.domain_consumer     domain            Microsoft reports one of its consumer domains
//	realm.domain_managed      domain [brand]    verified in a tenant that checks passwords itself
//	realm.domain_unmanaged    domain            owned by an unmanaged ("viral") tenant without an administrator
//	realm.domain_federated    domain [brand] [sts]  verified in a tenant that hands sign-in to sts
//	realm.domain_none         domain            no tenant owns it in this cloud: no work accounts
//	realm.domain_unrecognised domain value      a namespace type this version does not know
//
// User realm (source "realm"), about the exact address's personal account:
//
//	realm.personal_exists       address  a personal account exists
//	realm.personal_absent       address  no personal account exists
//	realm.personal_unreported            Microsoft did not say
//	realm.personal_throttled             Microsoft was throttling: unconfirmed
//	realm.personal_unrecognised value    an answer code this version does not know
//
// OpenID discovery (source "openid"):
//
//	openid.tenant     domain tenant_id [region] [cloud] [sub_scope]  the tenant that owns the domain
//	openid.no_tenant  domain  the global cloud has no tenant for it (it may live in a national cloud)
//
// GetCredentialType (source "credential_type"), about the exact address:
//
//	credential_type.exists         address  a work or school account exists
//	credential_type.exists_both    address  a work or school account and a personal account exist
//	credential_type.personal_only  address  only a personal account exists
//	credential_type.absent         address  no work account is known (passwordless accounts can look absent)
//	credential_type.exists_rare    address value  a rarely seen "exists" code (8)
//	credential_type.unreliable     reason   no reliable answer: reason "throttled" (Microsoft was
//	                                        throttling) or "federated" (a federated domain's
//	                                        sign-in answers "exists" for any name)
//
// Lookups (the source is the endpoint concerned, or "limits", or "rules"):
//
//	lookup.offline_mode     (source "rules") the client is configured offline: the answer comes from
//	                        the built-in rules by choice, not because anything failed
//	lookup.failed           endpoint reason [status] [value]  an endpoint failed; reason is one of
//	                        timeout (one call took longer than CallTimeout), throttled (HTTP 429),
//	                        http_status (another HTTP status, in status), malformed (an answer
//	                        that could not be read), unreachable (no connection), error_code (an
//	                        error code inside the answer, in value)
//	lookup.budget_exceeded  endpoint  the verdict's time budget ran out before the endpoint answered
//	lookup.cancelled        [endpoint] (source "limits" or the endpoint) the caller withdrew the question
//	lookup.throttled_pause  until  (source "limits") Microsoft asked for fewer lookups: none are sent
//	                        until the RFC 3339 time until; the answer comes from the built-in rules
//	limits.user_limit       (source "limits") the person reached their lookup limit: the answer
//	                        comes from the built-in rules (see UserLimited)
//
// The organisation's directory (source "directory"), with DirectoryLookup:
//
//	directory.member     address match  a member of the directory (match: upn, mail or alias):
//	                                    the work account is confirmed in the tenant
//	directory.guest      address home [issuer] [invitation]  a guest, who signs in at home
//	                                    (personal, work, otp, other or unknown)
//	directory.disabled   address        the account is disabled: the helpdesk can enable it again
//	directory.pending    address        a guest invitation not accepted yet
//	directory.not_found  address owned  no user has the address; owned "true": the domain is the
//	                                    tenant's, so there is no work account there
//	directory.failed     reason [status] [value] [until]  Graph could not be asked (throttled,
//	                                    denied, unavailable, malformed): the public answer stands
//
// A verdict of a Client configured offline therefore carries
// lookup.offline_mode, while one that fell back to the rules because Microsoft
// failed carries lookup.failed, lookup.budget_exceeded, lookup.cancelled or
// lookup.throttled_pause instead. Offline and CheckOffline, the rules on
// their own, carry only rules codes.
package msaccount
