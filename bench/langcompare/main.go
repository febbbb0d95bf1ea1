// Command langcompare measures how the assistant tells a message's language
// against lingua-go, a general-purpose detector, on the labelled corpus:
// accuracy (with the assistant's fallback to English when unclear, as it
// answers), time per message and memory. It is its own module so that
// lingua-go's models are not a dependency of the bot.
//
//	cd bench/langcompare && go run . ../../internal/helpdesk/testdata/tune.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/pemistahl/lingua-go"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

type row struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
}

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: langcompare CORPUS.jsonl")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if r.Lang == "" {
			r.Lang = "en"
		}
		rows = append(rows, r)
	}

	h0 := heap()
	t0 := time.Now()
	helpdesk.DetectLanguage("start")
	ownBuild, ownHeap := time.Since(t0), heap()-h0

	h0 = heap()
	t0 = time.Now()
	det := lingua.NewLanguageDetectorBuilder().FromLanguages(lingua.English, lingua.German, lingua.French, lingua.Spanish, lingua.Dutch).
		WithPreloadedLanguageModels().WithLowAccuracyMode().Build()
	linBuild, linHeap := time.Since(t0), heap()-h0
	codes := map[lingua.Language]string{lingua.English: "en", lingua.German: "de", lingua.French: "fr", lingua.Spanish: "es", lingua.Dutch: "nl"}

	type result struct {
		right, unclear, wrong int
		perLang               map[string][2]int
		took                  time.Duration
	}
	run := func(detect func(string) (string, bool)) result {
		res := result{perLang: map[string][2]int{}}
		start := time.Now()
		for _, r := range rows {
			l, clear := detect(r.Text)
			if !clear {
				l = "en" // what the assistant falls back to with no locale or history
				res.unclear++
			}
			p := res.perLang[r.Lang]
			p[0]++
			if l == r.Lang {
				res.right++
				p[1]++
			} else {
				res.wrong++
			}
			res.perLang[r.Lang] = p
		}
		res.took = time.Since(start) / time.Duration(len(rows))
		return res
	}
	own := run(helpdesk.DetectLanguage)
	lin := run(func(s string) (string, bool) {
		s = helpdesk.Normalise("", s)
		vals := det.ComputeLanguageConfidenceValues(s)
		if len(vals) == 0 {
			return "en", false
		}
		return codes[vals[0].Language()], vals[0].Value() >= 0.6
	})
	fmt.Printf("%d messages (%s)\n\n", len(rows), os.Args[1])
	fmt.Printf("%-32s %9s %9s %9s %12s %10s %9s\n", "detector", "right", "unclear", "wrong", "per message", "build", "heap")
	for _, x := range []struct {
		name  string
		r     result
		build time.Duration
		heap  uint64
	}{{"whichaccount (catalogue NB)", own, ownBuild, ownHeap}, {"lingua-go 1.4.0, low accuracy", lin, linBuild, linHeap}} {
		fmt.Printf("%-32s %8.1f%% %9d %9d %12v %10v %7.1fMB\n", x.name, 100*float64(x.r.right)/float64(len(rows)), x.r.unclear, x.r.wrong, x.r.took, x.build.Round(time.Millisecond), float64(x.heap)/1e6)
	}
	fmt.Println("\nright by language (whichaccount / lingua-go):")
	for _, l := range helpdesk.Languages {
		a, b := own.perLang[l], lin.perLang[l]
		if a[0] > 0 {
			fmt.Printf("  %s: %d/%d  %d/%d\n", l, a[1], a[0], b[1], b[0])
		}
	}
}
