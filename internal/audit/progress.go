package audit

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress shows how a run is going on w, normally stderr: on a terminal a
// line redrawn in place a few times a second, elsewhere (a log, a CI job)
// a plain line every so often. Other output that shares the terminal
// (log lines, table rows on the same screen) goes through Wrap so it does
// not collide with the redrawn line. It is safe for concurrent use.
type Progress struct {
	w        io.Writer
	terminal bool
	every    time.Duration

	mu    sync.Mutex
	shown bool // a redrawn line is on the terminal
}

// DefaultProgressEvery is the period of the plain progress lines.
const DefaultProgressEvery = 5 * time.Second

// redrawEvery is the period of the redrawn terminal line.
const redrawEvery = 250 * time.Millisecond

// NewProgress returns a Progress on w. terminal says w is a terminal;
// every is the period of plain lines (DefaultProgressEvery when <= 0).
func NewProgress(w io.Writer, terminal bool, every time.Duration) *Progress {
	if every <= 0 {
		every = DefaultProgressEvery
	}
	return &Progress{w: w, terminal: terminal, every: every}
}

// period is how often the progress is shown.
func (p *Progress) period() time.Duration {
	if p.terminal {
		return redrawEvery
	}
	return p.every
}

// Wrap returns a writer to w that first clears the redrawn line, so that
// output to the same terminal starts on a clean line.
func (p *Progress) Wrap(w io.Writer) io.Writer { return wrapped{p, w} }

type wrapped struct {
	p *Progress
	w io.Writer
}

func (x wrapped) Write(b []byte) (int, error) {
	x.p.mu.Lock()
	defer x.p.mu.Unlock()
	x.p.clearLocked()
	return x.w.Write(b)
}

// Printf writes a line of its own, such as the run's plan.
func (p *Progress) Printf(format string, a ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	fmt.Fprintf(p.w, strings.TrimSuffix(format, "\n")+"\n", a...)
}

// show draws the progress line.
func (p *Progress) show(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		io.WriteString(p.w, "\r\x1b[K"+line)
		p.shown = true
		return
	}
	io.WriteString(p.w, line+"\n")
}

// done ends the redrawn line, leaving its last state on screen.
func (p *Progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		io.WriteString(p.w, "\n")
		p.shown = false
	}
}

func (p *Progress) clearLocked() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// meter turns counters into progress lines.
type meter struct {
	start   time.Time
	rows    int // rows in all
	todo    int // lookups this run needs
	samples []sample

	throttled   int64
	throttledAt time.Time
}

type sample struct {
	at     time.Time
	lookup int
}

// rateWindow is the span the shown rate is averaged over.
const rateWindow = 15 * time.Second

// line renders the state: rows written, lookups done, the client's stats.
func (m *meter) line(terminal bool, now time.Time, written, looked int, calls, throttled int64) string {
	m.samples = append(m.samples, sample{now, looked})
	for len(m.samples) > 2 && now.Sub(m.samples[1].at) >= rateWindow {
		m.samples = m.samples[1:]
	}
	rate := 0.0
	if first := m.samples[0]; now.Sub(first.at) > 0 {
		rate = float64(looked-first.lookup) / now.Sub(first.at).Seconds()
	}
	eta := "ETA —"
	switch left := m.todo - looked; {
	case left <= 0:
		eta = "ETA 0s"
	case rate > 0:
		eta = "ETA " + short(time.Duration(float64(left)/rate*float64(time.Second)))
	}
	if throttled > m.throttled {
		m.throttled, m.throttledAt = throttled, now
	}
	state := "not throttled"
	if m.throttled > 0 {
		state = fmt.Sprintf("throttled %d×, %s ago", m.throttled, short(now.Sub(m.throttledAt)))
	}
	pct := 100
	if m.rows > 0 {
		pct = written * 100 / m.rows
	}
	perSecond := fmt.Sprintf("%.1f", rate)
	if rate >= 100 {
		perSecond = fmt.Sprintf("%.0f", rate)
	}
	if terminal {
		// Short enough for an 80-column terminal even at 100,000 rows.
		const width = 10
		fill := width * pct / 100
		bar := strings.Repeat("#", fill) + strings.Repeat(".", width-fill)
		return fmt.Sprintf("[%s] %s/%s %d%% %s/s %s %s", bar, num(written), num(m.rows), pct, perSecond, eta, state)
	}
	return fmt.Sprintf("audit: %s of %s rows (%d%%) · %s lookups/s · %s · %s calls to Microsoft · %s · %s",
		num(written), num(m.rows), pct, perSecond, eta, num(int(calls)), state, short(now.Sub(m.start)))
}

// short renders a duration to the second, or the minute past an hour.
func short(d time.Duration) string {
	switch {
	case d < time.Second:
		return "0s"
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	s := d.Round(time.Minute).String()
	return strings.TrimSuffix(s, "0s")
}
