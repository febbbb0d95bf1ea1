package teams

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tokenServer is a token endpoint that counts requests and can be slowed.
func tokenServer(t *testing.T, delay time.Duration, expiresIn string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("client_secret") != "pw" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client","error_description":"AADSTS7000215 secret pw-wrong"}`)
			return
		}
		time.Sleep(delay)
		k := n.Add(1)
		fmt.Fprintf(w, `{"token_type":"Bearer","expires_in":%s,"access_token":"tok-%d"}`, expiresIn, k)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestTokenSourceOneRefreshAtATime(t *testing.T) {
	srv, n := tokenServer(t, 50*time.Millisecond, "3599")
	ts := newTokenSource(srv.URL, "app", "pw", srv.Client(), time.Now)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := ts.token(context.Background()); err != nil || tok != "tok-1" {
				t.Errorf("token() = %q, %v; want tok-1", tok, err)
			}
		}()
	}
	wg.Wait()
	if got := n.Load(); got != 1 {
		t.Errorf("%d token requests for 20 concurrent callers, want 1", got)
	}
}

func TestTokenSourceRenewsBeforeExpiry(t *testing.T) {
	srv, n := tokenServer(t, 0, `"3600"`) // some endpoints send a string
	now := time.Unix(1_750_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ts := newTokenSource(srv.URL, "app", "pw", srv.Client(), clock)
	ctx := context.Background()
	ts.token(ctx)
	advance(54 * time.Minute)
	if tok, _ := ts.token(ctx); tok != "tok-1" {
		t.Errorf("after 54 min token = %q, want the cached tok-1", tok)
	}
	advance(2 * time.Minute) // 4 minutes before expiry: inside the margin
	if tok, _ := ts.token(ctx); tok != "tok-2" {
		t.Errorf("after 56 min token = %q, want a new one", tok)
	}
	ts.invalidate("tok-2")
	if tok, _ := ts.token(ctx); tok != "tok-3" {
		t.Errorf("after invalidate token = %q, want a new one", tok)
	}
	if got := n.Load(); got != 3 {
		t.Errorf("%d token requests, want 3", got)
	}
}

func TestTokenSourceErrorKeepsSecrets(t *testing.T) {
	srv, _ := tokenServer(t, 0, "3600")
	ts := newTokenSource(srv.URL, "app", "wrong", srv.Client(), time.Now)
	_, err := ts.token(context.Background())
	if err == nil || err.Error() != "teams: token: HTTP 401 invalid_client" {
		t.Errorf("token() error = %v, want the status and error code only", err)
	}
}

func TestSendRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int // answered in turn; the last one repeats
		wantCalls int
		wantErr   bool
		tokens    int64
	}{
		{"ok", []int{200}, 1, false, 1},
		{"201 is fine", []int{201}, 1, false, 1},
		{"throttled then ok", []int{429, 429, 200}, 3, false, 1},
		{"412, 502, 503, 504 are retried", []int{412, 502, 503, 504, 200}, 5, false, 1},
		{"gives up after the last attempt", []int{503}, sendAttempts, true, 1},
		{"400 is not retried", []int{400}, 1, true, 1},
		{"404 is not retried", []int{404}, 1, true, 1},
		{"401 gets one retry with a new token", []int{401, 200}, 2, false, 2},
		{"401 twice fails", []int{401}, 2, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokSrv, tokens := tokenServer(t, 0, "3600")
			var calls atomic.Int64
			conn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(calls.Add(1)) - 1
				w.WriteHeader(tt.statuses[min(i, len(tt.statuses)-1)])
			}))
			defer conn.Close()
			var waits []time.Duration
			c := &connector{
				client: conn.Client(),
				tokens: newTokenSource(tokSrv.URL, "app", "pw", tokSrv.Client(), time.Now),
				sleep:  func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
			}
			_, err := c.send(context.Background(), conn.URL+"/v3/conversations/a/activities/1", []byte(`{}`))
			if (err != nil) != tt.wantErr {
				t.Errorf("send error = %v, want error %v", err, tt.wantErr)
			}
			if got := calls.Load(); got != int64(tt.wantCalls) {
				t.Errorf("%d calls, want %d", got, tt.wantCalls)
			}
			if got := tokens.Load(); got != tt.tokens {
				t.Errorf("%d tokens fetched, want %d", got, tt.tokens)
			}
			for _, w := range waits {
				if w <= 0 || w > backoffMax {
					t.Errorf("waited %v between attempts", w)
				}
			}
		})
	}
}

func TestSendDoesNotRetryAfterContextEnds(t *testing.T) {
	conn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer conn.Close()
	c := &connector{client: conn.Client(), sleep: sleepCtx}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.send(ctx, conn.URL, []byte(`{}`))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("send = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("send took %v", d)
	}
}

func TestSendRetriesRefusedConnections(t *testing.T) {
	ln := httptest.NewServer(http.NotFoundHandler())
	addr := ln.URL
	ln.Close() // nothing listens there now
	var attempts int
	c := &connector{client: &http.Client{}, sleep: func(context.Context, time.Duration) error { attempts++; return nil }}
	if _, err := c.send(context.Background(), addr, []byte(`{}`)); err == nil {
		t.Fatal("send to a closed port succeeded")
	}
	if attempts != sendAttempts-1 {
		t.Errorf("%d retries of a refused connection, want %d", attempts, sendAttempts-1)
	}
}
