// Package directorytest fakes the parts of Microsoft Graph and of the
// Microsoft identity platform's token endpoint that the directory client
// uses, on loopback, so that it is tested without reaching
// graph.microsoft.com:
//
//	POST /{tenant}/oauth2/v2.0/token     client credentials → {"token_type","expires_in","ext_expires_in","access_token"}
//	GET  /v1.0/users?$filter=…&$select=…&$top=…&$count=true&$skiptoken=…
//	GET  /v1.0/users/{id}?$select=…
//
// The answers follow Graph's documented payloads: collections as
// {"@odata.context","@odata.count","@odata.nextLink","value":[…]}, unset
// properties as null, errors as {"error":{"code","message","innerError"}},
// OAuth errors as {"error","error_description","error_codes",…}. The fake
// is strict where Graph is: a bearer token it issued and that has not
// expired, $select of known properties only, $top of at most 999, and the
// advanced-query parameters (ConsistencyLevel: eventual with $count=true)
// for $count and for filters that combine lambda (any) clauses with "or".
//
// Tests describe the tenant with AddUser, switch failures with Throttle,
// SetFailure, Deny and SetLatency, and assert on what the fake received
// with Requests and LastRequests.
package directorytest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The app registration the fake accepts.
const (
	TenantID     = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	ClientID     = "3f1c2b8e-5a0d-4c57-9a5e-6b1f0c2d7e41"
	ClientSecret = "fake~client~secret~0123456789"
	// Scope is the only scope the token endpoint grants.
	Scope = "https://graph.microsoft.com/.default"
)

// The kinds of request the fake counts.
const (
	Token = "token" // POST /{tenant}/oauth2/v2.0/token
	Users = "users" // GET /v1.0/users
	User1 = "user"  // GET /v1.0/users/{id}
)

// Identity is one sign-in identity of a user.
type Identity struct {
	SignInType, Issuer, IssuerAssignedID string
}

// User is one user of the fake tenant. Empty strings are sent as null.
type User struct {
	ID                string // a GUID; AddUser makes one when empty
	UserPrincipalName string
	Mail              string
	OtherMails        []string
	ProxyAddresses    []string // "SMTP:primary@…", "smtp:alias@…"
	UserType          string   // "Member" (when empty) or "Guest"
	Disabled          bool     // accountEnabled false
	CreationType      string   // "Invitation" for invited guests
	ExternalUserState string   // "PendingAcceptance", "Accepted" or ""
	Identities        []Identity
	Created           time.Time
	DisplayName       string
}

// Request is what the fake received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Form   url.Values // token requests
}

// Server is a fake Graph and token endpoint on loopback. It is safe for
// concurrent use.
type Server struct {
	// URL stands in for https://graph.microsoft.com; TokenURL for
	// https://login.microsoftonline.com/{TenantID}/oauth2/v2.0/token.
	URL, TokenURL string

	t        testing.TB
	ts       *httptest.Server
	counts   map[string]*atomic.Int64
	tokenSeq atomic.Int64

	mu            sync.Mutex
	users         []User
	byID          map[string]int
	tokens        map[string]time.Time // access token → expiry
	lifetime      time.Duration
	latency       time.Duration
	throttleN     int
	retryAfter    time.Duration
	failure       int
	denied        bool
	tokenRefusals bool
	received      map[string][]Request
}

// New starts an empty fake tenant and closes it when the test ends.
// Tokens live an hour (SetTokenLifetime).
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		counts:   map[string]*atomic.Int64{Token: {}, Users: {}, User1: {}},
		byID:     map[string]int{},
		tokens:   map[string]time.Time{},
		lifetime: time.Hour,
		received: map[string][]Request{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.serveToken)
	mux.HandleFunc("GET /v1.0/users", s.api(Users, s.serveUsers))
	mux.HandleFunc("GET /v1.0/users/{id}", s.api(User1, s.serveUser))
	s.ts = httptest.NewServer(mux)
	s.URL = s.ts.URL
	s.TokenURL = s.ts.URL + "/" + TenantID + "/oauth2/v2.0/token"
	t.Cleanup(s.ts.Close)
	return s
}

// AddUser adds u to the tenant and returns its ID.
func (s *Server) AddUser(u User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = fmt.Sprintf("%08x-0000-4000-8000-%012x", len(s.users)+1, len(s.users)+1)
	}
	u.ID = strings.ToLower(u.ID)
	if u.UserType == "" {
		u.UserType = "Member"
	}
	if u.Created.IsZero() {
		u.Created = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	s.byID[u.ID] = len(s.users)
	s.users = append(s.users, u)
	return u.ID
}

// SetTokenLifetime sets the expires_in of tokens issued from now on.
func (s *Server) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// ExpireTokens makes every token issued so far invalid: Graph answers 401
// InvalidAuthenticationToken to them.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Throttle answers the next n Graph requests (not token requests) with 429
// TooManyRequests and Retry-After: retryAfter (whole seconds, rounded up).
func (s *Server) Throttle(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleN, s.retryAfter = n, retryAfter
}

// SetFailure answers every Graph request with status (and a Graph error
// body) until it is set back to 0.
func (s *Server) SetFailure(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failure = status
}

// Deny answers Graph requests 403 Authorization_RequestDenied, as Graph
// does when the app lacks User.Read.All.
func (s *Server) Deny(denied bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied = denied
}

// RefuseTokens makes the token endpoint refuse the client secret.
func (s *Server) RefuseTokens(refuse bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenRefusals = refuse
}

// SetLatency delays every answer by d after the request is counted.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Requests counts the requests of a kind (Token, Users, User1) since New
// or Reset.
func (s *Server) Requests(kind string) int {
	c, ok := s.counts[kind]
	if !ok {
		s.t.Errorf("directorytest: Requests(%q): unknown kind", kind)
		return 0
	}
	return int(c.Load())
}

// LastRequests returns the requests of a kind, oldest first.
func (s *Server) LastRequests(kind string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.received[kind])
}

// Reset zeroes the counters and forgets the recorded requests.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.counts {
		c.Store(0)
	}
	clear(s.received)
}

func (s *Server) record(kind string, r *http.Request, form url.Values) time.Duration {
	s.counts[kind].Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received[kind] = append(s.received[kind], Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Form: form})
	return s.latency
}

func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// serveToken is the client-credentials grant of the v2.0 token endpoint.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	form := r.PostForm
	if !wait(r.Context(), s.record(Token, r, form)) {
		return
	}
	s.mu.Lock()
	refuse, lifetime := s.tokenRefusals, s.lifetime
	s.mu.Unlock()
	switch {
	case !strings.EqualFold(r.PathValue("tenant"), TenantID):
		oauthError(w, http.StatusBadRequest, "invalid_request", 90002, "Tenant '"+r.PathValue("tenant")+"' not found.")
	case form.Get("grant_type") != "client_credentials":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
	case form.Get("scope") != Scope:
		oauthError(w, http.StatusBadRequest, "invalid_scope", 1002012, "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).")
	case form.Get("client_id") != ClientID:
		oauthError(w, http.StatusBadRequest, "unauthorized_client", 700016, "Application with identifier '"+form.Get("client_id")+"' was not found in the directory.")
	case refuse || form.Get("client_secret") != ClientSecret:
		oauthError(w, http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
	default:
		tok := fmt.Sprintf("eyJ0eXAiOiJKV1QifQ.fake-graph-token-%d.sig", s.tokenSeq.Add(1))
		s.mu.Lock()
		s.tokens[tok] = time.Now().Add(lifetime)
		s.mu.Unlock()
		secs := int(lifetime / time.Second)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":%d,"ext_expires_in":%d,"access_token":%q}`, secs, secs, tok)
	}
}

func oauthError(w http.ResponseWriter, status int, code string, aadsts int, desc string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	now := time.Now().UTC()
	b, _ := json.Marshal(map[string]any{
		"error":             code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: 0f3e… Correlation ID: 5c1a… Timestamp: %s", aadsts, desc, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":       []int{aadsts},
		"timestamp":         now.Format("2006-01-02 15:04:05Z"),
		"trace_id":          "0f3e8d8a-6b7c-4f2e-9a1b-2c3d4e5f6a7b",
		"correlation_id":    "5c1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
	})
	w.Write(b)
}

// graphError writes Graph's error body.
func graphError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	now := time.Now().UTC().Format("2006-01-02T15:04:05")
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"innerError": map[string]any{"date": now, "request-id": "b1c2d3e4-0000-4000-8000-000000000001", "client-request-id": "b1c2d3e4-0000-4000-8000-000000000001"},
	}})
	w.Write(b)
}

// api checks the token and applies the failure modes before serve.
func (s *Server) api(kind string, serve func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !wait(r.Context(), s.record(kind, r, nil)) {
			return
		}
		s.mu.Lock()
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		exp, known := s.tokens[tok]
		throttled := s.throttleN > 0
		if throttled {
			s.throttleN--
		}
		retry, failure, denied := s.retryAfter, s.failure, s.denied
		s.mu.Unlock()
		switch {
		case !known || time.Now().After(exp):
			graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
		case throttled:
			w.Header().Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
			graphError(w, http.StatusTooManyRequests, "TooManyRequests", "Too many requests.")
		case failure != 0:
			graphError(w, failure, "serviceNotAvailable", "The service is temporarily unavailable.")
		case denied:
			graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		default:
			serve(w, r)
		}
	}
}

// properties are the user properties the fake knows, in Graph's order;
// defaultSelect is what v1.0 returns without $select.
var (
	properties    = []string{"id", "displayName", "userPrincipalName", "mail", "otherMails", "proxyAddresses", "userType", "accountEnabled", "creationType", "externalUserState", "identities", "createdDateTime", "businessPhones", "givenName", "jobTitle", "mobilePhone", "officeLocation", "preferredLanguage", "surname"}
	defaultSelect = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}
)

// selection reads $select, answering 400 for an unknown property.
func selection(w http.ResponseWriter, q url.Values) ([]string, bool) {
	sel := q.Get("$select")
	if sel == "" {
		return defaultSelect, true
	}
	var out []string
	for _, p := range strings.Split(sel, ",") {
		p = strings.TrimSpace(p)
		i := slices.IndexFunc(properties, func(k string) bool { return strings.EqualFold(k, p) })
		if i < 0 {
			graphError(w, http.StatusBadRequest, "Request_BadRequest", "Could not find a property named '"+p+"' on type 'microsoft.graph.user'.")
			return nil, false
		}
		out = append(out, properties[i])
	}
	return out, true
}

func (s *Server) serveUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	advanced := strings.EqualFold(r.Header.Get("ConsistencyLevel"), "eventual")
	count := q.Get("$count") == "true"
	if count && !advanced {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "$count is not currently supported.")
		return
	}
	sel, ok := selection(w, q)
	if !ok {
		return
	}
	f, err := parseFilter(q.Get("$filter"))
	if err != nil {
		graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property '"+err.Error()+"' of resource 'User'.")
		return
	}
	if f.needsAdvanced() && !(advanced && count) {
		graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported Query.")
		return
	}
	top := 100
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 999 {
			graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "Invalid page size specified: '"+v+"'. Must be between 1 and 999 inclusive.")
			return
		}
		top = n
	}
	offset := 0
	if v := q.Get("$skiptoken"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || n < 0 {
			graphError(w, http.StatusBadRequest, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.")
			return
		}
		offset = n
	}

	s.mu.Lock()
	var matched []User
	for _, u := range s.users {
		if f.match(u) {
			matched = append(matched, u)
		}
	}
	s.mu.Unlock()

	end := min(len(matched), offset+top)
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"@odata.context":%q`, s.URL+"/v1.0/$metadata#users("+strings.Join(sel, ",")+")")
	if count {
		fmt.Fprintf(&b, `,"@odata.count":%d`, len(matched))
	}
	if end < len(matched) {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("$skiptoken", base64.RawURLEncoding.EncodeToString([]byte("offset:"+strconv.Itoa(end))))
		fmt.Fprintf(&b, `,"@odata.nextLink":%q`, s.URL+"/v1.0/users?"+next.Encode())
	}
	b.WriteString(`,"value":[`)
	for i := offset; i < end; i++ {
		if i > offset {
			b.WriteByte(',')
		}
		writeUser(&b, matched[i], sel)
	}
	b.WriteString("]}")
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Write(b.Bytes())
}

func (s *Server) serveUser(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(r.PathValue("id"))
	sel, ok := selection(w, r.URL.Query())
	if !ok {
		return
	}
	s.mu.Lock()
	i, found := s.byID[id]
	var u User
	if found {
		u = s.users[i]
	}
	s.mu.Unlock()
	if !found {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"@odata.context":%q,`, s.URL+"/v1.0/$metadata#users("+strings.Join(sel, ",")+")/$entity")
	body := bytes.Buffer{}
	writeUser(&body, u, sel)
	b.Write(body.Bytes()[1:]) // the object's fields after the context
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.Write(b.Bytes())
}

// writeUser writes u with the selected properties; unset ones are null.
func writeUser(b *bytes.Buffer, u User, sel []string) {
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	list := func(l []string) []string {
		if l == nil {
			return []string{}
		}
		return l
	}
	b.WriteByte('{')
	for i, p := range sel {
		var v any
		switch p {
		case "id":
			v = u.ID
		case "displayName":
			v = nullable(u.DisplayName)
		case "userPrincipalName":
			v = u.UserPrincipalName
		case "mail":
			v = nullable(u.Mail)
		case "otherMails":
			v = list(u.OtherMails)
		case "proxyAddresses":
			v = list(u.ProxyAddresses)
		case "userType":
			v = u.UserType
		case "accountEnabled":
			v = !u.Disabled
		case "creationType":
			v = nullable(u.CreationType)
		case "externalUserState":
			v = nullable(u.ExternalUserState)
		case "identities":
			ids := []map[string]any{}
			for _, id := range u.Identities {
				ids = append(ids, map[string]any{"signInType": id.SignInType, "issuer": id.Issuer, "issuerAssignedId": nullable(id.IssuerAssignedID)})
			}
			v = ids
		case "createdDateTime":
			v = u.Created.UTC().Format(time.RFC3339)
		case "businessPhones":
			v = []string{}
		}
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p)
		val, _ := json.Marshal(v)
		b.Write(k)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
}
