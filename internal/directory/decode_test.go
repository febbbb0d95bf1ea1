package directory

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A page as Graph sends it for a lookup (advanced query, $count).
const graphPage = `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,mail,userType,accountEnabled,creationType,externalUserState,identities)",` +
	`"@odata.count":2,"value":[` +
	`{"id":"1a2b3c4d-0000-4000-8000-000000000001","userPrincipalName":"jane_outlook.com#EXT#@contoso.onmicrosoft.com","mail":"jane@outlook.com","userType":"Guest","accountEnabled":true,"creationType":"Invitation","externalUserState":"Accepted",` +
	`"identities":[{"signInType":"federated","issuer":"MicrosoftAccount","issuerAssignedId":null},{"signInType":"userPrincipalName","issuer":"contoso.onmicrosoft.com","issuerAssignedId":"jane_outlook.com#EXT#@contoso.onmicrosoft.com"}]},` +
	`{"id":"1a2b3c4d-0000-4000-8000-000000000002","userPrincipalName":"alex@contoso.com","mail":null,"userType":"Member","accountEnabled":false,"creationType":null,"externalUserState":null,"identities":[]}]}`

func TestDecodePage(t *testing.T) {
	p, err := decodePage([]byte(graphPage))
	if err != nil {
		t.Fatal(err)
	}
	if p.Count != 2 || p.NextLink != "" || len(p.Users) != 2 {
		t.Fatalf("page = %+v", p)
	}
	g, m := p.Users[0], p.Users[1]
	if !g.IsGuest() || g.Home() != HomePersonal || g.Pending() || !g.AccountEnabled || g.Mail != "jane@outlook.com" {
		t.Errorf("guest = %+v", g)
	}
	if m.IsGuest() || m.AccountEnabled || m.Mail != "" || m.Home() != HomeWork {
		t.Errorf("member = %+v", m)
	}
	members := `{"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$top=999&$skiptoken=RFNwdAIAAQAAAB","value":[` +
		`{"id":"x","userPrincipalName":"a@contoso.com","proxyAddresses":["SMTP:a@contoso.com","smtp:a@contoso.onmicrosoft.com","SIP:a@contoso.com","X500:/o=Contoso"],"createdDateTime":"2019-03-01T09:30:00Z"},` +
		`{"id":"y","createdDateTime":null},{"id":"z","createdDateTime":"yesterday"}]}`
	p, err = decodePage([]byte(members))
	if err != nil || p.Count != -1 || !strings.Contains(p.NextLink, "$skiptoken=") || len(p.Users) != 3 {
		t.Fatalf("members page = %+v, %v", p, err)
	}
	if a := p.Users[0].Addresses(); strings.Join(a, " ") != "a@contoso.com a@contoso.onmicrosoft.com" {
		t.Errorf("addresses = %q", a)
	}
	if !p.Users[0].CreatedDateTime.Equal(time.Date(2019, 3, 1, 9, 30, 0, 0, time.UTC)) || !p.Users[1].CreatedDateTime.IsZero() || !p.Users[2].CreatedDateTime.IsZero() {
		t.Errorf("created = %v %v %v", p.Users[0].CreatedDateTime, p.Users[1].CreatedDateTime, p.Users[2].CreatedDateTime)
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"value":null}`, `{"value":[{}]}`, `{"value":[{"id":7}]}`, `{"value":[],"@odata.count":-1}`, `{"value":[],"@odata.count":"x"}`} {
		if _, err := decodePage([]byte(bad)); err == nil {
			t.Errorf("decodePage(%s): no error", bad)
		}
	}
}

func TestDecodeToken(t *testing.T) {
	a, err := decodeToken([]byte(`{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi"}`))
	if err != nil || a.AccessToken != "eyJ0eXAi" || a.ExpiresIn != 3599*time.Second {
		t.Errorf("decodeToken = %+v, %v", a, err)
	}
	if a, err := decodeToken([]byte(`{"token_type":"Bearer","expires_in":"3599","access_token":"x"}`)); err != nil || a.ExpiresIn != 3599*time.Second {
		t.Errorf("string expires_in: %+v, %v", a, err)
	}
	a, err = decodeToken([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}`))
	if err != nil || a.Error != "invalid_client" || len(a.ErrorCodes) != 1 || a.ErrorCodes[0] != 7000215 {
		t.Errorf("error answer = %+v, %v", a, err)
	}
	for _, bad := range []string{`{}`, `{"access_token":"x","expires_in":0}`, `{"access_token":"x","expires_in":-5}`, `{"access_token":"x","expires_in":1e99}`, `{"access_token":"x","token_type":"pop","expires_in":5}`, `nope`} {
		if _, err := decodeToken([]byte(bad)); err == nil {
			t.Errorf("decodeToken(%s): no error", bad)
		}
	}
	if e := decodeAPIError([]byte(`{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist","innerError":{"date":"2024-01-01T00:00:00"}}}`)); e.Code != "Request_ResourceNotFound" {
		t.Errorf("decodeAPIError = %+v", e)
	}
	if e := decodeAPIError([]byte(`<html>`)); e != (apiError{}) {
		t.Errorf("decodeAPIError(html) = %+v", e)
	}
}

// FuzzDecodePage feeds arbitrary bytes to the decoders of Graph's
// answers: they never panic, and what they accept is consistent: every
// user has an ID, the homes and addresses are well formed, and a page
// encoded back decodes to the same users.
//
//	go test ./internal/directory -run XXX -fuzz FuzzDecodePage -fuzztime 60s
func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(graphPage))
	f.Add([]byte(`{"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=x","value":[{"id":"x","proxyAddresses":["SMTP:a@b.c",null,"smtp"],"identities":[null,{"signInType":"federated","issuer":"mail"}]}]}`))
	f.Add([]byte(`{"value":[{"id":"x","userType":"Guest","otherMails":["a@b.c"],"createdDateTime":"2019-03-01T09:30:00.123Z"}],"@odata.count":1}`))
	f.Add([]byte(`{"token_type":"Bearer","expires_in":"3599","access_token":"a"}`))
	f.Add([]byte(`{"error":{"code":"TooManyRequests","message":"Too many requests."}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeToken(b)
		decodeAPIError(b)
		if u, err := decodeUser(b); err == nil && u.ID == "" {
			t.Fatalf("decodeUser accepted a user without an ID: %q", b)
		}
		p, err := decodePage(b)
		if err != nil {
			return
		}
		for _, u := range p.Users {
			if u.ID == "" {
				t.Fatalf("a user without an ID: %q", b)
			}
			switch u.Home() {
			case HomeWork, HomePersonal, HomeOTP, HomeOther, HomeUnknown:
			default:
				t.Fatalf("home %q", u.Home())
			}
			for _, a := range u.Addresses() {
				if a != strings.ToLower(a) || !strings.Contains(a, "@") || strings.Contains(a, "#ext#") {
					t.Fatalf("address %q of %q", a, b)
				}
			}
		}
		again, err := json.Marshal(map[string]any{"value": p.Users})
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		q, err := decodePage(again)
		if err != nil || len(q.Users) != len(p.Users) {
			t.Fatalf("re-decoded %d users (%v), want %d", len(q.Users), err, len(p.Users))
		}
		for i := range q.Users {
			x, y := p.Users[i], q.Users[i]
			if x.ID != y.ID || x.UserPrincipalName != y.UserPrincipalName || x.Mail != y.Mail || x.AccountEnabled != y.AccountEnabled ||
				x.Home() != y.Home() || x.Pending() != y.Pending() || !x.CreatedDateTime.Equal(y.CreatedDateTime) {
				t.Fatalf("round trip changed user %d: %+v → %+v", i, x, y)
			}
		}
	})
}
