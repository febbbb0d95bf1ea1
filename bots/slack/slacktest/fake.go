// Package slacktest is a fake Slack for tests: a Web API (auth.test,
// chat.postMessage, chat.postEphemeral, chat.update, chat.getPermalink,
// reactions.add, users.info, apps.connections.open), response_url endpoints and a Socket Mode
// WebSocket, on an httptest server. It records what it receives, can answer
// with rate limits, errors and latency, and can send Socket Mode envelopes
// and collect their acknowledgements.
package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The identity auth.test reports, and the workspace's URL.
const (
	BotUserID    = "UBOT0001"
	BotID        = "BBOT0001"
	TeamID       = "T0001"
	WorkspaceURL = "https://fake-workspace.slack.com/"
)

// Post is a message the bot sent through the Web API or a response_url.
type Post struct {
	// Method is chat.postMessage, chat.postEphemeral, chat.update or
	// response_url.
	Method       string
	Channel      string
	User         string // chat.postEphemeral
	ThreadTS     string
	Text         string
	Blocks       string // the blocks as JSON
	ResponseType string // response_url: ephemeral or in_channel
	URL          string // response_url: the path posted to
}

// Reaction is a reactions.add call.
type Reaction struct{ Name, Channel, Timestamp string }

// Ack is a Socket Mode acknowledgement.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload"`
}

// Server is the fake Slack.
type Server struct {
	// URL is the base; APIURL the Web API base to configure the bot with.
	URL, APIURL string

	srv *httptest.Server
	t   testing.TB

	mu         sync.Mutex
	posts      []Post
	reactions  []Reaction
	ratelimit  map[string]int   // method → 429s still to send
	failures   map[string][]int // method → statuses still to answer with
	latency    map[string]time.Duration
	authFails  int // auth.test calls still to fail
	authCalls  int
	retryWait  int
	respSeq    int
	tsSeq      int
	conn       *websocket.Conn
	acks       []Ack
	changed    chan struct{}
	locales    map[string]string // user → locale users.info reports
	names      map[string]string // user → real name users.info reports
	userCalls  int
	permalinks []Permalink
}

// Permalink is a chat.getPermalink call.
type Permalink struct{ Channel, MessageTS string }

// SetName makes users.info report name as user's real name.
func (s *Server) SetName(user, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[user] = name
}

// Permalinks returns the chat.getPermalink calls so far.
func (s *Server) Permalinks() []Permalink {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Permalink(nil), s.permalinks...)
}

// PermalinkFor is the permalink chat.getPermalink gives for a message.
func PermalinkFor(channel, ts string) string {
	return WorkspaceURL + "archives/" + channel + "/p" + strings.ReplaceAll(ts, ".", "")
}

// SetLocale makes users.info report locale (e.g. fr-FR) for user.
func (s *Server) SetLocale(user, locale string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.locales[user] = locale
}

// UserInfoCalls returns how many users.info calls arrived.
func (s *Server) UserInfoCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userCalls
}

// New starts a fake Slack, closed with t.Cleanup.
func New(t testing.TB) *Server {
	s := &Server{t: t, ratelimit: map[string]int{}, failures: map[string][]int{}, latency: map[string]time.Duration{}, retryWait: 1, changed: make(chan struct{}, 1), locales: map[string]string{}, names: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.api)
	mux.HandleFunc("/response/", s.response)
	mux.HandleFunc("/redirect/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/response/redirected", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/ws", s.websocket)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	s.APIURL = s.srv.URL + "/api/"
	t.Cleanup(func() {
		s.mu.Lock()
		if s.conn != nil {
			s.conn.Close()
		}
		s.mu.Unlock()
		s.srv.Close()
	})
	return s
}

// ResponseURL returns a fresh response_url on the fake.
func (s *Server) ResponseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respSeq++
	return fmt.Sprintf("%s/response/%d", s.URL, s.respSeq)
}

// RedirectURL returns a response_url on the fake that redirects (307) to
// another response_url, which records what it receives under the path
// /response/redirected.
func (s *Server) RedirectURL() string { return s.URL + "/redirect/1" }

// RateLimit makes the next n calls of a Web API method answer 429 with a
// Retry-After of one second.
func (s *Server) RateLimit(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ratelimit[method] = n
}

// SetLatency makes a Web API method (or "response_url") take d before it
// answers; what it receives is recorded after the wait, as a slow Slack
// that still delivers would.
func (s *Server) SetLatency(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency[method] = d
}

// Fail makes the next calls of a Web API method (or "response_url")
// answer with the given HTTP statuses, one each, without recording them.
func (s *Server) Fail(method string, statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], statuses...)
}

// FailAuthTest makes the next n auth.test calls fail (HTTP 500).
func (s *Server) FailAuthTest(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authFails = n
}

// AuthTestCalls returns how many auth.test calls arrived.
func (s *Server) AuthTestCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authCalls
}

// delay waits out the latency set for method and reports the status to fail
// with, or 0.
func (s *Server) delay(method string) int {
	s.mu.Lock()
	d := s.latency[method]
	status := 0
	if f := s.failures[method]; len(f) > 0 {
		status, s.failures[method] = f[0], f[1:]
	}
	s.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	return status
}

func (s *Server) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if status := s.delay(method); status != 0 {
		w.WriteHeader(status)
		return
	}
	s.mu.Lock()
	if method == "auth.test" {
		s.authCalls++
		if s.authFails > 0 {
			s.authFails--
			s.mu.Unlock()
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
	}
	if n := s.ratelimit[method]; n > 0 {
		s.ratelimit[method] = n - 1
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(s.retryWait))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	s.mu.Unlock()
	f := r.PostForm
	reply := map[string]any{"ok": true}
	switch method {
	case "auth.test":
		reply["user_id"], reply["bot_id"], reply["team_id"], reply["url"] = BotUserID, BotID, TeamID, WorkspaceURL
	case "chat.getPermalink":
		// Slack answers channel_not_found or message_not_found for what it
		// does not know; the fake knows every message.
		ch, ts := r.Form.Get("channel"), r.Form.Get("message_ts") // slack-go asks with a GET
		s.mu.Lock()
		s.permalinks = append(s.permalinks, Permalink{Channel: ch, MessageTS: ts})
		s.mu.Unlock()
		if ch == "" || ts == "" {
			reply = map[string]any{"ok": false, "error": "invalid_arguments"}
			break
		}
		reply["channel"], reply["permalink"] = ch, PermalinkFor(ch, ts)
	case "chat.postMessage", "chat.postEphemeral", "chat.update":
		s.mu.Lock()
		s.tsSeq++
		ts := fmt.Sprintf("1800000000.%06d", s.tsSeq)
		s.posts = append(s.posts, Post{Method: method, Channel: f.Get("channel"), User: f.Get("user"), ThreadTS: f.Get("thread_ts"), Text: f.Get("text"), Blocks: f.Get("blocks")})
		s.mu.Unlock()
		reply["channel"], reply["ts"], reply["message_ts"] = f.Get("channel"), ts, ts
		s.notify()
	case "reactions.add":
		s.mu.Lock()
		s.reactions = append(s.reactions, Reaction{Name: f.Get("name"), Channel: f.Get("channel"), Timestamp: f.Get("timestamp")})
		s.mu.Unlock()
		s.notify()
	case "apps.connections.open":
		reply["url"] = "ws" + strings.TrimPrefix(s.URL, "http") + "/ws"
	case "users.info":
		// Shaped like Slack's answer: the user object, with locale only
		// when include_locale=true was asked for.
		s.mu.Lock()
		s.userCalls++
		loc, ok := s.locales[f.Get("user")]
		name := s.names[f.Get("user")]
		s.mu.Unlock()
		if !ok {
			loc = "en-US"
		}
		u := map[string]any{"id": f.Get("user"), "team_id": TeamID, "name": "someone", "tz": "Europe/Paris"}
		if name != "" {
			u["real_name"] = name
			u["profile"] = map[string]any{"real_name": name, "display_name": strings.Fields(name)[0]}
		}
		if f.Get("include_locale") == "true" {
			u["locale"] = loc
		}
		reply["user"] = u
	default:
		reply = map[string]any{"ok": false, "error": "unknown_method"}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(reply)
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if status := s.delay("response_url"); status != 0 {
		w.WriteHeader(status)
		return
	}
	var m struct {
		Text         string          `json:"text"`
		ResponseType string          `json:"response_type"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.posts = append(s.posts, Post{Method: "response_url", URL: r.URL.Path, Text: m.Text, ResponseType: m.ResponseType, Blocks: string(m.Blocks)})
	s.mu.Unlock()
	s.notify()
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "ok")
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) websocket(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	// The hello goes out before the connection is published: a websocket
	// takes one writer at a time, and SendEnvelope writes as soon as a
	// test sees the client connected.
	s.mu.Lock()
	c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]string{"app_id": "A1"}})
	s.conn = c
	s.mu.Unlock()
	s.notify()
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			return
		}
		var a Ack
		if json.Unmarshal(data, &a) == nil && a.EnvelopeID != "" {
			s.mu.Lock()
			s.acks = append(s.acks, a)
			s.mu.Unlock()
			s.notify()
		}
	}
}

// Connected reports whether a Socket Mode client is connected.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil
}

// SendEnvelope sends a Socket Mode envelope of type typ (events_api,
// slash_commands, interactive) with payload.
func (s *Server) SendEnvelope(id, typ string, payload any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return fmt.Errorf("slacktest: no socket mode client")
	}
	return s.conn.WriteJSON(map[string]any{"envelope_id": id, "type": typ, "payload": payload, "accepts_response_payload": typ == "slash_commands"})
}

// Posts returns the messages received so far.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// Reactions returns the reactions added so far.
func (s *Server) Reactions() []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Reaction(nil), s.reactions...)
}

// Acks returns the Socket Mode acknowledgements received so far.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// Wait waits until cond holds or the timeout passes, and reports whether it
// held.
func (s *Server) Wait(timeout time.Duration, cond func() bool) bool {
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-s.changed:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			return cond()
		}
	}
	return true
}

// FormBody encodes values as a slash-command or interactivity body.
func FormBody(v url.Values) []byte { return []byte(v.Encode()) }
