package audit

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// The load figures of docs/performance.md:
//
//	go test ./internal/audit -run XXX -bench AuditLoad -benchtime 1x \
//	    -audit.n 100000 -audit.domains 2000 -audit.rate 2000 -audit.concurrency 64
//	go test ./internal/audit -run XXX -bench AuditLoad -benchtime 1x -timeout 30m \
//	    -audit.n 500 -audit.domains 10 -audit.rate 5 -audit.concurrency 4
var (
	loadN           = flag.Int("audit.n", 10000, "BenchmarkAuditLoad: addresses")
	loadDomains     = flag.Int("audit.domains", 200, "BenchmarkAuditLoad: managed domains they are spread over")
	loadRate        = flag.Float64("audit.rate", 2000, "BenchmarkAuditLoad: --rate (calls per second)")
	loadConcurrency = flag.Int("audit.concurrency", 64, "BenchmarkAuditLoad: --concurrency")
	loadLatency     = flag.Duration("audit.latency", 50*time.Millisecond, "BenchmarkAuditLoad: the fake's latency")
)

// loadAddress is address i of a load list over domains managed domains;
// its accounts follow i mod 4: both, work, personal, none.
func loadAddress(i, domains int) (string, msaccounttest.Account) {
	a := fmt.Sprintf("user%d@org%d.example.com", i, i%domains)
	return a, msaccounttest.Account{Personal: i%4 == 0 || i%4 == 2, Work: i%4 <= 1}
}

// TestFakeMicrosoftProcess is not a test: it is the fake Microsoft that
// BenchmarkAuditLoad runs in a process of its own, so that the benchmark's
// heap is the audit's alone (the fake records every request it receives).
// It prints "URL <base>", answers "stats" on stdin with the request
// counts, and stops at the end of stdin.
func TestFakeMicrosoftProcess(t *testing.T) {
	if os.Getenv("AUDIT_FAKE_HELPER") == "" {
		t.Skip("the helper process of BenchmarkAuditLoad")
	}
	n, _ := strconv.Atoi(os.Getenv("AUDIT_FAKE_N"))
	domains, _ := strconv.Atoi(os.Getenv("AUDIT_FAKE_DOMAINS"))
	latency, _ := time.ParseDuration(os.Getenv("AUDIT_FAKE_LATENCY"))
	f := msaccounttest.New(t)
	for d := range domains {
		f.AddDomain(msaccounttest.Domain{Name: fmt.Sprintf("org%d.example.com", d), Type: msaccounttest.TypeManaged,
			TenantID: fmt.Sprintf("%08x-0000-4000-8000-000000000000", d+1), Brand: fmt.Sprintf("Org %d", d), Region: "EU"})
	}
	for i := range n {
		a, acct := loadAddress(i, domains)
		f.AddAccount(a, acct)
	}
	f.SetLatency(latency)
	fmt.Printf("URL %s\n", f.URL)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fmt.Printf("STATS %d %d %d\n", f.Requests(msaccounttest.EndpointRealm), f.Requests(msaccounttest.EndpointOpenID), f.Requests(msaccounttest.EndpointCredentialType))
	}
}

// fakeProcess is a running TestFakeMicrosoftProcess.
type fakeProcess struct {
	URL   string
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines *bufio.Scanner
}

func startFake(b *testing.B, n, domains int, latency time.Duration) *fakeProcess {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFakeMicrosoftProcess$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "AUDIT_FAKE_HELPER=1", fmt.Sprintf("AUDIT_FAKE_N=%d", n),
		fmt.Sprintf("AUDIT_FAKE_DOMAINS=%d", domains), "AUDIT_FAKE_LATENCY="+latency.String())
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p := &fakeProcess{cmd: cmd, in: in, lines: bufio.NewScanner(out)}
	for p.lines.Scan() {
		if u, ok := strings.CutPrefix(p.lines.Text(), "URL "); ok {
			p.URL = u
			return p
		}
	}
	b.Fatal("the fake process did not start")
	return nil
}

// requests returns the requests the fake received: realm, openid, credtype.
func (p *fakeProcess) requests(b *testing.B) (realm, openid, credtype int) {
	fmt.Fprintln(p.in, "stats")
	for p.lines.Scan() {
		if _, err := fmt.Sscanf(p.lines.Text(), "STATS %d %d %d", &realm, &openid, &credtype); err == nil {
			return
		}
	}
	b.Fatal("no stats from the fake process")
	return
}

func (p *fakeProcess) stop() {
	p.in.Close()
	p.cmd.Wait()
}

// heapPeaks samples the heap until stopped.
type heapPeaks struct {
	stop       chan struct{}
	wg         sync.WaitGroup
	objects    uint64 // peak of heap objects, live and not yet swept
	live       uint64 // peak of the live heap after a GC
	goroutines int
}

func sampleHeap() *heapPeaks {
	h := &heapPeaks{stop: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	h.wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(samples)
			h.objects = max(h.objects, samples[0].Value.Uint64())
			h.live = max(h.live, samples[1].Value.Uint64())
			h.goroutines = max(h.goroutines, runtime.NumGoroutine())
			select {
			case <-tick.C:
			case <-h.stop:
				return
			}
		}
	})
	return h
}

func (h *heapPeaks) done() { close(h.stop); h.wg.Wait() }

// peakRSS is the process's peak resident set (Linux), in bytes.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkAuditLoad audits -audit.n addresses over -audit.domains managed
// domains against the fake Microsoft answering after -audit.latency, at
// -audit.rate and -audit.concurrency, reading the list as a file would be
// read and writing JSONL to a temporary file. It reports the wall time,
// the requests Microsoft received, and the audit's heap (the fake runs in
// another process). Run it with -benchtime 1x.
func BenchmarkAuditLoad(b *testing.B) {
	n, domains := *loadN, *loadDomains
	var list strings.Builder
	for i := range n {
		a, _ := loadAddress(i, domains)
		list.WriteString(a + "\n")
	}
	for b.Loop() {
		fake := startFake(b, n, domains, *loadLatency)
		runtime.GC()
		heap := sampleHeap()
		start := time.Now()

		in, _, err := Read(strings.NewReader(list.String()), ReadOptions{Name: "users.txt"})
		if err != nil {
			b.Fatal(err)
		}
		cfg := Config{Rate: *loadRate, Concurrency: *loadConcurrency}
		c := msaccount.New(cfg.Lookup(msaccount.Config{LoginURL: fake.URL}), nil)
		outPath := filepath.Join(b.TempDir(), "out.jsonl")
		out, err := os.Create(outPath)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := Run(context.Background(), c, Job{Inputs: in, Out: NewWriter(out, JSONL, true)}, cfg)
		if err != nil {
			b.Fatal(err)
		}
		out.Close()
		wall := time.Since(start)
		heap.done()
		realm, openid, credtype := fake.requests(b)
		fake.stop()

		if sum.Rows != n || len(sum.Unsettled) != 0 || sum.Kinds[msaccount.KindUnknown] != 0 {
			b.Fatalf("rows %d of %d, unsettled %d, unknown %d", sum.Rows, n, len(sum.Unsettled), sum.Kinds[msaccount.KindUnknown])
		}
		st, _ := os.Stat(outPath)
		requests := realm + openid + credtype
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(float64(requests), "upstream-requests")
		b.ReportMetric(float64(requests)/wall.Seconds(), "requests/s")
		b.ReportMetric(float64(n)/wall.Seconds(), "rows/s")
		b.ReportMetric(float64(heap.objects)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(heap.live)/(1<<20), "peak-live-heap-MiB")
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
		b.ReportMetric(float64(st.Size())/(1<<20), "output-MiB")
		b.Logf("%d addresses over %d domains, rate %v, concurrency %d, latency %v: %v; requests realm %d, openid %d, credtype %d; throttle signals %d; peak goroutines %d",
			n, domains, *loadRate, *loadConcurrency, *loadLatency, wall.Round(time.Millisecond), realm, openid, credtype, sum.ThrottleSignals, heap.goroutines)
	}
}
