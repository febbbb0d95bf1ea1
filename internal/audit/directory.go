package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/gosmarter/whichaccount/internal/directory"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// MemberLister pages through the members of the organisation's tenant.
// *directory.Client satisfies it.
type MemberLister interface {
	Members(ctx context.Context, each func([]directory.User) error) error
	TenantID() string
}

// Tenant is the members of the organisation's tenant, read for the
// whole-tenant overlap audit: every address a member signs in or gets mail
// with (user principal name, mail, SMTP proxy addresses), and whose it is.
type Tenant struct {
	tenantID  string
	members   int
	addresses []string          // in listing order, each once
	owner     map[string]member // by address
}

type member struct {
	user  directory.User
	match directory.Match
}

// ReadTenant pages through the tenant's members, showing how far it got on
// p (which may be nil).
func ReadTenant(ctx context.Context, l MemberLister, p *Progress) (*Tenant, error) {
	t := &Tenant{tenantID: l.TenantID(), owner: map[string]member{}}
	if p != nil {
		p.Printf("audit: reading the members of tenant %s from Microsoft Graph", t.tenantID)
	}
	err := l.Members(ctx, func(users []directory.User) error {
		for _, u := range users {
			if u.IsGuest() {
				continue
			}
			t.members++
			for _, a := range u.Addresses() {
				if _, ok := t.owner[a]; ok {
					continue
				}
				m := member{user: u, match: directory.MatchAlias}
				switch {
				case strings.EqualFold(a, u.UserPrincipalName):
					m.match = directory.MatchUPN
				case strings.EqualFold(a, u.Mail):
					m.match = directory.MatchMail
				}
				t.owner[a] = m
				t.addresses = append(t.addresses, a)
			}
		}
		if p != nil && p.terminal {
			p.show(fmt.Sprintf("audit: %s members, %s addresses so far", num(t.members), num(len(t.addresses))))
		}
		return nil
	})
	if p != nil && p.terminal {
		p.done()
	}
	if err != nil {
		return nil, fmt.Errorf("audit: reading the tenant's members: %w", err)
	}
	if p != nil {
		p.Printf("audit: %s members with %s addresses", num(t.members), num(len(t.addresses)))
	}
	return t, nil
}

// Members is the number of members read.
func (t *Tenant) Members() int { return t.members }

// Inputs returns the run's inputs: first the inputs of the rows an earlier
// run wrote (done), in their order, so that they resume as they are (a
// member who left since keeps their rows); then every other member
// address, in the order Graph listed them.
func (t *Tenant) Inputs(done []msaccount.Verdict) []Input {
	in := make([]Input, 0, len(done)+len(t.addresses))
	seen := make(map[string]bool, len(done))
	for _, v := range done {
		in = append(in, Input{Line: len(in) + 1, Text: v.Input})
		seen[strings.ToLower(v.Input)] = true
	}
	for _, a := range t.addresses {
		if !seen[a] {
			in = append(in, Input{Line: len(in) + 1, Text: a})
		}
	}
	return in
}

// Checker returns c with the directory's facts about each member address
// applied to its verdict: the work account is confirmed in the tenant, so
// an address with a personal account is an overlap, and the row says whose
// the address is and since when their account exists.
func (t *Tenant) Checker(c Checker) Checker { return tenantChecker{c, t} }

type tenantChecker struct {
	Checker
	t *Tenant
}

func (tc tenantChecker) Lookup(ctx context.Context, target msaccount.Target) msaccount.Verdict {
	v := tc.Checker.Lookup(ctx, target)
	m, ok := tc.t.owner[target.Address]
	if !ok {
		return v // a member who left since an earlier run
	}
	u := m.user
	u.Match = m.match
	v = v.WithDirectory(tc.t.tenantID, u, nil)
	if v.Directory != nil {
		v.Directory.User = u.UserPrincipalName
		if !u.CreatedDateTime.IsZero() {
			v.Directory.Since = u.CreatedDateTime.Format("2006-01-02")
		}
	}
	return v
}
