package msaccount_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

var verdictLatency = flag.Duration("verdict.latency", 150*time.Millisecond, "latency of the Microsoft fake in BenchmarkCallsPerVerdict")

// BenchmarkOffline measures a whole offline verdict, parsing included, on
// one goroutine (run with -cpu 1 for the one-core figure).
func BenchmarkOffline(b *testing.B) {
	inputs := []string{"Alex@Contoso.com", "sam@outlook.com", "kim@gmail.com", "x@contoso.onmicrosoft.com"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		v := msaccount.CheckOffline(inputs[i%len(inputs)])
		if v.Error != "" {
			b.Fatal(v.Error)
		}
		i++
	}
}

// BenchmarkCachedOnline measures a verdict answered from the cache of the
// online client, parsing included.
func BenchmarkCachedOnline(b *testing.B) {
	f := newBenchFake(b, 0)
	c := msaccount.New(msaccount.Config{LoginURL: f.URL, RatePerSecond: 1e6}, nil)
	ctx := context.Background()
	if v := c.Check(ctx, "alex@contoso.com"); v.Kind != msaccount.KindBoth {
		b.Fatalf("warm-up kind = %s", v.Kind)
	}
	b.ReportAllocs()
	for b.Loop() {
		if v := c.Check(ctx, "Alex@Contoso.com"); v.Kind != msaccount.KindBoth {
			b.Fatal(v.Kind)
		}
	}
	if f.Requests(msaccounttest.EndpointRealm) != 1 {
		b.Fatalf("realm requests = %d", f.Requests(msaccounttest.EndpointRealm))
	}
}

func newBenchFake(tb testing.TB, latency time.Duration) *msaccounttest.Server {
	f := msaccounttest.New(tb)
	for d := range 100 {
		f.AddDomain(msaccounttest.Domain{Name: fmt.Sprintf("org%d.example.com", d), Type: msaccounttest.TypeManaged,
			TenantID: fmt.Sprintf("%08d-0000-0000-0000-000000000000", d), Brand: "Org", Region: "EU"})
	}
	f.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: contosoTenant, Brand: "Contoso Ltd", Region: "EU"})
	f.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	f.SetLatency(latency)
	return f
}

// BenchmarkBulk10k looks up 10,000 addresses (100 per domain over 100
// domains, each address asked twice) against the fake answering in 50 ms,
// and reports upstream requests and wall time. The floor is distinct
// addresses × calls per address ÷ allowed concurrency.
func BenchmarkBulk10k(b *testing.B) {
	for _, conc := range []int{16, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			for b.Loop() {
				f := newBenchFake(b, 50*time.Millisecond)
				c := msaccount.New(msaccount.Config{LoginURL: f.URL, MaxConcurrent: conc, RatePerSecond: 1e6, CallTimeout: 10 * time.Second, Budget: time.Hour}, nil)
				inputs := make(chan string)
				go func() {
					for i := range 10000 {
						inputs <- fmt.Sprintf("user%d@org%d.example.com", (i/2)%50, (i/100)%100)
					}
					close(inputs)
				}()
				start := time.Now()
				var wg sync.WaitGroup
				var unknown atomic.Int64
				for range 2 * conc {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for in := range inputs {
							if c.Check(context.Background(), in).Work != msaccount.No {
								unknown.Add(1)
							}
						}
					}()
				}
				wg.Wait()
				wall := time.Since(start)
				reqs := f.Requests(msaccounttest.EndpointRealm) + f.Requests(msaccounttest.EndpointOpenID) + f.Requests(msaccounttest.EndpointCredentialType)
				if unknown.Load() != 0 {
					b.Fatalf("%d lookups not settled", unknown.Load())
				}
				b.ReportMetric(float64(reqs), "upstream-requests")
				b.ReportMetric(wall.Seconds(), "wall-s")
				floor := float64(5000*2+100) * 0.05 / float64(conc)
				b.ReportMetric(floor, "floor-s")
				runtime.GC()
			}
		})
	}
}

// verdictCases are the kinds of domain a verdict can meet, for the figures
// of calls and round trips per verdict. A cold case meets a client that
// knows nothing yet; a warm one a client that has answered another address
// at the same domain.
var verdictCases = []struct {
	name, input, other string
}{
	{"managed", "wendy@contoso.com", "ghost@contoso.com"},
	{"unmanaged", "vic@viral-example.com", "ghost@viral-example.com"},
	{"federated", "jo@fabrikam.com", "ghost@fabrikam.com"},
	{"consumer", "sam@outlook.com", "ghost@outlook.com"},
	{"none-unlisted", "lee@no-tenant.example.org", "ghost@no-tenant.example.org"},
	{"none-mail-provider", "kim@gmail.com", "ghost@gmail.com"},
	{"initial-domain", "x@contoso.onmicrosoft.com", "ghost@contoso.onmicrosoft.com"},
	{"bare-managed-domain", "contoso.com", ""},
}

// BenchmarkCallsPerVerdict reports, for each kind of domain, cold and warm,
// the calls one verdict sends to Microsoft (by endpoint) and how long it
// takes with every call answered after -verdict.latency: the wall time over
// the latency is the number of round trips one after the other.
//
//	go test ./internal/msaccount -run XXX -bench CallsPerVerdict -benchtime 10x
func BenchmarkCallsPerVerdict(b *testing.B) {
	for _, tc := range verdictCases {
		for _, warm := range []bool{false, true} {
			if warm && tc.other == "" {
				continue
			}
			name := tc.name + "/cold"
			if warm {
				name = tc.name + "/warm"
			}
			b.Run(name, func(b *testing.B) {
				f := newFake(&testing.T{})
				f.AddDomain(msaccounttest.Domain{Name: "contoso.onmicrosoft.com", Type: msaccounttest.TypeManaged, TenantID: contosoTenant, Brand: "Contoso Ltd", Region: "EU"})
				f.SetLatency(*verdictLatency)
				var calls [3]int
				var wall time.Duration
				n := 0
				for b.Loop() {
					b.StopTimer()
					c := newClient(f, msaccount.Config{})
					if warm {
						c.Check(context.Background(), tc.other)
					}
					before := [3]int{f.Requests(msaccounttest.EndpointRealm), f.Requests(msaccounttest.EndpointOpenID), f.Requests(msaccounttest.EndpointCredentialType)}
					b.StartTimer()
					start := time.Now()
					v := c.Check(context.Background(), tc.input)
					wall += time.Since(start)
					if v.Error != "" || v.Certainty == msaccount.Unconfirmed {
						b.Fatalf("%s: %+v", tc.input, v)
					}
					calls[0] += f.Requests(msaccounttest.EndpointRealm) - before[0]
					calls[1] += f.Requests(msaccounttest.EndpointOpenID) - before[1]
					calls[2] += f.Requests(msaccounttest.EndpointCredentialType) - before[2]
					n++
				}
				b.ReportMetric(float64(calls[0]+calls[1]+calls[2])/float64(n), "calls/verdict")
				b.ReportMetric(float64(calls[0])/float64(n), "realm/verdict")
				b.ReportMetric(float64(calls[1])/float64(n), "openid/verdict")
				b.ReportMetric(float64(calls[2])/float64(n), "credtype/verdict")
				b.ReportMetric(float64(wall.Milliseconds())/float64(n), "ms/verdict")
				b.ReportMetric(float64(wall)/float64(n)/float64(*verdictLatency), "latencies/verdict")
			})
		}
	}
}
