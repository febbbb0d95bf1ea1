// Package webhook posts hand-offs to a person as JSON to a URL the helpdesk
// chooses: a ticketing tool's inbound webhook, Power Automate's "When an
// HTTP request is received", a Zapier catch hook.
//
// The body is the documented one:
//
//	{"kind":"handoff","id":"…","platform":"slack","user":{"id":"…","name":"…"},
//	 "question":"…","transcript":["> …","< …"],"verdicts":[…],"topic":"…","lang":"en",
//	 "at":"2026-11-30T14:02:00Z"}
//
// with the same id (also sent as the Idempotency-Key header) whenever the
// same hand-off is sent again, so a receiver can drop a repeat. A hand-off
// is never sent twice on purpose: after a 2xx it is remembered as
// delivered, and only answers that say it was not taken (429, 5xx) or a
// connection that was never made are retried, with backoff (or after
// Retry-After) while the caller's time lasts. A request that may have
// arrived (a timeout, a connection lost after sending) is not retried.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/recent"
)

// Config configures a Client. Zero values take the defaults noted.
type Config struct {
	// URL receives the hand-offs. Required.
	URL string
	// UserAgent is sent with each request ("whichaccount").
	UserAgent string
	// Attempts bounds the tries of one hand-off (5); Backoff is the first
	// wait between them (500ms), doubled each time.
	Attempts int
	Backoff  time.Duration
	// AttemptTimeout bounds one request (10s).
	AttemptTimeout time.Duration
	// HTTPClient makes the requests (its own, with timeouts, following no
	// redirects).
	HTTPClient *http.Client
	// OnRetry, when set, is told of every retry.
	OnRetry func()
}

// Client posts hand-offs to one URL. It is safe for concurrent use.
type Client struct {
	cfg  Config
	log  *slog.Logger
	host string // for logs: the URL may carry a secret in its path or query

	mu        sync.Mutex
	delivered *recent.Map[struct{}] // ids a receiver took
	inflight  map[string]chan struct{}
}

// deliveredMemory is how long a delivered id is remembered against a
// repeat, and how many are.
const (
	deliveredMemory = 24 * time.Hour
	deliveredMax    = 10000
)

// New returns a client for cfg.URL.
func New(cfg Config, log *slog.Logger) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("webhook: the URL is not an absolute http(s) URL")
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "whichaccount"
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 10 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
				TLSHandshakeTimeout:   5 * time.Second,
				ResponseHeaderTimeout: 10 * time.Second,
				MaxIdleConnsPerHost:   4,
				IdleConnTimeout:       90 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{cfg: cfg, log: log.With("component", "webhook"), host: u.Scheme + "://" + u.Host,
		delivered: recent.New[struct{}](deliveredMax, 1<<20, nil), inflight: map[string]chan struct{}{}}, nil
}

// Host is the scheme and host of the URL: what may be shown of it.
func (c *Client) Host() string { return c.host }

// Body is the JSON a hand-off is posted as.
type Body struct {
	Kind       string              `json:"kind"` // "handoff"
	ID         string              `json:"id"`
	Platform   string              `json:"platform"`
	User       User                `json:"user"`
	Question   string              `json:"question"`
	Transcript []string            `json:"transcript"`
	Verdicts   []msaccount.Verdict `json:"verdicts"`
	Topic      string              `json:"topic"`
	Lang       string              `json:"lang"`
	At         time.Time           `json:"at"`
}

// User is who asked for a person.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// NewBody is the body of h.
func NewBody(h helpdesk.Handoff) Body {
	b := Body{Kind: "handoff", ID: h.ID, Platform: h.Platform, User: User{ID: h.User.ID, Name: h.User.Name},
		Question: h.Question, Transcript: h.Transcript, Verdicts: h.Verdicts, Topic: h.Topic, Lang: h.Lang, At: h.At.UTC()}
	if b.Transcript == nil {
		b.Transcript = []string{}
	}
	if b.Verdicts == nil {
		b.Verdicts = []msaccount.Verdict{}
	}
	return b
}

// StatusError is an answer that did not take the hand-off.
type StatusError struct {
	Status   int
	Attempts int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("webhook: HTTP %d after %d attempts", e.Status, e.Attempts)
}

// Send posts h, retrying what was certainly not taken while ctx lasts. A
// hand-off already delivered (the same ID) is not sent again; two sends of
// the same one at once make one request.
func (c *Client) Send(ctx context.Context, h helpdesk.Handoff) error {
	if h.ID == "" {
		return errors.New("webhook: a hand-off without an id")
	}
	for {
		c.mu.Lock()
		if _, ok := c.delivered.Get(h.ID); ok {
			c.mu.Unlock()
			return nil
		}
		wait, busy := c.inflight[h.ID]
		if !busy {
			done := make(chan struct{})
			c.inflight[h.ID] = done
			c.mu.Unlock()
			err := c.send(ctx, h)
			c.mu.Lock()
			if err == nil {
				c.delivered.Put(h.ID, struct{}{}, deliveredMemory)
			}
			delete(c.inflight, h.ID)
			close(done)
			c.mu.Unlock()
			return err
		}
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return fmt.Errorf("webhook: %w", ctx.Err())
		}
	}
}

func (c *Client) send(ctx context.Context, h helpdesk.Handoff) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(NewBody(h)); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	delay := c.cfg.Backoff
	for attempt := 1; ; attempt++ {
		status, retryAfter, err := c.post(ctx, buf.Bytes(), h.ID)
		switch {
		case err == nil && status >= 200 && status < 300:
			c.log.Info("hand-off delivered", "host", c.host, "status", status, "attempts", attempt)
			return nil
		case err == nil && (status == http.StatusTooManyRequests || status >= 500):
		case err != nil && dialFailed(err):
		case err != nil:
			// It may have arrived: sending it again could make two tickets.
			return fmt.Errorf("webhook: %s: not retried, it may have arrived: %w", c.host, err)
		default:
			return &StatusError{Status: status, Attempts: attempt}
		}
		wait := delay
		if retryAfter > 0 {
			wait = retryAfter
		}
		wait += rand.N(wait/4 + 1)
		if attempt >= c.cfg.Attempts {
			if err != nil {
				return fmt.Errorf("webhook: %s after %d attempts: %w", c.host, attempt, err)
			}
			return &StatusError{Status: status, Attempts: attempt}
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			if err != nil {
				return fmt.Errorf("webhook: %s: no time left to retry: %w", c.host, err)
			}
			return &StatusError{Status: status, Attempts: attempt}
		}
		c.log.Warn("hand-off will be retried", "host", c.host, "status", status, "attempt", attempt, "wait", wait)
		if c.cfg.OnRetry != nil {
			c.cfg.OnRetry()
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("webhook: %w", ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 8*time.Second)
	}
}

// post makes one attempt: the status, the Retry-After asked for, or the
// transport's error (without the URL).
func (c *Client) post(ctx context.Context, body []byte, id string) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Idempotency-Key", id)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, 0, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
}

// dialFailed reports whether err happened before the request was sent, so
// that a retry cannot deliver it twice.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// retryAfter reads a Retry-After header (seconds or an HTTP date), capped
// at a minute.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(h); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), time.Minute)
}
