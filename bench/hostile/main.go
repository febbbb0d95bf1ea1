// Command hostile sends the unauthenticated Teams activities an attacker
// would send a server in emulator mode (TEAMS_EMULATOR=true), and reports
// the statuses it got and the server's resident memory before, at its peak
// and after. Half the activities carry a 200 KB conversation id (each
// distinct), the other half carry every id at its cap (256 bytes: the
// conversation, the user, the Entra object id, the tenant, the activity,
// each distinct) and a long text, so they are answered and remembered. The
// replies go to a sink of its own on loopback.
//
//	hostile -url http://127.0.0.1:3978/api/messages -n 2000 -pid PID
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("url", "http://127.0.0.1:3978/api/messages", "the server's /api/messages")
	n := flag.Int("n", 2000, "activities in all")
	conc := flag.Int("c", 16, "concurrent senders")
	pid := flag.Int("pid", 0, "server process ID, to report its memory")
	hugeID := flag.Int("huge", 200<<10, "length of the over-long conversation ids")
	flag.Parse()

	var replies atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		replies.Add(1)
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"id":"1"}`)
	}))
	serviceURL := "http://" + ln.Addr().String() + "/"

	fmt.Printf("before: %s\n", memory(*pid))
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *conc}}
	var mu sync.Mutex
	statuses := map[string]int{}
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				kind := "capped"
				body := capped(i, serviceURL)
				if i%2 == 0 {
					kind, body = "huge", huge(i, serviceURL, *hugeID)
				}
				res, err := client.Post(*target, "application/json", bytes.NewReader(body))
				key := kind + " "
				if err != nil {
					key += "error"
				} else {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					key += fmt.Sprint(res.StatusCode)
				}
				mu.Lock()
				statuses[key]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Printf("sent %d activities in %v\n", *n, time.Since(start).Round(time.Millisecond))
	keys := make([]string, 0, len(statuses))
	for k := range statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-12s %d\n", k, statuses[k])
	}
	time.Sleep(3 * time.Second) // answers in flight finish
	fmt.Printf("replies received: %d\n", replies.Load())
	fmt.Printf("after: %s\n", memory(*pid))
}

func activity(i int, serviceURL, conv, user, id, tenant string) []byte {
	a := map[string]any{
		"type": "message", "id": id, "serviceUrl": serviceURL, "channelId": "emulator",
		"from":         map[string]any{"id": user, "aadObjectId": user},
		"recipient":    map[string]any{"id": "28:bot"},
		"conversation": map[string]any{"id": conv, "tenantId": tenant, "conversationType": "personal"},
		"text":         fmt.Sprintf("is user%d@contoso.com personal or work? %s", i, strings.Repeat("pad ", 8000)),
	}
	b, _ := json.Marshal(a)
	return b
}

func pad(prefix string, i, n int) string {
	s := fmt.Sprintf("%s%d-", prefix, i)
	return s + strings.Repeat("x", max(0, n-len(s)))
}

// huge has a 200 KB conversation id: 400 from a server that caps ids.
func huge(i int, serviceURL string, n int) []byte {
	return activity(i, serviceURL, pad("a:", i, n), pad("29:", i, 256), pad("id", i, 256), pad("t", i, 256))
}

// capped has every id at the 256-byte cap: accepted and remembered.
func capped(i int, serviceURL string) []byte {
	return activity(i, serviceURL, pad("a:", i, 256), pad("29:", i, 256), pad("id", i, 256), pad("t", i, 256))
}

// memory reads a process's resident memory and its peak from /proc.
func memory(pid int) string {
	if pid == 0 {
		return "(no -pid)"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return err.Error()
	}
	var rss, hwm string
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	return "RSS " + rss + ", peak " + hwm
}
