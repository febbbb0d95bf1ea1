package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
	"github.com/gosmarter/whichaccount/bots/teams/teamstest"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

var (
	latencyN       = flag.Int("latency.n", 200, "lookups per case in BenchmarkVerdictLatency")
	latencyOfCalls = flag.Duration("latency.ms", 150*time.Millisecond, "latency of every Microsoft call in BenchmarkVerdictLatency")
)

// latencyFake is Microsoft at -latency.ms per call with n managed domains
// never asked before (cold) and one domain whose facts the first lookup of
// a case warms.
func latencyFake(tb testing.TB, n int) *msaccounttest.Server {
	f := msaccounttest.New(tb)
	for i := range n {
		f.AddDomain(msaccounttest.Domain{Name: fmt.Sprintf("cold%d.example.com", i), Type: msaccounttest.TypeManaged,
			TenantID: fmt.Sprintf("%08d-0000-0000-0000-000000000000", i), Brand: "Cold", Region: "EU"})
	}
	f.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: "72f988bf-0000-0000-0000-2d7cd011db47", Brand: "Contoso Ltd", Region: "EU"})
	f.SetLatency(*latencyOfCalls)
	return f
}

// latencyAddress is the i-th address of a case: at its own cold domain, or
// at the warm domain (never the same address twice).
func latencyAddress(warm bool, i int) string {
	if warm {
		return fmt.Sprintf("user%d@contoso.com", i)
	}
	return fmt.Sprintf("user%d@cold%d.example.com", i, i)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(p(lat, .50)), "p50-ms")
	b.ReportMetric(ms(p(lat, .99)), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	b.ReportMetric(float64(p(lat, .50))/float64(*latencyOfCalls), "p50-latencies")
	b.ReportMetric(float64(p(lat, .99))/float64(*latencyOfCalls), "p99-latencies")
}

// BenchmarkVerdictLatency measures how long a person waits for a verdict
// that needs Microsoft, answering every call after -latency.ms (150 ms):
// through `check` (an input line written to its stdin until its JSON line
// is read from stdout), through Slack (a signed slash command sent until
// the verdict arrives at its response_url) and through Teams (an activity
// posted until the verdict reaches the Bot Connector). Lookups run one at
// a time, -latency.n (200) per case; "cold" asks each at a domain never
// seen before, "warm" at a domain whose facts an earlier lookup cached.
// The client's pace (10 calls a second by default) is raised so that it
// does not queue back-to-back lookups: the figure is the round trips.
// "sleep-only" sleeps one call's latency as often, with nothing else: what
// the machine adds to any wait.
//
//	go test ./cmd/whichaccount -run XXX -bench VerdictLatency -benchtime 1x -timeout 30m
func BenchmarkVerdictLatency(b *testing.B) {
	quiet := slog.New(slog.DiscardHandler)
	base := func(ms *msaccounttest.Server, extra map[string]string) config {
		env := map[string]string{"WHICHACCOUNT_LOGIN_URL": ms.URL, "WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE": "100000000", "LOG_LEVEL": "warn"}
		for k, v := range extra {
			env[k] = v
		}
		cfg, err := loadConfig(func(k string) string { return env[k] })
		if err != nil {
			b.Fatal(err)
		}
		cfg.Lookup.RatePerSecond = 1000
		return cfg
	}
	// What the machine itself adds: a bare sleep of one call's latency,
	// the same number of times, reported like the lookups.
	b.Run("sleep-only", func(b *testing.B) {
		for b.Loop() {
			lat := make([]time.Duration, 0, *latencyN)
			for range *latencyN {
				t0 := time.Now()
				time.Sleep(*latencyOfCalls)
				lat = append(lat, time.Since(t0))
			}
			reportLatency(b, lat)
		}
	})
	for _, warm := range []bool{false, true} {
		kind := "cold"
		if warm {
			kind = "warm"
		}
		b.Run("check/"+kind, func(b *testing.B) {
			for b.Loop() {
				ms := latencyFake(b, *latencyN)
				cfg := base(ms, nil)
				inR, inW := io.Pipe()
				outR, outW := io.Pipe()
				done := make(chan error, 1)
				go func() {
					done <- check(context.Background(), []string{"--json", "-"}, cfg, quiet, inR, outW)
					outW.Close()
				}()
				out := bufio.NewReader(outR)
				ask := func(addr string) time.Duration {
					t0 := time.Now()
					fmt.Fprintln(inW, addr)
					line, err := out.ReadString('\n')
					d := time.Since(t0)
					if err != nil || !strings.Contains(line, addr) || !strings.Contains(line, `"certainty":"confirmed"`) && !strings.Contains(line, `"certainty":"likely"`) {
						b.Fatalf("check %s: %q %v", addr, line, err)
					}
					return d
				}
				if warm {
					ask("someone@contoso.com")
				}
				lat := make([]time.Duration, 0, *latencyN)
				for i := range *latencyN {
					lat = append(lat, ask(latencyAddress(warm, i)))
				}
				inW.Close()
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				reportLatency(b, lat)
			}
		})
		b.Run("slack/"+kind, func(b *testing.B) {
			for b.Loop() {
				ms := latencyFake(b, *latencyN)
				slack := slacktest.New(b)
				cfg := base(ms, map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigningSecret, "SLACK_API_URL": slack.APIURL})
				a, err := newApp(context.Background(), cfg, quiet)
				if err != nil {
					b.Fatal(err)
				}
				srv := httptest.NewServer(a.handlerChain())
				ask := func(i int, addr string) time.Duration {
					u := slack.ResponseURL()
					path := u[len(slack.URL):]
					t0 := time.Now()
					res, err := sendSlash(srv.Client(), srv.URL+"/slack/events", slashBody("is "+addr+" a work account?", u, fmt.Sprintf("U%d", i)))
					if err != nil || res.StatusCode != 200 {
						b.Fatalf("slash command: %v %v", res, err)
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					var d time.Duration
					ok := slack.Wait(30*time.Second, func() bool {
						for _, post := range slack.Posts() {
							if post.URL == path && strings.Contains(post.Text, addr) {
								d = time.Since(t0)
								return true
							}
						}
						return false
					})
					if !ok {
						b.Fatalf("no verdict for %s at its response_url", addr)
					}
					return d
				}
				if warm {
					ask(-1, "someone@contoso.com")
				}
				lat := make([]time.Duration, 0, *latencyN)
				for i := range *latencyN {
					lat = append(lat, ask(i, latencyAddress(warm, i)))
				}
				srv.Close()
				a.slack.Shutdown(context.Background())
				a.shared.close()
				reportLatency(b, lat)
			}
		})
		b.Run("teams/"+kind, func(b *testing.B) {
			for b.Loop() {
				ms := latencyFake(b, *latencyN)
				bf := teamstest.New(b)
				cfg := base(ms, map[string]string{"MICROSOFT_APP_ID": teamstest.AppID, "MICROSOFT_APP_PASSWORD": teamstest.AppPassword,
					"BOTFRAMEWORK_OPENID_METADATA_URL": bf.MetadataURL, "BOTFRAMEWORK_TOKEN_URL": bf.TokenURL})
				a, err := newApp(context.Background(), cfg, quiet)
				if err != nil {
					b.Fatal(err)
				}
				srv := httptest.NewServer(a.handlerChain())
				token := bf.Token(b)
				ask := func(addr string) time.Duration {
					seen := len(bf.Activities())
					t0 := time.Now()
					if code := teamstest.Post(b, srv.URL+"/api/messages", token, bf.Message("is "+addr+" a work account?")); code >= 300 {
						b.Fatalf("teams message: status %d", code)
					}
					for n := seen + 1; ; n++ {
						acts := bf.WaitActivities(b, n)
						if a := acts[n-1]; strings.Contains(string(a.Body), addr) {
							return a.Received.Sub(t0)
						}
					}
				}
				if warm {
					ask("someone@contoso.com")
				}
				lat := make([]time.Duration, 0, *latencyN)
				for i := range *latencyN {
					lat = append(lat, ask(latencyAddress(warm, i)))
				}
				srv.Close()
				a.teams.Shutdown(context.Background())
				a.shared.close()
				reportLatency(b, lat)
			}
		})
	}
}
