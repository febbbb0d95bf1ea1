package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Outbound calls.
const (
	botFrameworkScope = "https://api.botframework.com/.default"
	// tokenMargin is how long before its expiry a cached token is replaced.
	tokenMargin = 5 * time.Minute
	// sendAttempts bounds the tries of one reply.
	sendAttempts = 5
	// attemptTimeout bounds one HTTP call to the connector or token endpoint.
	attemptTimeout = 15 * time.Second
	// maxRetryAfter caps how long a Retry-After is honoured.
	maxRetryAfter = 60 * time.Second
	backoffBase   = 250 * time.Millisecond
	backoffMax    = 8 * time.Second
)

// tokenSource gets and caches the bot's outbound token (OAuth client
// credentials). One refresh runs at a time; callers that find the token
// missing or near its expiry wait for it.
type tokenSource struct {
	url, clientID, secret string
	client                *http.Client
	now                   func() time.Time

	mu      sync.Mutex
	tok     string
	renewAt time.Time

	refresh chan struct{} // a one-slot lock that waiting callers can give up on
}

func newTokenSource(tokenURL, clientID, secret string, client *http.Client, now func() time.Time) *tokenSource {
	return &tokenSource{url: tokenURL, clientID: clientID, secret: secret, client: client, now: now, refresh: make(chan struct{}, 1)}
}

func (ts *tokenSource) cached() (string, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != "" && ts.now().Before(ts.renewAt) {
		return ts.tok, true
	}
	return "", false
}

// token returns a valid access token.
func (ts *tokenSource) token(ctx context.Context) (string, error) {
	if t, ok := ts.cached(); ok {
		return t, nil
	}
	select {
	case ts.refresh <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-ts.refresh }()
	if t, ok := ts.cached(); ok {
		return t, nil
	}
	tok, life, err := ts.fetch(ctx)
	if err != nil {
		return "", err
	}
	margin := tokenMargin
	if life < 2*tokenMargin {
		margin = life / 2
	}
	ts.mu.Lock()
	ts.tok, ts.renewAt = tok, ts.now().Add(life-margin)
	ts.mu.Unlock()
	return tok, nil
}

// invalidate drops tok from the cache, after the connector refused it.
func (ts *tokenSource) invalidate(tok string) {
	ts.mu.Lock()
	if ts.tok == tok {
		ts.tok = ""
	}
	ts.mu.Unlock()
}

func (ts *tokenSource) fetch(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {ts.clientID},
		"client_secret": {ts.secret},
		"scope":         {botFrameworkScope},
	}
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("teams: token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := ts.client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("teams: token: %w", redact(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", 0, fmt.Errorf("teams: token: %w", err)
	}
	var tr struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		Error       string          `json:"error"`
	}
	_ = json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK {
		// The error code (invalid_client, unauthorized_client…) says what
		// is wrong without repeating anything secret.
		return "", 0, fmt.Errorf("teams: token: HTTP %d %s", resp.StatusCode, tr.Error)
	}
	if tr.AccessToken == "" {
		return "", 0, errors.New("teams: token: response has no access_token")
	}
	secs, err := strconv.ParseInt(strings.Trim(string(tr.ExpiresIn), `"`), 10, 64)
	if err != nil || secs <= 0 {
		secs = 0
	}
	return tr.AccessToken, time.Duration(secs) * time.Second, nil
}

// connector posts activities to the Bot Connector.
type connector struct {
	client *http.Client
	tokens *tokenSource // nil in emulator mode: no Authorization header
	sleep  func(ctx context.Context, d time.Duration) error
	// onRetry, when set, is told of each retry (for metrics).
	onRetry func(op string)
}

// sendError is a reply the connector refused or never took.
type sendError struct {
	status   int // 0 when no response came
	attempts int
	err      error
}

func (e *sendError) Error() string {
	if e.status != 0 {
		return fmt.Sprintf("teams: send: HTTP %d after %d attempts", e.status, e.attempts)
	}
	return fmt.Sprintf("teams: send: %v after %d attempts", e.err, e.attempts)
}

func (e *sendError) Unwrap() error { return e.err }

// activityURL is where an activity is posted: as a reply to replyTo, or, with
// replyTo empty, as a new message of the conversation.
func activityURL(serviceURL, conversationID, replyTo string) string {
	u := strings.TrimRight(serviceURL, "/") + "/v3/conversations/" + url.PathEscape(conversationID) + "/activities"
	if replyTo != "" {
		u += "/" + url.PathEscape(replyTo)
	}
	return u
}

// send posts body to u. It retries 429, 412, 502, 503 and 504 answers and
// failed connections, waiting as long as Retry-After asks or else backing
// off exponentially with jitter; a 401 gets one retry with a new token.
// Timeouts are not retried: the connector may have taken the reply, and a
// reply twice is worse than a late one.
func (c *connector) send(ctx context.Context, u string, body []byte) (int, error) {
	retriedAuth := false
	for attempt := 1; ; attempt++ {
		status, wait, tok, err := c.post(ctx, u, body)
		switch {
		case err == nil && status >= 200 && status < 300:
			return attempt, nil
		case err == nil && status == http.StatusUnauthorized && c.tokens != nil && !retriedAuth:
			retriedAuth = true
			c.tokens.invalidate(tok)
			continue
		case err == nil && retryable(status), err != nil && dialFailed(err):
		default:
			return attempt, &sendError{status: status, attempts: attempt, err: err}
		}
		if attempt >= sendAttempts {
			return attempt, &sendError{status: status, attempts: attempt, err: err}
		}
		if wait <= 0 {
			wait = backoff(attempt)
		}
		if c.onRetry != nil {
			c.onRetry("send")
		}
		if err := c.sleep(ctx, wait); err != nil {
			return attempt, &sendError{status: status, attempts: attempt, err: err}
		}
	}
}

// post makes one attempt. It returns the status, the Retry-After wait and
// the token it used.
func (c *connector) post(ctx context.Context, u string, body []byte) (int, time.Duration, string, error) {
	var tok string
	if c.tokens != nil {
		var err error
		if tok, err = c.tokens.token(ctx); err != nil {
			return 0, 0, "", err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, 0, tok, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, 0, tok, redact(err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), time.Now()), tok, nil
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusPreconditionFailed,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// dialFailed reports whether err happened before the request was sent, so a
// retry cannot deliver the reply twice.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// retryAfter reads a Retry-After header: seconds or an HTTP date, capped.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// backoff is the wait before attempt+1: exponential with jitter.
func backoff(attempt int) time.Duration {
	d := min(backoffBase<<(attempt-1), backoffMax)
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redact drops the URL from a transport error: it holds conversation ids.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
