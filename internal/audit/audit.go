// Package audit is the bulk pipeline: every command that checks many
// inputs runs on it. An audit is the run an IT admin makes before a
// migration or a clean-up, to learn which of thousands of users have a
// personal Microsoft account, a work or school account, both (the ones who
// will see the "more than one account" picker), or none; `check` is the
// same pipeline with check's output; the whole-tenant audit feeds it the
// addresses of every member of the organisation's tenant.
//
// It owns the parts around the verdict engine: reading the list (text lines,
// or the address column of a CSV export, found by its header and content),
// or the tenant's members from Microsoft Graph ([ReadTenant]); running the
// lookups politely and in order ([Run], and [Check] for check's form);
// writing one row per input as JSON lines, CSV or a table ([Writer],
// [CheckWriter]); the output file, read back and positioned to resume an
// earlier run ([OpenOutput], [ReadRows]); progress on a terminal or in a
// log ([Progress]); and the closing [Summary]. The verdicts themselves come
// from a [Checker], which *msaccount.Client satisfies; [Config.Lookup]
// adjusts an msaccount.Config for bulk work.
package audit

import (
	"context"
	"strings"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// Defaults of a run. The rate is deliberately gentle: a whole list is many
// times the traffic of a helpdesk conversation, and Microsoft throttles the
// sign-in endpoints, for every lookup from the same place, when pushed.
const (
	// DefaultRate is the calls per second sent to Microsoft.
	DefaultRate = 5
	// DefaultConcurrency is the lookups in flight.
	DefaultConcurrency = 4
	// DefaultAttempts is how often an address is tried while Microsoft
	// throttles before its verdict is written as unknown.
	DefaultAttempts = 4
	// DefaultGrace is how long lookups in flight may finish after the run
	// is cancelled.
	DefaultGrace = 5 * time.Second
	// DefaultBudget bounds one lookup in a bulk run, waits for Microsoft's
	// throttling pauses included (msaccount's own default is 8s, for chat).
	DefaultBudget = 15 * time.Minute
	// DefaultCallTimeout bounds one call to Microsoft in a bulk run, whose
	// budget is long enough to wait out pauses.
	DefaultCallTimeout = 4 * time.Second
)

// Config tunes a run. Zero values take the defaults above.
type Config struct {
	// Rate is the calls per second to Microsoft (DefaultRate); Lookup
	// passes it to the client, which enforces it.
	Rate float64
	// Concurrency is the number of lookups in flight (DefaultConcurrency);
	// Lookup also makes it the client's bound on calls in flight.
	Concurrency int
	// Attempts is how often an address is looked up while Microsoft
	// throttles (DefaultAttempts). Each retry waits out the client's pause.
	Attempts int
	// Grace is how long lookups in flight may finish after ctx is
	// cancelled (DefaultGrace); what has not finished by then is left for
	// a resumed run.
	Grace time.Duration
	// Repeats looks up an address every time it comes (from the client's
	// cache after the first), where an audit reports a repeat as a
	// duplicate of its first line: check's way.
	Repeats bool
}

func (c Config) withDefaults() Config {
	if c.Rate <= 0 {
		c.Rate = DefaultRate
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Attempts <= 0 {
		c.Attempts = DefaultAttempts
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	return c
}

// Lookup returns base adjusted for a bulk run:
//   - the client's rate and concurrency are the run's;
//   - lookups wait out Microsoft's throttling pauses (WaitOnBackoff) within
//     a long budget (at least DefaultBudget), so a throttled run slows down
//     instead of answering from the rules; one call still gives up after
//     DefaultCallTimeout unless base says otherwise;
//   - only domain facts are cached, since a run looks every address up
//     once: retries after throttling must not find the spoiled answer in
//     the cache, and a run of 100,000 addresses should not hold 100,000
//     verdicts; spoiled domain facts are not kept at all (ErrorTTL 1ns).
func (c Config) Lookup(base msaccount.Config) msaccount.Config {
	c = c.withDefaults()
	base.RatePerSecond = c.Rate
	base.MaxConcurrent = c.Concurrency
	base.WaitOnBackoff = true
	base.Budget = max(base.Budget, DefaultBudget)
	if base.CallTimeout <= 0 {
		base.CallTimeout = DefaultCallTimeout
	}
	base.ErrorTTL = time.Nanosecond
	next := base.Cache
	if next == nil {
		next = msaccount.NewMemoryCache(base.CacheSize)
	}
	base.Cache = domainCache{next}
	return base
}

// domainCache keeps domain facts ("d:" keys) and drops per-address answers.
type domainCache struct{ next msaccount.Cache }

func (d domainCache) Get(ctx context.Context, key string) (msaccount.Verdict, bool) {
	if !strings.HasPrefix(key, "d:") {
		return msaccount.Verdict{}, false
	}
	return d.next.Get(ctx, key)
}

func (d domainCache) Set(ctx context.Context, key string, v msaccount.Verdict, ttl time.Duration) {
	if strings.HasPrefix(key, "d:") {
		d.next.Set(ctx, key, v, ttl)
	}
}

// Checker is what a run needs from the verdict engine. *msaccount.Client
// satisfies it.
type Checker interface {
	Lookup(ctx context.Context, t msaccount.Target) msaccount.Verdict
	Stats() msaccount.Stats
}

// failure returns what kept Microsoft from answering in v, and whether it
// was throttling; "" when nothing did. It reads the evidence codes
// msaccount writes; rows read back from a CSV carry no codes, and for them
// it reads the wording, which TestFailureFollowsMsaccountWording pins by
// driving the client through the fake's failure modes.
func failure(v msaccount.Verdict) (reason string, throttled bool) {
	for _, e := range v.Evidence {
		if e.Source != "directory" && throttledLine(e) {
			return e.Detail, true
		}
	}
	for _, e := range v.Evidence {
		if e.Source != "directory" && failedLine(e) {
			return e.Detail, false
		}
	}
	return "", false
}

// throttledLine reports whether e says Microsoft was throttling.
func throttledLine(e msaccount.Evidence) bool {
	switch e.Code {
	case msaccount.CodeLookupThrottledPause, msaccount.CodeRealmPersonalThrottled:
		return true
	case msaccount.CodeCredentialUnreliable, msaccount.CodeLookupFailed:
		return e.Args["reason"] == msaccount.ReasonThrottled
	case "":
		d := strings.ToLower(e.Detail)
		return strings.Contains(d, "throttl") || strings.Contains(d, "slow down") || strings.Contains(d, "fewer lookups")
	}
	return false
}

// failedLine reports whether e says a call failed, ran out of time or was
// not made.
func failedLine(e msaccount.Evidence) bool {
	switch e.Code {
	case msaccount.CodeLookupFailed, msaccount.CodeLookupBudgetExceeded, msaccount.CodeLookupCancelled,
		msaccount.CodeLookupThrottledPause, msaccount.CodeRealmDomainUnrecognised, msaccount.CodeLimitsUserLimit:
		return true
	case "":
		d := strings.ToLower(e.Detail)
		return e.Source == "limits" ||
			strings.Contains(d, "couldn't confirm") ||
			strings.Contains(d, "did not answer") ||
			strings.Contains(d, "could not be read") ||
			strings.Contains(d, "answered http") ||
			strings.Contains(d, "gave an error code") ||
			strings.Contains(d, "this version does not know")
	}
	return false
}

// open reports whether a question of v is still unanswered.
func open(v msaccount.Verdict) bool {
	return v.Personal == msaccount.Unknown || v.Work == msaccount.Unknown
}
