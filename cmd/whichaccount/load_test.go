package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	slackbot "github.com/gosmarter/whichaccount/bots/slack"
	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
)

// bareSlack only verifies the Slack signature and answers a fixed text: the
// practical ceiling of a Slack endpoint on net/http.
func bareSlack(secret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		ts := r.Header.Get("X-Slack-Request-Timestamp")
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte("v0:" + ts + ":"))
		mac.Write(body)
		if !hmac.Equal([]byte("v0="+hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Slack-Signature"))) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
	})
}

// load sends n signed slash commands at concurrency c and returns the
// throughput and the latencies, sorted.
func load(tb testing.TB, target string, c, n int, text func(i int) string) (float64, []time.Duration) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c, MaxConnsPerHost: c}}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			for {
				i := int(next.Add(1))
				if i > n {
					break
				}
				t0 := time.Now()
				res, err := sendSlash(client, target, slashBody(text(i), "http://127.0.0.1:9/unused", "U"+strconv.Itoa(i%500)))
				if err != nil {
					tb.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					tb.Errorf("status %d", res.StatusCode)
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	tput := float64(n) / time.Since(start).Seconds()
	slices.Sort(lat)
	return tput, lat
}

// sendSlash posts a signed slash command.
func sendSlash(client *http.Client, target string, body []byte) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	ts := time.Now().Unix()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", slackbot.Sign(testSigningSecret, ts, body))
	return client.Do(req)
}

func p(lat []time.Duration, q float64) time.Duration {
	return lat[min(len(lat)-1, int(float64(len(lat))*q))]
}

// BenchmarkSlackLoad compares, in one run, signed slash commands answered
// offline by the whole server against the bare verifying handler, at 64
// concurrent senders, alternating rounds. Figures: commands/s and p99.
func BenchmarkSlackLoad(b *testing.B) {
	a, _ := offlineSlackApp(b)
	wa := httptest.NewServer(a.handlerChain())
	defer wa.Close()
	bare := httptest.NewServer(bareSlack(testSigningSecret))
	defer bare.Close()
	text := func(int) string { return "is sam@outlook.com a personal account?" }
	const n = 20000
	for b.Loop() {
		var ratios []float64
		for round := range 3 {
			tw, lw := load(b, wa.URL+"/slack/events", 64, n, text)
			tb, lb := load(b, bare.URL, 64, n, text)
			ratios = append(ratios, tw/tb)
			b.Logf("round %d: whichaccount %.0f/s p99 %v; bare %.0f/s p99 %v; ratio %.2f", round+1, tw, p(lw, .99), tb, p(lb, .99), tw/tb)
			b.ReportMetric(tw, "whichaccount-cmds/s")
			b.ReportMetric(float64(p(lw, .99).Microseconds())/1000, "whichaccount-p99-ms")
			b.ReportMetric(tb, "bare-cmds/s")
		}
		slices.Sort(ratios)
		b.ReportMetric(ratios[1], "median-ratio")
	}
}

// BenchmarkSlackAckWithSlowMicrosoft sends slash commands whose answers need
// a Microsoft that takes 2.5 s: every acknowledgement must still be fast,
// and every answer must arrive through response_url.
func BenchmarkSlackAckWithSlowMicrosoft(b *testing.B) {
	t := &testing.T{}
	slack := slacktest.New(b)
	ms := microsoftFake(t)
	ms.SetLatency(2500 * time.Millisecond)
	env := map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigningSecret, "SLACK_API_URL": slack.APIURL,
		"WHICHACCOUNT_LOGIN_URL": ms.URL, "WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE": "100000000", "LOG_LEVEL": "warn"}
	cfg, _ := loadConfig(func(k string) string { return env[k] })
	cfg.Lookup.RatePerSecond, cfg.Lookup.MaxConcurrent, cfg.Lookup.Budget, cfg.Lookup.CallTimeout = 10000, 512, 30*time.Second, 10*time.Second
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	wa := httptest.NewServer(a.handlerChain())
	defer wa.Close()
	const n = 1000
	for b.Loop() {
		// Each command names its own address, so none is cached.
		urls := make([]string, n)
		var lat []time.Duration
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		var mu sync.Mutex
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= n {
						return
					}
					urls[i] = slack.ResponseURL()
					t0 := time.Now()
					res, err := sendSlash(client, wa.URL+"/slack/events", slashBody(fmt.Sprintf("is user%d@contoso.com a work account?", i), urls[i], "U"+strconv.Itoa(i)))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					mu.Lock()
					lat = append(lat, time.Since(t0))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		slices.Sort(lat)
		ok := slack.Wait(60*time.Second, func() bool { return len(slack.Posts()) >= n })
		viaURL := 0
		for _, post := range slack.Posts() {
			if post.Method == "response_url" {
				viaURL++
			}
		}
		b.ReportMetric(float64(p(lat, .99).Microseconds())/1000, "ack-p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "ack-max-ms")
		b.ReportMetric(float64(viaURL), "answers-via-response_url")
		if !ok || viaURL != n {
			b.Errorf("%d of %d answers arrived through response_url", viaURL, n)
		}
	}
}

// offlineSlackApp is the server with Slack on (against a fake Web API),
// lookups offline and no per-user limit in practice, for load figures.
func offlineSlackApp(b *testing.B) (*app, *slacktest.Server) {
	slack := slacktest.New(b)
	env := map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigningSecret, "SLACK_API_URL": slack.APIURL,
		"WHICHACCOUNT_LOOKUP": "offline", "WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE": "100000000", "LOG_LEVEL": "warn"}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		b.Fatal(err)
	}
	return a, slack
}

// BenchmarkSlackCommandServer is one signed slash command through the
// server's whole handler chain (middleware, signature, form, replay check,
// the helpdesk core, Block Kit, the acknowledgement), in process and
// without a connection: the server's own CPU per command, apart from
// net/http's reading and writing.
func BenchmarkSlackCommandServer(b *testing.B) {
	a, slack := offlineSlackApp(b)
	h := a.handlerChain()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body := slashBody("is sam@outlook.com a personal account?", slack.ResponseURL(), "U"+strconv.Itoa(i%500))
		req := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
		ts := time.Now().Unix()
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", slackbot.Sign(testSigningSecret, ts, body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Body.Len() < 100 {
			b.Fatalf("%d %q", w.Code, w.Body.String())
		}
	}
}
