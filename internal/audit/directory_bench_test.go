package audit

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/directory/directorytest"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// The figures of docs/performance.md for the whole-tenant audit:
//
//	go test ./internal/audit -run XXX -bench DirectoryAudit -benchtime 1x -timeout 30m -dir.members 5000 -dir.rate 200
//	go test ./internal/audit -run XXX -bench DirectoryAudit -benchtime 1x -timeout 30m -dir.members 5000 -dir.rate 200 -dir.concurrency 16
//	go test ./internal/audit -run XXX -bench DirectoryAudit -benchtime 1x -timeout 30m -dir.members 200 -dir.rate 5
var (
	dirMembers     = flag.Int("dir.members", 5000, "BenchmarkDirectoryAudit: members of the fake tenant (3 % overlapping, every tenth with an alias)")
	dirRate        = flag.Float64("dir.rate", DefaultRate, "BenchmarkDirectoryAudit: --rate")
	dirConcurrency = flag.Int("dir.concurrency", DefaultConcurrency, "BenchmarkDirectoryAudit: --concurrency")
	dirLatency     = flag.Duration("dir.latency", 50*time.Millisecond, "BenchmarkDirectoryAudit: the sign-in fake's latency")
	dirPage        = flag.Duration("dir.page", 300*time.Millisecond, "BenchmarkDirectoryAudit: Graph's latency per request")
)

// BenchmarkDirectoryAudit runs `audit --directory` as cmd wires it
// (ReadTenant, then Run with a personal-only bulk client, CSV to a file)
// over a fake tenant, and reports the wall time and every call made.
func BenchmarkDirectoryAudit(b *testing.B) {
	for b.Loop() {
		ft := newFakeTenant(b, *dirMembers)
		ft.signIn.SetLatency(*dirLatency)
		ft.graph.SetLatency(*dirPage)
		cfg := Config{Rate: *dirRate, Concurrency: *dirConcurrency}
		path := filepath.Join(b.TempDir(), "tenant.csv")
		start := time.Now()
		out, err := OpenOutput(path, CSV, false)
		if err != nil {
			b.Fatal(err)
		}
		tenant, err := ReadTenant(context.Background(), ft.dir, nil)
		if err != nil {
			b.Fatal(err)
		}
		read := time.Since(start)
		c := ft.client(cfg)
		sum, err := Run(context.Background(), tenant.Checker(c), Job{Inputs: tenant.Inputs(nil), Out: NewDirectoryWriter(out, CSV, out.Header, "fix {address}")}, cfg)
		out.Close()
		wall := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Rows != ft.addrs || len(sum.Overlapping) != len(ft.overlaps) || sum.Unconfirmed != 0 {
			b.Fatalf("rows %d of %d, overlaps %d of %d, unconfirmed %d", sum.Rows, ft.addrs, len(sum.Overlapping), len(ft.overlaps), sum.Unconfirmed)
		}
		realm, openid, credtype := ft.signIn.Requests(msaccounttest.EndpointRealm), ft.signIn.Requests(msaccounttest.EndpointOpenID), ft.signIn.Requests(msaccounttest.EndpointCredentialType)
		pages, tokens := ft.graph.Requests(directorytest.Users), ft.graph.Requests(directorytest.Token)
		st, _ := os.Stat(path)
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(float64(realm+openid+credtype), "signin-calls")
		b.ReportMetric(float64(pages+tokens), "graph-calls")
		b.ReportMetric(float64(realm+openid+credtype)/wall.Seconds(), "signin-calls/s")
		b.Logf("%d members, %d addresses, %d overlaps; rate %v, concurrency %d, sign-in latency %v, Graph latency %v: %v (members read in %v); sign-in calls realm %d, openid %d, credtype %d; Graph pages %d, tokens %d; output %d bytes",
			ft.members, ft.addrs, len(sum.Overlapping), *dirRate, *dirConcurrency, *dirLatency, *dirPage, wall.Round(time.Millisecond), read.Round(time.Millisecond),
			realm, openid, credtype, pages, tokens, st.Size())
	}
}
