package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
	"github.com/gosmarter/whichaccount/internal/msaccount/msaccounttest"
)

// world is a fake Microsoft with domains of every type, and what the
// verdict of each address there must be.
type world struct {
	f       *msaccounttest.Server
	domains []worldDomain
	truth   map[string]msaccounttest.Account // by lowercase address
}

type worldDomain struct {
	name string
	typ  msaccount.DomainType
}

func newWorld(t testing.TB, managed int) *world {
	t.Helper()
	w := &world{f: msaccounttest.New(t), truth: map[string]msaccounttest.Account{}}
	add := func(d msaccounttest.Domain, typ msaccount.DomainType) {
		if d.Type != msaccounttest.TypeNone {
			w.f.AddDomain(d)
		}
		w.domains = append(w.domains, worldDomain{d.Name, typ})
	}
	for i := range managed {
		add(msaccounttest.Domain{Name: fmt.Sprintf("m%d.example.com", i), Type: msaccounttest.TypeManaged,
			TenantID: fmt.Sprintf("%08x-0000-4000-8000-000000000000", i+1), Brand: fmt.Sprintf("Org %d", i), Region: "EU"}, msaccount.Managed)
	}
	if managed >= 5 {
		add(msaccounttest.Domain{Name: "fed.example.net", Type: msaccounttest.TypeFederated, TenantID: "fed00000-0000-4000-8000-000000000000", Brand: "Fed", STSHost: "sts.fed.example.net"}, msaccount.Federated)
		add(msaccounttest.Domain{Name: "viral.example.org", Type: msaccounttest.TypeUnmanaged, TenantID: "0fa10000-0000-4000-8000-000000000000", Brand: "viral.example.org"}, msaccount.Unmanaged)
		add(msaccounttest.Domain{Name: "outlook.com", Type: msaccounttest.TypeConsumer}, msaccount.Consumer)
		add(msaccounttest.Domain{Name: "hotmail.com", Type: msaccounttest.TypeConsumer}, msaccount.Consumer)
		add(msaccounttest.Domain{Name: "gmail.com", Type: msaccounttest.TypeNone}, msaccount.NoTenant)
		add(msaccounttest.Domain{Name: "nobody.example.org", Type: msaccounttest.TypeNone}, msaccount.NoTenant)
	}
	return w
}

// address makes up the address i at domain d, with random accounts.
func (w *world) address(r *rand.Rand, i int, d worldDomain) string {
	a := fmt.Sprintf("user%d@%s", i, d.name)
	acct := msaccounttest.Account{Personal: r.IntN(3) == 0, Work: r.IntN(4) != 0}
	w.truth[a] = acct
	w.f.AddAccount(a, acct)
	return a
}

// want is the verdict the design requires for address at a domain of
// type typ: managed tenants settle both questions; federated ones leave
// the work account unknown; consumer and ownerless domains have no work
// accounts.
func (w *world) want(address string, typ msaccount.DomainType) msaccount.Kind {
	a := w.truth[address]
	yn := func(b bool) msaccount.Answer {
		if b {
			return msaccount.Yes
		}
		return msaccount.No
	}
	switch typ {
	case msaccount.Managed, msaccount.Unmanaged:
		return msaccount.KindOf(yn(a.Personal), yn(a.Work))
	case msaccount.Consumer, msaccount.NoTenant:
		return msaccount.KindOf(yn(a.Personal), msaccount.No)
	}
	return msaccount.KindUnknown
}

func (w *world) client(cfg Config, base msaccount.Config) *msaccount.Client {
	base.LoginURL = w.f.URL
	return msaccount.New(cfg.Lookup(base), nil)
}

// mixedLine is one line of a generated list and what its row must say.
type mixedLine struct {
	text    string
	blank   bool // not an entry: no row
	address string
	domain  worldDomain
	dupOf   int    // line of the first occurrence, for a duplicate
	bad     bool   // not an address (or empty)
	line    int    // line number
	wantErr string // the row's error, for a bad line
}

var badLines = []string{
	"not an address", "foo@", "@", "a b@m0.example.com", "x@localhost", "john..doe@m1.example.com",
	`=HYPERLINK("http://evil.example")`, strings.Repeat("a", 600) + "@m0.example.com", "ünï@m0.example.com",
	"x@[10.0.0.1]", "x@10.0.0.1", "x@contoso.local", "two@@m0.example.com", "\x00\x01", "x@co.uk", "   ",
	"user@-bad-.example.com", "mailto:", "<>",
}

// mixedList generates n lines: valid addresses over the world's domains,
// bad lines, duplicates (in other cases and wrappings) and blank lines.
func mixedList(w *world, n int, seed uint64) []mixedLine {
	r := rand.New(rand.NewPCG(seed, seed))
	var out []mixedLine
	var valid []mixedLine
	for i := 0; len(out) < n; i++ {
		ln := mixedLine{line: len(out) + 1}
		switch p := r.IntN(100); {
		case p < 3:
			ln.blank = true
		case p < 11:
			ln.text = badLines[r.IntN(len(badLines))]
			ln.bad = true
		case p < 17 && len(valid) > 0:
			first := valid[r.IntN(len(valid))]
			ln.address, ln.domain, ln.dupOf = first.address, first.domain, first.line
			switch r.IntN(3) {
			case 0:
				ln.text = strings.ToUpper(first.address)
			case 1:
				ln.text = fmt.Sprintf(`"User %d" <%s>`, i, first.address)
			default:
				ln.text = "  " + first.address + ","
			}
		default:
			d := w.domains[r.IntN(len(w.domains))]
			ln.address = w.address(r, i, d)
			ln.domain = d
			ln.text = ln.address
			if r.IntN(5) == 0 {
				ln.text = strings.ToUpper(ln.text[:1]) + ln.text[1:]
			}
			valid = append(valid, ln)
		}
		if ln.bad {
			_, err := msaccount.Parse(ln.text)
			if err == nil {
				panic("bad line parses: " + ln.text)
			}
			ln.wantErr = err.Error()
		}
		out = append(out, ln)
	}
	return out
}

func listText(ls []mixedLine) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.text)
		b.WriteString("\n")
	}
	return b.String()
}

// decodeRows reads JSONL output back.
func decodeRows(t *testing.T, b []byte) []msaccount.Verdict {
	t.Helper()
	rows, n, err := ReadRows(bytes.NewReader(b), int64(len(b)), JSONL)
	if err != nil || n != int64(len(b)) {
		t.Fatalf("ReadRows: n %d of %d: %v", n, len(b), err)
	}
	return rows
}

// checkRows compares the rows with the lines they are for, and returns how
// many were checked against the truth.
func checkRows(t *testing.T, w *world, ls []mixedLine, rows []msaccount.Verdict) {
	t.Helper()
	var entries []mixedLine
	for _, l := range ls {
		if !l.blank {
			entries = append(entries, l)
		}
	}
	if len(rows) != len(entries) {
		t.Fatalf("%d rows for %d entries", len(rows), len(entries))
	}
	bad := 0
	for i, l := range entries {
		v := rows[i]
		if v.Input != l.text && !sameInput(v.Input, l.text) {
			t.Fatalf("row %d is for %q, want line %d %q: out of order", i, v.Input, l.line, l.text)
		}
		switch {
		case l.bad:
			if v.Error != l.wantErr {
				t.Errorf("line %d %q: error %q, want %q", l.line, l.text, v.Error, l.wantErr)
			}
		case l.dupOf > 0:
			if want := fmt.Sprintf("duplicate of line %d", l.dupOf); v.Error != want || v.Address != l.address {
				t.Errorf("line %d %q: error %q address %q, want %q %q", l.line, l.text, v.Error, v.Address, want, l.address)
			}
		default:
			if want := w.want(l.address, l.domain.typ); v.Kind != want || v.Domain.Type != l.domain.typ || v.Error != "" {
				if bad++; bad < 10 {
					t.Errorf("line %d %s (%s): kind %s type %s error %q, want %s %s; evidence %v", l.line, l.address, l.domain.typ, v.Kind, v.Domain.Type, v.Error, want, l.domain.typ, v.Evidence)
				}
			}
		}
	}
}

func TestRunMixedList(t *testing.T) {
	w := newWorld(t, 12)
	ls := mixedList(w, 5000, 1)
	in, src, err := Read(strings.NewReader(listText(ls)), ReadOptions{Name: "users.txt"})
	if err != nil || src.CSV {
		t.Fatalf("Read: %v %+v", err, src)
	}
	cfg := Config{Rate: 1e6, Concurrency: 8}
	c := w.client(cfg, msaccount.Config{})
	var out, progress bytes.Buffer
	sum, err := Run(context.Background(), c, Job{Inputs: in, Out: NewWriter(&out, JSONL, true), Progress: NewProgress(&progress, false, time.Hour)}, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	rows := decodeRows(t, out.Bytes())
	checkRows(t, w, ls, rows)

	// The summary agrees with the list.
	kinds := map[msaccount.Kind]int{}
	types := map[msaccount.DomainType]int{}
	overlaps := map[string]int{}
	distinct := map[string]bool{}
	credtype, tenants := 0, map[string]bool{}
	nbad, ndup, entries := 0, 0, 0
	for _, l := range ls {
		switch {
		case l.blank:
			continue
		case l.bad:
			nbad++
		case l.dupOf > 0:
			ndup++
		default:
			k := w.want(l.address, l.domain.typ)
			kinds[k]++
			types[l.domain.typ]++
			if k == msaccount.KindBoth {
				overlaps[l.domain.name]++
			}
			distinct[l.address] = true
			switch l.domain.typ {
			case msaccount.Managed, msaccount.Unmanaged:
				credtype++
				tenants[l.domain.name] = true
			case msaccount.Federated:
				tenants[l.domain.name] = true
			case msaccount.NoTenant:
				// A domain on no built-in list has its tenant asked for
				// together with its realm, before the realm says none owns it.
				if !msaccount.IsMailProvider(l.domain.name) {
					tenants[l.domain.name] = true
				}
			}
		}
		entries++
	}
	if sum.Inputs != entries || sum.Rows != entries || sum.Interrupted || sum.Resumed != 0 {
		t.Errorf("summary inputs %d rows %d interrupted %v resumed %d, want %d rows", sum.Inputs, sum.Rows, sum.Interrupted, sum.Resumed, entries)
	}
	if fmt.Sprint(sum.Kinds) != fmt.Sprint(kinds) || fmt.Sprint(sum.DomainTypes) != fmt.Sprint(types) {
		t.Errorf("summary kinds %v types %v, want %v %v", sum.Kinds, sum.DomainTypes, kinds, types)
	}
	gotOverlaps := map[string]int{}
	for i, o := range sum.Overlaps {
		gotOverlaps[o.Domain] = o.Count
		if i > 0 && o.Count > sum.Overlaps[i-1].Count {
			t.Errorf("overlaps not sorted: %v", sum.Overlaps)
		}
	}
	if fmt.Sprint(gotOverlaps) != fmt.Sprint(overlaps) {
		t.Errorf("overlaps %v, want %v", gotOverlaps, overlaps)
	}
	if len(sum.Bad) != nbad+ndup || sum.Duplicates != ndup || len(sum.Unsettled) != 0 || sum.LookedUp != len(distinct) {
		t.Errorf("bad %d (dup %d) unsettled %d looked up %d; want %d (%d) 0 %d", len(sum.Bad), sum.Duplicates, len(sum.Unsettled), sum.LookedUp, nbad+ndup, ndup, len(distinct))
	}
	if nbad < 300 || ndup < 200 || len(distinct) < 3500 {
		t.Errorf("the generated list is too tame: %d bad, %d duplicates, %d addresses", nbad, ndup, len(distinct))
	}

	// Microsoft was asked about each address once, each domain's tenant at most once.
	f := w.f
	if got := f.Requests(msaccounttest.EndpointRealm); got != len(distinct) {
		t.Errorf("realm requests = %d, want %d (one per distinct address)", got, len(distinct))
	}
	if got := f.Requests(msaccounttest.EndpointCredentialType); got != credtype {
		t.Errorf("GetCredentialType requests = %d, want %d", got, credtype)
	}
	if got := f.Requests(msaccounttest.EndpointOpenID); got != len(tenants) {
		t.Errorf("OpenID requests = %d, want %d (one per tenant domain and per unlisted ownerless domain)", got, len(tenants))
	}
	if sum.Calls["realm"] != int64(len(distinct)) {
		t.Errorf("summary calls = %v", sum.Calls)
	}

	var text bytes.Buffer
	sum.Write(&text)
	for _, want := range []string{
		fmt.Sprintf("%s of %s rows", num(entries), num(entries)),
		fmt.Sprintf("both %s", num(kinds[msaccount.KindBoth])),
		fmt.Sprintf("federated %s", num(types[msaccount.Federated])),
		fmt.Sprintf("bad lines: %s (%s duplicates)", num(nbad+ndup), num(ndup)),
		"duplicate of line", "m0.example.com", "… and",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.HasPrefix(progress.String(), fmt.Sprintf("audit: %s entries; %s to look up", num(entries), num(len(distinct)))) {
		t.Errorf("plan line: %q", progress.String())
	}
	t.Logf("summary:\n%s", text.String())
}

// cancelAfter cancels a run once it has written n rows.
type cancelAfter struct {
	*Writer
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(r Row) error {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return c.Writer.Write(r)
}

func TestRunResumeChecksEachAddressOnce(t *testing.T) {
	for _, format := range []Format{JSONL, CSV} {
		t.Run(string(format), func(t *testing.T) {
			w := newWorld(t, 8)
			w.f.SetLatency(2 * time.Millisecond)
			ls := mixedList(w, 600, 2)
			in, _, err := Read(strings.NewReader(listText(ls)), ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Rate: 1e6, Concurrency: 4}

			// The first run is interrupted after 150 rows.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out bytes.Buffer
			first, err := Run(ctx, w.client(cfg, msaccount.Config{}), Job{Inputs: in, Out: &cancelAfter{NewWriter(&out, format, true), 150, cancel}}, cfg)
			if !errors.Is(err, context.Canceled) || !first.Interrupted || first.Rows < 150 || first.Rows >= len(in) {
				t.Fatalf("interrupted run: %v, %d of %d rows", err, first.Rows, len(in))
			}
			// …and killed while writing: half a row at the end.
			written := out.Len()
			out.WriteString(`"half@m0.example.com","half`)

			done, n, err := ReadRows(bytes.NewReader(out.Bytes()), int64(out.Len()), format)
			if err != nil || n != int64(written) || len(done) != first.Rows {
				t.Fatalf("ReadRows = %d rows, n %d (want %d rows, n %d), %v", len(done), n, first.Rows, written, err)
			}
			out.Truncate(int(n))

			// The resumed run is a new process: a new client, empty caches.
			second, err := Run(context.Background(), w.client(cfg, msaccount.Config{}), Job{Inputs: in, Done: done, Out: NewWriter(&out, format, n == 0)}, cfg)
			if err != nil || second.Resumed != first.Rows || second.Rows != len(in) || second.Interrupted {
				t.Fatalf("resumed run: %v, resumed %d, rows %d of %d", err, second.Resumed, second.Rows, len(in))
			}
			all, _, err := ReadRows(bytes.NewReader(out.Bytes()), int64(out.Len()), format)
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, w, ls, all)

			distinct, credtype := map[string]bool{}, 0
			for _, l := range ls {
				if l.address != "" && l.dupOf == 0 {
					distinct[l.address] = true
					if l.domain.typ == msaccount.Managed || l.domain.typ == msaccount.Unmanaged {
						credtype++
					}
				}
			}
			if got := w.f.Requests(msaccounttest.EndpointRealm); got != len(distinct) {
				t.Errorf("realm requests over both runs = %d, want %d: an address was checked twice", got, len(distinct))
			}
			if got := w.f.Requests(msaccounttest.EndpointCredentialType); got != credtype {
				t.Errorf("GetCredentialType requests over both runs = %d, want %d", got, credtype)
			}
			if first.LookedUp+second.LookedUp != len(distinct) {
				t.Errorf("lookups %d + %d, want %d", first.LookedUp, second.LookedUp, len(distinct))
			}
			// The second summary covers the whole output.
			counted := len(second.Bad)
			for _, n := range second.Kinds {
				counted += n
			}
			if counted != len(all) || second.Rows != len(all) {
				t.Errorf("resumed summary counts %d rows of %d: %v", counted, len(all), second.Kinds)
			}
		})
	}
}

func TestRunRefusesAnotherRunsOutput(t *testing.T) {
	in := []Input{{Line: 1, Text: "a@b.com"}, {Line: 2, Text: "c@d.com"}}
	for _, done := range [][]msaccount.Verdict{
		{msaccount.CheckOffline("c@d.com")},
		{msaccount.CheckOffline("a@b.com"), msaccount.CheckOffline("c@d.com"), msaccount.CheckOffline("e@f.com")},
	} {
		_, err := Run(context.Background(), msaccount.New(msaccount.Config{Offline: true}, nil), Job{Inputs: in, Done: done, Out: NewWriter(&bytes.Buffer{}, JSONL, false)}, Config{})
		if !errors.Is(err, ErrMismatch) {
			t.Errorf("Run with %d foreign rows = %v, want ErrMismatch", len(done), err)
		}
	}
}

// throttleWorld is addresses at managed, consumer and ownerless domains,
// a third of whose true verdict is "none".
func throttleWorld(t *testing.T, n int) (*world, []mixedLine, []Input) {
	w := newWorld(t, 5)
	r := rand.New(rand.NewPCG(3, 3))
	var ls []mixedLine
	var text strings.Builder
	for i := range n {
		d := w.domains[[]int{0, 1, 2, 7, 9}[i%5]] // m0, m1, m2, outlook.com, gmail.com
		a := w.address(r, i, d)
		if i%3 == 0 {
			w.truth[a] = msaccounttest.Account{}
			w.f.AddAccount(a, msaccounttest.Account{})
		}
		ls = append(ls, mixedLine{text: a, address: a, domain: d, line: i + 1})
		text.WriteString(a + "\n")
	}
	in, _, err := Read(strings.NewReader(text.String()), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return w, ls, in
}

func TestRunThrottledThenNormal(t *testing.T) {
	w, ls, in := throttleWorld(t, 40)
	w.f.SetMode(msaccounttest.ModeThrottled)
	const throttledFor = 400 * time.Millisecond
	time.AfterFunc(throttledFor, func() { w.f.SetMode(msaccounttest.ModeNormal) })

	cfg := Config{Rate: 1e6, Concurrency: 4, Attempts: 50}
	c := w.client(cfg, msaccount.Config{Backoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	var out bytes.Buffer
	start := time.Now()
	sum, err := Run(context.Background(), c, Job{Inputs: in, Out: NewWriter(&out, JSONL, true)}, cfg)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	// The run waited for Microsoft instead of writing throttled answers:
	// every verdict is the true one.
	checkRows(t, w, ls, decodeRows(t, out.Bytes()))
	if elapsed < throttledFor {
		t.Errorf("run took %v, less than the %v Microsoft throttled for", elapsed, throttledFor)
	}
	if sum.ThrottleSignals == 0 || len(sum.Unsettled) != 0 {
		t.Errorf("throttle signals %d, unsettled %v", sum.ThrottleSignals, sum.Unsettled)
	}
	if got := w.f.Requests(msaccounttest.EndpointRealm); got <= len(in) {
		t.Errorf("realm requests = %d: throttled answers were not asked again", got)
	}
	// While paused, the client sent nothing: far fewer requests than a
	// client hammering for the whole throttled spell would have.
	if got := w.f.Requests(msaccounttest.EndpointRealm); got > 4*len(in) {
		t.Errorf("realm requests = %d for %d addresses: the run did not slow down", got, len(in))
	}
	t.Logf("%v, %d realm requests for %d addresses, %d throttle signals", elapsed, w.f.Requests(msaccounttest.EndpointRealm), len(in), sum.ThrottleSignals)
}

func TestRunThrottledThroughoutStaysUnknown(t *testing.T) {
	w, ls, in := throttleWorld(t, 30)
	w.f.SetMode(msaccounttest.ModeThrottled)
	cfg := Config{Rate: 1e6, Concurrency: 4, Attempts: 2}
	c := w.client(cfg, msaccount.Config{Backoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
	var out bytes.Buffer
	sum, err := Run(context.Background(), c, Job{Inputs: in, Out: NewWriter(&out, JSONL, true)}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rows := decodeRows(t, out.Bytes())
	nones := 0
	for i, v := range rows {
		if w.want(ls[i].address, ls[i].domain.typ) == msaccount.KindNone {
			nones++
		}
		if v.Kind != msaccount.KindUnknown || v.Personal != msaccount.Unknown {
			t.Errorf("%s: kind %s personal %s while Microsoft throttled; evidence %v", v.Input, v.Kind, v.Personal, v.Evidence)
		}
	}
	if nones == 0 {
		t.Fatal("no address whose truth is none: the test proves nothing")
	}
	if len(sum.Unsettled) != len(in) || sum.Throttled != len(in) || sum.Kinds[msaccount.KindUnknown] != len(in) {
		t.Errorf("unsettled %d throttled %d unknown %d, want %d", len(sum.Unsettled), sum.Throttled, sum.Kinds[msaccount.KindUnknown], len(in))
	}
	if got, want := w.f.Requests(msaccounttest.EndpointRealm), 2*len(in); got != want {
		t.Errorf("realm requests = %d, want %d (%d attempts each)", got, want, cfg.Attempts)
	}
	var text bytes.Buffer
	sum.Write(&text)
	if !strings.Contains(text.String(), fmt.Sprintf("not settled by Microsoft: %d (%d throttled)", len(in), len(in))) {
		t.Errorf("summary:\n%s", text.String())
	}
}

// TestFailureFollowsMsaccountWording checks failure on the evidence codes
// and pins the wording it falls back on for rows without codes, by driving
// the real client through the fake's failure modes.
func TestFailureFollowsMsaccountWording(t *testing.T) {
	tests := []struct {
		name      string
		mode      msaccounttest.Mode
		latency   time.Duration
		cfg       msaccount.Config
		input     string
		failed    bool
		throttled bool
	}{
		{name: "normal", input: "user0@m0.example.com"},
		{name: "normal consumer", input: "user0@outlook.com"},
		{name: "normal federated", input: "user0@fed.example.net"},
		{name: "throttled in-band", mode: msaccounttest.ModeThrottled, input: "user0@m0.example.com", failed: true, throttled: true},
		{name: "throttled consumer", mode: msaccounttest.ModeThrottled, input: "user0@outlook.com", failed: true, throttled: true},
		{name: "HTTP 500", mode: msaccounttest.ModeError500, input: "user0@m0.example.com", failed: true},
		{name: "malformed", mode: msaccounttest.ModeMalformed, input: "user0@m0.example.com", failed: true},
		{name: "timeout", latency: 300 * time.Millisecond, cfg: msaccount.Config{CallTimeout: 20 * time.Millisecond}, input: "user0@m0.example.com", failed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, 5)
			r := rand.New(rand.NewPCG(1, 1))
			for _, d := range w.domains {
				w.address(r, 0, d)
			}
			w.f.SetMode(tt.mode)
			w.f.SetLatency(tt.latency)
			cfg := tt.cfg
			cfg.LoginURL = w.f.URL
			c := msaccount.New(cfg, nil)
			v := c.Check(context.Background(), tt.input)
			reason, throttled := failure(v)
			if (reason != "") != tt.failed || throttled != tt.throttled {
				t.Errorf("failure(%s) = %q, %v; want failed %v throttled %v; evidence %v", v.Kind, reason, throttled, tt.failed, tt.throttled, v.Evidence)
			}
			// A row read back from a CSV has no codes: the wording says the same.
			bare := v
			bare.Evidence = nil
			for _, e := range v.Evidence {
				bare.Evidence = append(bare.Evidence, msaccount.Evidence{Source: e.Source, Detail: e.Detail})
			}
			if r2, th2 := failure(bare); (r2 != "") != tt.failed || th2 != tt.throttled {
				t.Errorf("failure of the CSV row = %q, %v; want failed %v throttled %v", r2, th2, tt.failed, tt.throttled)
			}
			if tt.mode == msaccounttest.ModeThrottled {
				// The next lookup meets the client's pause.
				v := c.Check(context.Background(), "user0@m1.example.com")
				if _, throttled := failure(v); !throttled {
					t.Errorf("during the pause: not seen as throttled: %v", v.Evidence)
				}
			}
		})
	}
	// A lookup withdrawn by its caller.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := newWorld(t, 1)
	w.f.SetLatency(300 * time.Millisecond)
	v := msaccount.New(msaccount.Config{LoginURL: w.f.URL}, nil).Check(ctx, "a@m0.example.com")
	if reason, throttled := failure(v); reason == "" || throttled {
		t.Errorf("withdrawn lookup: %q %v; evidence %v", reason, throttled, v.Evidence)
	}
}

func TestRunStopsWithinGraceWhenLookupsHang(t *testing.T) {
	w := newWorld(t, 2)
	r := rand.New(rand.NewPCG(4, 4))
	var in []Input
	for i := range 20 {
		in = append(in, Input{Line: i + 1, Text: w.address(r, i, w.domains[i%2])})
	}
	w.f.SetLatency(10 * time.Second)
	cfg := Config{Rate: 1e6, Concurrency: 4, Grace: 50 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	start := time.Now()
	sum, err := Run(ctx, w.client(cfg, msaccount.Config{CallTimeout: 300 * time.Millisecond}), Job{Inputs: in, Out: NewWriter(&out, JSONL, true)}, cfg)
	if !errors.Is(err, context.DeadlineExceeded) || sum.Rows != 0 || out.Len() != 0 {
		t.Errorf("Run = %v, %d rows, output %q", err, sum.Rows, out.String())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v to stop", d)
	}
}

type failingWriter struct{ n atomic.Int64 }

func (f *failingWriter) Write(Row) error {
	if f.n.Add(1) > 3 {
		return errors.New("disk full")
	}
	return nil
}
func (f *failingWriter) Flush() error { return nil }

func TestRunStopsWhenWritingFails(t *testing.T) {
	var in []Input
	for i := range 1000 {
		in = append(in, Input{Line: i + 1, Text: fmt.Sprintf("u%d@gmail.com", i)})
	}
	fw := &failingWriter{}
	sum, err := Run(context.Background(), msaccount.New(msaccount.Config{Offline: true}, nil), Job{Inputs: in, Out: fw}, Config{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || sum.Rows != 3 {
		t.Errorf("Run = %v, %d rows", err, sum.Rows)
	}
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgress(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		t.Run(fmt.Sprint("terminal=", terminal), func(t *testing.T) {
			w := newWorld(t, 2)
			w.f.SetLatency(20 * time.Millisecond)
			r := rand.New(rand.NewPCG(5, 5))
			var in []Input
			for i := range 40 {
				in = append(in, Input{Line: i + 1, Text: w.address(r, i, w.domains[i%2])})
			}
			var errs syncBuffer
			p := NewProgress(&errs, terminal, 100*time.Millisecond)
			cfg := Config{Rate: 1e6, Concurrency: 2}
			// Log lines through Wrap start on a clean line.
			go p.Wrap(&errs).Write([]byte("level=WARN msg=hello\n"))
			if _, err := Run(context.Background(), w.client(cfg, msaccount.Config{}), Job{Inputs: in, Out: NewWriter(&bytes.Buffer{}, JSONL, true), Progress: p}, cfg); err != nil {
				t.Fatal(err)
			}
			got := errs.String()
			if terminal {
				if !strings.Contains(got, "\r\x1b[K[") || !strings.Contains(got, "] 40/40 100%") || !strings.HasSuffix(got, "\n") {
					t.Errorf("terminal progress: %q", got)
				}
				return
			}
			var progress []string
			for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
				if strings.Contains(l, " rows (") {
					progress = append(progress, l)
				}
			}
			if len(progress) < 2 || strings.Contains(got, "\r") || !strings.Contains(progress[0], "lookups/s") || !strings.Contains(progress[0], "ETA") {
				t.Errorf("plain progress lines: %q", got)
			}
		})
	}
}

func TestMeterLine(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &meter{start: start, rows: 1000, todo: 900}
	m.line(false, start, 0, 0, 0, 0)
	got := m.line(false, start.Add(10*time.Second), 150, 100, 210, 0)
	for _, want := range []string{"150 of 1,000 rows (15%)", "10.0 lookups/s", "ETA 1m20s", "210 calls", "not throttled"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
	got = m.line(true, start.Add(20*time.Second), 300, 200, 400, 3)
	for _, want := range []string{"[###.......] 300/1,000 30% 10.0/s ETA 1m10s throttled 3×, 0s ago"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
	m = &meter{start: start, rows: 100000, todo: 100000}
	m.line(true, start, 0, 0, 0, 0)
	m.line(true, start.Add(time.Second), 99999, 1234, 2500, 999)
	m.throttledAt = start.Add(-5 * time.Hour)
	got = m.line(true, start.Add(10*time.Hour), 99999, 99999, 2500, 999)
	if len([]rune(got)) > 79 {
		t.Errorf("terminal line is %d characters: %q", len([]rune(got)), got)
	}
	if got := short(3*time.Hour + 25*time.Minute + 10*time.Second); got != "3h25m" {
		t.Errorf("short = %q", got)
	}
}

func TestSummaryWriteKeepsListsShort(t *testing.T) {
	s := newSummary(100)
	for i := range 60 {
		s.add(i+1, msaccount.CheckOffline(fmt.Sprintf("bad%d@", i)))
	}
	v := msaccount.Verdict{Kind: msaccount.KindBoth, Personal: msaccount.Yes, Work: msaccount.Yes, Domain: msaccount.Domain{Type: msaccount.Managed}}
	for i := range 40 {
		v.Domain.Name = fmt.Sprintf("d%02d.example.com", i)
		s.add(100+i, v)
	}
	s.finish()
	var b bytes.Buffer
	s.Write(&b)
	out := b.String()
	if strings.Count(out, "\n    line ") != listed || !strings.Contains(out, "… and 40 more") || !strings.Contains(out, "… and 20 more domains\n") {
		t.Errorf("summary:\n%s", out)
	}
	if !slices.IsSortedFunc(s.Overlaps, func(a, b DomainCount) int { return strings.Compare(a.Domain, b.Domain) }) {
		t.Errorf("equal counts not by name: %v", s.Overlaps)
	}
}
