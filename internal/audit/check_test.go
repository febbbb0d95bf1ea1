package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

func checkFake(t *testing.T) (*msaccounttest.Server, *msaccount.Client) {
	t.Helper()
	f := msaccounttest.New(t)
	f.AddDomain(msaccounttest.Domain{Name: "contoso.com", Type: msaccounttest.TypeManaged, TenantID: "72f988bf-0000-0000-0000-2d7cd011db47", Brand: "Contoso Ltd", Region: "EU"})
	f.AddDomain(msaccounttest.Domain{Name: "outlook.com", Type: msaccounttest.TypeConsumer})
	f.AddAccount("alex@contoso.com", msaccounttest.Account{Personal: true, Work: true})
	f.AddAccount("sam@outlook.com", msaccounttest.Account{Personal: true})
	return f, msaccount.New(msaccount.Config{LoginURL: f.URL, RatePerSecond: 1000}, nil)
}

func TestCheckJSONInInputOrder(t *testing.T) {
	f, c := checkFake(t)
	f.SetLatency(5 * time.Millisecond)
	inputs := []string{"alex@contoso.com", "bad@", "sam@outlook.com", "contoso.com", "Alex@Contoso.com", "nobody@contoso.com"}
	var out strings.Builder
	if err := Check(context.Background(), c, Args(inputs[:2], strings.NewReader("")), &out, true); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	f.Reset()
	stdin := strings.Join(inputs[2:], "\n\n  ") + "\n"
	if err := Check(context.Background(), c, Args([]string{inputs[0], inputs[1], "-"}, strings.NewReader(stdin)), &out, true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(inputs), out.String())
	}
	for i, l := range lines {
		var v msaccount.Verdict
		if err := json.Unmarshal([]byte(l), &v); err != nil || v.Input != inputs[i] {
			t.Errorf("line %d = %s, want the verdict for %q", i, l, inputs[i])
		}
		want, _ := json.Marshal(v)
		if l != string(want) {
			t.Errorf("line %d is not the verdict JSON:\n%s\n%s", i, l, want)
		}
	}
	var repeat msaccount.Verdict
	json.Unmarshal([]byte(lines[4]), &repeat)
	if repeat.Kind != msaccount.KindBoth || repeat.Error != "" {
		t.Errorf("a repeated address is looked up again, not reported as a duplicate: %s", lines[4])
	}
	if !strings.Contains(lines[1], `"error":"`) || strings.Contains(lines[1], `"error":""`) {
		t.Errorf("invalid input line = %s", lines[1])
	}
	// alex (first run), then from the cache: only sam and nobody are new.
	if n := f.Requests(msaccounttest.EndpointRealm); n != 2 {
		t.Errorf("realm requests = %d, want 2", n)
	}
}

func TestCheckTable(t *testing.T) {
	_, c := checkFake(t)
	var out strings.Builder
	if err := Check(context.Background(), c, Args([]string{"alex@contoso.com", "x\x07y@", "contoso.com"}, nil), &out, false); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(rows) != 4 {
		t.Fatalf("table:\n%s", out.String())
	}
	if f := strings.Fields(rows[0]); strings.Join(f, " ") != "INPUT KIND PERSONAL WORK DOMAIN CERTAINTY WHY" {
		t.Errorf("header = %q", rows[0])
	}
	if f := strings.Fields(rows[1]); f[0] != "alex@contoso.com" || f[1] != "both" || f[2] != "yes" || f[3] != "yes" || f[4] != "managed" || f[5] != "(Contoso" {
		t.Errorf("row = %q", rows[1])
	}
	// Columns line up: KIND starts at the same place on every row.
	col := strings.Index(rows[0], "KIND")
	for _, r := range rows[1:] {
		if len(r) < col || r[col-1] != ' ' || r[col] == ' ' {
			t.Errorf("misaligned row %q (KIND at %d)", r, col)
		}
	}
	if !strings.Contains(rows[2], "x y@") || !strings.Contains(rows[2], "error") {
		t.Errorf("invalid row = %q", rows[2])
	}
}

// TestCheckStreamsStdin: a verdict is written while stdin is still open.
func TestCheckStreamsStdin(t *testing.T) {
	_, c := checkFake(t)
	in, feed := io.Pipe()
	out, collect := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Check(context.Background(), c, Args([]string{"-"}, in), collect, true)
		collect.Close()
	}()
	lines := bufio.NewScanner(out)
	io.WriteString(feed, "alex@contoso.com\n")
	got := make(chan string, 1)
	go func() {
		if lines.Scan() {
			got <- lines.Text()
		}
	}()
	select {
	case l := <-got:
		if !strings.Contains(l, `"kind":"both"`) {
			t.Errorf("first line = %s", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no verdict before stdin ended")
	}
	feed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestCheckWritesEachVerdictAtOnce: with someone waiting for each verdict,
// it is written as soon as it is known, not when the pipeline next idles
// for flushAfter (which made every interactive check 200 ms slower).
func TestCheckWritesEachVerdictAtOnce(t *testing.T) {
	c := msaccount.New(msaccount.Config{Offline: true}, nil)
	in, feed := io.Pipe()
	out, collect := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Check(context.Background(), c, Args([]string{"-"}, in), collect, true)
		collect.Close()
	}()
	lines := bufio.NewReader(out)
	var slowest time.Duration
	for _, addr := range []string{"a@contoso.com", "b@outlook.com", "c@gmail.com", "d@contoso.com", "e@outlook.com"} {
		start := time.Now()
		io.WriteString(feed, addr+"\n")
		l, err := lines.ReadString('\n')
		if err != nil || !strings.Contains(l, addr) {
			t.Fatalf("verdict for %s: %q %v", addr, l, err)
		}
		slowest = max(slowest, time.Since(start))
	}
	feed.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// An offline verdict takes microseconds; waiting out flushAfter took
	// at least 200 ms every time.
	if slowest >= flushAfter {
		t.Errorf("slowest verdict came %v after its input, want well under %v", slowest, flushAfter)
	}
}
