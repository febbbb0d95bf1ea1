// Command loadgen sends correctly signed Slack requests (slash commands or
// Events API messages) to a server at a chosen concurrency and count, and
// prints throughput, latency percentiles, errors and, given the server's
// process ID, its peak resident memory.
//
//	loadgen -url http://127.0.0.1:3978/slack/events -secret S -kind command -c 64 -n 20000 [-pid PID]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackbot "github.com/gosmarter/whichaccount/bots/slack"
)

func main() {
	target := flag.String("url", "http://127.0.0.1:3978/slack/events", "where to send; several comma-separated URLs are used in turn")
	secret := flag.String("secret", "", "Slack signing secret")
	kind := flag.String("kind", "command", "command (slash command) or event (Events API message)")
	text := flag.String("text", "is sam@outlook.com a personal account?", "the message text")
	conc := flag.Int("c", 64, "concurrent senders")
	n := flag.Int("n", 10000, "requests in all")
	warm := flag.Int("warmup", 500, "requests sent first and not counted")
	pid := flag.Int("pid", 0, "server process ID, to report its peak resident memory")
	label := flag.String("label", "", "a name for the result line")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	targets := strings.Split(*target, ",")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}, Timeout: 30 * time.Second}
	var seq atomic.Int64
	send := func() (time.Duration, error) {
		i := seq.Add(1)
		body, ctype := request(*kind, *text, i)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, targets[i%int64(len(targets))], bytes.NewReader(body))
		ts := time.Now().Unix()
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", slackbot.Sign(*secret, ts, body))
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(start)
		if res.StatusCode != http.StatusOK {
			return d, fmt.Errorf("status %d", res.StatusCode)
		}
		return d, nil
	}
	run := func(total int) ([]time.Duration, int64, time.Duration) {
		var mu sync.Mutex
		lat := make([]time.Duration, 0, total)
		var errs atomic.Int64
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range *conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				local := make([]time.Duration, 0, total / *conc + 1)
				for next.Add(1) <= int64(total) && ctx.Err() == nil {
					d, err := send()
					if err != nil {
						errs.Add(1)
						continue
					}
					local = append(local, d)
				}
				mu.Lock()
				lat = append(lat, local...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		return lat, errs.Load(), time.Since(start)
	}
	run(*warm)
	lat, errs, wall := run(*n)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	line := fmt.Sprintf("%s requests=%d errors=%d wall=%.2fs throughput=%.0f/s p50=%s p90=%s p99=%s max=%s",
		*label, len(lat), errs, wall.Seconds(), float64(len(lat))/wall.Seconds(), ms(pct(.5)), ms(pct(.9)), ms(pct(.99)), ms(pct(1)))
	if *pid > 0 {
		line += " peak_rss=" + peakRSS(*pid)
	}
	fmt.Println(strings.TrimSpace(line))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// request builds one request body; i makes event IDs and timestamps unique.
func request(kind, text string, i int64) ([]byte, string) {
	if kind == "event" {
		return []byte(fmt.Sprintf(`{"type":"event_callback","team_id":"T0001","event_id":"EvLoad%d","event":{"type":"message","channel_type":"im","user":"U%d","text":%q,"ts":"1700000000.%06d","channel":"D%d"}}`, i, i%500, text, i, i%500)), "application/json"
	}
	return []byte(url.Values{"team_id": {"T0001"}, "channel_id": {"C0001"}, "user_id": {"U" + strconv.FormatInt(i%500, 10)}, "command": {"/whichaccount"},
		"text": {text}, "response_url": {"http://127.0.0.1:9/unused"}, "trigger_id": {"1.2.3"}}.Encode()), "application/x-www-form-urlencoded"
}

// peakRSS reads the peak resident set size of a process (Linux).
func peakRSS(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.Join(strings.Fields(strings.TrimPrefix(line, "VmHWM:")), "")
		}
	}
	return "unknown"
}
