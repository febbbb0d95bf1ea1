// Package teamstest is a fake Bot Framework on loopback, for tests of the
// Teams adapter and of anything that mounts it. One httptest server plays
// three parts:
//
//   - the OpenID metadata and signing keys (with endorsements) that inbound
//     tokens are checked against, at MetadataURL;
//   - the Microsoft identity token endpoint bots get their outbound tokens
//     from, at TokenURL (any tenant in place of botframework.com works too),
//     which records each request;
//   - the Bot Connector at ServiceURL, which records the activities posted
//     to it and the conversations created (POST /v3/conversations, a new
//     post in a channel), and can be told to throttle.
//
// It also mints the tokens the Bot Connector would send (Token) and builds
// the activities Teams would send (Message and friends).
package teamstest

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is the issuer of Bot Connector tokens.
const Issuer = "https://api.botframework.com"

// Defaults of a new Server.
const (
	AppID       = "2f4c8a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
	AppPassword = "fake-app-password"
	TenantID    = "72f988bf-86f1-41af-91ab-2d7cd011db47"
)

// DefaultEndorsements are the channels a new key is endorsed for.
var DefaultEndorsements = []string{"msteams", "emulator"}

// Key is a signing key of the fake key set.
type Key struct {
	ID           string
	Private      *rsa.PrivateKey
	Endorsements []string
}

// TokenRequest is one request the token endpoint received.
type TokenRequest struct {
	Tenant string     // the tenant segment of the path
	Form   url.Values // grant_type, client_id, client_secret, scope
}

// Activity is one activity the connector received.
type Activity struct {
	// ConversationID and ReplyToID are read from the path; ReplyToID is
	// empty for a post to the conversation.
	ConversationID, ReplyToID string
	// Authorization is the request's header.
	Authorization string
	// Body is the activity as sent.
	Body []byte
	// Received is when it arrived.
	Received time.Time
}

// Decode decodes the activity's body into v.
func (a Activity) Decode(v any) error { return json.Unmarshal(a.Body, v) }

// Call is one request to the connector, answered or throttled.
type Call struct {
	Status   int
	Received time.Time
}

// Server is the fake Bot Framework.
type Server struct {
	// URL is the server's base URL.
	URL string
	// MetadataURL is the OpenID metadata URL, for teams.Config.
	MetadataURL string
	// TokenURL is the multi-tenant token endpoint, for teams.Config.
	TokenURL string
	// ServiceURL is the connector's base URL, with a trailing slash as
	// Teams sends it.
	ServiceURL string
	// AppID and AppPassword are the credentials the token endpoint takes
	// and the audience of minted tokens.
	AppID, AppPassword string

	srv *httptest.Server

	mu              sync.Mutex
	published       []*Key
	metadataFetches int
	keyFetches      int
	tokenRequests   []TokenRequest
	issued          map[string]bool
	activities      []Activity
	conversations   []Conversation
	calls           []Call
	throttle        int
	retryAfter      time.Duration
	anonymous       bool
	changed         chan struct{} // closed and replaced on every new activity
}

// New starts a fake Bot Framework with one published key, endorsed for
// DefaultEndorsements, and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{AppID: AppID, AppPassword: AppPassword, issued: map[string]bool{}, changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", s.metadata)
	mux.HandleFunc("GET /v1/.well-known/keys", s.keys)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("POST /teams/v3/conversations", s.createConversation)
	mux.HandleFunc("POST /teams/v3/conversations/{conversation}/activities", s.connector)
	mux.HandleFunc("POST /teams/v3/conversations/{conversation}/activities/{activity}", s.connector)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	s.MetadataURL = s.URL + "/v1/.well-known/openidconfiguration"
	s.TokenURL = s.URL + "/botframework.com/oauth2/v2.0/token"
	s.ServiceURL = s.URL + "/teams/"
	s.published = []*Key{s.NewKey(t)}
	return s
}

// NewKey makes a 2048-bit RSA key endorsed for endorsements (or, with none
// given, DefaultEndorsements). It is not published.
func (s *Server) NewKey(t testing.TB, endorsements ...string) *Key {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("teamstest: generating a key: %v", err)
	}
	if len(endorsements) == 0 {
		endorsements = DefaultEndorsements
	}
	var id [9]byte
	rand.Read(id[:])
	return &Key{ID: base64.RawURLEncoding.EncodeToString(id[:]), Private: priv, Endorsements: append([]string(nil), endorsements...)}
}

// Key returns the first published key, the one tokens are signed with by
// default.
func (s *Server) Key() *Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.published) == 0 {
		return nil
	}
	return s.published[0]
}

// Publish replaces the published key set.
func (s *Server) Publish(keys ...*Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.published = append([]*Key(nil), keys...)
}

// Rotate publishes a new key in place of all the others, as a key rollover
// does, and returns it.
func (s *Server) Rotate(t testing.TB) *Key {
	t.Helper()
	k := s.NewKey(t)
	s.Publish(k)
	return k
}

// MetadataFetches and KeyFetches count the requests for the metadata and
// the key set.
func (s *Server) MetadataFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.metadataFetches
}

// KeyFetches counts the requests for the key set.
func (s *Server) KeyFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyFetches
}

// TokenRequests returns the requests the token endpoint received.
func (s *Server) TokenRequests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenRequest(nil), s.tokenRequests...)
}

// Conversation is a conversation the connector created: a new post in a
// channel, as POST /v3/conversations asks with isGroup, channelData.channel
// and an activity.
type Conversation struct {
	// Authorization is the request's header.
	Authorization string
	// Body is the request as sent.
	Body []byte
	// ID is the conversation id the connector gave it.
	ID       string
	Received time.Time
}

// Decode decodes the request's body into v.
func (c Conversation) Decode(v any) error { return json.Unmarshal(c.Body, v) }

// Conversations returns the conversations the connector created.
func (s *Server) Conversations() []Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Conversation(nil), s.conversations...)
}

// WaitConversations waits until the connector has created at least n
// conversations and returns them; it fails the test after 10 seconds.
func (s *Server) WaitConversations(t testing.TB, n int) []Conversation {
	t.Helper()
	s.wait(t, n, "conversations", func() int { return len(s.conversations) })
	return s.Conversations()
}

// wait waits until count, read under the lock, is at least n; it fails
// the test after 10 seconds, naming what it counts.
func (s *Server) wait(t testing.TB, n int, what string, count func() int) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got, changed := count(), s.changed
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("teamstest: %d %s after 10s, want %d", got, what, n)
			return
		}
	}
}

// Activities returns the activities the connector took (answered 200).
func (s *Server) Activities() []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Activity(nil), s.activities...)
}

// Calls returns every request to the connector with the status it got.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// WaitActivities waits until the connector has taken at least n activities
// and returns them; it fails the test after 10 seconds.
func (s *Server) WaitActivities(t testing.TB, n int) []Activity {
	t.Helper()
	s.wait(t, n, "activities", func() int { return len(s.activities) })
	return s.Activities()
}

// Throttle makes the connector answer the next n requests with 429 and
// Retry-After (in whole seconds).
func (s *Server) Throttle(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle, s.retryAfter = n, retryAfter
}

// AllowAnonymous makes the connector take requests with no Authorization
// header, as the Emulator's does. By default it wants a token the token
// endpoint issued.
func (s *Server) AllowAnonymous() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.anonymous = true
}

func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.metadataFetches++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                Issuer,
		"authorization_endpoint":                "https://invalid.botframework.com/v1/auth",
		"jwks_uri":                              s.URL + "/v1/.well-known/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
	})
}

func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.keyFetches++
	keys := append([]*Key(nil), s.published...)
	s.mu.Unlock()
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		pub := k.Private.PublicKey
		out = append(out, map[string]any{
			"kty":          "RSA",
			"use":          "sig",
			"kid":          k.ID,
			"n":            base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e":            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
			"endorsements": k.Endorsements,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRequests = append(s.tokenRequests, TokenRequest{Tenant: r.PathValue("tenant"), Form: r.PostForm})
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "client_credentials" || f.Get("scope") != "https://api.botframework.com/.default":
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	case f.Get("client_id") != s.AppID || f.Get("client_secret") != s.AppPassword:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client"})
		return
	}
	tok := fmt.Sprintf("fake-access-token-%d", len(s.issued)+1)
	s.issued[tok] = true
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": tok})
}

func (s *Server) connector(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || !json.Valid(body) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "BadArgument"}})
		return
	}
	now := time.Now()
	auth := r.Header.Get("Authorization")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.admit(w, auth, now) {
		return
	}
	s.calls = append(s.calls, Call{Status: http.StatusOK, Received: now})
	s.activities = append(s.activities, Activity{
		ConversationID: r.PathValue("conversation"),
		ReplyToID:      r.PathValue("activity"),
		Authorization:  auth,
		Body:           body,
		Received:       now,
	})
	close(s.changed)
	s.changed = make(chan struct{})
	writeJSON(w, http.StatusOK, map[string]any{"id": fmt.Sprintf("reply-%d", len(s.activities))})
}

// createConversation is POST /v3/conversations: it wants a token the
// token endpoint issued (or none, with AllowAnonymous), isGroup with a
// channel in channelData, and an activity; it answers 201 with the new
// conversation's id, as the Bot Connector does.
func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var p struct {
		IsGroup     bool `json:"isGroup"`
		ChannelData struct {
			Channel struct {
				ID string `json:"id"`
			} `json:"channel"`
		} `json:"channelData"`
		Activity *struct {
			Type string `json:"type"`
		} `json:"activity"`
	}
	if err != nil || json.Unmarshal(body, &p) != nil || !p.IsGroup || p.ChannelData.Channel.ID == "" || p.Activity == nil || p.Activity.Type != "message" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "BadArgument", "message": "isGroup, channelData.channel.id and a message activity are required"}})
		return
	}
	now := time.Now()
	auth := r.Header.Get("Authorization")
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.admit(w, auth, now) {
		return
	}
	s.calls = append(s.calls, Call{Status: http.StatusCreated, Received: now})
	id := fmt.Sprintf("%s;messageid=%d", p.ChannelData.Channel.ID, 1700000000000+len(s.conversations))
	s.conversations = append(s.conversations, Conversation{Authorization: auth, Body: body, ID: id, Received: now})
	close(s.changed)
	s.changed = make(chan struct{})
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "activityId": strings.TrimPrefix(id, p.ChannelData.Channel.ID+";messageid=")})
}

// admit answers a connector call that is throttled (429 with
// Retry-After) or lacks a token the token endpoint issued (401, unless
// AllowAnonymous and no token at all), recording it, and reports whether
// the call may go on. s.mu is held.
func (s *Server) admit(w http.ResponseWriter, auth string, now time.Time) bool {
	if s.throttle > 0 {
		s.throttle--
		s.calls = append(s.calls, Call{Status: http.StatusTooManyRequests, Received: now})
		w.Header().Set("Retry-After", strconv.Itoa(int(s.retryAfter/time.Second)))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]any{"code": "Throttled"}})
		return false
	}
	tok, hasToken := strings.CutPrefix(auth, "Bearer ")
	if (auth == "" && !s.anonymous) || (auth != "" && (!hasToken || !s.issued[tok])) {
		s.calls = append(s.calls, Call{Status: http.StatusUnauthorized, Received: now})
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": "Unauthorized"}})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// TokenOption changes a minted token.
type TokenOption func(*tokenSpec)

type tokenSpec struct {
	overrides []map[string]any
	key       *Key
	kid       *string
	none      bool
	hmac      []byte
	at        time.Time
}

// Claims overrides claims; a nil value removes the claim.
func Claims(c map[string]any) TokenOption {
	return func(s *tokenSpec) { s.overrides = append(s.overrides, c) }
}

// SignedBy signs the token with k (published or not), naming k.ID.
func SignedBy(k *Key) TokenOption { return func(s *tokenSpec) { s.key = k } }

// KeyID names kid in the header, whatever key signs the token; "" leaves
// kid out.
func KeyID(kid string) TokenOption { return func(s *tokenSpec) { s.kid = &kid } }

// AlgNone makes an unsigned token (alg "none").
func AlgNone() TokenOption { return func(s *tokenSpec) { s.none = true } }

// HMAC signs the token with HS256 and secret instead of RS256.
func HMAC(secret []byte) TokenOption { return func(s *tokenSpec) { s.hmac = secret } }

// At sets the token's issue time (iat and nbf; exp is an hour later).
// Tokens are issued now by default.
func At(t time.Time) TokenOption { return func(s *tokenSpec) { s.at = t } }

// Token mints a token as the Bot Connector sends it: RS256, signed with the
// first published key, issuer Issuer, audience AppID, serviceurl
// ServiceURL, valid for an hour.
func (s *Server) Token(t testing.TB, opts ...TokenOption) string {
	t.Helper()
	spec := &tokenSpec{key: s.Key(), at: time.Now()}
	for _, o := range opts {
		if o != nil {
			o(spec)
		}
	}
	claims := map[string]any{
		"iss":        Issuer,
		"aud":        s.AppID,
		"serviceurl": s.ServiceURL,
		"iat":        spec.at.Unix(),
		"nbf":        spec.at.Unix(),
		"exp":        spec.at.Add(time.Hour).Unix(),
	}
	for _, o := range spec.overrides {
		for k, v := range o {
			if v == nil {
				delete(claims, k)
			} else {
				claims[k] = v
			}
		}
	}
	var method jwt.SigningMethod = jwt.SigningMethodRS256
	var key any
	switch {
	case spec.none:
		method, key = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
	case spec.hmac != nil:
		method, key = jwt.SigningMethodHS256, spec.hmac
	default:
		if spec.key == nil {
			t.Fatalf("teamstest: no key to sign with")
		}
		key = spec.key.Private
	}
	tok := jwt.NewWithClaims(method, jwt.MapClaims(claims))
	kid := ""
	if spec.key != nil {
		kid = spec.key.ID
	}
	if spec.kid != nil {
		kid = *spec.kid
	}
	if kid != "" {
		tok.Header["kid"] = kid
	}
	signed, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("teamstest: signing a token: %v", err)
	}
	return signed
}

var postClient = &http.Client{Timeout: 30 * time.Second}

// Post sends activity (any JSON-encodable value) to the bot at url with
// "Authorization: Bearer token" (no header when token is "") and returns
// the status.
func Post(t testing.TB, url, token string, activity any) int {
	t.Helper()
	body, ok := activity.([]byte)
	if !ok {
		var err error
		if body, err = json.Marshal(activity); err != nil {
			t.Fatalf("teamstest: encoding the activity: %v", err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("teamstest: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := postClient.Do(req)
	if err != nil {
		t.Fatalf("teamstest: posting the activity: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// Inbound activities, as Teams sends them. Each is a map the test can
// change before posting.

// BotID is the bot's channel account id in activities: "28:" + AppID.
func (s *Server) BotID() string { return "28:" + s.AppID }

var idSeq struct {
	sync.Mutex
	n int
}

func nextID() string {
	idSeq.Lock()
	defer idSeq.Unlock()
	idSeq.n++
	return strconv.FormatInt(time.Now().UnixMilli(), 10) + strconv.Itoa(idSeq.n)
}

func (s *Server) base(kind string) map[string]any {
	return map[string]any{
		"type":       kind,
		"id":         nextID(),
		"timestamp":  time.Now().UTC().Format(time.RFC3339Nano),
		"serviceUrl": s.ServiceURL,
		"channelId":  "msteams",
		"from": map[string]any{
			"id":          "29:1user-alex",
			"name":        "Alex Wilber",
			"aadObjectId": "00000000-0000-0000-0000-00000000a1e5",
		},
		"recipient": map[string]any{"id": s.BotID(), "name": "whichaccount"},
		"locale":    "en-GB",
		"channelData": map[string]any{
			"tenant": map[string]any{"id": TenantID},
		},
	}
}

// Message is a message in a personal (one-to-one) chat.
func (s *Server) Message(text string) map[string]any {
	a := s.base("message")
	a["text"] = text
	a["textFormat"] = "plain"
	a["conversation"] = map[string]any{
		"conversationType": "personal",
		"tenantId":         TenantID,
		"id":               "a:1personal-chat-with-alex",
	}
	return a
}

// ChannelMessage is a new post in channel ("19:…@thread.tacv2"), starting
// its thread; with mention it @mentions the bot first.
func (s *Server) ChannelMessage(channel, text string, mention bool) map[string]any {
	a := s.base("message")
	id := a["id"].(string)
	a["textFormat"] = "plain"
	a["text"] = text
	if mention {
		at := "<at>whichaccount</at>"
		a["text"] = at + " " + text
		a["entities"] = []any{
			map[string]any{"type": "mention", "text": at, "mentioned": map[string]any{"id": s.BotID(), "name": "whichaccount"}},
			map[string]any{"type": "clientInfo", "locale": "en-GB", "platform": "Web"},
		}
	}
	a["conversation"] = map[string]any{
		"isGroup":          true,
		"conversationType": "channel",
		"tenantId":         TenantID,
		"id":               channel + ";messageid=" + id,
	}
	cd := a["channelData"].(map[string]any)
	cd["teamsChannelId"] = channel
	cd["channel"] = map[string]any{"id": channel}
	cd["team"] = map[string]any{"id": "19:team-general@thread.tacv2"}
	return a
}

// Submit is what an Action.Submit button whose data is {"action": action}
// sends: a message with that value and no text, replying to the card.
func (s *Server) Submit(conversation map[string]any, action string) map[string]any {
	a := s.base("message")
	a["conversation"] = conversation
	a["value"] = map[string]any{"action": action}
	a["replyToId"] = "1700000000000"
	return a
}

// BotAdded is the conversationUpdate Teams sends when the bot is added to
// a personal chat.
func (s *Server) BotAdded() map[string]any {
	a := s.base("conversationUpdate")
	a["membersAdded"] = []any{map[string]any{"id": s.BotID()}}
	a["conversation"] = map[string]any{
		"conversationType": "personal",
		"tenantId":         TenantID,
		"id":               "a:1personal-chat-with-alex",
	}
	a["channelData"].(map[string]any)["eventType"] = "teamMemberAdded"
	return a
}
