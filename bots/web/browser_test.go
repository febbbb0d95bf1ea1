package web

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

var (
	screenshot = flag.String("screenshot", "", "write a PNG of the browser test's conversation to this file (docs/webchat.png)")
	ttfrRuns   = flag.Int("ttfr", 0, "measure the time to the first reply over this many fresh page loads (TestTimeToFirstReply)")
)

// chromium finds the browser for the browser tests: $WHICHACCOUNT_CHROMIUM,
// else Chromium or Chrome on PATH. Without one the tests are skipped, and
// under CI=true they fail.
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("WHICHACCOUNT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on PATH, and CI=true: the web chat's browser tests need it (apt-get install chromium)")
	}
	t.Skip("no Chromium on PATH: skipping the web chat's browser tests (install Debian's chromium: apt-get install chromium)")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile; it stops at
// the end of the test.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(760, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// newTab opens a tab of the browser, collecting its console errors.
func newTab(t testing.TB, browser context.Context) (context.Context, func() []string) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var errs []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() || m.Type == chromedp.ConsoleWarning {
				mu.Lock()
				errs = append(errs, m.String()+" ("+m.URL+")")
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(errs)
	}
}

// watched is the chat server as the browser test sees it: every message
// POST, with its status and session cookie.
type watched struct {
	h     http.Handler
	mu    sync.Mutex
	posts []seenPost
}

type seenPost struct {
	status         int
	cookie, origin string
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (w *watched) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.h.ServeHTTP(rw, r)
		return
	}
	sr := &statusRecorder{ResponseWriter: rw, status: 200}
	w.h.ServeHTTP(sr, r)
	p := seenPost{status: sr.status, origin: r.Header.Get("Origin")}
	if c, err := r.Cookie(sessionCookie); err == nil {
		p.cookie = c.Value
	}
	w.mu.Lock()
	w.posts = append(w.posts, p)
	w.mu.Unlock()
}

func (w *watched) seen() []seenPost {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.posts)
}

func run(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("browser: evaluating %s: %v", js, err)
	}
	return v
}

// waitReplies waits until the page shows n replies and returns their text.
func waitReplies(t testing.TB, ctx context.Context, n int) []string {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	js := fmt.Sprintf(`document.querySelectorAll('[data-role="reply"]').length >= %d`, n)
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(10*time.Millisecond))); err != nil {
		page := eval[string](t, ctx, `document.getElementById('log').innerText`)
		t.Fatalf("waiting for reply %d: %v; the page shows:\n%s", n, err, page)
	}
	return eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-role="reply"]'), e => e.innerText)`)
}

const typing = `textarea[name="message"]`

// press presses Enter as a keyboard does: one keydown that carries the
// text it would type, so that a page which cancels the keydown types
// nothing (chromedp's KeyEvent sends the text as a separate event, which a
// cancelled keydown does not stop).
func press(shift bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var mods int64
		if shift {
			mods = int64(chromedp.ModifierShift)
		}
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13, Text: "\r", UnmodifiedText: "\r", Modifiers: mods}
		up := down
		up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
		for _, p := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// ask types a question into the page and presses Enter.
func ask(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.SendKeys(typing, text), press(false))
}

// TestBrowser drives the page in a real headless Chromium: a question, a
// "Why?" button, a follow-up in the same conversation, a tenant's hostile
// brand shown as text, keyboard-only use, and no console errors.
func TestBrowser(t *testing.T) {
	browser := newBrowser(t)
	b, _ := newTestBot(t, world(t), 0, Config{})
	w := &watched{h: b}
	srv := httptest.NewServer(w)
	defer srv.Close()
	ctx, consoleErrors := newTab(t, browser)

	run(t, ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(typing))
	run(t, ctx, ask("is sam@outlook.com personal or work?"))
	replies := waitReplies(t, ctx, 1)
	if r := replies[0]; !strings.Contains(r, "sam@outlook.com") || !strings.Contains(r, "personal Microsoft account") {
		t.Fatalf("first reply = %q, want it to name sam@outlook.com a personal Microsoft account", r)
	}
	if got := eval[string](t, ctx, `(document.querySelector('[data-role="reply"] .verdicts .badge') || {}).textContent || ''`); got != "Personal Microsoft account" {
		t.Errorf("verdict badge = %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-role="question"]').innerText`); !strings.Contains(got, "is sam@outlook.com personal or work?") {
		t.Errorf("the question shown = %q", got)
	}
	if v := eval[string](t, ctx, `document.querySelector(`+"`"+typing+"`"+`).value`); v != "" {
		t.Errorf("the input still holds %q after sending", v)
	}

	run(t, ctx, chromedp.Click(chromedp.Search(`//article[@data-role="reply"][last()]//button[@data-role="suggestion"][normalize-space()="Why?"]`)))
	replies = waitReplies(t, ctx, 2)
	if r := replies[1]; !strings.Contains(r, "reports a personal Microsoft account for this address") {
		t.Errorf("Why? answered %q, want the evidence", r)
	}
	if got := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-role="question"]'), e => e.innerText)`); len(got) != 2 || !strings.Contains(got[1], "Why?") {
		t.Errorf("questions shown = %q, want the button's label second", got)
	}

	if *screenshot != "" {
		// The whole conversation so far in one picture: the viewport as tall
		// as the page.
		h := eval[int64](t, ctx, `document.documentElement.scrollHeight`)
		run(t, ctx, chromedp.EmulateViewport(760, h), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			time.Sleep(100 * time.Millisecond) // a frame at the new size
			return nil
		}))
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(*screenshot, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", *screenshot, len(png))
		run(t, ctx, chromedp.ResetViewport())
	}

	run(t, ctx, ask("and alex@contoso.com?"))
	replies = waitReplies(t, ctx, 3)
	if r := replies[2]; !strings.Contains(r, "alex@contoso.com") || !strings.Contains(r, "both") {
		t.Errorf("second question answered %q, want alex@contoso.com as both kinds", r)
	}

	// Feedback: a row of its own under the answer, pressed like any button.
	if fb := eval[[]string](t, ctx, `Array.from(Array.from(document.querySelectorAll('[data-role="reply"]')).pop().querySelectorAll('[role="group"][aria-label="Was this answer helpful?"] [data-role="suggestion"]'), e => e.textContent)`); !slices.Equal(fb, []string{"Helpful", "Not helpful"}) {
		t.Errorf("feedback buttons %q, want Helpful and Not helpful", fb)
	}
	run(t, ctx, chromedp.Click(chromedp.Search(`//article[@data-role="reply"][last()]//button[@data-kind="feedback"][normalize-space()="Helpful"]`)))
	if r := waitReplies(t, ctx, 4)[3]; !strings.Contains(r, "glad that helped") {
		t.Errorf("Helpful answered %q", r)
	}

	// A tenant whose brand looks like markup: shown as it is written.
	run(t, ctx, ask("what is "+hostileDomain+"?"))
	replies = waitReplies(t, ctx, 5)
	// The brand's words as the assistant quotes them (it may defang the
	// web addresses in them), every character of markup on screen.
	for _, part := range []string{`<img src=x onerror="document.title='pwned'">`, "**URGENT**", "[reset here](", "<script>alert(1)</script>"} {
		if !strings.Contains(replies[4], part) {
			t.Errorf("hostile brand: %q not shown literally in %q", part, replies[4])
		}
	}
	injected := eval[int](t, ctx, `document.querySelectorAll('#log img, #log script, #log a[href*="evil"], #log [onerror]').length`)
	if injected != 0 || eval[string](t, ctx, `document.title`) == "pwned" {
		t.Errorf("the hostile brand became markup: %d elements, title %q", injected, eval[string](t, ctx, `document.title`))
	}
	if got := eval[[]string](t, ctx, `Array.from(Array.from(document.querySelectorAll('[data-role="reply"]')).pop().querySelectorAll('.quoted'), e => e.textContent)`); !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "**URGENT**") }) {
		t.Errorf("the brand is not marked as outside text: quoted parts %q", got)
	}

	// Readable on a phone: nothing wider than a small screen.
	run(t, ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile))
	if over := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`); over {
		t.Errorf("on a 360-pixel-wide screen the page scrolls sideways (%d wide)", eval[int64](t, ctx, `document.documentElement.scrollWidth`))
	}
	// Dark when the system is.
	light := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`)
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}})
		return err
	}))
	if dark := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); dark == light {
		t.Errorf("the page ignores a dark colour scheme: background %s in both", dark)
	}
	run(t, ctx, chromedp.ResetViewport())

	// One conversation: after the first message, every POST carried the
	// cookie that started it.
	posts := w.seen()
	if len(posts) != 5 || posts[0].cookie != "" {
		t.Fatalf("posts = %+v", posts)
	}
	for _, p := range posts[1:] {
		if p.cookie == "" || p.cookie != posts[1].cookie || p.status != 200 || p.origin != srv.URL {
			t.Errorf("post %+v: want status 200 from %s with the session's cookie %q", p, srv.URL, posts[1].cookie)
		}
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestBrowserKeyboard: someone without a mouse tabs to the input, asks,
// tabs to a reply's button and presses Enter.
func TestBrowserKeyboard(t *testing.T) {
	browser := newBrowser(t)
	b, _ := newTestBot(t, world(t), 0, Config{})
	srv := httptest.NewServer(b)
	defer srv.Close()
	ctx, consoleErrors := newTab(t, browser)
	run(t, ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(typing))

	active := func() string {
		return eval[string](t, ctx, `(function (e) { return e ? (e.getAttribute('name') || e.getAttribute('data-role') || e.id || e.tagName) : '' })(document.activeElement)`)
	}
	tabTo := func(want string, shift bool) {
		t.Helper()
		var seen []string
		for range 30 {
			if a := active(); a == want {
				return
			} else {
				seen = append(seen, a)
			}
			if shift {
				run(t, ctx, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
			} else {
				run(t, ctx, chromedp.KeyEvent(kb.Tab))
			}
		}
		t.Fatalf("Tab never reached %s; focus went %q", want, seen)
	}
	tabTo("message", false)
	run(t, ctx, chromedp.KeyEvent("is sam@outlook.com personal or work?"), press(false))
	waitReplies(t, ctx, 1)
	if a := active(); a != "message" {
		t.Errorf("after sending, focus is on %q, want the input", a)
	}
	// Shift+Enter is a new line, not a send.
	run(t, ctx, chromedp.KeyEvent("one"), press(true), chromedp.KeyEvent("two"))
	if v := eval[string](t, ctx, `document.querySelector(`+"`"+typing+"`"+`).value`); v != "one\ntwo" {
		t.Errorf("after Shift+Enter the input holds %q, want two lines", v)
	}
	eval[string](t, ctx, `document.querySelector(`+"`"+typing+"`"+`).value = ''`)
	tabTo("suggestion", true)
	label := eval[string](t, ctx, `document.activeElement.textContent`)
	visible := eval[bool](t, ctx, `getComputedStyle(document.activeElement).outlineStyle !== 'none'`)
	if !visible {
		t.Errorf("the focused button %q has no visible focus outline", label)
	}
	run(t, ctx, press(false))
	replies := waitReplies(t, ctx, 2)
	if q := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-role="question"]'), e => e.innerText)`); len(q) != 2 || !strings.Contains(q[1], label) {
		t.Errorf("pressing Enter on %q sent %q", label, q)
	}
	if len(replies) != 2 || replies[1] == "" {
		t.Errorf("no reply to the button: %q", replies)
	}
	// "Did you mean": the choices are buttons in a group named by the
	// catalogue's heading, and one of them answers.
	tabTo("message", false)
	run(t, ctx, chromedp.KeyEvent("teams"), press(false))
	waitReplies(t, ctx, 3)
	choices := eval[[]string](t, ctx, `Array.from(Array.from(document.querySelectorAll('[data-role="reply"]')).pop().querySelectorAll('[role="group"][aria-label="Choose one"] [data-role="suggestion"]'), e => e.textContent)`)
	if len(choices) < 2 {
		t.Fatalf("the reply to \"teams\" offers choices %q, want a Did you mean group", choices)
	}
	tabTo("suggestion", true)
	for range 10 {
		if eval[bool](t, ctx, `document.activeElement.closest('[aria-label="Choose one"]') !== null && document.activeElement.textContent !== 'None of these'`) {
			break
		}
		run(t, ctx, chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	}
	choice := eval[string](t, ctx, `document.activeElement.textContent`)
	run(t, ctx, press(false))
	if r := waitReplies(t, ctx, 4)[3]; r == "" || !slices.Contains(choices, choice) {
		t.Errorf("choosing %q (of %q) answered %q", choice, choices, r)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestBrowserCrossSite: a page elsewhere that posts to the chat with the
// visitor's browser is refused before the assistant hears of it.
func TestBrowserCrossSite(t *testing.T) {
	browser := newBrowser(t)
	var asked int
	var mu sync.Mutex
	b, _ := newTestBot(t, world(t), 0, Config{})
	counting, err := New(Config{}, responderFunc(func(ctx context.Context, m helpdesk.Message) (helpdesk.Reply, error) {
		mu.Lock()
		asked++
		mu.Unlock()
		return b.responder.Respond(ctx, m)
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &watched{h: counting}
	chat := httptest.NewServer(w)
	defer chat.Close()
	target, _ := json.Marshal(chat.URL + "/webchat/message")
	evil := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(rw, `<!doctype html><title>evil</title><script>
for (const type of ["text/plain", "application/json"]) {
  fetch(%s, {method: "POST", mode: "no-cors", credentials: "include", headers: {"Content-Type": type}, body: '{"text":"is ceo@contoso.com personal?"}'}).catch(() => {});
}
const f = document.createElement("form"); f.method = "POST"; f.action = %s; f.enctype = "text/plain";
const i = document.createElement("input"); i.name = '{"text":"x","y":"'; i.value = '"}'; f.appendChild(i); document.body.appendChild(f); f.submit();
</script>`, target, target)
	}))
	defer evil.Close()
	// The other site is localhost, the chat 127.0.0.1: two origins.
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	ctx, _ := newTab(t, browser)
	run(t, ctx, chromedp.Navigate(evilURL))
	deadline := time.Now().Add(10 * time.Second)
	for len(w.seen()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	posts := w.seen()
	if len(posts) < 2 {
		t.Fatalf("the other site's posts never arrived: %+v", posts)
	}
	for _, p := range posts {
		if p.status != http.StatusForbidden {
			t.Errorf("cross-site post from %q = %d, want 403", p.origin, p.status)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if asked != 0 {
		t.Errorf("the assistant answered %d cross-site posts", asked)
	}
}

// TestTimeToFirstReply measures, over -ttfr fresh page loads in one
// browser, the time from the start of the page's navigation to the first
// reply on screen, and the part of it from pressing Enter to the reply,
// against the Microsoft fake on loopback. It is skipped without -ttfr.
//
//	go test ./bots/web -run TestTimeToFirstReply -ttfr 15 -v
func TestTimeToFirstReply(t *testing.T) {
	if *ttfrRuns <= 0 {
		t.Skip("run with -ttfr N to measure")
	}
	browser := newBrowser(t)
	b, _ := newTestBot(t, world(t), 1000, Config{})
	srv := httptest.NewServer(b)
	defer srv.Close()
	var total, answer, loaded []float64
	for i := range *ttfrRuns {
		ctx, _ := newTab(t, browser)
		// A new address each time: every reply needs Microsoft (the fake).
		q := fmt.Sprintf("is user%d@contoso.com personal or work?", i)
		run(t, ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(typing), ask(q))
		waitReplies(t, ctx, 1)
		marks := eval[map[string]float64](t, ctx, `({ask: performance.getEntriesByName('whichaccount-ask')[0].startTime, reply: performance.getEntriesByName('whichaccount-reply')[0].startTime, load: performance.getEntriesByType('navigation')[0].loadEventEnd})`)
		total = append(total, marks["reply"])
		answer = append(answer, marks["reply"]-marks["ask"])
		loaded = append(loaded, marks["load"])
		t.Logf("run %d: page loaded at %.1f ms, question sent at %.1f ms, reply shown at %.1f ms", i+1, marks["load"], marks["ask"], marks["reply"])
	}
	for _, x := range [][]float64{total, answer, loaded} {
		slices.Sort(x)
	}
	t.Logf("time to first reply over %d runs: median %.1f ms from navigation start (min %.1f, max %.1f), typing by the test included; median %.1f ms from sending to the reply shown (min %.1f, max %.1f); page loaded (load event end) at a median %.1f ms (min %.1f, max %.1f)",
		len(total), total[len(total)/2], total[0], total[len(total)-1], answer[len(answer)/2], answer[0], answer[len(answer)-1], loaded[len(loaded)/2], loaded[0], loaded[len(loaded)-1])
}
