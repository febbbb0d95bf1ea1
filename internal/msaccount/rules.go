package msaccount

import (
	"bufio"
	_ "embed"
	"strings"
)

//go:embed data/consumer_domains.txt
var consumerList string

//go:embed data/mail_providers.txt
var providerList string

var (
	consumerDomains = readList(consumerList)
	mailProviders   = readList(providerList)
)

func readList(text string) map[string]bool {
	m := make(map[string]bool)
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m[strings.ToLower(line)] = true
	}
	return m
}

// IsConsumerDomain reports whether domain (lowercase ASCII) is one of
// Microsoft's consumer mail domains. Only exact names match: a lookalike such
// as outlook.com.evil.io or a subdomain such as mail.outlook.com does not.
func IsConsumerDomain(domain string) bool { return consumerDomains[domain] }

// IsMailProvider reports whether domain is a well-known mail provider that is
// not Microsoft (gmail.com, yahoo.com, icloud.com…).
func IsMailProvider(domain string) bool { return mailProviders[domain] }

// initialDomains are the suffixes of Entra tenants' own initial domains, by
// cloud.
var initialDomains = []struct{ suffix, cloud string }{
	{".onmicrosoft.com", "microsoftonline.com"},
	{".onmicrosoft.us", "microsoftonline.us"},
	{".onmschina.cn", "partner.microsoftonline.cn"},
}

// initialCloud returns the cloud of an Entra initial domain, or "".
func initialCloud(domain string) string {
	for _, d := range initialDomains {
		if strings.HasSuffix(domain, d.suffix) && len(domain) > len(d.suffix) {
			return d.cloud
		}
	}
	return ""
}

// Offline returns the verdict the built-in rules give, without the network.
// It never returns Confirmed: only Microsoft's answers confirm.
func Offline(t Target) Verdict {
	v := Verdict{
		Input:    t.Input,
		Address:  t.Address,
		Domain:   Domain{Name: t.Domain, Unicode: t.DomainUnicode, Type: UnknownType},
		Personal: Unknown,
		Work:     Unknown,
	}
	d := t.Domain
	switch {
	case IsConsumerDomain(d):
		v.Domain.Type = Consumer
		v.Domain.Cloud = "microsoftonline.com"
		v.Work = No
		if t.IsDomain() {
			v.Personal = Yes
		}
		v.Evidence = append(v.Evidence, evidence("rules", CodeRulesConsumer, d+" is one of Microsoft's consumer mail domains: addresses there can only be personal Microsoft accounts", "domain", d))
	case initialCloud(d) != "":
		v.Domain.Type = Managed
		v.Domain.Cloud = initialCloud(d)
		v.Personal = No
		if t.IsDomain() {
			v.Work = Yes
		}
		v.Evidence = append(v.Evidence, evidence("rules", CodeRulesInitialDomain, d+" is an Entra tenant's initial domain: addresses there are work or school accounts, never personal ones", "domain", d, "cloud", v.Domain.Cloud))
	case IsMailProvider(d):
		v.Domain.Type = NoTenant
		v.Work = No
		if t.IsDomain() {
			v.Personal = Yes
		}
		v.Evidence = append(v.Evidence, evidence("rules", CodeRulesOtherProvider, d+" is a mail provider that is not Microsoft: its addresses are never work or school accounts, though one may be registered as a personal Microsoft account", "domain", d))
	default:
		v.Evidence = append(v.Evidence, evidence("rules", CodeRulesUnlisted, d+" is not on any built-in list: only Microsoft's sign-in service can tell", "domain", d))
	}
	v.finish(false)
	return v
}

// UserLimited returns the verdict the built-in rules give when the person
// asking has reached their limit of online lookups: Offline's verdict with
// a limits.user_limit line, so that it is not mistaken for an offline
// configuration or a failure of Microsoft.
func UserLimited(t Target) Verdict {
	v := Offline(t)
	v.Evidence = append(v.Evidence, evidence("limits", CodeLimitsUserLimit, "the limit of lookups per person was reached, so this answer comes from the built-in rules"))
	return v
}

// CheckOffline parses input and applies the offline rules.
func CheckOffline(input string) Verdict {
	t, err := Parse(input)
	if err != nil {
		return invalid(input, err)
	}
	return Offline(t)
}
