package msaccount

import (
	"testing"
)

func TestDecodeTolerance(t *testing.T) {
	r, err := decodeRealm([]byte(`{"namespacetype":"Federated","authurl":"https://login.live.com/login.srf?x","ConsumerDomain":"true","MicrosoftAccount":"0","NewField":{"a":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !r.consumer() || !r.MicrosoftAccount.Set || r.MicrosoftAccount.Value != 0 {
		t.Errorf("decodeRealm = %+v", r)
	}
	if _, err := decodeRealm([]byte(`{"Login":"x"}`)); err == nil {
		t.Error("decodeRealm without NameSpaceType: no error")
	}
	o, err := decodeOpenID([]byte(`{"issuer":"https://sts.windows.net/72F988BF-0000-0000-0000-2D7CD011DB47/","tenant_region_scope":null}`))
	if err != nil || o.tenantID() != "72f988bf-0000-0000-0000-2d7cd011db47" {
		t.Errorf("decodeOpenID v1 issuer = %q, %v", o.tenantID(), err)
	}
	c, err := decodeCredentialType([]byte(`{"IfExistsResult":6.0,"ThrottleStatus":0,"Credentials":{"FederationRedirectUrl":""},"EstsProperties":null}`))
	if err != nil || c.IfExistsResult.Value != 6 {
		t.Errorf("decodeCredentialType = %+v, %v", c, err)
	}
	if _, err := decodeCredentialType([]byte(`{"IfExistsResult":"x"}`)); err == nil {
		t.Error("decodeCredentialType with junk code: no error")
	}
}

func FuzzDecodeRealm(f *testing.F) {
	f.Add([]byte(`{"NameSpaceType":"Managed","Login":"alex@contoso.com","DomainName":"contoso.com","FederationBrandName":"Contoso Ltd","TenantBrandingInfo":[{"Locale":0}],"cloud_instance_name":"microsoftonline.com","IsMicrosoftAccountSet":true,"MicrosoftAccount":0}`))
	f.Add([]byte(`{"NameSpaceType":"Federated","AuthURL":"https://login.live.com/login.srf","DomainName":"live.com","FederationBrandName":"MSA Realms","ConsumerDomain":true}`))
	f.Add([]byte(`{"NameSpaceType":"Unknown"}`))
	f.Add([]byte(`{"NameSpaceType":"Man`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRealm(b)
		if err == nil {
			_ = r.consumer()
			_ = r.stsHost()
		}
	})
}

func FuzzDecodeOpenID(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://login.microsoftonline.com/72f988bf-0000-0000-0000-2d7cd011db47/v2.0","tenant_region_scope":"NA"}`))
	f.Add([]byte(`{"error":"invalid_tenant","error_codes":[90002]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := decodeOpenID(b)
		if err == nil {
			if id := o.tenantID(); id != "" && !isGUID(id) {
				t.Fatalf("tenantID() = %q", id)
			}
		}
	})
}

func FuzzDecodeCredentialType(f *testing.F) {
	f.Add([]byte(`{"Username":"alex@contoso.com","IfExistsResult":0,"IsUnmanaged":false,"ThrottleStatus":0,"Credentials":{"PrefCredential":1,"HasPassword":true},"EstsProperties":{"UserTenantBranding":null,"DomainType":3}}`))
	f.Add([]byte(`{"IfExistsResult":1,"ThrottleStatus":1,"EstsProperties":{"DomainType":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = decodeCredentialType(b)
	})
}
