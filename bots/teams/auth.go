package teams

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The Bot Framework's rules for tokens the Bot Connector sends.
const (
	botFrameworkIssuer = "https://api.botframework.com"
	clockSkew          = 5 * time.Minute
	// keyMaxAge is how long fetched signing keys are used before they are
	// fetched again (the SDKs' 24 hours).
	keyMaxAge = 24 * time.Hour
	// keyRefetchGap is the least time between two fetches of the keys, so
	// tokens naming unknown keys cannot make us hammer the key endpoint.
	keyRefetchGap = time.Minute
	// keyRetryGap replaces keyRefetchGap while no keys were ever fetched.
	keyRetryGap = 5 * time.Second
	// keyFetchTimeout bounds one fetch of the metadata and the keys.
	keyFetchTimeout = 10 * time.Second
	maxTokenLen     = 16 << 10
	// verifiedCap bounds the tokens remembered as verified.
	verifiedCap = 512
	maxKeysBody = 1 << 20
	minRSABits  = 2048
)

var (
	errNoBearer      = errors.New("no bearer token")
	errTokenTooLong  = errors.New("token too long")
	errNoKeyID       = errors.New("token names no signing key")
	errUnknownKey    = errors.New("token signed with an unknown key")
	errAudience      = errors.New("token audience is not this bot")
	errNoServiceURLC = errors.New("token has no serviceurl claim")
	errNoChannelID   = errors.New("activity has no channelId")
	errEndorsement   = errors.New("signing key is not endorsed for the activity's channel")
	errServiceURL    = errors.New("serviceurl claim does not match the activity")
	errNotLoopback   = errors.New("emulator mode only calls loopback serviceUrls")
)

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(h string) (string, error) {
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", errNoBearer
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", errNoBearer
	}
	return tok, nil
}

// botClaims are the claims of a Bot Connector token.
type botClaims struct {
	jwt.RegisteredClaims
	ServiceURL string `json:"serviceurl"`
}

// identity is what a valid token vouches for; admits checks it against the
// activity that came with it.
type identity struct {
	serviceURL   string
	endorsements []string
}

// admits checks the token's claims that concern the activity: the signing
// key must be endorsed for the activity's channel, and the token must have
// been issued for the activity's serviceUrl. An activity with no channelId
// is refused: Teams always sends one, and without it the endorsement check
// would prove nothing.
func (id identity) admits(a *activity) error {
	if a.ChannelID == "" {
		return errNoChannelID
	}
	if !slices.Contains(id.endorsements, a.ChannelID) {
		return errEndorsement
	}
	if a.ServiceURL != id.serviceURL {
		return errServiceURL
	}
	return nil
}

// verifier validates the tokens of inbound requests. It is safe for
// concurrent use.
//
// The Bot Connector sends the same token with every activity for the hour
// it lives, so a token that passed every check is remembered (up to
// verifiedCap of them): the next time only its time limits are checked
// again, not its RSA signature. A fetch of the key set forgets them all, so
// a key Microsoft withdraws stops vouching for tokens as soon as we see it
// gone.
type verifier struct {
	appID  string
	keys   *keySet
	parser *jwt.Parser
	now    func() time.Time

	mu       sync.RWMutex
	verified map[string]verifiedToken
}

// verifiedToken is a token that passed every check.
type verifiedToken struct {
	id       identity
	nbf, exp time.Time // nbf zero when the token has none
	keys     uint64    // the key set generation that verified it
}

func newVerifier(appID string, keys *keySet, now func() time.Time) *verifier {
	return &verifier{
		appID:    appID,
		keys:     keys,
		now:      now,
		verified: make(map[string]verifiedToken),
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
			jwt.WithIssuer(botFrameworkIssuer),
			jwt.WithLeeway(clockSkew),
			jwt.WithExpirationRequired(),
			jwt.WithTimeFunc(now),
		),
	}
}

// verify checks a token's signature (RS256 with a key from the Bot
// Framework's key set), issuer, audience, expiry and not-before, and returns
// what it vouches for.
func (v *verifier) verify(ctx context.Context, token string) (identity, error) {
	if len(token) > maxTokenLen {
		return identity{}, errTokenTooLong
	}
	if id, ok := v.remembered(token); ok {
		return id, nil
	}
	vt, err := v.check(ctx, token)
	if err != nil {
		return identity{}, err
	}
	v.remember(token, vt)
	return vt.id, nil
}

// check does every check of verify, with no memory of earlier tokens.
func (v *verifier) check(ctx context.Context, token string) (verifiedToken, error) {
	gen := v.keys.generation.Load()
	var c botClaims
	var endorsements []string
	_, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if t.Method != jwt.SigningMethodRS256 {
			return nil, jwt.ErrTokenSignatureInvalid
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errNoKeyID
		}
		k, err := v.keys.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		endorsements = k.endorsements
		return k.pub, nil
	})
	if err != nil {
		return verifiedToken{}, err
	}
	if len(c.Audience) != 1 || c.Audience[0] != v.appID {
		return verifiedToken{}, errAudience
	}
	if c.ServiceURL == "" {
		return verifiedToken{}, errNoServiceURLC
	}
	vt := verifiedToken{
		id:   identity{serviceURL: c.ServiceURL, endorsements: endorsements},
		exp:  c.ExpiresAt.Time,
		keys: gen,
	}
	if c.NotBefore != nil {
		vt.nbf = c.NotBefore.Time
	}
	return vt, nil
}

// remembered returns the identity of a token verified before, if it is
// still within its time limits and the key set has not been fetched since.
func (v *verifier) remembered(token string) (identity, bool) {
	v.mu.RLock()
	vt, ok := v.verified[token]
	v.mu.RUnlock()
	if !ok || vt.keys != v.keys.generation.Load() {
		return identity{}, false
	}
	now := v.now()
	if now.After(vt.exp.Add(clockSkew)) || (!vt.nbf.IsZero() && now.Before(vt.nbf.Add(-clockSkew))) {
		return identity{}, false
	}
	return vt.id, true
}

func (v *verifier) remember(token string, vt verifiedToken) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.verified) >= verifiedCap {
		now := v.now()
		for k, old := range v.verified {
			if old.keys != vt.keys || now.After(old.exp.Add(clockSkew)) {
				delete(v.verified, k)
			}
		}
		if len(v.verified) >= verifiedCap {
			clear(v.verified)
		}
	}
	v.verified[token] = vt
}

// signingKey is one key of the Bot Framework's key set.
type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string
}

// keySet is the Bot Framework's signing keys, found through the OpenID
// metadata. Keys are fetched on first use, again once they are keyMaxAge
// old, and when a token names an unknown key, at most once per
// keyRefetchGap. When a fetch fails the keys already known stay in use.
// One fetch runs at a time; lookups of known, fresh keys never wait for it.
type keySet struct {
	metadataURL string
	client      *http.Client
	now         func() time.Time
	log         *slog.Logger

	mu        sync.RWMutex
	keys      map[string]signingKey
	fetchedAt time.Time // of the keys; zero until a fetch succeeds

	fetchMu     sync.Mutex
	lastAttempt time.Time // guarded by fetchMu

	// generation counts the successful fetches.
	generation atomic.Uint64
}

// key returns the key with id kid.
func (s *keySet) key(ctx context.Context, kid string) (signingKey, error) {
	s.mu.RLock()
	k, ok := s.keys[kid]
	fresh := !s.fetchedAt.IsZero() && s.now().Sub(s.fetchedAt) < keyMaxAge
	s.mu.RUnlock()
	if ok && fresh {
		return k, nil
	}

	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	now := s.now()
	s.mu.RLock()
	k, ok = s.keys[kid]
	fetchedAt := s.fetchedAt
	s.mu.RUnlock()
	if ok && !fetchedAt.IsZero() && now.Sub(fetchedAt) < keyMaxAge {
		return k, nil // fetched while this goroutine waited
	}
	gap := keyRefetchGap
	if fetchedAt.IsZero() {
		gap = keyRetryGap
	}
	if !s.lastAttempt.IsZero() && now.Sub(s.lastAttempt) < gap && now.Sub(s.lastAttempt) >= 0 {
		if ok {
			return k, nil
		}
		return signingKey{}, errUnknownKey
	}
	s.lastAttempt = now

	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), keyFetchTimeout)
	defer cancel()
	keys, err := s.fetch(fctx)
	if err != nil {
		s.log.Warn("fetching the Bot Framework signing keys failed", "err", err)
		if ok {
			return k, nil
		}
		return signingKey{}, fmt.Errorf("teams: signing keys: %w", err)
	}
	s.mu.Lock()
	s.keys, s.fetchedAt = keys, now
	s.generation.Add(1)
	s.mu.Unlock()
	s.log.Info("fetched the Bot Framework signing keys", "keys", len(keys))
	if k, ok := keys[kid]; ok {
		return k, nil
	}
	return signingKey{}, errUnknownKey
}

// fetch reads the metadata, then the key set it points to.
func (s *keySet) fetch(ctx context.Context) (map[string]signingKey, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := s.getJSON(ctx, s.metadataURL, &meta); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	if _, err := parseServiceURL(meta.JWKSURI); err != nil {
		return nil, errors.New("metadata: jwks_uri is not an absolute http(s) URL")
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := s.getJSON(ctx, meta.JWKSURI, &set); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	keys := make(map[string]signingKey, len(set.Keys))
	for _, raw := range set.Keys {
		kid, k, err := parseJWK(raw)
		if err != nil {
			s.log.Debug("skipped a signing key", "err", err)
			continue
		}
		keys[kid] = k
	}
	if len(keys) == 0 {
		return nil, errors.New("keys: no usable RSA keys")
	}
	return keys, nil
}

func (s *keySet) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxKeysBody+1))
	if err != nil {
		return err
	}
	if len(b) > maxKeysBody {
		return errors.New("response too large")
	}
	return json.Unmarshal(b, v)
}

// parseJWK reads one RSA signing key with its endorsements, from its modulus
// and exponent or else from its first certificate.
func parseJWK(raw json.RawMessage) (string, signingKey, error) {
	var j struct {
		Kty          string   `json:"kty"`
		Use          string   `json:"use"`
		Kid          string   `json:"kid"`
		N            string   `json:"n"`
		E            string   `json:"e"`
		X5c          []string `json:"x5c"`
		Endorsements []string `json:"endorsements"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return "", signingKey{}, err
	}
	if j.Kid == "" || j.Kty != "RSA" || (j.Use != "" && j.Use != "sig") {
		return "", signingKey{}, errors.New("not an RSA signing key with a kid")
	}
	var pub *rsa.PublicKey
	switch {
	case j.N != "" && j.E != "":
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(j.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(j.E, "="))
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return "", signingKey{}, errors.New("bad modulus or exponent")
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
	case len(j.X5c) > 0:
		der, err := base64.StdEncoding.DecodeString(j.X5c[0])
		if err != nil {
			return "", signingKey{}, err
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return "", signingKey{}, err
		}
		p, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return "", signingKey{}, errors.New("certificate key is not RSA")
		}
		pub = p
	default:
		return "", signingKey{}, errors.New("key has neither n/e nor x5c")
	}
	if pub.N.BitLen() < minRSABits || pub.E < 3 || pub.E%2 == 0 {
		return "", signingKey{}, errors.New("RSA key too weak")
	}
	return j.Kid, signingKey{pub: pub, endorsements: slices.Clone(j.Endorsements)}, nil
}
