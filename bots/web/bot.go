// Package web is the built-in web chat: one page (HTML, CSS and a little
// JavaScript, embedded, no build step and nothing fetched from elsewhere)
// and a JSON endpoint that passes what the person types or presses to the
// shared assistant and returns its platform-neutral reply for the page to
// render.
//
// Routes, relative to where the Bot is mounted:
//
//	GET  /                    the page; /?embed=1 without the page's header, for an iframe
//	GET  /webchat/app.js      the script, app.css the style sheet, icon.svg the icon
//	POST /webchat/message     {"text":"…"} or {"action":"…"} → {"lang","reply","words"}
//
// Safety: the page renders everything as text (the script builds elements
// and sets textContent, never HTML), under a Content-Security-Policy that
// allows only its own script and style; POSTs must be JSON (415), come from
// the page's own origin (403), and fit the body and message limits (413,
// 400). One conversation per browser session lives behind an HttpOnly,
// SameSite=Strict cookie holding a random ID. The per-user lookup limit
// applies to each session and to each client address (see Limiter). Logs
// carry neither client addresses nor what people typed.
//
// The page's own words (placeholder, button, errors, headings) are the
// catalogue's web.* phrases, in the reply's language: every reply carries
// them, so the page follows the language the assistant answers in.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// Responder answers a message; *helpdesk.Handler satisfies it.
type Responder interface {
	Respond(ctx context.Context, m helpdesk.Message) (helpdesk.Reply, error)
}

// Config configures a Bot. Zero values take the defaults noted.
type Config struct {
	// FrameAncestors are the origins allowed to show the page in a frame
	// (CSP frame-ancestors), such as https://intranet.contoso.com or
	// 'self'; none when empty.
	FrameAncestors []string
	// MaxMessage bounds a typed message, in characters (2,000).
	MaxMessage int
	// MaxBody bounds a request body, in bytes (32 KiB).
	MaxBody int64
	// Timeout bounds one answer (12 s, under the server's write timeout).
	Timeout time.Duration
	// TrustedProxies are the reverse proxies in front of the server whose
	// X-Forwarded-For is believed, to tell people apart for the lookup
	// limit; none by default, when the connection's address counts.
	TrustedProxies []netip.Prefix
}

// Defaults of Config.
const (
	DefaultMaxMessage = 2000
	DefaultMaxBody    = 32 << 10
	DefaultTimeout    = 12 * time.Second
	// maxAction bounds the action a button sends back: actions are the
	// assistant's own short identifiers.
	maxAction = 512
)

// Bot serves the web chat. It is an http.Handler for GET / and the
// /webchat/ routes.
type Bot struct {
	cfg       Config
	responder Responder
	log       *slog.Logger
	csp       string
	langs     []string // the languages with the page's words, base first
	matcher   language.Matcher
	words     map[string]map[string]string // lang → the page's words
	pages     map[string]*pageCache        // lang → the rendered page, plain and embedded
	assets    map[string]asset
}

type pageCache struct{ full, embed []byte }

type asset struct {
	body  []byte
	ctype string
	etag  string
}

//go:embed static
var static embed.FS

var pageTemplate = template.Must(template.ParseFS(static, "static/index.html"))

// New returns the web chat, answering through responder.
func New(cfg Config, responder Responder, log *slog.Logger) (*Bot, error) {
	if cfg.MaxMessage <= 0 {
		cfg.MaxMessage = DefaultMaxMessage
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ancestors, err := FrameAncestors(cfg.FrameAncestors)
	if err != nil {
		return nil, err
	}
	b := &Bot{cfg: cfg, responder: responder, log: log.With("component", "web"),
		words: map[string]map[string]string{}, pages: map[string]*pageCache{}, assets: map[string]asset{}}
	b.csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors " + ancestors
	cat, err := helpdesk.BuiltinCatalogue()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	var tags []language.Tag
	for _, l := range helpdesk.Languages {
		if cat.Phrases[l]["web.send"] == "" {
			continue // no page words in that language yet
		}
		b.langs = append(b.langs, l)
		tags = append(tags, language.Make(l))
		b.words[l] = b.pageWords(l)
	}
	if len(b.langs) == 0 {
		return nil, errors.New("web: the catalogue has no web.* phrases")
	}
	b.matcher = language.NewMatcher(tags)
	for _, l := range b.langs {
		full, err := b.renderPage(l, false)
		if err != nil {
			return nil, err
		}
		embedded, err := b.renderPage(l, true)
		if err != nil {
			return nil, err
		}
		b.pages[l] = &pageCache{full: full, embed: embedded}
	}
	for name, ctype := range map[string]string{"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8", "icon.svg": "image/svg+xml"} {
		body, err := static.ReadFile("static/" + name)
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		sum := sha256.Sum256(body)
		b.assets["/webchat/"+name] = asset{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return b, nil
}

// FrameAncestors checks the origins allowed to frame the page and returns
// them as a CSP frame-ancestors source list ('none' when there are none).
// An origin is 'self', or http(s)://host[:port] where the host may start
// with *. for any subdomain; nothing else passes, so nothing can be
// smuggled into the policy.
func FrameAncestors(origins []string) (string, error) {
	if len(origins) == 0 {
		return "'none'", nil
	}
	var bad []string
	for _, o := range origins {
		if !validAncestor(o) {
			bad = append(bad, strconv.Quote(o))
		}
	}
	if len(bad) > 0 {
		return "", fmt.Errorf("web: frame ancestors %s: want 'self' or origins such as https://intranet.contoso.com", strings.Join(bad, ", "))
	}
	return strings.Join(origins, " "), nil
}

func validAncestor(o string) bool {
	if o == "'self'" {
		return true
	}
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || (scheme != "https" && scheme != "http") {
		return false
	}
	host, port, hasPort := strings.Cut(rest, ":")
	if hasPort {
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 || strconv.Itoa(n) != port {
			return false
		}
	}
	host = strings.TrimPrefix(host, "*.")
	if host == "" || len(host) > 253 {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// ServeHTTP routes the page, its assets and the message endpoint.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", b.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if b.csp[len(b.csp)-len("'none'"):] == "'none'" {
		h.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
	}
	switch p := r.URL.Path; {
	case p == "/":
		b.page(w, r)
	case p == "/webchat/message":
		b.message(w, r)
	default:
		a, ok := b.assets[p]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", a.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	}
}

// page serves the chat page in the language the browser asks for.
func (b *Bot) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	pc := b.pages[b.browserLang(r)]
	body := pc.full
	if r.URL.Query().Get("embed") == "1" {
		body = pc.embed
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Language")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// browserLang is the page language that best fits Accept-Language.
func (b *Bot) browserLang(r *http.Request) string {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return b.langs[0]
	}
	_, i, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return b.langs[0]
	}
	return b.langs[i]
}

// request is what the page posts: text typed, or the action of a button.
type request struct {
	Text   string `json:"text"`
	Action string `json:"action"`
}

// errorBody is the JSON of a refused request: the words to show.
type errorBody struct {
	Error string `json:"error"`
}

// message answers one message of the page.
func (b *Bot) message(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	lang := b.browserLang(r)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		b.refuse(w, http.StatusMethodNotAllowed, lang, "web.error")
		return
	}
	if !sameOrigin(r) {
		b.refuse(w, http.StatusForbidden, lang, "web.refused")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		b.refuse(w, http.StatusUnsupportedMediaType, lang, "web.error")
		return
	}
	req, status := b.decode(w, r)
	if status != 0 {
		key := "web.error"
		if status == http.StatusRequestEntityTooLarge || status == http.StatusBadRequest && req.Text != "" {
			key = "web.too_long"
		}
		b.refuse(w, status, lang, key)
		return
	}
	session := b.session(w, r)
	m := helpdesk.Message{
		Platform:     helpdesk.PlatformWeb,
		Conversation: helpdesk.PlatformWeb + ":" + session, // apart from other platforms' conversation IDs
		User:         session + userSep + b.clientKey(r),
		Text:         req.Text,
		Action:       req.Action,
		Locale:       lang,
	}
	if m.Action != "" {
		m.Text = ""
	}
	ctx, cancel := context.WithTimeout(r.Context(), b.cfg.Timeout)
	defer cancel()
	reply, err := b.responder.Respond(ctx, m)
	if err != nil {
		b.log.Error("respond failed", "error", err.Error())
		b.refuse(w, http.StatusInternalServerError, lang, "web.error")
		return
	}
	rl := reply.Lang
	if b.words[rl] == nil {
		rl = b.langs[0]
	}
	writeJSON(w, http.StatusOK, response{Lang: reply.Lang, Reply: render(reply), Words: b.words[rl]})
}

// decode reads the request body: a status other than 0 refuses it.
func (b *Bot) decode(w http.ResponseWriter, r *http.Request) (request, int) {
	var req request
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, b.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return req, http.StatusRequestEntityTooLarge
		}
		return req, http.StatusBadRequest
	}
	req, err = parseRequest(body)
	if err != nil {
		return request{}, http.StatusBadRequest
	}
	if utf8.RuneCountInString(req.Text) > b.cfg.MaxMessage {
		return req, http.StatusBadRequest
	}
	return req, 0
}

// parseRequest reads a request body: a JSON object with exactly one of a
// non-blank text or an action of at most maxAction bytes.
func parseRequest(body []byte) (request, error) {
	var req request
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return request{}, fmt.Errorf("web: request: %w", err)
	}
	if dec.More() {
		return request{}, errors.New("web: request: more than one JSON value")
	}
	switch {
	case req.Action != "" && req.Text != "":
		return request{}, errors.New("web: request: both text and action")
	case req.Action != "":
		if len(req.Action) > maxAction || !utf8.ValidString(req.Action) {
			return request{}, errors.New("web: request: action too long")
		}
	case strings.TrimSpace(req.Text) == "":
		return request{}, errors.New("web: request: no text and no action")
	}
	return req, nil
}

// refuse answers a request the page cannot have meant, with the words
// to show in lang.
func (b *Bot) refuse(w http.ResponseWriter, status int, lang, key string) {
	msg := helpdesk.Phrase(lang, key)
	if key == "web.too_long" {
		msg = helpdesk.PhraseWith(lang, key, "n", b.number(lang, b.cfg.MaxMessage))
	}
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// sameOrigin reports whether a POST comes from the page's own origin: its
// Origin header names this host, and the browser does not say it is
// cross-site. A request without Origin (browsers always send one with a
// POST from a script) is refused too.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

// sessionCookie names the cookie that holds the browser session's ID.
const sessionCookie = "whichaccount_session"

// session returns the browser session's ID, starting one with a fresh
// random ID when the request has none (or a malformed one).
func (b *Bot) session(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(sessionCookie); err == nil && validSessionID(c.Value) {
		return c.Value
	}
	var raw [16]byte
	rand.Read(raw[:])
	id := base64.RawURLEncoding.EncodeToString(raw[:])
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"),
	})
	return id
}

func validSessionID(s string) bool {
	if len(s) != 22 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// clientKey names the client's network address for the lookup limit: the
// connection's own address, or, when that is one of the trusted proxies,
// the nearest address in X-Forwarded-For that is not (a proxy appends the
// address it got the request from, so the entries a client wrote itself
// sit to the left of it and are never read). An IPv6 address counts by its
// /64, which one household or device usually holds whole.
func (b *Bot) clientKey(r *http.Request) string {
	ip, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	addr := ip.Addr().Unmap()
	if b.trusted(addr) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a malformed entry: nothing left of it can be trusted
			}
			addr = hop.Unmap()
			if !b.trusted(addr) {
				break
			}
		}
	}
	if addr.Is4() {
		return addr.String()
	}
	p, _ := addr.Prefix(64)
	return p.String()
}

// trusted reports whether addr is one of the trusted proxies.
func (b *Bot) trusted(addr netip.Addr) bool {
	for _, p := range b.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// number writes n with the language's thousands separator.
func (b *Bot) number(lang string, n int) string {
	s := strconv.Itoa(n)
	sep := helpdesk.Phrase(lang, "number.thousands")
	if sep == "number.thousands" || len(s) <= 3 {
		return s
	}
	var out strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteString(sep)
		}
		out.WriteRune(c)
	}
	return out.String()
}
