package redistest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder stands in for a test to see whether Start skips or fails.
type recorder struct {
	testing.TB
	skipped, failed string
}

type stopped struct{}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, a ...any) {
	r.skipped = fmt.Sprintf(format, a...)
	panic(stopped{})
}
func (r *recorder) Fatalf(format string, a ...any) {
	r.failed = fmt.Sprintf(format, a...)
	panic(stopped{})
}

func startWith(t *testing.T) *recorder {
	r := &recorder{TB: t}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(stopped); !ok {
					panic(p)
				}
			}
		}()
		Start(r)
	}()
	return r
}

// TestMissingBinary: without redis-server a test skips and says why, and
// under CI=true it fails.
func TestMissingBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("CI", "")
	if r := startWith(t); r.skipped == "" || !strings.Contains(r.skipped, "redis-server is not installed") || r.failed != "" {
		t.Errorf("without CI: skipped %q, failed %q", r.skipped, r.failed)
	}
	t.Setenv("CI", "true")
	if r := startWith(t); r.failed == "" || r.skipped != "" {
		t.Errorf("with CI=true: skipped %q, failed %q", r.skipped, r.failed)
	}
}

// TestStartsItsOwn starts two servers: each on its own port, both answering.
func TestStartsItsOwn(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Addr == b.Addr || strings.HasSuffix(a.Addr, ":6379") {
		t.Errorf("servers at %s and %s", a.Addr, b.Addr)
	}
	for _, s := range []*Server{a, b} {
		if err := ping(s.Addr); err != nil {
			t.Errorf("%s: %v", s.Addr, err)
		}
	}
}
