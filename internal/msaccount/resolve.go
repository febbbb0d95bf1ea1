package msaccount

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// How a verdict is resolved, in round trips to Microsoft:
//
//   - an address at a domain whose facts are cached (warm): the realm (the
//     personal side) and, only at a domain that checks its own passwords,
//     GetCredentialType (the work side), at once: one round trip;
//   - an address at a domain not yet known (cold): the realm and the
//     domain's OpenID document at once, then GetCredentialType only if the
//     realm says the domain checks its own passwords: two round trips at
//     most. GetCredentialType, the endpoint Microsoft throttles first, is
//     never asked where its answer cannot change the verdict (consumer,
//     ownerless and federated domains) nor before the domain is known to
//     be managed;
//   - a bare domain: the realm and the OpenID document at once.
//
// The OpenID document is not asked for together with the realm at domains
// the rules already place outside any tenant (consumer domains, other mail
// providers); should the realm contradict them, it follows. All calls of a
// verdict share its time budget (Config.Budget): when it runs out, the
// verdict says what was settled by then and which call ran out of time.

// resolve asks Microsoft and returns the verdict and how long to keep it.
func (c *Client) resolve(ctx context.Context, t Target) (Verdict, time.Duration) {
	until, ok := c.backingOff()
	for ok && c.cfg.WaitOnBackoff {
		timer := time.NewTimer(time.Until(until))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
		}
		if ctx.Err() != nil {
			break
		}
		until, ok = c.backingOff()
	}
	if ok {
		v := Offline(t)
		v.Evidence = append(v.Evidence, evidence("limits", CodeLookupThrottledPause,
			fmt.Sprintf("Microsoft asked for fewer lookups, so none are sent until %s; this answer comes from the built-in rules", until.UTC().Format("15:04:05 MST")),
			"until", until.UTC().Format(time.RFC3339)))
		v.finish(false)
		return v, 0
	}
	if t.IsDomain() {
		return c.resolveDomain(ctx, t)
	}
	return c.resolveAddress(ctx, t)
}

// lookupResult carries what one call learnt.
type lookupResult struct {
	evidence  []Evidence
	spoiled   bool // an error or throttling left something unsettled
	throttled bool
}

func (r *lookupResult) add(source, code, detail string, kv ...string) {
	r.evidence = append(r.evidence, evidence(source, code, detail, kv...))
}

// hasTenant reports whether a tenant owns domains of type dt, whose OpenID
// document gives its ID, region and cloud.
func hasTenant(dt DomainType) bool { return dt == Managed || dt == Federated || dt == Unmanaged }

// credentialTells reports whether GetCredentialType can tell whether a work
// account exists at a domain of type dt: only where the tenant checks
// passwords itself.
func credentialTells(dt DomainType) bool { return dt == Managed || dt == Unmanaged }

// speculateOpenID reports whether to ask for a domain's OpenID document
// together with its realm, before knowing that a tenant owns it: not for
// domains the rules place outside any tenant.
func speculateOpenID(domain string) bool {
	return !IsConsumerDomain(domain) && !IsMailProvider(domain)
}

// resolveDomain returns the facts about a bare domain.
func (c *Client) resolveDomain(ctx context.Context, t Target) (Verdict, time.Duration) {
	var oid openIDCall
	var wg sync.WaitGroup
	if speculateOpenID(t.Domain) {
		wg.Go(func() { oid = c.openID(ctx, t.Domain) })
	}
	r, err := c.realm(ctx, "someone@"+t.Domain, false)
	wg.Wait()
	if err != nil {
		return c.fallback(Offline(t), err, epRealm), c.cfg.ErrorTTL
	}
	return c.domainFacts(ctx, t, r, oid)
}

// domainFacts turns a realm answer for the domain of t (or an address at
// it) and, when it was asked for, the domain's OpenID document into the
// domain's verdict and how long to keep it. It asks for the OpenID document
// itself when a tenant owns the domain and nobody asked yet.
func (c *Client) domainFacts(ctx context.Context, t Target, r realmAnswer, oid openIDCall) (Verdict, time.Duration) {
	v := Offline(t)
	v.Evidence = nil
	var res lookupResult
	strong := c.applyRealmDomain(&v, r, &res)
	if hasTenant(v.Domain.Type) {
		if !oid.asked {
			oid = c.openID(ctx, t.Domain)
		}
		applyOpenID(&v, &res, oid)
	}
	v.Evidence = res.evidence
	v.finish(strong)
	if v.Work != Unknown && strong {
		// For a bare domain the question is the domain's type, which the
		// realm settles even when personal accounts there stay open.
		v.Certainty = Confirmed
	}
	switch {
	case res.spoiled:
		return v, c.cfg.ErrorTTL
	case v.Domain.Type == NoTenant:
		return v, c.cfg.NegativeTTL
	}
	return v, c.cfg.DomainTTL
}

// applyRealmDomain sets the domain facts of a realm answer on v and reports
// whether they are reliable.
func (c *Client) applyRealmDomain(v *Verdict, r realmAnswer, res *lookupResult) bool {
	d := v.Domain.Name
	if r.CloudInstanceName != "" {
		v.Domain.Cloud = strings.ToLower(r.CloudInstanceName)
	}
	switch {
	case r.consumer():
		v.Domain.Type = Consumer
		v.Domain.Brand = ""
		v.Personal, v.Work = Yes, No
		res.add("realm", CodeRealmDomainConsumer, "Microsoft reports "+d+" as one of its consumer domains (MSA Realms): addresses there can only be personal accounts", "domain", d)
	case strings.EqualFold(r.NameSpaceType, "Managed"):
		v.Domain.Type = Managed
		v.Domain.Brand = r.FederationBrandName
		if r.IsViral {
			v.Domain.Type = Unmanaged
			res.add("realm", CodeRealmDomainUnmanaged, d+" belongs to an unmanaged (self-service, \"viral\") Microsoft Entra tenant that has no administrator", "domain", d)
		} else {
			res.add("realm", CodeRealmDomainManaged, d+" is verified in a Microsoft Entra tenant"+brandSuffix(r.FederationBrandName)+" that signs people in itself (managed)", "domain", d, "brand", r.FederationBrandName)
		}
		v.Personal, v.Work = Unknown, Yes
		if initialCloud(d) != "" {
			v.Personal = No
		}
	case strings.EqualFold(r.NameSpaceType, "Federated"):
		v.Domain.Type = Federated
		v.Domain.Brand = r.FederationBrandName
		host := r.stsHost()
		sts := host
		if sts == "" {
			sts = "another sign-in service"
		}
		res.add("realm", CodeRealmDomainFederated, d+" is verified in a Microsoft Entra tenant"+brandSuffix(r.FederationBrandName)+" that hands sign-in to "+sts+" (federated)", "domain", d, "brand", r.FederationBrandName, "sts", host)
		v.Personal, v.Work = Unknown, Yes
	case strings.EqualFold(r.NameSpaceType, "Unknown"):
		v.Domain.Type = NoTenant
		v.Domain.Brand = ""
		v.Personal, v.Work = Yes, No
		res.add("realm", CodeRealmDomainNone, "no Microsoft Entra tenant owns "+d+" in this cloud, so it has no work or school accounts here", "domain", d)
	default:
		v.Domain.Type = UnknownType
		res.spoiled = true
		res.add("realm", CodeRealmDomainUnrecognised, fmt.Sprintf("Microsoft described %s in a way this version does not know (%.30q)", d, r.NameSpaceType), "domain", d, "value", truncate(r.NameSpaceType, 30))
		return false
	}
	return true
}

func brandSuffix(brand string) string {
	if brand == "" {
		return ""
	}
	return " (" + brand + ")"
}

// openIDCall is the outcome of one OpenID discovery call, decoded.
type openIDCall struct {
	asked  bool
	status int
	doc    openIDAnswer
	err    error // the call failed, or its answer could not be read (malformedError)
}

// openID fetches the OpenID configuration of domain. Concurrent lookups at
// the same domain share one call, and lookups within a budget after it
// reuse its answer.
func (c *Client) openID(ctx context.Context, domain string) openIDCall {
	if call, ok := c.tenants.get(domain, c.now()); ok {
		c.coalesced.Add(1)
		return call
	}
	val, _, shared := c.group.Do("o:"+domain, func() (any, error) {
		if call, ok := c.tenants.get(domain, c.now()); ok {
			return call, nil // a call that ended since the check above
		}
		u := c.base + "/" + url.PathEscape(domain) + "/v2.0/.well-known/openid-configuration"
		status, body, err := c.do(ctx, epOpenID, http.MethodGet, u, nil)
		call := openIDCall{asked: true, status: status, err: err}
		if err != nil {
			return call, nil
		}
		doc, derr := decodeOpenID(body)
		switch {
		case derr != nil:
			c.failures[epOpenID].Add(1)
			call.err = &malformedError{derr}
		case status == http.StatusBadRequest && doc.Error == "invalid_tenant":
		case status != http.StatusOK:
			c.failures[epOpenID].Add(1)
		}
		call.doc = doc
		if call.err == nil {
			c.tenants.put(domain, call, c.now().Add(c.cfg.Budget))
		}
		return call, nil
	})
	if shared {
		c.coalesced.Add(1)
	}
	return val.(openIDCall)
}

// tenantMemo keeps OpenID answers for a verdict's budget after their call,
// so that a lookup that missed the domain's facts in the cache just before
// another lookup stored them does not ask again.
type tenantMemo struct {
	mu sync.Mutex
	m  map[string]tenantEntry
}

type tenantEntry struct {
	call    openIDCall
	expires time.Time
}

func (t *tenantMemo) get(domain string, now time.Time) (openIDCall, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[domain]
	if !ok || !now.Before(e.expires) {
		return openIDCall{}, false
	}
	return e.call, true
}

func (t *tenantMemo) put(domain string, call openIDCall, expires time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = make(map[string]tenantEntry)
	}
	if len(t.m) >= 1024 {
		now := time.Now()
		for d, e := range t.m {
			if !now.Before(e.expires) {
				delete(t.m, d)
			}
		}
	}
	t.m[domain] = tenantEntry{call, expires}
}

// applyOpenID adds the tenant ID, region and cloud from the domain's OpenID
// configuration.
func applyOpenID(v *Verdict, res *lookupResult, call openIDCall) {
	d := v.Domain.Name
	o, status := call.doc, call.status
	var me *malformedError
	switch {
	case errors.As(call.err, &me):
		res.spoiled = true
		res.add("openid", CodeLookupFailed, "Microsoft's tenant directory sent an answer that could not be read", "endpoint", epOpenID.String(), "reason", ReasonMalformed)
	case call.err != nil:
		res.spoiled = true
		code, kv := failure(epOpenID, call.err)
		res.add("openid", code, "Microsoft's tenant directory did not answer ("+describe(call.err)+"), so the tenant ID is missing", kv...)
	case status == http.StatusBadRequest && o.Error == "invalid_tenant":
		res.add("openid", CodeOpenIDNoTenant, "Microsoft's global cloud has no tenant for "+d+" (it may live in another national cloud)", "domain", d)
	case status != http.StatusOK:
		res.spoiled = true
		res.add("openid", CodeLookupFailed, fmt.Sprintf("Microsoft's tenant directory answered HTTP %d, so the tenant ID is missing", status), "endpoint", epOpenID.String(), "reason", ReasonHTTPStatus, "status", strconv.Itoa(status))
	default:
		v.Domain.TenantID = o.tenantID()
		v.Domain.Region = o.RegionScope
		v.Domain.SubScope = o.RegionSubScope
		if o.CloudInstanceName != "" {
			v.Domain.Cloud = strings.ToLower(o.CloudInstanceName)
		}
		detail := "the tenant's ID is " + v.Domain.TenantID
		if v.Domain.Region != "" {
			detail += ", region " + v.Domain.Region
		}
		cloud := ""
		if v.Domain.Cloud != "" && v.Domain.Cloud != "microsoftonline.com" {
			cloud = v.Domain.Cloud
			detail += ", in the " + v.Domain.Cloud + " cloud"
		}
		if v.Domain.SubScope != "" {
			detail += " (" + v.Domain.SubScope + ")"
		}
		res.add("openid", CodeOpenIDTenant, detail, "domain", d, "tenant_id", v.Domain.TenantID, "region", v.Domain.Region, "cloud", cloud, "sub_scope", v.Domain.SubScope)
	}
}

// resolveAddress settles both questions for one address.
func (c *Client) resolveAddress(ctx context.Context, t Target) (Verdict, time.Duration) {
	base := Offline(t)
	// Domain facts are shared by every address at the domain.
	dkey := "d:" + t.Domain
	dv, warm := c.cache.Get(ctx, dkey)
	warm = warm && coded(dv)
	if warm {
		c.cacheHits.Add(1)
	}

	// The first round trip: every call that needs no other's answer.
	var wg sync.WaitGroup
	var oid openIDCall
	var cred credentialCall
	asked := false
	switch {
	case warm && credentialTells(dv.Domain.Type) && !c.cfg.PersonalOnly:
		asked = true
		wg.Go(func() { cred = c.credentialType(ctx, t.Address) })
	case !warm && speculateOpenID(t.Domain):
		wg.Go(func() { oid = c.openID(ctx, t.Domain) })
	}
	r, rerr := c.realm(ctx, t.Address, true)
	wg.Wait()

	if !warm {
		if rerr != nil {
			return c.fallback(base, rerr, epRealm), c.cfg.ErrorTTL
		}
		var ttl time.Duration
		dv, ttl = c.domainFacts(ctx, Target{Input: t.Domain, Domain: t.Domain, DomainUnicode: t.DomainUnicode}, r, oid)
		c.cache.Set(ctx, dkey, dv, ttl)
	}
	v := base
	v.Domain = dv.Domain
	v.Domain.Unicode = t.DomainUnicode
	res := lookupResult{evidence: append([]Evidence(nil), dv.Evidence...)}
	strong := dv.Domain.Type != UnknownType

	// Personal: the realm's MicrosoftAccount flag for this exact address.
	v.Personal = Unknown
	switch {
	case v.Domain.Type == Managed && initialCloud(t.Domain) != "":
		v.Personal = No
	case rerr != nil:
		// Only at a known domain: GetCredentialType may still answer.
		c.failed(rerr)
		res.spoiled = true
		code, kv := failure(epRealm, rerr)
		res.add("realm", code, "Microsoft's sign-in service did not answer ("+describe(rerr)+"), so whether a personal account exists is unconfirmed", kv...)
	case !r.MicrosoftAccount.Set:
		res.add("realm", CodeRealmPersonalUnreported, "Microsoft did not say whether a personal account exists for this address")
	case r.MicrosoftAccount.Value == 0:
		v.Personal = Yes
		res.add("realm", CodeRealmPersonalExists, "Microsoft reports a personal Microsoft account for "+t.Address, "address", t.Address)
	case r.MicrosoftAccount.Value == 1:
		v.Personal = No
		res.add("realm", CodeRealmPersonalAbsent, "Microsoft reports no personal Microsoft account for "+t.Address, "address", t.Address)
	case r.MicrosoftAccount.Value == 2:
		res.spoiled, res.throttled = true, true
		res.add("realm", CodeRealmPersonalThrottled, "Microsoft was too busy to say whether a personal account exists (throttled), so that part is unconfirmed")
	default:
		res.add("realm", CodeRealmPersonalUnrecognised, fmt.Sprintf("Microsoft gave an unknown personal-account code (%d)", r.MicrosoftAccount.Value), "value", strconv.Itoa(r.MicrosoftAccount.Value))
	}

	// Work: follows from the domain, except in a tenant that checks its own
	// passwords, where GetCredentialType breaks the tie.
	switch v.Domain.Type {
	case Consumer, NoTenant:
		v.Work = No
	case Federated:
		v.Work = Unknown
		res.add("credential_type", CodeCredentialUnreliable, "a federated domain's sign-in service answers \"exists\" for any name, so whether this exact work account exists cannot be checked from outside", "reason", "federated")
	case Managed, Unmanaged:
		v.Work = Unknown
		if c.cfg.PersonalOnly {
			strong = false
			break
		}
		if !asked {
			// The second round trip: the domain is now known to check its
			// own passwords.
			cred = c.credentialType(ctx, t.Address)
		}
		if !c.applyCredentialType(&v, t, &res, cred) {
			strong = false
		}
	default:
		v.Work = Unknown
		strong = false
	}
	if res.throttled {
		c.signalThrottle()
	}
	v.Evidence = res.evidence
	v.finish(strong)
	if res.spoiled || dv.Certainty == Unconfirmed {
		return v, c.cfg.ErrorTTL
	}
	return v, c.cfg.AddressTTL
}

// credentialCall is the outcome of one GetCredentialType call.
type credentialCall struct {
	status int
	raw    []byte
	err    error
}

// credentialType asks GetCredentialType about address.
func (c *Client) credentialType(ctx context.Context, address string) credentialCall {
	body := []byte(`{"username":` + jsonString(address) + `,"isOtherIdpSupported":true,"checkPhones":false,"isRemoteNGCSupported":true,"isCookieBannerShown":false,"isFidoSupported":true,"isAccessPassSupported":true}`)
	status, raw, err := c.do(ctx, epCredential, http.MethodPost, c.base+"/common/GetCredentialType", body)
	return credentialCall{status, raw, err}
}

// applyCredentialType applies GetCredentialType's answer on whether the
// work account exists, and reports whether it is reliable.
func (c *Client) applyCredentialType(v *Verdict, t Target, res *lookupResult, call credentialCall) bool {
	status, raw, err := call.status, call.raw, call.err
	if err != nil || status != http.StatusOK {
		if err == nil {
			c.failures[epCredential].Add(1)
			err = &statusError{status}
		}
		res.spoiled = true
		code, kv := failure(epCredential, err)
		res.add("credential_type", code, "Microsoft's sign-in page did not answer ("+describe(err)+"), so whether the work account exists is unconfirmed", kv...)
		return false
	}
	a, derr := decodeCredentialType(raw)
	if derr != nil {
		c.failures[epCredential].Add(1)
		res.spoiled = true
		res.add("credential_type", CodeLookupFailed, "Microsoft's sign-in page sent an answer that could not be read, so whether the work account exists is unconfirmed", "endpoint", epCredential.String(), "reason", ReasonMalformed)
		return false
	}
	code := a.IfExistsResult.Value
	if a.ThrottleStatus.Value != 0 && a.EstsProperties.DomainType.Value != domainTypeUnknown || code == existsThrottled {
		res.spoiled, res.throttled = true, true
		res.add("credential_type", CodeCredentialUnreliable, "Microsoft's sign-in page was throttling lookups, so whether the work account exists is unconfirmed", "reason", "throttled")
		return false
	}
	if a.EstsProperties.DomainType.Value == domainTypeFederated || a.Credentials.FederationRedirectURL != "" {
		res.add("credential_type", CodeCredentialUnreliable, "the sign-in page hands this name to another service, which answers \"exists\" for anyone, so the work account is unconfirmed", "reason", "federated")
		return false
	}
	switch code {
	case existsWork:
		v.Work = Yes
		res.add("credential_type", CodeCredentialExists, "Microsoft's sign-in page knows "+t.Address+" as a work or school account", "address", t.Address)
		return true
	case existsBoth:
		v.Work = Yes
		if v.Personal == Unknown {
			v.Personal = Yes
		}
		res.add("credential_type", CodeCredentialExistsBoth, "Microsoft's sign-in page knows "+t.Address+" as both a work or school account and a personal account", "address", t.Address)
		return true
	case existsPersonal:
		v.Work = No
		if v.Personal == Unknown {
			v.Personal = Yes
		}
		res.add("credential_type", CodeCredentialPersonalOnly, "Microsoft's sign-in page knows "+t.Address+" only as a personal account", "address", t.Address)
		return false
	case existsNot:
		v.Work = No
		if v.Personal == Unknown {
			v.Personal = No
		}
		res.add("credential_type", CodeCredentialAbsent, "Microsoft's sign-in page does not know "+t.Address+" as a work or school account (a passwordless or unusual account can look absent, so this is not certain)", "address", t.Address)
		return false
	case existsAcma:
		v.Work = Yes
		res.add("credential_type", CodeCredentialExistsRare, "Microsoft's sign-in page gave a rare \"exists\" code (8) for "+t.Address, "address", t.Address, "value", strconv.Itoa(code))
		return false
	default:
		res.spoiled = true
		res.add("credential_type", CodeLookupFailed, fmt.Sprintf("Microsoft's sign-in page gave an error code (%d), so whether the work account exists is unconfirmed", code), "endpoint", epCredential.String(), "reason", ReasonErrorCode, "value", strconv.Itoa(code))
		return false
	}
}
