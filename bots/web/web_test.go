package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// hostileBrand is a tenant's sign-in brand written to look like markup in
// every format a renderer might read.
const hostileBrand = `<img src=x onerror="document.title='pwned'"> **URGENT** [reset here](https://evil.example) <script>alert(1)</script>`

// hostileDomain is the domain of the tenant with the hostile brand.
const hostileDomain = "tailspintoys.com"

// world is the Microsoft fake the tests ask: sam@outlook.com is a personal
// account, alex@contoso.com both kinds, and tailspintoys.com a tenant whose
// brand is hostile.
func world(t testing.TB) *msaccounttest.Server {
	f := msaccounttest.New(t)
	f.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: "72f988bf-0000-0000-0000-2d7cd011db47", Brand: "Contoso Ltd", Region: "EU"})
	f.AddDomain(msaccounttest.Domain{Name: hostileDomain, Type: msaccounttest.TypeManaged, TenantID: "0badbad0-0000-0000-0000-00000000e411", Brand: hostileBrand, Region: "NA"})
	f.AddAccount("sam@outlook.com", msaccounttest.Account{Personal: true})
	f.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	return f
}

// logBuffer collects log lines from concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestBot is the web chat answering through a real assistant that asks
// the Microsoft fake, with perMinute lookups per user (30 when 0).
func newTestBot(t testing.TB, ms *msaccounttest.Server, perMinute int, cfg Config) (*Bot, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	lookup := msaccount.New(msaccount.Config{LoginURL: ms.URL, RatePerSecond: 1000}, log)
	if perMinute == 0 {
		perMinute = 30
	}
	h := helpdesk.New(helpdesk.Config{UserLookupsPerMinute: perMinute, Limiter: Limiter(helpdesk.NewWindowLimiter(perMinute))}, lookup, log)
	b, err := New(cfg, h, log)
	if err != nil {
		t.Fatal(err)
	}
	return b, logs
}

// post sends a message as the page would, from addr, with the session
// cookie when it is not "".
func post(b http.Handler, body, cookie, addr string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "http://chat.example/webchat/message", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", "http://chat.example")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	if addr != "" {
		r.RemoteAddr = addr
	}
	w := httptest.NewRecorder()
	b.ServeHTTP(w, r)
	return w
}

func decodeResponse(t *testing.T, w *httptest.ResponseRecorder) response {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", w.Code, w.Body)
	}
	var resp response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("reply is not JSON: %v: %s", err, w.Body)
	}
	return resp
}

func sessionOf(t *testing.T, w *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	t.Fatalf("no %s cookie in %q", sessionCookie, w.Header().Values("Set-Cookie"))
	return nil
}

func TestPage(t *testing.T) {
	b, _ := newTestBot(t, world(t), 0, Config{})
	get := func(target, acceptLang string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", target, nil)
		if acceptLang != "" {
			r.Header.Set("Accept-Language", acceptLang)
		}
		w := httptest.NewRecorder()
		b.ServeHTTP(w, r)
		return w
	}
	w := get("/", "")
	page := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	csp := w.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows something unsafe", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	for _, want := range []string{`<textarea id="message" name="message"`, `<html lang="en"`, `role="log"`, `aria-live="polite"`, `<header class="top">`, `data-role="starter"`, "Ask a question or paste an address…"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Nothing inline: every script and style comes from the page's own
	// files, as the policy demands.
	if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(page) || strings.Contains(page, "<style") || regexp.MustCompile(`\sstyle=|\son[a-z]+=`).MatchString(page) {
		t.Errorf("page has inline script or style:\n%s", page)
	}
	if n := len(page) + len(b.assets["/webchat/app.js"].body) + len(b.assets["/webchat/app.css"].body); n > 60<<10 {
		t.Errorf("page weight %d bytes, want under 60 KB", n)
	}

	if page := get("/?embed=1", "").Body.String(); strings.Contains(page, `<header`) || !strings.Contains(page, `name="message"`) {
		t.Errorf("embedded page has its header or lacks the input:\n%s", page)
	}
	if page := get("/", "es-ES,es;q=0.9,en;q=0.5").Body.String(); !strings.Contains(page, `<html lang="es"`) || !strings.Contains(page, "Haz una pregunta o pega una dirección…") {
		t.Errorf("page for Spanish is not in Spanish:\n%s", page)
	}
	if page := get("/", "ja-JP").Body.String(); !strings.Contains(page, `<html lang="en"`) {
		t.Errorf("page for an unsupported language is not in English")
	}

	for path, ctype := range map[string]string{"/webchat/app.js": "text/javascript", "/webchat/app.css": "text/css", "/webchat/icon.svg": "image/svg+xml"} {
		w := get(path, "")
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), ctype) || w.Header().Get("ETag") == "" {
			t.Errorf("GET %s = %d %q etag %q", path, w.Code, w.Header().Get("Content-Type"), w.Header().Get("ETag"))
		}
	}
	if w := get("/webchat/nothing", ""); w.Code != 404 {
		t.Errorf("GET /webchat/nothing = %d, want 404", w.Code)
	}
}

// TestPageInnerHTML: the script never parses HTML.
func TestScriptBuildsNoHTML(t *testing.T) {
	js, err := static.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "javascript:"} {
		if bytes.Contains(js, []byte(bad)) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}

func TestFrameAncestors(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
		bad  bool
	}{
		{nil, "'none'", false},
		{[]string{"https://intranet.contoso.com"}, "https://intranet.contoso.com", false},
		{[]string{"'self'", "https://*.contoso.com", "http://localhost:8080"}, "'self' https://*.contoso.com http://localhost:8080", false},
		{[]string{"https://intranet.contoso.com/path"}, "", true},
		{[]string{"https://a.example; script-src *"}, "", true},
		{[]string{"*"}, "", true},
		{[]string{"javascript:alert(1)"}, "", true},
		{[]string{"https://a.example:99999"}, "", true},
		{[]string{"'unsafe-inline'"}, "", true},
	} {
		got, err := FrameAncestors(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("FrameAncestors(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.bad)
		}
	}
	b, _ := newTestBot(t, world(t), 0, Config{FrameAncestors: []string{"https://intranet.contoso.com"}})
	w := httptest.NewRecorder()
	b.ServeHTTP(w, httptest.NewRequest("GET", "/?embed=1", nil))
	if csp := w.Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors https://intranet.contoso.com") {
		t.Errorf("CSP = %q, want the configured frame ancestors", csp)
	}
	if xfo := w.Header().Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options = %q with frame ancestors allowed", xfo)
	}
}

// TestConversation: a question, the session cookie it starts, and a
// button pressed in the same conversation.
func TestConversation(t *testing.T) {
	b, logs := newTestBot(t, world(t), 0, Config{})
	w := post(b, `{"text":"is sam@outlook.com personal or work?"}`, "", "192.0.2.10:5555")
	resp := decodeResponse(t, w)
	c := sessionOf(t, w)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge != 0 || len(c.Value) != 22 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/, a session cookie with a 22-character ID", c)
	}
	if resp.Lang != "en" || resp.Words["send"] != "Send" || resp.Words["steps"] == "" {
		t.Errorf("lang %q words %v", resp.Lang, resp.Words)
	}
	r := resp.Reply
	if !strings.Contains(r.Headline.String(), "personal") || len(r.Verdicts) != 1 || r.Verdicts[0].Kind != "personal" || r.Verdicts[0].Name != "sam@outlook.com" {
		t.Fatalf("reply %+v: want a personal verdict for sam@outlook.com", r)
	}
	var why string
	for _, s := range r.Suggestions {
		if s.Label == "Why?" {
			why = s.Action
		}
	}
	if why == "" {
		t.Fatalf("no Why? button in %+v", r.Suggestions)
	}
	body, _ := json.Marshal(request{Action: why})
	w = post(b, string(body), c.Value, "192.0.2.10:5555")
	resp = decodeResponse(t, w)
	if got := w.Header().Get("Set-Cookie"); got != "" {
		t.Errorf("a known session got a new cookie: %q", got)
	}
	if all := replyText(resp.Reply); !strings.Contains(all, "personal Microsoft account for this address") {
		t.Errorf("Why? answered %q, want the evidence about sam@outlook.com", all)
	}
	// Logs carry neither the address asked about nor the client's.
	if l := logs.String(); strings.Contains(l, "sam@") || strings.Contains(l, "192.0.2.10") {
		t.Errorf("logs carry an address:\n%s", l)
	}
}

// replyText is every word of a rendered reply.
func replyText(r reply) string {
	var b strings.Builder
	for _, x := range append(append(append([]helpdesk.Rich{r.Headline, r.Summary, r.Notice}, r.Lines...), r.Details...), r.Steps...) {
		b.WriteString(x.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TestRefused: what the page cannot have sent is refused before the
// assistant sees it, with words to show.
func TestRefused(t *testing.T) {
	var asked int
	b, err := New(Config{}, responderFunc(func(context.Context, helpdesk.Message) (helpdesk.Reply, error) {
		asked++
		return helpdesk.Reply{}, nil
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", DefaultMaxMessage+1)
	tests := []struct {
		name, method, ctype, origin, fetchSite, body string
		want                                         int
		words                                        string
	}{
		{"no origin", "POST", "application/json", "", "", `{"text":"hi"}`, 403, "only works from"},
		{"other origin", "POST", "application/json", "https://evil.example", "cross-site", `{"text":"hi"}`, 403, "only works from"},
		{"other origin, no fetch metadata", "POST", "application/json", "https://evil.example", "", `{"text":"hi"}`, 403, ""},
		{"lookalike origin", "POST", "application/json", "http://chat.example.evil.example", "", `{"text":"hi"}`, 403, ""},
		{"null origin", "POST", "application/json", "null", "", `{"text":"hi"}`, 403, ""},
		{"same origin but cross-site fetch", "POST", "application/json", "http://chat.example", "cross-site", `{"text":"hi"}`, 403, ""},
		{"a form", "POST", "application/x-www-form-urlencoded", "http://chat.example", "same-origin", `text=hi`, 415, ""},
		{"text/plain", "POST", "text/plain", "http://chat.example", "same-origin", `{"text":"hi"}`, 415, ""},
		{"no content type", "POST", "", "http://chat.example", "same-origin", `{"text":"hi"}`, 415, ""},
		{"body too big", "POST", "application/json", "http://chat.example", "same-origin", `{"text":"` + strings.Repeat("a", DefaultMaxBody) + `"}`, 413, "too long"},
		{"message too long", "POST", "application/json", "http://chat.example", "same-origin", `{"text":"` + long + `"}`, 400, "under 2,000 characters"},
		{"action too long", "POST", "application/json", "http://chat.example", "same-origin", `{"action":"` + strings.Repeat("a", maxAction+1) + `"}`, 400, ""},
		{"empty", "POST", "application/json", "http://chat.example", "same-origin", `{"text":"  "}`, 400, ""},
		{"both", "POST", "application/json", "http://chat.example", "same-origin", `{"text":"hi","action":"x"}`, 400, ""},
		{"not JSON", "POST", "application/json", "http://chat.example", "same-origin", `hi`, 400, ""},
		{"two values", "POST", "application/json", "http://chat.example", "same-origin", `{"text":"hi"}{"text":"again"}`, 400, ""},
		{"GET", "GET", "", "", "", "", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "http://chat.example/webchat/message", strings.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.fetchSite != "" {
				r.Header.Set("Sec-Fetch-Site", tt.fetchSite)
			}
			w := httptest.NewRecorder()
			b.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("%s = %d %s, want %d", tt.name, w.Code, w.Body, tt.want)
			}
			var e errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error == "" || !strings.Contains(e.Error, tt.words) {
				t.Errorf("body %s: want JSON words containing %q", w.Body, tt.words)
			}
			if w.Header().Get("Set-Cookie") != "" {
				t.Errorf("a refused request started a session")
			}
		})
	}
	if asked != 0 {
		t.Errorf("the assistant was asked %d times", asked)
	}
	// The same request from the page's origin is answered.
	if w := post(b, `{"text":"hi"}`, "", ""); w.Code != 200 {
		t.Errorf("same-origin POST = %d %s", w.Code, w.Body)
	}
}

type responderFunc func(context.Context, helpdesk.Message) (helpdesk.Reply, error)

func (f responderFunc) Respond(ctx context.Context, m helpdesk.Message) (helpdesk.Reply, error) {
	return f(ctx, m)
}

// TestLookupLimit: the per-user lookup limit holds for a session, and for
// a client address whatever sessions it opens.
func TestLookupLimit(t *testing.T) {
	ms := world(t)
	b, _ := newTestBot(t, ms, 2, Config{})
	ask := func(n int, cookie, addr string) (string, *httptest.ResponseRecorder) {
		body, _ := json.Marshal(request{Text: "is person" + string(rune('a'+n)) + "@contoso.com work or personal?"})
		w := post(b, string(body), cookie, addr)
		if w.Code != 200 {
			t.Fatalf("status %d %s", w.Code, w.Body)
		}
		return w.Body.String(), w
	}
	limited := func(body string) bool {
		return strings.Contains(body, "limits.user_limit") || strings.Contains(body, "limit of lookups")
	}

	// One session: two lookups, then the rules only.
	body, w := ask(0, "", "192.0.2.1:1000")
	session := sessionOf(t, w).Value
	if limited(body) {
		t.Fatalf("first lookup limited: %s", body)
	}
	ask(1, session, "192.0.2.1:1000")
	if body, _ := ask(2, session, "192.0.2.1:1000"); !limited(body) {
		t.Errorf("third lookup of a session not limited: %s", body)
	}
	// A new session from the same address is limited too.
	if body, _ := ask(3, "", "192.0.2.1:2000"); !limited(body) {
		t.Errorf("a new session from a spent address not limited: %s", body)
	}
	// The same session from another address is still limited by the
	// session.
	if body, _ := ask(4, session, "198.51.100.7:1000"); !limited(body) {
		t.Errorf("a spent session from a new address not limited: %s", body)
	}
	// Someone else, elsewhere, is not.
	if body, _ := ask(5, "", "198.51.100.8:1000"); limited(body) {
		t.Errorf("a new session from a new address limited: %s", body)
	}
	// IPv6 addresses count by their /64.
	ask(6, "", "[2001:db8:1:2::10]:1000")
	ask(7, "", "[2001:db8:1:2::11]:1000")
	if body, _ := ask(8, "", "[2001:db8:1:2:ffff::1]:1000"); !limited(body) {
		t.Errorf("a third session in the same IPv6 /64 not limited: %s", body)
	}
}

// TestLimiterPassesOtherPlatforms: users of other platforms keep their
// one key.
func TestLimiterPassesOtherPlatforms(t *testing.T) {
	l := Limiter(helpdesk.NewWindowLimiter(1))
	ctx := context.Background()
	if l.Take(ctx, "slack:T1:U1", 1) != 1 || l.Take(ctx, "slack:T1:U1", 1) != 0 || l.Take(ctx, "slack:T1:U2", 1) != 1 {
		t.Errorf("Slack users are not limited one by one")
	}
	if l.Take(ctx, "web:s1|a1", 3) != 1 || l.Take(ctx, "web:s2|a1", 1) != 0 || l.Take(ctx, "web:s3|a2", 1) != 1 {
		t.Errorf("web users are not limited by session and by address")
	}
}

// TestLanguages: the reply's language carries the page's words in it.
func TestLanguages(t *testing.T) {
	b, _ := newTestBot(t, world(t), 0, Config{})
	resp := decodeResponse(t, post(b, `{"text":"¿cómo restablezco mi contraseña del trabajo?"}`, "", ""))
	if resp.Lang != "es" || resp.Words["send"] != "Enviar" || resp.Words["steps"] != "Siguientes pasos" {
		t.Errorf("lang %q words %v: want Spanish", resp.Lang, resp.Words)
	}
}

// TestPageWordsInEveryLanguage: every language of the catalogue that has
// phrases has every word of the page in its own words.
func TestPageWordsInEveryLanguage(t *testing.T) {
	c, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for lang, phrases := range c.Phrases {
		for _, k := range PageKeys() {
			if strings.TrimSpace(phrases[k]) == "" {
				t.Errorf("catalogue/%s/phrases.txt lacks %s", lang, k)
			}
		}
	}
}

// TestRespondError: the assistant failing is an apology, and one log line
// without the message.
func TestRespondError(t *testing.T) {
	logs := &logBuffer{}
	b, err := New(Config{}, responderFunc(func(context.Context, helpdesk.Message) (helpdesk.Reply, error) {
		return helpdesk.Reply{}, io.ErrUnexpectedEOF
	}), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	w := post(b, `{"text":"is secret@contoso.com work?"}`, "", "")
	if w.Code != 500 || !strings.Contains(w.Body.String(), "something went wrong") {
		t.Errorf("= %d %s, want 500 with an apology", w.Code, w.Body)
	}
	if l := logs.String(); strings.Count(l, "\n") != 1 || strings.Contains(l, "secret") {
		t.Errorf("logs: %q", l)
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{`{"text":"hi"}`, `{"action":"topic:help"}`, `{"text":"","action":""}`, `[]`, `{"text":1}`, `{"text":"a"} x`, "{\"text\":\"\xff\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseRequest(body)
		if err != nil {
			return
		}
		if (req.Text == "") == (req.Action == "") {
			t.Errorf("parseRequest(%q) = %+v: want exactly one of text and action", body, req)
		}
		if len(req.Action) > maxAction {
			t.Errorf("action of %d bytes accepted", len(req.Action))
		}
	})
}

// TestPageWeight: the page, its style sheet and its script together stay
// under 60 KB (docs/performance.md quotes the figures it logs).
//
//	go test ./bots/web -run TestPageWeight -v
func TestPageWeight(t *testing.T) {
	b, _ := newTestBot(t, world(t), 0, Config{})
	sizes := map[string]int{}
	for _, l := range b.langs {
		sizes["html "+l] = len(b.pages[l].full)
	}
	html := sizes["html en"]
	css, js, icon := len(b.assets["/webchat/app.css"].body), len(b.assets["/webchat/app.js"].body), len(b.assets["/webchat/icon.svg"].body)
	total := html + css + js
	t.Logf("page weight: HTML %d bytes (English; %v by language), CSS %d, JS %d: %d bytes in all (%.1f KB); the icon adds %d", html, sizes, css, js, total, float64(total)/1024, icon)
	if total >= 60<<10 {
		t.Errorf("page weight %d bytes, want under 60 KB", total)
	}
}

// TestClientKey: the address the lookup limit counts, with and without
// trusted proxies in front.
func TestClientKey(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"direct", "192.0.2.10:5000", nil, nil, "192.0.2.10"},
		{"forwarded but no proxy trusted", "192.0.2.10:5000", []string{"198.51.100.1"}, nil, "192.0.2.10"},
		{"untrusted caller's header ignored", "192.0.2.10:5000", []string{"198.51.100.1"}, proxies, "192.0.2.10"},
		{"behind a proxy", "10.1.2.3:5000", []string{"198.51.100.1"}, proxies, "198.51.100.1"},
		{"client's own entry ignored", "10.1.2.3:5000", []string{"203.0.113.9, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"two proxies", "10.1.2.3:5000", []string{"198.51.100.1, 10.9.9.9"}, proxies, "198.51.100.1"},
		{"two header lines", "10.1.2.3:5000", []string{"203.0.113.9", "198.51.100.1"}, proxies, "198.51.100.1"},
		{"malformed entry", "10.1.2.3:5000", []string{"198.51.100.1, not-an-ip"}, proxies, "10.1.2.3"},
		{"proxy without header", "10.1.2.3:5000", nil, proxies, "10.1.2.3"},
		{"IPv6 by /64", "[2001:db8:1:2::10]:5000", nil, nil, "2001:db8:1:2::/64"},
		{"IPv6 behind an IPv6 proxy", "[::1]:5000", []string{"2001:db8:1:2:3:4:5:6"}, proxies, "2001:db8:1:2::/64"},
		{"IPv4-mapped", "[::ffff:192.0.2.10]:5000", nil, nil, "192.0.2.10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Bot{cfg: Config{TrustedProxies: tt.trusted}}
			r := httptest.NewRequest("POST", "/webchat/message", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := b.clientKey(r); got != tt.want {
				t.Errorf("clientKey(%s, X-Forwarded-For %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
}
