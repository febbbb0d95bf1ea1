package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	slackbot "github.com/gosmarter/whichaccount/bots/slack"
	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
	"github.com/gosmarter/whichaccount/bots/teams/teamstest"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/journal"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

const (
	testSigningSecret = "e6b19c573432dcc6b075501d51b51bb8"
	testBotToken      = "xoxb-1234-5678-secrettokenvalue"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func microsoftFake(t *testing.T) *msaccounttest.Server {
	f := msaccounttest.New(t)
	f.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: "72f988bf-0000-0000-0000-2d7cd011db47", Brand: "Contoso Ltd", Region: "EU"})
	f.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	return f
}

// testApp builds the server against the fakes, with extra environment.
func testApp(t *testing.T, slack *slacktest.Server, ms *msaccounttest.Server, logs io.Writer, extra map[string]string) (*app, *httptest.Server) {
	t.Helper()
	env := map[string]string{
		"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigningSecret, "SLACK_API_URL": slack.APIURL,
		"WHICHACCOUNT_LOGIN_URL": ms.URL, "SLACK_TRIAGE_CHANNELS": "CTRIAGE", "LOG_LEVEL": "debug",
		"WHICHACCOUNT_DATA_DIR": t.TempDir(),
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Lookup.RatePerSecond = 1000
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.handlerChain())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		a.slack.Shutdown(ctx)
		if a.teams != nil {
			a.teams.Shutdown(ctx)
		}
		a.journal.Close(ctx)
		a.shared.close()
	})
	return a, srv
}

func signedPost(t *testing.T, u, contentType string, body []byte, headers ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", slackbot.Sign(testSigningSecret, ts, body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// slashBody is a slash command's body, with a trigger ID of its own as
// Slack gives every command.
func slashBody(text, responseURL, user string) []byte {
	return []byte(url.Values{"team_id": {"T0001"}, "channel_id": {"C0001"}, "user_id": {user}, "command": {"/whichaccount"},
		"text": {text}, "response_url": {responseURL}, "trigger_id": {strconv.FormatInt(triggerSeq.Add(1), 10) + ".1.load"}}.Encode())
}

var triggerSeq atomic.Int64

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestServeEndToEnd drives the whole server: a signed slash command that
// needs Microsoft, acknowledged at once through the whole handler chain
// and answered through response_url, a mention, health, readiness and
// metrics; then it scans the logs for addresses and secrets.
func TestServeEndToEnd(t *testing.T) {
	slack := slacktest.New(t)
	ms := microsoftFake(t)
	ms.SetLatency(400 * time.Millisecond)
	logs := &syncBuffer{}
	_, srv := testApp(t, slack, ms, logs, nil)

	respURL := slack.ResponseURL()
	start := time.Now()
	res := signedPost(t, srv.URL+"/slack/events", "application/x-www-form-urlencoded", slashBody("is alex@contoso.com personal or work?", respURL, "U0001"))
	b, _ := io.ReadAll(res.Body)
	if took := time.Since(start); res.StatusCode != 200 || len(b) != 0 || took > 300*time.Millisecond {
		t.Errorf("ack: status %d, %d bytes, after %v; want an empty 200 before Microsoft answers (400 ms)", res.StatusCode, len(b), took)
	}
	if n := len(slack.Posts()); n != 0 {
		t.Errorf("%d answers posted before the acknowledgement arrived", n)
	}
	if !slack.Wait(5*time.Second, func() bool { return len(slack.Posts()) == 1 }) {
		t.Fatalf("no answer: %+v", slack.Posts())
	}
	if p := slack.Posts()[0]; p.Method != "response_url" || !strings.Contains(p.Text, "both") {
		t.Errorf("answer = %+v", p)
	}
	body := []byte(`{"type":"event_callback","team_id":"T0001","event_id":"EvE2E","event":{"type":"app_mention","user":"U0002","text":"<@UBOT0001> and alex@contoso.com?","ts":"1700000000.000100","channel":"C0001"}}`)
	signedPost(t, srv.URL+"/slack/events", "application/json", body)
	if !slack.Wait(5*time.Second, func() bool { return len(slack.Posts()) == 2 }) {
		t.Fatalf("no mention answer: %+v", slack.Posts())
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != 200 {
		t.Errorf("healthz %d", code)
	}
	if code, _ := get(t, srv.URL+"/readyz"); code != 200 {
		t.Errorf("readyz %d", code)
	}
	// A request is counted when its handler returns, which for a mention
	// is after its answer went out: wait for the count, not the answer.
	wants := []string{`whichaccount_http_requests_total{platform="slack",route="/slack/events",status="200"} 2`, `whichaccount_answers_total{intent="classify"} 2`,
		`whichaccount_verdicts_total{kind="both"} 2`, `whichaccount_microsoft_calls_total{endpoint="realm"} 1`, "whichaccount_lookup_cache_hits_total", "whichaccount_http_request_duration_seconds_bucket"}
	var metrics string
	slack.Wait(5*time.Second, func() bool {
		_, metrics = get(t, srv.URL+"/metrics")
		return !slices.ContainsFunc(wants, func(w string) bool { return !strings.Contains(metrics, w) })
	})
	for _, want := range wants {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// A bad signature is refused.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/events", strings.NewReader("command=/whichaccount"))
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 401 {
		t.Errorf("unsigned request: %v %v", r, err)
	}
	out := logs.String()
	if strings.Contains(out, "early acknowledgement") {
		t.Errorf("the early acknowledgement was not flushed:\n%s", out)
	}
	if !strings.Contains(out, `"request_id"`) {
		t.Errorf("no request log lines:\n%s", out)
	}
	for _, secret := range []string{"alex@contoso.com", testBotToken, testSigningSecret} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func TestServeLocalModeAndShutdown(t *testing.T) {
	port := freePort(t)
	var out, errs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return map[string]string{"PORT": strconv.Itoa(port)}[k] }, strings.NewReader(""), &out, &errs)
	}()
	waitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d, stderr %s", code, errs.String())
	}
	for _, want := range []string{"Slack: off — set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN", "Teams: off — POST /api/messages answers 404", "TEAMS_EMULATOR=true", "whichaccount chat"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up summary lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "NO AUTHENTICATION") {
		t.Errorf("emulator mode without TEAMS_EMULATOR:\n%s", out.String())
	}
}

// TestTeamsOffByDefault: with no app ID and no TEAMS_EMULATOR, nothing is
// accepted at /api/messages, from anyone.
func TestTeamsOffByDefault(t *testing.T) {
	bf := teamstest.New(t)
	bf.AllowAnonymous()
	_, srv := testApp(t, slacktest.New(t), microsoftFake(t), &syncBuffer{}, nil)
	if code := teamstest.Post(t, srv.URL+"/api/messages", "", bf.Message("is alex@contoso.com personal?")); code != http.StatusNotFound {
		t.Errorf("POST /api/messages with Teams off = %d, want 404", code)
	}
	if n := len(bf.Activities()); n != 0 {
		t.Errorf("%d replies sent with Teams off", n)
	}
}

// TestTeamsEmulatorOptIn: TEAMS_EMULATOR=true serves loopback callers
// without a token, says so at start, and refuses ids past the cap.
func TestTeamsEmulatorOptIn(t *testing.T) {
	bf := teamstest.New(t)
	bf.AllowAnonymous()
	a, srv := testApp(t, slacktest.New(t), microsoftFake(t), &syncBuffer{}, map[string]string{"TEAMS_EMULATOR": "true"})
	if !strings.Contains(strings.Join(a.status, "\n"), "emulator mode (TEAMS_EMULATOR=true)") {
		t.Errorf("status = %q", a.status)
	}
	if code := teamstest.Post(t, srv.URL+"/api/messages", "", bf.Message("is alex@contoso.com personal?")); code != http.StatusOK {
		t.Fatalf("emulator activity = %d, want 200", code)
	}
	if acts := bf.WaitActivities(t, 1); !strings.Contains(string(acts[0].Body), "alex@contoso.com") {
		t.Errorf("reply = %s", acts[0].Body)
	}
	long := bf.Message("is alex@contoso.com personal?")
	long["conversation"].(map[string]any)["id"] = strings.Repeat("c", 200<<10)
	if code := teamstest.Post(t, srv.URL+"/api/messages", "", long); code != http.StatusBadRequest {
		t.Errorf("200 KB conversation id = %d, want 400", code)
	}
	fwd := httptest.NewRequest(http.MethodPost, "/api/messages", strings.NewReader(`{"type":"message"}`))
	fwd.RemoteAddr = "198.51.100.4:5000"
	rec := httptest.NewRecorder()
	a.handlerChain().ServeHTTP(rec, fwd)
	if rec.Code != http.StatusForbidden {
		t.Errorf("remote caller in emulator mode = %d, want 403", rec.Code)
	}
}

func TestProductionRefusesEmulatorMode(t *testing.T) {
	var out, errs syncBuffer
	code := run(context.Background(), []string{"serve"}, func(k string) string {
		return map[string]string{"WHICHACCOUNT_ENV": "production", "PORT": "0"}[k]
	}, strings.NewReader(""), &out, &errs)
	if code != 2 || !strings.Contains(errs.String(), "refuses") {
		t.Errorf("production without credentials: exit %d, stderr %q", code, errs.String())
	}
	// TEAMS_EMULATOR=true never starts in production, even with Slack set.
	out, errs = syncBuffer{}, syncBuffer{}
	code = run(context.Background(), []string{"serve"}, func(k string) string {
		return map[string]string{"WHICHACCOUNT_ENV": "production", "PORT": "0", "TEAMS_EMULATOR": "true",
			"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigningSecret}[k]
	}, strings.NewReader(""), &out, &errs)
	if code != 2 || !strings.Contains(errs.String(), "TEAMS_EMULATOR") {
		t.Errorf("production with TEAMS_EMULATOR: exit %d, stderr %q", code, errs.String())
	}
}

// TestServeTeams sends a Teams message with a token minted by the fake Bot
// Framework through the whole server and checks the reply the connector
// receives; a request without a token is refused.
func TestServeTeams(t *testing.T) {
	bf := teamstest.New(t)
	ms := microsoftFake(t)
	logs := &syncBuffer{}
	_, srv := testApp(t, slacktest.New(t), ms, logs, map[string]string{
		"MICROSOFT_APP_ID": teamstest.AppID, "MICROSOFT_APP_PASSWORD": teamstest.AppPassword,
		"BOTFRAMEWORK_OPENID_METADATA_URL": bf.MetadataURL, "BOTFRAMEWORK_TOKEN_URL": bf.TokenURL,
	})
	if code := teamstest.Post(t, srv.URL+"/api/messages", bf.Token(t), bf.Message("is alex@contoso.com personal or work?")); code >= 300 {
		t.Fatalf("teams message: status %d", code)
	}
	acts := bf.WaitActivities(t, 1)
	if !strings.Contains(string(acts[0].Body), "alex@contoso.com") || !strings.Contains(string(acts[0].Body), "application/vnd.microsoft.card.adaptive") {
		t.Errorf("reply = %s", acts[0].Body)
	}
	if code := teamstest.Post(t, srv.URL+"/api/messages", "", bf.Message("hello")); code != 401 {
		t.Errorf("no token: status %d, want 401", code)
	}
	for _, secret := range []string{"alex@contoso.com", teamstest.AppPassword} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func TestManifestTeams(t *testing.T) {
	out := filepath.Join(t.TempDir(), "whichaccount.zip")
	code, stdout, errs := runCmd(t, nil, "", "manifest", "teams", "--app-id", teamstest.AppID, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names["manifest.json"] || !names["color.png"] || !names["outline.png"] || !strings.Contains(stdout, "wrote") {
		t.Errorf("package holds %v; stdout %q", names, stdout)
	}
	if code, _, errs := runCmd(t, nil, "", "manifest", "teams"); code != 2 || !strings.Contains(errs, "--app-id") {
		t.Errorf("without --app-id: %d %q", code, errs)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitHTTP(t *testing.T, u string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never answered", u)
}

// TestSIGTERMFinishesReplies builds the real binary, starts it, sends slash
// commands whose answers need a slow Microsoft, sends SIGTERM while they
// are in flight, and checks every answer arrived and the exit status is 0.
func TestSIGTERMFinishesReplies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "whichaccount")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	slack := slacktest.New(t)
	ms := microsoftFake(t)
	ms.SetLatency(700 * time.Millisecond)
	port := freePort(t)
	dataDir := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "SLACK_BOT_TOKEN="+testBotToken, "SLACK_SIGNING_SECRET="+testSigningSecret,
		"SLACK_API_URL="+slack.APIURL, "WHICHACCOUNT_LOGIN_URL="+ms.URL, "WHICHACCOUNT_DATA_DIR="+dataDir)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHTTP(t, base+"/healthz")
	const n = 5
	for i := range n {
		res := signedPost(t, base+"/slack/events", "application/x-www-form-urlencoded", slashBody(fmt.Sprintf("is user%d@contoso.com a work account?", i), slack.ResponseURL(), fmt.Sprintf("U%d", i)))
		if res.StatusCode != 200 {
			t.Fatalf("command %d: status %d", i, res.StatusCode)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
	}
	if got := len(slack.Posts()); got != n {
		t.Errorf("%d of %d answers arrived before exit", got, n)
	}
	// The journal was written at shutdown, after the answers: a restart
	// finds them counted.
	d, err := journal.NewFileStore(dataDir).Read(context.Background(), time.Now().Add(-time.Hour))
	answered := 0
	for _, ev := range d.Counts {
		answered += ev[helpdesk.NoteAnswered]
	}
	if err != nil || answered != n {
		t.Errorf("journal after SIGTERM: %d answers counted, want %d (%v)", answered, n, err)
	}
}

func TestPanicRecovery(t *testing.T) {
	logs := &syncBuffer{}
	a := &app{log: slog.New(slog.NewJSONHandler(logs, nil))}
	h := a.recoverPanics(a.logRequests(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/slack/events", nil))
	if w.Code != 500 {
		t.Errorf("status %d, want 500", w.Code)
	}
	if n := strings.Count(logs.String(), "panicked"); n != 1 {
		t.Errorf("panic logged %d times:\n%s", n, logs.String())
	}
}

func TestRequestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := requestIDs.next()
		if len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" || seen[id] {
			t.Fatalf("request ID %q: malformed or repeated", id)
		}
		seen[id] = true
	}
}
