package teams

import (
	"net/http"
	"testing"
	"time"
)

func TestActivityURL(t *testing.T) {
	tests := []struct{ service, conv, reply, want string }{
		{"https://smba.trafficmanager.net/emea/", "a:1xyz", "1712", "https://smba.trafficmanager.net/emea/v3/conversations/a:1xyz/activities/1712"},
		{"https://smba.trafficmanager.net/emea", "19:c@thread.tacv2;messageid=1712", "1712", "https://smba.trafficmanager.net/emea/v3/conversations/19:c@thread.tacv2%3Bmessageid=1712/activities/1712"},
		{"http://localhost:3978/", "conv/../x", "", "http://localhost:3978/v3/conversations/conv%2F..%2Fx/activities"},
		{"https://x/", "c", "a/b?c#d", "https://x/v3/conversations/c/activities/a%2Fb%3Fc%23d"},
	}
	for _, tt := range tests {
		if got := activityURL(tt.service, tt.conv, tt.reply); got != tt.want {
			t.Errorf("activityURL(%q, %q, %q) = %q, want %q", tt.service, tt.conv, tt.reply, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"3", 3 * time.Second},
		{" 2 ", 2 * time.Second},
		{"-5", 0},
		{"3600", maxRetryAfter},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for attempt := 1; attempt <= 10; attempt++ {
		d := min(backoffBase<<(attempt-1), backoffMax)
		for i := 0; i < 50; i++ {
			if got := backoff(attempt); got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, got, d/2, d)
			}
		}
	}
}

func TestTenantTokenURL(t *testing.T) {
	tests := []struct{ url, typ, tenant, want string }{
		{DefaultTokenURL, MultiTenant, "", DefaultTokenURL},
		{DefaultTokenURL, SingleTenant, "t-1", "https://login.microsoftonline.com/t-1/oauth2/v2.0/token"},
		{"https://login.microsoftonline.us/botframework.com/oauth2/v2.0/token", SingleTenant, "t-1", "https://login.microsoftonline.us/t-1/oauth2/v2.0/token"},
		{"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", SingleTenant, "t-1", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"},
		{"http://127.0.0.1:1234/botframework.com/oauth2/v2.0/token", MultiTenant, "t-1", "http://127.0.0.1:1234/botframework.com/oauth2/v2.0/token"},
	}
	for _, tt := range tests {
		got, err := tenantTokenURL(tt.url, tt.typ, tt.tenant)
		if err != nil || got != tt.want {
			t.Errorf("tenantTokenURL(%q, %s, %q) = %q, %v; want %q", tt.url, tt.typ, tt.tenant, got, err, tt.want)
		}
	}
}

func TestBearer(t *testing.T) {
	for h, want := range map[string]string{
		"Bearer abc":  "abc",
		"bearer abc":  "abc",
		"BEARER  abc": "abc",
		"Bearer":      "",
		"Bearer ":     "",
		"Basic abc":   "",
		"abc":         "",
		"":            "",
	} {
		got, err := bearer(h)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("bearer(%q) = %q, %v; want %q", h, got, err, want)
		}
	}
}
