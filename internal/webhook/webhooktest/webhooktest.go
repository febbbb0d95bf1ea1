// Package webhooktest is a hand-off receiver on loopback, for tests of the
// webhook client and of the server that uses it: it records every request
// and answers with the statuses it is told to, then 200.
package webhooktest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Request is one request the receiver got.
type Request struct {
	Method, ContentType, IdempotencyKey string
	Body                                []byte
	// Status is what the receiver answered.
	Status   int
	Received time.Time
}

// Receiver is the fake webhook receiver.
type Receiver struct {
	// URL is where to post.
	URL string

	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []Request
	answers []answer
	delay   time.Duration
	changed chan struct{}
}

type answer struct {
	status     int
	retryAfter string
}

// New starts a receiver, stopped when the test ends.
func New(t testing.TB) *Receiver {
	r := &Receiver{changed: make(chan struct{}, 1)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	r.URL = r.srv.URL + "/hooks/catch/123/abc?secret=s3cr3t"
	return r
}

// Fail makes the next requests get these statuses, one each, before the
// receiver answers 200 again.
func (r *Receiver) Fail(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range statuses {
		r.answers = append(r.answers, answer{status: s})
	}
}

// Throttle makes the next request get 429 with Retry-After (seconds).
func (r *Receiver) Throttle(retryAfter time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(r.answers, answer{status: http.StatusTooManyRequests, retryAfter: strconv.Itoa(int(retryAfter / time.Second))})
}

// SetDelay makes every answer wait d (after the request is recorded, as a
// slow receiver that took it would).
func (r *Receiver) SetDelay(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delay = d
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	r.mu.Lock()
	a := answer{status: http.StatusOK}
	if len(r.answers) > 0 {
		a, r.answers = r.answers[0], r.answers[1:]
	}
	r.reqs = append(r.reqs, Request{Method: req.Method, ContentType: req.Header.Get("Content-Type"), IdempotencyKey: req.Header.Get("Idempotency-Key"),
		Body: body, Status: a.status, Received: time.Now()})
	delay := r.delay
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
	if delay > 0 {
		time.Sleep(delay)
	}
	if a.retryAfter != "" {
		w.Header().Set("Retry-After", a.retryAfter)
	}
	w.WriteHeader(a.status)
}

// Requests returns every request so far.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Taken returns the requests answered 2xx.
func (r *Receiver) Taken() []Request {
	var out []Request
	for _, q := range r.Requests() {
		if q.Status >= 200 && q.Status < 300 {
			out = append(out, q)
		}
	}
	return out
}

// Wait waits until cond holds or timeout passes, and reports whether it
// held.
func (r *Receiver) Wait(timeout time.Duration, cond func() bool) bool {
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-r.changed:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			return cond()
		}
	}
	return true
}
