package teams_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/teams"
	"github.com/gosmarter/whichaccount/bots/teams/teamstest"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// instant answers at once.
type instant struct{}

func (instant) Respond(context.Context, helpdesk.Message) (helpdesk.Reply, error) {
	return helpdesk.Reply{Intent: helpdesk.Classify, Headline: helpdesk.Plain("Checked"), Summary: helpdesk.Plain("Done."), Text: "Checked\nDone.\n"}, nil
}

// BenchmarkLoopback posts valid personal-chat activities from 64 goroutines
// to a Bot on a loopback httptest server and reports activities accepted
// per second and the 50th and 99th percentiles of the HTTP response time.
// Targets: at least 10,000 activities/s and p99 under 20 ms.
//
// The Bot Connector sends one token with all its activities for the hour it
// lives, and so does this benchmark. Every answer is also sent, on the same
// machine, to a connector that answers 200 at once; delivered/s counts them
// until the last one is sent.
func BenchmarkLoopback(b *testing.B) {
	runLoad(b, 1)
}

// BenchmarkLoopbackFreshTokens is BenchmarkLoopback with 1,024 different
// tokens taken in turn, so that nearly every activity has its signature
// checked: the worst case, not what the Bot Connector does.
func BenchmarkLoopbackFreshTokens(b *testing.B) {
	runLoad(b, 1024)
}

func runLoad(b *testing.B, tokens int) {
	const workers = 64
	fake := teamstest.New(b)
	// A connector that takes everything: the fake's records would cost
	// more than the bot.
	var delivered atomic.Int64
	conn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		delivered.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"1"}`)
	}))
	defer conn.Close()
	serviceURL := conn.URL + "/teams/"

	bot, err := teams.New(teams.Config{
		AppID: fake.AppID, AppPassword: fake.AppPassword,
		OpenIDMetadataURL: fake.MetadataURL, TokenURL: fake.TokenURL,
	}, instant{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(bot)
	defer srv.Close()

	auth := make([]string, tokens)
	for i := range auth {
		auth[i] = "Bearer " + fake.Token(b, teamstest.Claims(map[string]any{"serviceurl": serviceURL, "jti": strconv.Itoa(i)}))
	}
	in := fake.Message("is jane@contoso.com personal or work?")
	in["serviceUrl"] = serviceURL
	in["id"] = "ACTIVITY-ID"
	template, _ := json.Marshal(in)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}

	post := func(i int) (time.Duration, error) {
		body := bytes.Replace(template, []byte("ACTIVITY-ID"), []byte("b"+strconv.Itoa(i)), 1)
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("Authorization", auth[(i+len(auth))%len(auth)])
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			b.Errorf("status %d", resp.StatusCode)
		}
		return d, nil
	}
	// Load the keys and the outbound token, and warm the connections.
	for i := 1; i <= workers; i++ {
		if _, err := post(-i); err != nil {
			b.Fatal(err)
		}
	}
	for delivered.Load() < workers {
		time.Sleep(time.Millisecond)
	}
	delivered.Store(0)

	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				d, err := post(i)
				if err != nil {
					b.Error(err)
					return
				}
				lat[i] = d
			}
		}()
	}
	wg.Wait()
	accepted := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := bot.Shutdown(ctx); err != nil {
		b.Fatalf("Shutdown: %v", err)
	}
	answered := time.Since(start)
	b.StopTimer()
	if n := delivered.Load(); n != int64(b.N) {
		b.Errorf("%d answers delivered, want %d", n, b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/accepted.Seconds(), "activities/s")
	b.ReportMetric(float64(b.N)/answered.Seconds(), "delivered/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}
