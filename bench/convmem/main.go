// Command convmem measures the heap whichaccount keeps for idle
// conversations: it answers one question in each of N conversations
// (offline verdicts, in-memory conversation store) and reports the live heap
// after a GC before the first count and at each count (a fresh store for
// each), as serve holds them.
//
//	go run ./bench/convmem [-n 10000,100000]
package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

type offline struct{}

func (offline) Lookup(_ context.Context, t msaccount.Target) msaccount.Verdict {
	return msaccount.Offline(t)
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func main() {
	counts := flag.String("n", "10000,100000", "conversation counts to measure, comma-separated")
	flag.Parse()
	fmt.Printf("%-14s %14s %16s\n", "conversations", "live heap MB", "bytes/conversation")
	for k, c := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n <= 0 {
			panic("bad -n")
		}
		store := helpdesk.NewMemoryStore(n, 0)
		h := helpdesk.New(helpdesk.Config{Memory: store, UserLookupsPerMinute: -1}, offline{}, nil)
		ctx := context.Background()
		before := heap()
		if k == 0 {
			fmt.Printf("%-14d %14.2f %16s\n", 0, float64(before)/(1<<20), "-")
		}
		for i := range n {
			h.Respond(ctx, helpdesk.Message{Platform: "slack", Conversation: fmt.Sprintf("T0123456:C0123456:%d.000100", 1700000000+i),
				User: "U" + strconv.Itoa(i%500), Text: fmt.Sprintf("is user%d@contoso.com a personal account?", i)})
		}
		after := heap()
		fmt.Printf("%-14d %14.2f %16.0f\n", store.Len(), float64(after)/(1<<20), float64(after-before)/float64(n))
		runtime.KeepAlive(h)
		runtime.KeepAlive(store)
	}
}
