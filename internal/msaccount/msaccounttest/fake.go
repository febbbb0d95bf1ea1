// Package msaccounttest fakes Microsoft's public, unauthenticated sign-in
// endpoints so the msaccount client can be tested over loopback without
// reaching login.microsoftonline.com.
//
// A Server is a real httptest server answering three endpoints, the realm
// in both of its URL forms:
//
//	GET  /common/userrealm?user={address}&api-version=2.1&checkForMicrosoftAccount=true
//	GET  /common/userrealm/{address}?api-version=2.1&checkForMicrosoftAccount=true
//	GET  /{domain-or-tenant-id}/v2.0/.well-known/openid-configuration
//	POST /common/GetCredentialType[?mkt=en-US]
//
// The answers copy the payloads observed from Microsoft key for key, with
// the same spelling, order and value shapes, including their quirks:
// consumer domains such as outlook.com are reported as a "Federated" realm
// whose DomainName is "live.com" and FederationBrandName "MSA Realms";
// GetCredentialType says a user exists at any federated domain and puts
// FederationRedirectUrl inside Credentials; domains no tenant owns come back
// with ThrottleStatus 1 although nothing is throttled.
//
// A Server starts empty. Tests describe the world with AddDomain and
// AddAccount, point the client's base URL at Server.URL, switch failure
// modes with SetMode and SetLatency, and assert on what the fake received
// with Requests and LastRequests. Hold, Held and Release show which calls a
// client sends together before any is answered, that is its round trips.
package msaccounttest

import (
	"context"
	"io"
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

// Domain types accepted in Domain.Type.
const (
	// TypeManaged is a domain verified in an Entra tenant with cloud authentication.
	TypeManaged = "managed"
	// TypeFederated is a domain verified in an Entra tenant that hands
	// sign-in to an external identity provider such as AD FS.
	TypeFederated = "federated"
	// TypeConsumer is a Microsoft consumer mail domain (outlook.com, hotmail.com…)
	// whose addresses can only be personal accounts.
	TypeConsumer = "consumer"
	// TypeUnmanaged is a domain of an unmanaged ("viral") tenant created by
	// self-service sign-up: a managed namespace flagged IsViral.
	TypeUnmanaged = "unmanaged"
	// TypeNone is a domain that no tenant owns; a domain never added behaves the same.
	TypeNone = "none"
)

// Endpoint names accepted by Requests and LastRequests.
const (
	// EndpointRealm counts /common/userrealm in both its query and path forms.
	EndpointRealm = "realm"
	// EndpointOpenID counts /{tenant}/v2.0/.well-known/openid-configuration.
	EndpointOpenID = "openid"
	// EndpointCredentialType counts POST /common/GetCredentialType.
	EndpointCredentialType = "credtype"
)

// Domain describes how Microsoft sees one domain.
type Domain struct {
	Name     string // "contoso.com"; matched case-insensitively
	Type     string // TypeManaged, TypeFederated, TypeConsumer, TypeUnmanaged or TypeNone
	TenantID string // GUID; required for managed, federated and unmanaged, empty for consumer/none
	Brand    string // FederationBrandName, e.g. "Contoso Ltd"
	Cloud    string // cloud_instance_name; "" means "microsoftonline.com"; "microsoftonline.us" for US government
	Region   string // tenant_region_scope, e.g. "EU", "NA", "USGov"; "" means "NA" ("USGov" in the US cloud)
	SubScope string // tenant_region_sub_scope, e.g. "DODCON"; "" leaves the key out
	STSHost  string // federated only: host of AuthURL / FederationRedirectUrl, e.g. "sts.fabrikam.com"
}

// Account says which accounts exist for one exact address.
type Account struct{ Personal, Work bool }

// Mode selects how every route of a Server answers.
type Mode int

const (
	// ModeNormal answers from the domains and accounts added.
	ModeNormal Mode = iota
	// ModeThrottled answers as Microsoft does under throttling: the realm
	// reports MicrosoftAccount 2 and GetCredentialType reports
	// IfExistsResult 2 with ThrottleStatus 2. Throttling is reported in-band
	// only by those two endpoints, so the OpenID document is served normally.
	ModeThrottled
	// ModeError500 answers every route with HTTP 500 and a short HTML page.
	ModeError500
	// ModeMalformed answers every route with HTTP 200, Content-Type
	// application/json and a truncated JSON body.
	ModeMalformed
)

// String returns the constant's name without the Mode prefix.
func (m Mode) String() string {
	switch m {
	case ModeNormal:
		return "Normal"
	case ModeThrottled:
		return "Throttled"
	case ModeError500:
		return "Error500"
	case ModeMalformed:
		return "Malformed"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Request records one request as the fake received it.
type Request struct {
	Method string
	Path   string     // decoded URL path, e.g. "/common/userrealm/jo@fabrikam.com"
	Query  url.Values // parsed query string
	Header http.Header
	Body   []byte // request body; empty for GET
}

// Server is a fake of Microsoft's public sign-in endpoints running on
// loopback. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the fake, with no trailing slash, e.g.
	// "http://127.0.0.1:41234". It stands in for https://login.microsoftonline.com.
	URL string

	t        testing.TB
	ts       *httptest.Server
	counters [3]atomic.Int64 // indexed by endpointIndex

	mu       sync.Mutex
	domains  map[string]Domain  // by lowercase name
	tenants  map[string]Domain  // by lowercase tenant ID
	accounts map[string]Account // by lowercase address
	latency  time.Duration
	mode     Mode
	received [3][]Request

	holding bool
	gate    chan struct{}  // closed by Release to let the held requests go
	held    map[int]string // endpoint of each held request, by arrival number
	heldSeq int
}

// maxBody bounds the request bodies the fake reads and records.
const maxBody = 1 << 20

var endpoints = [3]string{EndpointRealm, EndpointOpenID, EndpointCredentialType}

func endpointIndex(name string) (int, bool) {
	for i, e := range endpoints {
		if e == name {
			return i, true
		}
	}
	return 0, false
}

// New starts a fake with no domains or accounts, in ModeNormal and without
// latency, and closes it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		domains:  make(map[string]Domain),
		tenants:  make(map[string]Domain),
		accounts: make(map[string]Account),
	}
	mux := http.NewServeMux()
	mux.Handle("GET /common/userrealm", s.route(EndpointRealm, s.serveRealm))
	mux.Handle("GET /common/userrealm/{user}", s.route(EndpointRealm, s.serveRealm))
	mux.Handle("GET /{tenant}/v2.0/.well-known/openid-configuration", s.route(EndpointOpenID, s.serveOpenID))
	mux.Handle("POST /common/GetCredentialType", s.route(EndpointCredentialType, s.serveCredentialType))
	s.ts = httptest.NewServer(mux)
	s.URL = s.ts.URL
	t.Cleanup(s.ts.Close)
	return s
}

// AddDomain registers how Microsoft sees d.Name, replacing any earlier
// entry for that name. Managed, federated and unmanaged domains are also
// found by TenantID on the OpenID route; domains sharing a TenantID should
// agree on Cloud, Region and SubScope. An unknown Type or a missing
// TenantID or STSHost fails the test.
func (s *Server) AddDomain(d Domain) {
	s.t.Helper()
	d.Name = strings.ToLower(d.Name)
	d.TenantID = strings.ToLower(d.TenantID)
	switch d.Type {
	case TypeManaged, TypeUnmanaged, TypeFederated:
		if !isGUID(d.TenantID) {
			s.t.Errorf("msaccounttest: AddDomain(%q): %s domain needs a GUID TenantID, got %q", d.Name, d.Type, d.TenantID)
			return
		}
		if d.Type == TypeFederated && d.STSHost == "" {
			s.t.Errorf("msaccounttest: AddDomain(%q): federated domain needs an STSHost", d.Name)
			return
		}
	case TypeConsumer, TypeNone:
	default:
		s.t.Errorf("msaccounttest: AddDomain(%q): unknown Type %q", d.Name, d.Type)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains[d.Name] = d
	if d.TenantID != "" {
		s.tenants[d.TenantID] = d
	}
}

// AddAccount records which accounts exist for address, replacing any
// earlier entry. Addresses are matched case-insensitively. Personal drives
// the realm's MicrosoftAccount flag and GetCredentialType at every kind of
// domain; Work matters only at managed and unmanaged domains, because
// federated domains claim every user exists and consumer or ownerless
// domains hold no work accounts.
func (s *Server) AddAccount(address string, a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[strings.ToLower(address)] = a
}

// SetLatency makes every response on the three routes wait d after the
// request has been counted and recorded. A request whose context ends
// first gets no answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// SetMode switches how every route answers. A request is answered in the
// mode that was set when it arrived.
func (s *Server) SetMode(m Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode = m
}

// Hold makes every request wait, once counted and recorded and before any
// latency, until Release. Held reports the requests waiting: the calls a
// client has in flight together before any of them is answered, which is
// how tests count a client's round trips. A request whose context ends
// while held gets no answer.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.holding {
		s.holding, s.gate = true, make(chan struct{})
	}
}

// Held returns the endpoints of the requests held now, in arrival order.
func (s *Server) Held() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int, 0, len(s.held))
	for id := range s.held {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = s.held[id]
	}
	return out
}

// Release lets the requests held so far go on; while Hold is in force, the
// requests arriving later are held again.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gate != nil {
		close(s.gate)
		s.gate = nil
	}
	clear(s.held)
	if s.holding {
		s.gate = make(chan struct{})
	}
}

// Unhold ends Hold and lets every held request go on.
func (s *Server) Unhold() {
	s.Release()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.holding = false
	if s.gate != nil {
		close(s.gate)
		s.gate = nil
	}
}

// Requests reports how many requests endpoint (EndpointRealm,
// EndpointOpenID or EndpointCredentialType) has received since New or the
// last Reset. Requests count on arrival, before any latency, so a request
// the client abandoned still counts. An unknown endpoint fails the test.
func (s *Server) Requests(endpoint string) int {
	s.t.Helper()
	i, ok := endpointIndex(endpoint)
	if !ok {
		s.t.Errorf("msaccounttest: Requests(%q): unknown endpoint; want one of %q", endpoint, endpoints)
		return 0
	}
	return int(s.counters[i].Load())
}

// LastRequests returns copies of the requests endpoint has received since
// New or the last Reset, oldest first. An unknown endpoint fails the test.
func (s *Server) LastRequests(endpoint string) []Request {
	s.t.Helper()
	i, ok := endpointIndex(endpoint)
	if !ok {
		s.t.Errorf("msaccounttest: LastRequests(%q): unknown endpoint; want one of %q", endpoint, endpoints)
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.received[i]))
	for j, r := range s.received[i] {
		out[j] = r.clone()
	}
	return out
}

// Reset zeroes the request counters and forgets the recorded requests.
// Domains, accounts, mode and latency stay as they are.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.counters {
		s.counters[i].Store(0)
		s.received[i] = nil
	}
}

func (r Request) clone() Request {
	r.Query = cloneValues(r.Query)
	r.Header = r.Header.Clone()
	r.Body = append([]byte(nil), r.Body...)
	return r
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// state is what a handler needs to answer, read once under the lock.
type state struct {
	mode Mode
	body []byte
	// bodyErr is set when the body could not be read (too large, cut off).
	bodyErr error
}

// route counts and records a request for endpoint, waits out the latency,
// applies the failure modes and otherwise hands over to serve.
func (s *Server) route(endpoint string, serve func(http.ResponseWriter, *http.Request, state)) http.Handler {
	i, _ := endpointIndex(endpoint)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.counters[i].Add(1)
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		rec := Request{
			Method: r.Method,
			Path:   r.URL.Path,
			Query:  r.URL.Query(),
			Header: r.Header.Clone(),
			Body:   body,
		}
		s.mu.Lock()
		s.received[i] = append(s.received[i], rec)
		latency, mode := s.latency, s.mode
		gate, id := s.gate, 0
		if s.holding {
			if s.held == nil {
				s.held = make(map[int]string)
			}
			s.heldSeq++
			id = s.heldSeq
			s.held[id] = endpoint
		}
		s.mu.Unlock()

		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				s.mu.Lock()
				delete(s.held, id)
				s.mu.Unlock()
				return
			}
		}
		if !sleep(r.Context(), latency) {
			return
		}
		switch mode {
		case ModeError500:
			writeError500(w)
		case ModeMalformed:
			writeMalformed(w, endpoint)
		default:
			serve(w, r, state{mode: mode, body: body, bodyErr: err})
		}
	})
}

// sleep waits d and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
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

// lookup returns the domain of address (if it has an '@') and the account
// entry for address.
func (s *Server) lookup(address string) (d Domain, a Account, ok bool) {
	at := strings.LastIndexByte(address, '@')
	if at < 0 || at == len(address)-1 {
		return Domain{}, Account{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, found := s.domains[strings.ToLower(address[at+1:])]
	if !found {
		d = Domain{Name: strings.ToLower(address[at+1:]), Type: TypeNone}
	}
	return d, s.accounts[strings.ToLower(address)], true
}

// tenant returns the domain registered under a lowercase domain name or
// tenant ID.
func (s *Server) tenant(key string) (Domain, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.domains[key]; ok {
		return d, true
	}
	d, ok := s.tenants[key]
	return d, ok
}
