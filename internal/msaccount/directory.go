package msaccount

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gosmarter/whichaccount/internal/directory"
)

// DirectoryFacts is the verdict's "directory" object: what the
// organisation's own directory says about the address. Chat answers carry
// Found, UserType, Enabled, Home and Invitation only; User and Since are
// filled by the whole-tenant audit (and for the asker themself).
type DirectoryFacts struct {
	// Found says a user of the tenant has the address.
	Found bool `json:"found"`
	// UserType is "Member" or "Guest".
	UserType string `json:"user_type,omitempty"`
	// Enabled says the account can sign in.
	Enabled bool `json:"enabled"`
	// Home is where the user signs in: "work" (members, and guests from
	// another organisation), "personal" (a guest with a personal Microsoft
	// account), "otp" (a guest with one-time passcodes by mail), "other"
	// (Google, Facebook, a SAML partner…); empty for a guest who has not
	// redeemed the invitation yet.
	Home string `json:"home,omitempty"`
	// Invitation is a guest's invitation state: "Accepted" or
	// "PendingAcceptance".
	Invitation string `json:"invitation,omitempty"`
	// User is the user's sign-in name (audits only).
	User string `json:"user,omitempty"`
	// Since is the day the user's account was created, YYYY-MM-DD
	// (audits only).
	Since string `json:"since,omitempty"`
}

// MarshalJSON writes {"found":false} for an address the directory does not
// have, and every fact otherwise.
func (d DirectoryFacts) MarshalJSON() ([]byte, error) {
	if !d.Found {
		return []byte(`{"found":false}`), nil
	}
	type facts DirectoryFacts
	return json.Marshal(facts(d))
}

// Directory is the organisation's own directory: Microsoft Graph for its
// tenant. *directory.Client satisfies it.
type Directory interface {
	// FindAddress returns the user an address belongs to, or an error
	// wrapping directory.ErrNotFound.
	FindAddress(ctx context.Context, address string) (directory.User, error)
	// UserByID returns the user with an object ID.
	UserByID(ctx context.Context, id string) (directory.User, error)
	// TenantID is the tenant the directory holds.
	TenantID() string
}

// DirectoryLookup gives verdicts that also consult the organisation's
// directory: the sign-in endpoints settle what they can, as for anyone,
// and the directory, asked at the same time, is authoritative for the work
// side in its own tenant. Use it only for people of the organisation; the
// helpdesk decides who that is.
type DirectoryLookup struct {
	signIn *Client
	dir    Directory
}

// NewDirectoryLookup combines the sign-in client with the directory.
func NewDirectoryLookup(signIn *Client, dir Directory) *DirectoryLookup {
	return &DirectoryLookup{signIn: signIn, dir: dir}
}

// Offline reports whether the sign-in client only applies the rules; the
// directory is then never asked either.
func (d *DirectoryLookup) Offline() bool { return d.signIn.Offline() }

// Stats returns the sign-in client's counters.
func (d *DirectoryLookup) Stats() Stats { return d.signIn.Stats() }

// Check parses input and returns its verdict, as Client.Check.
func (d *DirectoryLookup) Check(ctx context.Context, input string) Verdict {
	t, err := Parse(input)
	if err != nil {
		return invalid(input, err)
	}
	return d.Lookup(ctx, t)
}

// Lookup returns the verdict for t. An address is looked up in the
// directory and at the sign-in endpoints at once (one Graph request, none
// when the directory's cache has it); a domain only at the sign-in
// endpoints. A directory that fails leaves the public verdict as it is,
// with a directory.failed line saying why.
func (d *DirectoryLookup) Lookup(ctx context.Context, t Target) Verdict {
	if d.signIn.Offline() || t.IsDomain() {
		return d.signIn.Lookup(ctx, t)
	}
	noticeWait(ctx) // the directory may have to be asked
	type answer struct {
		u   directory.User
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		u, err := d.dir.FindAddress(ctx, t.Address)
		ch <- answer{u, err}
	}()
	v := d.signIn.Lookup(ctx, t)
	a := <-ch
	return v.WithDirectory(d.dir.TenantID(), a.u, a.err)
}

// Self returns the directory's facts about the user with an object ID (a
// Teams sender's aadObjectId), with User set to the name they sign in
// with (a guest's mail), for telling people which account they are using.
func (d *DirectoryLookup) Self(ctx context.Context, objectID string) (DirectoryFacts, error) {
	u, err := d.dir.UserByID(ctx, objectID)
	if errors.Is(err, directory.ErrNotFound) {
		return DirectoryFacts{}, nil
	}
	if err != nil {
		return DirectoryFacts{}, err
	}
	f := factsOf(u)
	f.User = u.UserPrincipalName
	if u.IsGuest() && u.Mail != "" {
		f.User = u.Mail
	}
	return f, nil
}

// factsOf is the directory object of a found user.
func factsOf(u directory.User) DirectoryFacts {
	f := DirectoryFacts{Found: true, UserType: directory.Member, Enabled: u.AccountEnabled, Home: string(u.Home())}
	if u.IsGuest() {
		f.UserType = directory.Guest
		f.Invitation = u.ExternalUserState
	}
	return f
}

// WithDirectory returns v with the directory's answer about its address
// applied: u and err as a Directory's FindAddress gave them, for the
// directory of tenantID.
//
//   - A member: the work account is confirmed in this tenant (work "yes").
//   - A guest: the home account is named (a personal home settles a
//     personal account still open; a work home, a work account still open),
//     with the invitation state.
//   - A disabled account and a pending invitation get lines of their own.
//   - Not found, in a domain the tenant owns: there is no work account for
//     the address here (work "no"), authoritatively, unless Microsoft's
//     sign-in page knows one (a user the directory's index has not caught
//     up with). Not found elsewhere says nothing about the work side.
//   - A member found only through an address outside the tenant's domains
//     holds it as a contact address (otherMails), not as an account: that
//     is "not found".
//   - Any other error leaves v as the sign-in endpoints gave it, with a
//     directory.failed line.
//
// The certainty is then worked out again: confirmed when both sides are
// settled by sources without blind spots (the directory for the work side,
// the realm's answer for the exact address for the personal side).
func (v Verdict) WithDirectory(tenantID string, u directory.User, err error) Verdict {
	if v.Address == "" || v.Error != "" {
		return v
	}
	v = v.clone()
	a := v.Address
	owned := tenantID != "" && strings.EqualFold(v.Domain.TenantID, tenantID)
	if err == nil && !u.IsGuest() && u.Match == directory.MatchOther && !owned {
		err = directory.ErrNotFound
	}
	workStrong := v.Certainty == Confirmed
	switch {
	case errors.Is(err, directory.ErrNotFound):
		v.Directory = &DirectoryFacts{}
		if owned {
			if v.Work != Yes {
				v.Work = No
				workStrong = true
			}
			v.Evidence = append(v.Evidence, evidence("directory", CodeDirectoryNotFound, "no account in your directory has "+a+", and its domain belongs to your tenant, so there is no work or school account for it there", "address", a, "owned", "true"))
		} else {
			v.Evidence = append(v.Evidence, evidence("directory", CodeDirectoryNotFound, "no user of your directory has "+a+" (its domain is not one of your tenant's, so this says nothing about other organisations)", "address", a, "owned", "false"))
		}
	case err != nil:
		reason, status, code, until := directoryFailure(err)
		v.Evidence = append(v.Evidence, evidence("directory", CodeDirectoryFailed, "couldn't ask your directory (Microsoft Graph: "+directoryReasonText(reason)+"), so this answer comes from Microsoft's public sign-in endpoints", "reason", reason, "status", status, "value", code, "until", until))
	case !u.IsGuest():
		f := factsOf(u)
		v.Directory = &f
		v.Work = Yes
		workStrong = true
		how := map[directory.Match]string{directory.MatchUPN: "upn", directory.MatchMail: "mail", directory.MatchAlias: "alias", directory.MatchOther: "alias"}[u.Match]
		v.Evidence = append(v.Evidence, evidence("directory", CodeDirectoryMember, a+" belongs to a member of your directory ("+map[string]string{"upn": "its sign-in name", "mail": "its mail address", "alias": "one of its addresses"}[how]+"): the work or school account is confirmed in your tenant", "address", a, "match", how))
	default:
		f := factsOf(u)
		v.Directory = &f
		home := f.Home
		switch u.Home() {
		case directory.HomePersonal:
			if v.Personal == Unknown {
				v.Personal = Yes
			}
		case directory.HomeWork:
			if v.Work == Unknown {
				v.Work = Yes
			}
		case directory.HomeUnknown:
			home = "unknown"
		}
		v.Evidence = append(v.Evidence, evidence("directory", CodeDirectoryGuest, a+" is a guest in your directory who signs in with "+guestHomeText(u), "address", a, "home", home, "issuer", u.Issuer(), "invitation", f.Invitation))
		if u.Pending() {
			v.Evidence = append(v.Evidence, evidence("directory", CodeDirectoryPending, "the invitation sent to "+a+" has not been accepted yet", "address", a))
		}
	}
	if v.Directory != nil && v.Directory.Found && !v.Directory.Enabled {
		v.Evidence = append(v.Evidence, evidence("directory", CodeDirectoryDisabled, "the account of "+a+" in your directory is disabled, so it cannot sign in until the helpdesk enables it again", "address", a))
	}

	// Certainty again, from what settled each side.
	personalStrong := v.Certainty == Confirmed
	for _, e := range v.Evidence {
		if e.Code == CodeRealmPersonalExists || e.Code == CodeRealmPersonalAbsent {
			personalStrong = true
		}
	}
	if v.Personal == No && v.Domain.Type == Managed && initialCloud(v.Domain.Name) != "" {
		personalStrong = true // an initial domain's addresses are never personal accounts
	}
	v.finish(personalStrong && workStrong)
	return v
}

// directoryFailure reads a directory error as evidence args: the reason
// (throttled, denied, unavailable, malformed), the HTTP status, Graph's
// error code and, when throttled, the end of the pause.
func directoryFailure(err error) (reason, status, code, until string) {
	var e *directory.Error
	if errors.As(err, &e) {
		if e.Status != 0 {
			status = strconv.Itoa(e.Status)
		}
		code = e.Code
		if !e.Until.IsZero() {
			until = e.Until.UTC().Format(time.RFC3339)
		}
	}
	switch {
	case errors.Is(err, directory.ErrThrottled):
		reason = DirectoryThrottled
	case errors.Is(err, directory.ErrDenied):
		reason = DirectoryDenied
	case errors.Is(err, directory.ErrBadAnswer):
		reason = DirectoryMalformed
	default:
		reason = DirectoryUnavailable
	}
	return reason, status, code, until
}

func directoryReasonText(reason string) string {
	switch reason {
	case DirectoryThrottled:
		return "it asked us to wait"
	case DirectoryDenied:
		return "it refused the app's credentials or permission"
	case DirectoryMalformed:
		return "its answer could not be read"
	}
	return "it did not answer"
}

func guestHomeText(u directory.User) string {
	switch u.Home() {
	case directory.HomePersonal:
		return "a personal Microsoft account"
	case directory.HomeWork:
		return "a work or school account of another organisation"
	case directory.HomeOTP:
		return "one-time passcodes sent by email"
	case directory.HomeOther:
		return "an account at " + u.Issuer()
	}
	return "an account not known yet (the invitation has not been redeemed)"
}
