package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
)

// TestWebChatThroughServer: the page and a question through the whole
// server, counted in the metrics, with no address in the logs.
func TestWebChatThroughServer(t *testing.T) {
	logs := &syncBuffer{}
	a, srv := testApp(t, slacktest.New(t), microsoftFake(t), logs, nil)
	if !strings.Contains(strings.Join(a.status, "\n"), "Web chat: on") {
		t.Errorf("status = %q", a.status)
	}
	code, page := get(t, srv.URL+"/")
	if code != 200 || !strings.Contains(page, `name="message"`) {
		t.Fatalf("GET / = %d %.200s", code, page)
	}
	if code, _ := get(t, srv.URL+"/nothing-here"); code != 404 {
		t.Errorf("GET /nothing-here = %d, want 404", code)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/webchat/message", strings.NewReader(`{"text":"is alex@contoso.com personal or work?"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", srv.URL)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Reply struct {
			Verdicts []struct{ Name, Kind string }
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 || len(body.Reply.Verdicts) != 1 || body.Reply.Verdicts[0].Kind != "both" {
		t.Fatalf("POST /webchat/message = %d %+v %v", res.StatusCode, body, err)
	}
	// Cross-site: refused.
	req, _ = http.NewRequest("POST", srv.URL+"/webchat/message", strings.NewReader(`{"text":"hi"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 403 {
		t.Errorf("cross-site POST: %v %v, want 403", res, err)
	}
	_, metrics := get(t, srv.URL+"/metrics")
	for _, want := range []string{`whichaccount_http_requests_total{platform="web",route="/",status="200"} 1`, `whichaccount_http_requests_total{platform="web",route="/webchat/",status="200"} 1`, `whichaccount_http_requests_total{platform="web",route="/webchat/",status="403"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if l := logs.String(); strings.Contains(l, "alex@") || strings.Contains(l, "127.0.0.1") {
		t.Errorf("logs carry an address:\n%s", l)
	}
}

// TestWebChatConfig: WEBCHAT_ENABLED and WEBCHAT_FRAME_ANCESTORS.
func TestWebChatConfig(t *testing.T) {
	tests := []struct {
		env     map[string]string
		enabled bool
		problem string
	}{
		{map[string]string{}, true, ""},
		{map[string]string{"WHICHACCOUNT_ENV": "production"}, false, ""},
		{map[string]string{"WHICHACCOUNT_ENV": "production", "WEBCHAT_ENABLED": "true"}, true, ""},
		{map[string]string{"WEBCHAT_ENABLED": "false"}, false, ""},
		{map[string]string{"WEBCHAT_ENABLED": "maybe"}, true, "WEBCHAT_ENABLED"},
		{map[string]string{"WEBCHAT_FRAME_ANCESTORS": "https://intranet.contoso.com, 'self'"}, true, ""},
		{map[string]string{"WEBCHAT_FRAME_ANCESTORS": "'none'"}, true, ""},
		{map[string]string{"WEBCHAT_FRAME_ANCESTORS": "https://intranet.contoso.com;script-src"}, true, "WEBCHAT_FRAME_ANCESTORS"},
		{map[string]string{"WEBCHAT_FRAME_ANCESTORS": "*"}, true, "WEBCHAT_FRAME_ANCESTORS"},
		{map[string]string{"WEBCHAT_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1, ::1"}, true, ""},
		{map[string]string{"WEBCHAT_TRUSTED_PROXIES": "10.0.0.0/33"}, true, "WEBCHAT_TRUSTED_PROXIES"},
		{map[string]string{"WEBCHAT_TRUSTED_PROXIES": "proxy.contoso.com"}, true, "WEBCHAT_TRUSTED_PROXIES"},
	}
	for _, tt := range tests {
		cfg, err := loadConfig(func(k string) string { return tt.env[k] })
		switch {
		case tt.problem == "" && err != nil:
			t.Errorf("%v: %v", tt.env, err)
		case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
			t.Errorf("%v: error %v, want one naming %s", tt.env, err, tt.problem)
		case tt.problem == "" && cfg.Web.Enabled != tt.enabled:
			t.Errorf("%v: web chat enabled %v, want %v", tt.env, cfg.Web.Enabled, tt.enabled)
		}
	}
}

// TestWebChatTrustedProxies: addresses and ranges, as ranges.
func TestWebChatTrustedProxies(t *testing.T) {
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"WEBCHAT_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1 ::1 10.1.2.3/16"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range cfg.Web.TrustedProxies {
		got = append(got, p.String())
	}
	if want := "10.0.0.0/8 127.0.0.1/32 ::1/128 10.1.0.0/16"; strings.Join(got, " ") != want {
		t.Errorf("trusted proxies %q, want %s", got, want)
	}
}

// TestWebChatInProduction: production starts with the web chat as its only
// platform when it is asked for, and serves nothing at / otherwise.
func TestWebChatInProduction(t *testing.T) {
	port := freePort(t)
	var out, errs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	env := map[string]string{"PORT": strconv.Itoa(port), "WHICHACCOUNT_ENV": "production", "WEBCHAT_ENABLED": "true", "WHICHACCOUNT_LOOKUP": "offline"}
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
	}()
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
	if code, page := get(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); code != 200 || !strings.Contains(page, `name="message"`) {
		t.Errorf("GET / in production with WEBCHAT_ENABLED=true = %d", code)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d, stderr %s", code, errs.String())
	}
	for _, want := range []string{"Web chat: on", fmt.Sprintf("open http://localhost:%d/", port)} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up summary lacks %q:\n%s", want, out.String())
		}
	}

	_, srv := testApp(t, slacktest.New(t), microsoftFake(t), &syncBuffer{}, map[string]string{"WHICHACCOUNT_ENV": "production"})
	if code, _ := get(t, srv.URL+"/"); code != 404 {
		t.Errorf("GET / in production without WEBCHAT_ENABLED = %d, want 404", code)
	}
}

// TestWebChatFrameAncestors: the embedding origins reach the page's policy
// and the start-up summary.
func TestWebChatFrameAncestors(t *testing.T) {
	a, srv := testApp(t, slacktest.New(t), microsoftFake(t), &syncBuffer{}, map[string]string{"WEBCHAT_FRAME_ANCESTORS": "https://intranet.contoso.com"})
	if s := strings.Join(a.status, "\n"); !strings.Contains(s, "may be framed by https://intranet.contoso.com") {
		t.Errorf("status = %q", s)
	}
	res, err := http.Get(srv.URL + "/?embed=1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors https://intranet.contoso.com") {
		t.Errorf("CSP = %q", csp)
	}
}
