// Command fakebf is a standalone fake Bot Framework on loopback, for load
// runs of Teams bots (whichaccount's adapter and the botbuilder peer). One
// server plays every part a bot talks to:
//
//   - the OpenID metadata and signing keys (one RSA key generated at start,
//     endorsed for msteams and emulator) that inbound tokens are checked
//     against: GET /v1/.well-known/openidconfiguration and /v1/.well-known/keys;
//   - the Microsoft identity token endpoint bots get outbound tokens from:
//     POST /{tenant}/oauth2/v2.0/token, with the tenant's OpenID
//     configuration at GET /{tenant}/v2.0/.well-known/openid-configuration
//     for clients (MSAL) that read it first;
//   - the Bot Connector at /teams/, which takes and counts activity posts;
//   - GET /mint?serviceurl=… which mints a valid inbound token, as the Bot
//     Connector would send it, for the load generator;
//   - GET /stats, the counts as JSON.
//
// It is test infrastructure: it listens on loopback only and hands out
// tokens to anyone who asks.
//
//	fakebf -addr 127.0.0.1:3990 -appid APPID -password SECRET
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const issuer = "https://api.botframework.com"

type server struct {
	base, appID, password string
	key                   *rsa.PrivateKey
	kid                   string

	metadataFetches, keyFetches, tenantMetadata atomic.Int64
	tokensIssued, tokensRefused                 atomic.Int64
	activities, unauthorized, badBodies         atomic.Int64
	minted                                      atomic.Int64
	issued                                      atomic.Int64 // sequence of access tokens
}

func main() {
	addr := flag.String("addr", "127.0.0.1:3990", "listen address (loopback)")
	appID := flag.String("appid", "2f4c8a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "the bot's Microsoft app ID: audience of minted tokens, client_id the token endpoint takes")
	password := flag.String("password", "fake-app-password", "the bot's app password the token endpoint takes")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || (host != "localhost" && !net.ParseIP(host).IsLoopback()) {
		log.Fatalf("fakebf: -addr %q is not a loopback address", *addr)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	var id [9]byte
	rand.Read(id[:])
	s := &server{base: "http://" + *addr, appID: *appID, password: *password, key: key, kid: base64.RawURLEncoding.EncodeToString(id[:])}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", s.metadata)
	mux.HandleFunc("GET /v1/.well-known/keys", s.keys)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.tenantConfig)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("POST /teams/v3/conversations/{conversation}/activities", s.connector)
	mux.HandleFunc("POST /teams/v3/conversations/{conversation}/activities/{activity}", s.connector)
	mux.HandleFunc("GET /mint", s.mint)
	mux.HandleFunc("GET /stats", s.stats)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("fakebf: listening on %s (metadata %s/v1/.well-known/openidconfiguration, token %s/botframework.com/oauth2/v2.0/token, serviceUrl %s/teams/)", s.base, s.base, s.base, s.base)
	log.Fatal((&http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}).Serve(ln))
}

func (s *server) metadata(w http.ResponseWriter, r *http.Request) {
	s.metadataFetches.Add(1)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                "https://invalid.botframework.com/v1/auth",
		"jwks_uri":                              s.base + "/v1/.well-known/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
	})
}

func (s *server) keys(w http.ResponseWriter, r *http.Request) {
	s.keyFetches.Add(1)
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{map[string]any{
		"kty":          "RSA",
		"use":          "sig",
		"kid":          s.kid,
		"n":            base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		"endorsements": []string{"msteams", "emulator"},
	}}})
}

// tenantConfig is the tenant's OpenID configuration, as MSAL reads it before
// asking for a token.
func (s *server) tenantConfig(w http.ResponseWriter, r *http.Request) {
	s.tenantMetadata.Add(1)
	t := s.base + "/" + r.PathValue("tenant")
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        t + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              s.base + "/v1/.well-known/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                t + "/v2.0",
		"authorization_endpoint":                t + "/oauth2/v2.0/authorize",
		"end_session_endpoint":                  t + "/oauth2/v2.0/logout",
		"request_uri_parameter_supported":       false,
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "nbf"},
		"tenant_region_scope":                   nil,
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
	})
}

// token takes client-credentials requests for the Bot Framework scope with
// the configured app ID and password.
func (s *server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.tokensRefused.Add(1)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" || !strings.HasPrefix(f.Get("scope"), "https://api.botframework.com") {
		s.tokensRefused.Add(1)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request"})
		return
	}
	if f.Get("client_id") != s.appID || f.Get("client_secret") != s.password {
		s.tokensRefused.Add(1)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client"})
		return
	}
	s.tokensIssued.Add(1)
	writeJSON(w, http.StatusOK, map[string]any{"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
		"access_token": fmt.Sprintf("fake-access-token-%d", s.issued.Add(1))})
}

// connector takes any JSON activity carrying a token from the token
// endpoint, and counts it.
func (s *server) connector(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || !json.Valid(body) {
		s.badBodies.Add(1)
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "BadArgument"}})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer fake-access-token-") {
		s.unauthorized.Add(1)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": "Unauthorized"}})
		return
	}
	n := s.activities.Add(1)
	writeJSON(w, http.StatusOK, map[string]any{"id": fmt.Sprintf("reply-%d", n)})
}

// mint returns a token as the Bot Connector sends it: RS256 with the
// published key, issuer api.botframework.com, audience the app ID,
// serviceurl as asked (default this server's connector), valid an hour.
func (s *server) mint(w http.ResponseWriter, r *http.Request) {
	su := r.URL.Query().Get("serviceurl")
	if su == "" {
		su = s.base + "/teams/"
	}
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": issuer, "aud": s.appID, "serviceurl": su,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = s.kid
	signed, err := tok.SignedString(s.key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.minted.Add(1)
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, signed)
}

func (s *server) stats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]int64{
		"metadata_fetches": s.metadataFetches.Load(), "key_fetches": s.keyFetches.Load(),
		"tenant_metadata_fetches": s.tenantMetadata.Load(),
		"tokens_issued":           s.tokensIssued.Load(), "tokens_refused": s.tokensRefused.Load(),
		"activities": s.activities.Load(), "unauthorized": s.unauthorized.Load(), "bad_bodies": s.badBodies.Load(),
		"minted": s.minted.Load(),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
