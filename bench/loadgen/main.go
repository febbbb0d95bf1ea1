// Command loadgen sends correctly signed Slack requests (slash commands or
// Events API messages) to a server at a chosen concurrency and count, and
// prints throughput, latency percentiles, errors and, given the server's
// process ID, its peak resident memory. With -kind teams it sends Teams
// message activities instead, with a Bot Connector token minted once by the
// fake Bot Framework (bench/fakebf) and reused, as the Bot Connector reuses
// one token for its hour.
//
//	loadgen -url http://127.0.0.1:3978/slack/events -secret S -kind command -c 64 -n 20000 [-pid PID]
//	loadgen -url http://127.0.0.1:3978/api/messages -kind teams -fakebf http://127.0.0.1:3990 -appid ID -c 64 -n 20000
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
	kind := flag.String("kind", "command", "command (slash command), event (Events API message) or teams (Teams message activity)")
	fakebf := flag.String("fakebf", "http://127.0.0.1:3990", "with -kind teams: the fake Bot Framework (bench/fakebf) to mint the token from; its /teams/ is the activities' serviceUrl")
	appID := flag.String("appid", "2f4c8a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "with -kind teams: the bot's Microsoft app ID")
	text := flag.String("text", "is sam@outlook.com a personal account?", "the message text")
	conc := flag.Int("c", 64, "concurrent senders")
	n := flag.Int("n", 10000, "requests in all")
	warm := flag.Int("warmup", 500, "requests sent first and not counted")
	pid := flag.Int("pid", 0, "server process ID, to report its peak resident memory")
	label := flag.String("label", "", "a name for the result line")
	responseURL := flag.String("response-url", "http://127.0.0.1:9/unused", "with -kind command: the response_url each command carries (bench/bare's /response accepts late answers as Slack does)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	targets := strings.Split(*target, ",")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}, Timeout: 30 * time.Second}
	var token, serviceURL string
	if *kind == "teams" {
		serviceURL = strings.TrimRight(*fakebf, "/") + "/teams/"
		var err error
		if token, err = mint(*fakebf, serviceURL); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: minting a token:", err)
			os.Exit(1)
		}
	}
	var seq atomic.Int64
	send := func() (time.Duration, error) {
		i := seq.Add(1)
		var body []byte
		var ctype string
		if *kind == "teams" {
			body, ctype = teamsActivity(*appID, serviceURL, *text, i)
		} else {
			body, ctype = request(*kind, *text, *responseURL, i)
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, targets[i%int64(len(targets))], bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		if *kind == "teams" {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			ts := time.Now().Unix()
			req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
			req.Header.Set("X-Slack-Signature", slackbot.Sign(*secret, ts, body))
		}
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
	cpu0, self0 := cpuTicks(*pid), cpuTicks(os.Getpid())
	lat, errs, wall := run(*n)
	cpu1, self1 := cpuTicks(*pid), cpuTicks(os.Getpid())
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
		if cpu0 >= 0 && cpu1 >= 0 && len(lat) > 0 {
			// Clock ticks are 10 ms: over a run of seconds, within 1%.
			line += fmt.Sprintf(" server_cpu_per_req=%.1fus", float64(cpu1-cpu0)*1e6/float64(clockTicks)/float64(len(lat)))
		}
	}
	if self0 >= 0 && self1 >= 0 && len(lat) > 0 {
		// The load generator's own CPU shares the machine with the server:
		// a larger answer costs it more to read.
		line += fmt.Sprintf(" client_cpu_per_req=%.1fus", float64(self1-self0)*1e6/float64(clockTicks)/float64(len(lat)))
	}
	fmt.Println(strings.TrimSpace(line))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// run tells this run's requests from earlier runs' against the same
// server, which would otherwise take them for redeliveries and answer them
// once only.
var run = time.Now().UnixNano()

// request builds one request body; i (with run) makes event IDs, trigger
// IDs and timestamps unique, as Slack's are (a repeated trigger ID is a
// replay, acknowledged without an answer).
func request(kind, text, responseURL string, i int64) ([]byte, string) {
	if kind == "event" {
		return []byte(fmt.Sprintf(`{"type":"event_callback","team_id":"T0001","event_id":"EvLoad%dx%d","event":{"type":"message","channel_type":"im","user":"U%d","text":%q,"ts":"%d.%06d","channel":"D%d"}}`, run, i, i%500, text, 1e9+run/1e6%1e9, i%1000000, i%500)), "application/json"
	}
	return []byte(url.Values{"team_id": {"T0001"}, "channel_id": {"C0001"}, "user_id": {"U" + strconv.FormatInt(i%500, 10)}, "command": {"/whichaccount"},
		"text": {text}, "response_url": {responseURL}, "trigger_id": {fmt.Sprintf("%d.%d.load", run, i)}}.Encode()), "application/x-www-form-urlencoded"
}

// mint fetches one inbound token for serviceURL from the fake Bot
// Framework.
func mint(fakebf, serviceURL string) (string, error) {
	res, err := http.Get(strings.TrimRight(fakebf, "/") + "/mint?serviceurl=" + url.QueryEscape(serviceURL))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d: %s", res.StatusCode, b)
	}
	return strings.TrimSpace(string(b)), nil
}

// teamsActivity builds a message activity in a personal chat, as Teams
// sends it; i (with run) makes the activity ID unique and spreads the requests over
// 500 users and their chats, as request does for Slack.
func teamsActivity(appID, serviceURL, text string, i int64) ([]byte, string) {
	const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	u := i % 500
	return []byte(fmt.Sprintf(`{"type":"message","id":"%d%09d","timestamp":%q,"serviceUrl":%q,"channelId":"msteams",`+
		`"from":{"id":"29:1user-%d","name":"Load User %d","aadObjectId":"00000000-0000-0000-0000-%012d"},`+
		`"conversation":{"conversationType":"personal","tenantId":%q,"id":"a:1personal-chat-%d"},`+
		`"recipient":{"id":"28:%s","name":"whichaccount"},"textFormat":"plain","locale":"en-GB","text":%q,`+
		`"channelData":{"tenant":{"id":%q}}}`,
		run/1e6, i, time.Now().UTC().Format(time.RFC3339Nano), serviceURL, u, u, u, tenant, u, appID, text, tenant)), "application/json"
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's CPU times: 100 on
// every Linux build that matters here.
const clockTicks = 100

// cpuTicks reads the user and system CPU time a process has used, in clock
// ticks, or -1 (Linux; no process given).
func cpuTicks(pid int) int64 {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// The command name, in parentheses, may hold spaces: count fields after it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return -1
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	return utime + stime
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
