package audit

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// Summary sums up the rows of an output, resumed ones included.
type Summary struct {
	// Inputs is the number of entries in the list; Rows the rows written
	// in all (fewer than Inputs when the run was interrupted).
	Inputs, Rows int
	// Resumed counts the rows an earlier run had written; LookedUp the
	// lookups this run made.
	Resumed, LookedUp int
	// Kinds counts verdicts (rows without an error) by kind; DomainTypes
	// by the type of their domain.
	Kinds       map[msaccount.Kind]int
	DomainTypes map[msaccount.DomainType]int
	// Overlaps lists the domains with addresses that are both a personal
	// and a work account, most first.
	Overlaps []DomainCount
	// Bad lists the rows with an error: not an address, empty, duplicate.
	// Duplicates counts the duplicates among them.
	Bad        []Problem
	Duplicates int
	// Unsettled lists verdicts left open because Microsoft failed,
	// throttled or timed out; Throttled counts those left open by
	// throttling alone.
	Unsettled []Problem
	Throttled int
	// Calls counts the requests sent to Microsoft by endpoint, and
	// ThrottleSignals the times it asked to slow down (this run only).
	Calls           map[string]int64
	ThrottleSignals int64
	// Elapsed is this run's wall time; Interrupted says it was cancelled
	// before every row was written.
	Elapsed     time.Duration
	Interrupted bool

	// A directory audit's rows carry the directory's facts about the
	// member an address belongs to. Members counts the members with rows;
	// Overlapping lists, in row order, the member addresses that are also
	// a personal Microsoft account (the people who see the "which account?"
	// picker); Unconfirmed counts member addresses whose personal side
	// stayed unknown. Fix, set by the caller, is the message to send the
	// overlapping members ({address} stands for their address).
	Members     int
	Overlapping []Overlap
	Unconfirmed int
	Fix         string

	overlaps map[string]int
	members  map[string]bool
}

// Overlap is a member address that is also a personal Microsoft account.
type Overlap struct {
	Line    int
	Address string
	// User is the member's sign-in name; Since the day their work account
	// was created ("" when unknown). Microsoft does not publish when the
	// personal account was created.
	User, Since string
}

// Problem is one row that failed, and why.
type Problem struct {
	Line   int
	Input  string
	Reason string
}

// DomainCount is a number of rows at one domain.
type DomainCount struct {
	Domain string
	Count  int
}

func newSummary(inputs int) *Summary {
	return &Summary{
		Inputs:      inputs,
		Kinds:       map[msaccount.Kind]int{},
		DomainTypes: map[msaccount.DomainType]int{},
		overlaps:    map[string]int{},
		members:     map[string]bool{},
	}
}

// add counts one row.
func (s *Summary) add(line int, v msaccount.Verdict) {
	s.Rows++
	if v.Error != "" {
		if strings.HasPrefix(v.Error, duplicatePrefix) {
			s.Duplicates++
		}
		s.Bad = append(s.Bad, Problem{line, v.Input, v.Error})
		return
	}
	s.Kinds[v.Kind]++
	s.DomainTypes[v.Domain.Type]++
	if v.Kind == msaccount.KindBoth {
		s.overlaps[v.Domain.Name]++
	}
	if d := v.Directory; d != nil && d.User != "" {
		s.members[strings.ToLower(d.User)] = true
		if v.Kind == msaccount.KindBoth {
			s.Overlapping = append(s.Overlapping, Overlap{Line: line, Address: v.Address, User: d.User, Since: d.Since})
		}
		if v.Personal == msaccount.Unknown {
			s.Unconfirmed++
		}
	}
	if reason, throttled := failure(v); reason != "" && open(v) {
		s.Unsettled = append(s.Unsettled, Problem{line, v.Input, reason})
		if throttled {
			s.Throttled++
		}
	}
}

// finish sorts what add gathered.
func (s *Summary) finish() {
	s.Members = len(s.members)
	s.Overlaps = s.Overlaps[:0]
	for d, n := range s.overlaps {
		s.Overlaps = append(s.Overlaps, DomainCount{d, n})
	}
	slices.SortFunc(s.Overlaps, func(a, b DomainCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Domain, b.Domain))
	})
}

// listed bounds the problems and domains Write lists one by one.
const listed = 20

// Write renders the summary for a person.
func (s *Summary) Write(w io.Writer) error {
	var b strings.Builder
	status := "done"
	if s.Interrupted {
		status = "interrupted"
	}
	fmt.Fprintf(&b, "audit %s: %s of %s rows written in %s", status, num(s.Rows), num(s.Inputs), s.Elapsed.Round(time.Second))
	if s.Resumed > 0 {
		fmt.Fprintf(&b, " (%s resumed from the earlier run)", num(s.Resumed))
	}
	b.WriteString("\n")

	verdicts := s.Rows - len(s.Bad)
	fmt.Fprintf(&b, "  verdicts:     %s", num(verdicts))
	if verdicts > 0 {
		b.WriteString(" — ")
		b.WriteString(counts(s.Kinds, []msaccount.Kind{msaccount.KindBoth, msaccount.KindPersonal, msaccount.KindWork, msaccount.KindNone, msaccount.KindUnknown}))
	}
	b.WriteString("\n")
	if verdicts > 0 {
		fmt.Fprintf(&b, "  domain types: %s\n", counts(s.DomainTypes, []msaccount.DomainType{msaccount.Managed, msaccount.Federated,
			msaccount.Unmanaged, msaccount.Consumer, msaccount.NoTenant, msaccount.UnknownType}))
	}

	if s.Members > 0 {
		s.writeDirectory(&b)
	} else if len(s.Overlaps) > 0 {
		both := 0
		for _, o := range s.Overlaps {
			both += o.Count
		}
		fmt.Fprintf(&b, "  overlapping accounts (personal and work, the account picker): %s at %s:\n", num(both), plural(len(s.Overlaps), "domain"))
		for i, o := range s.Overlaps {
			if i == listed {
				fmt.Fprintf(&b, "    … and %s\n", plural(len(s.Overlaps)-listed, "more domain"))
				break
			}
			fmt.Fprintf(&b, "    %-40s %s\n", o.Domain, num(o.Count))
		}
	}

	if len(s.Unsettled) > 0 {
		fmt.Fprintf(&b, "  not settled by Microsoft: %s", num(len(s.Unsettled)))
		if s.Throttled > 0 {
			fmt.Fprintf(&b, " (%s throttled)", num(s.Throttled))
		}
		b.WriteString(" — left unknown, never guessed; a later run can check them again\n")
		writeProblems(&b, s.Unsettled)
	}
	if len(s.Bad) > 0 {
		fmt.Fprintf(&b, "  bad lines: %s", num(len(s.Bad)))
		if s.Duplicates > 0 {
			fmt.Fprintf(&b, " (%s)", plural(s.Duplicates, "duplicate"))
		}
		b.WriteString(" — reported in the error field of their rows\n")
		writeProblems(&b, s.Bad)
	}

	if len(s.Calls) > 0 {
		var total int64
		names := make([]string, 0, len(s.Calls))
		for name, n := range s.Calls {
			total += n
			if n > 0 {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		parts := make([]string, len(names))
		for i, name := range names {
			parts[i] = fmt.Sprintf("%s %s", name, num(int(s.Calls[name])))
		}
		if total == 0 {
			b.WriteString("  Microsoft:    no calls this run\n")
			return writeString(w, b.String())
		}
		fmt.Fprintf(&b, "  Microsoft:    %s calls this run", num(int(total)))
		if len(parts) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
		}
		if s.ThrottleSignals > 0 {
			fmt.Fprintf(&b, "; asked us to slow down %s", plural(int(s.ThrottleSignals), "time"))
		}
		b.WriteString("\n")
	}
	return writeString(w, b.String())
}

// writeDirectory writes a directory audit's part: members checked, the
// overlaps with who and since when, the fix, and what stayed unconfirmed.
func (s *Summary) writeDirectory(b *strings.Builder) {
	fmt.Fprintf(b, "  members checked: %s (%s)\n", num(s.Members), plural(s.Rows-len(s.Bad), "address"))
	if len(s.Overlapping) == 0 {
		b.WriteString("  overlaps: none — no member address is also a personal Microsoft account\n")
	} else {
		who := map[string]bool{}
		for _, o := range s.Overlapping {
			who[strings.ToLower(o.User)] = true
		}
		fmt.Fprintf(b, "  overlaps: %s with an address that is also a personal Microsoft account (%s), so they see the \"which account?\" picker:\n",
			plural(len(who), "member"), plural(len(s.Overlapping), "address"))
		for i, o := range s.Overlapping {
			if i == listed {
				fmt.Fprintf(b, "    … and %s more: the rows with kind \"both\"\n", num(len(s.Overlapping)-listed))
				break
			}
			since := ""
			if o.Since != "" {
				since = ", work account since " + o.Since
			}
			fmt.Fprintf(b, "    %-40s member %s%s\n", oneLine(o.Address), oneLine(o.User), since)
		}
		if s.Fix != "" {
			fmt.Fprintf(b, "  the fix to send them (a CSV output has it with their address, in the fix column): %s\n", strings.ReplaceAll(s.Fix, "{address}", "<their address>"))
		}
	}
	if s.Unconfirmed > 0 {
		fmt.Fprintf(b, "  not confirmed: %s whose personal account Microsoft did not settle — left unknown, never guessed; a later run can check them again\n", plural(s.Unconfirmed, "address"))
	}
}

func writeString(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}

func writeProblems(b *strings.Builder, ps []Problem) {
	for i, p := range ps {
		if i == listed {
			fmt.Fprintf(b, "    … and %s more\n", num(len(ps)-listed))
			return
		}
		in := oneLine(p.Input)
		if r := []rune(in); len(r) > 40 {
			in = string(r[:39]) + "…"
		}
		if strings.TrimSpace(in) == "" {
			in = "(empty)"
		}
		if strings.HasPrefix(p.Reason, `"`) {
			// The reason quotes the input already.
			fmt.Fprintf(b, "    line %-6d %s\n", p.Line, oneLine(p.Reason))
			continue
		}
		fmt.Fprintf(b, "    line %-6d %s — %s\n", p.Line, in, oneLine(p.Reason))
	}
}

func counts[K ~string](m map[K]int, order []K) string {
	var parts []string
	for _, k := range order {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", k, num(m[k])))
		}
	}
	return strings.Join(parts, " · ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "s") {
		return num(n) + " " + word + "es"
	}
	return num(n) + " " + word + "s"
}

// num writes n with thousands separators.
func num(n int) string {
	s := itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
