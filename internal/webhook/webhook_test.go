package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/webhook"
	"github.com/gosmarter/whichaccount/internal/webhook/webhooktest"
)

func handoff(id string) helpdesk.Handoff {
	h := helpdesk.Handoff{ID: id, Platform: "slack", Question: "is alex@contoso.com personal or work?",
		Transcript: []string{"> is alex@contoso.com personal or work?", "< alex@contoso.com is both"},
		Verdicts:   []msaccount.Verdict{{Input: "alex@contoso.com", Address: "alex@contoso.com", Kind: msaccount.KindBoth}},
		Topic:      "classify.address", Lang: "en", At: time.Date(2026, 11, 30, 14, 2, 0, 0, time.UTC)}
	h.User.ID, h.User.Name = "T0001:U0001", "Alex Wilber"
	return h
}

func client(t *testing.T, u string, logs *bytes.Buffer) *webhook.Client {
	t.Helper()
	var log *slog.Logger
	if logs != nil {
		log = slog.New(slog.NewTextHandler(logs, nil))
	}
	c, err := webhook.New(webhook.Config{URL: u, Backoff: 20 * time.Millisecond}, log)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBodyAndHeaders(t *testing.T) {
	r := webhooktest.New(t)
	var logs bytes.Buffer
	c := client(t, r.URL, &logs)
	if err := c.Send(context.Background(), handoff("h1")); err != nil {
		t.Fatal(err)
	}
	got := r.Requests()
	if len(got) != 1 || got[0].Method != http.MethodPost || got[0].ContentType != "application/json; charset=utf-8" || got[0].IdempotencyKey != "h1" {
		t.Fatalf("requests = %+v", got)
	}
	var body map[string]any
	if err := json.Unmarshal(got[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kind", "id", "platform", "user", "question", "transcript", "verdicts", "topic", "lang", "at"} {
		if _, ok := body[k]; !ok {
			t.Errorf("body lacks %q: %s", k, got[0].Body)
		}
	}
	if body["kind"] != "handoff" || body["user"].(map[string]any)["name"] != "Alex Wilber" || body["at"] != "2026-11-30T14:02:00Z" ||
		body["verdicts"].([]any)[0].(map[string]any)["kind"] != "both" {
		t.Errorf("body = %s", got[0].Body)
	}
	if strings.Contains(logs.String(), "s3cr3t") || strings.Contains(logs.String(), "catch") || strings.Contains(logs.String(), "alex@") {
		t.Errorf("logs carry the URL's path or an address: %s", logs.String())
	}
	// The same hand-off again: not sent twice.
	if err := c.Send(context.Background(), handoff("h1")); err != nil || len(r.Requests()) != 1 {
		t.Errorf("repeat: %v, %d requests", err, len(r.Requests()))
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(r *webhooktest.Receiver)
		requests  int
		delivered bool
		least     time.Duration
	}{
		{"503 then taken", func(r *webhooktest.Receiver) { r.Fail(503) }, 2, true, 0},
		{"500, 502, 504 then taken", func(r *webhooktest.Receiver) { r.Fail(500, 502, 504) }, 4, true, 0},
		{"429 waits Retry-After", func(r *webhooktest.Receiver) { r.Throttle(time.Second) }, 2, true, time.Second},
		{"400 is not retried", func(r *webhooktest.Receiver) { r.Fail(400) }, 1, false, 0},
		{"a redirect is not followed", func(r *webhooktest.Receiver) { r.Fail(307) }, 1, false, 0},
		{"gives up after 5 attempts", func(r *webhooktest.Receiver) { r.Fail(503, 503, 503, 503, 503, 503) }, 5, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := webhooktest.New(t)
			tt.setup(r)
			start := time.Now()
			err := client(t, r.URL, nil).Send(context.Background(), handoff("h-"+tt.name))
			if (err == nil) != tt.delivered || len(r.Requests()) != tt.requests {
				t.Errorf("err %v, %d requests; want delivered %v, %d requests", err, len(r.Requests()), tt.delivered, tt.requests)
			}
			if len(r.Taken()) > 1 {
				t.Errorf("taken %d times", len(r.Taken()))
			}
			if d := time.Since(start); d < tt.least {
				t.Errorf("took %v, want at least %v", d, tt.least)
			}
			for _, q := range r.Requests() {
				if q.IdempotencyKey != "h-"+tt.name {
					t.Errorf("idempotency key %q", q.IdempotencyKey)
				}
			}
		})
	}
}

// TestMayHaveArrived: a receiver that took the request but answered too
// late is not sent it again.
func TestMayHaveArrived(t *testing.T) {
	r := webhooktest.New(t)
	r.SetDelay(300 * time.Millisecond)
	c, _ := webhook.New(webhook.Config{URL: r.URL, AttemptTimeout: 50 * time.Millisecond, Backoff: 10 * time.Millisecond}, nil)
	err := c.Send(context.Background(), handoff("slow"))
	if err == nil || !strings.Contains(err.Error(), "may have arrived") {
		t.Errorf("err = %v", err)
	}
	time.Sleep(400 * time.Millisecond)
	if n := len(r.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestUnreachableIsRetried: a connection never made cannot have delivered
// anything, so it is retried until the receiver is there.
func TestUnreachableIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	var mu sync.Mutex
	var got int
	go func() {
		time.Sleep(60 * time.Millisecond)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got++
			mu.Unlock()
		})}
		t.Cleanup(func() { srv.Close() })
		srv.Serve(ln)
	}()
	c, _ := webhook.New(webhook.Config{URL: "http://" + addr + "/hook", Backoff: 50 * time.Millisecond, Attempts: 6}, nil)
	if err := c.Send(context.Background(), handoff("later")); err != nil {
		t.Fatalf("send: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if got != 1 {
		t.Errorf("%d requests arrived, want 1", got)
	}
}

// TestConcurrentSendsMakeOneRequest: the same hand-off sent twice at once
// is posted once.
func TestConcurrentSendsMakeOneRequest(t *testing.T) {
	r := webhooktest.New(t)
	r.SetDelay(100 * time.Millisecond)
	c := client(t, r.URL, nil)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.Send(context.Background(), handoff("twice"))
		}()
	}
	wg.Wait()
	if n := len(r.Requests()); n != 1 || errors.Join(errs...) != nil {
		t.Errorf("%d requests, errors %v", n, errs)
	}
}

// TestRetriesStopWithTheHandoffsTime: no retry is begun that the caller's
// time cannot wait for.
func TestRetriesStopWithTheHandoffsTime(t *testing.T) {
	r := webhooktest.New(t)
	r.Throttle(30 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err := client(t, r.URL, nil).Send(ctx, handoff("busy"))
	if err == nil || time.Since(start) > 500*time.Millisecond || len(r.Requests()) != 1 {
		t.Errorf("err %v after %v, %d requests", err, time.Since(start), len(r.Requests()))
	}
}

func TestNewRefusesABadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "/relative", "http://"} {
		if _, err := webhook.New(webhook.Config{URL: u}, nil); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}
