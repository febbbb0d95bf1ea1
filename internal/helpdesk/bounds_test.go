package helpdesk

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestMemoryStoreByteBound saves conversations with huge keys and targets:
// the store keeps what fits its byte bound, the newest first.
func TestMemoryStoreByteBound(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore(0, 0)
	s.maxBytes = 1 << 20
	pad := strings.Repeat("c", 10000)
	for i := range 1000 {
		s.Save(ctx, fmt.Sprint(pad, i), Turn{Intent: Classify, Targets: []string{strings.Repeat("t", 5000)}})
	}
	if b := s.Bytes(); b > 1<<20 {
		t.Errorf("Bytes = %d over the 1 MiB bound", b)
	}
	if n := s.Len(); n < 50 || n > 70 {
		t.Errorf("Len = %d, want the ~66 conversations that fit", n)
	}
	if _, ok := s.Load(ctx, fmt.Sprint(pad, 999)); !ok {
		t.Error("the newest conversation is gone")
	}
	if _, ok := s.Load(ctx, fmt.Sprint(pad, 0)); ok {
		t.Error("the oldest conversation is still there")
	}
	if MemoryStoreBytes > 64<<20 {
		t.Errorf("MemoryStoreBytes = %d, documented as 64 MiB", MemoryStoreBytes)
	}
}

// TestLimiterBounded gives the limiter more users in a minute than it
// holds: it stays at its bound, and a user it still holds keeps its count.
func TestLimiterBounded(t *testing.T) {
	ctx := context.Background()
	l := NewWindowLimiter(2)
	for i := range LimiterUsers + 1000 {
		l.Take(ctx, fmt.Sprint("user-", i), 1)
	}
	if n := l.users.Len(); n > LimiterUsers {
		t.Errorf("%d users held, bound %d", n, LimiterUsers)
	}
	if b := l.users.Bytes(); b > LimiterBytes {
		t.Errorf("%d bytes held, bound %d", b, LimiterBytes)
	}
	last := fmt.Sprint("user-", LimiterUsers+999)
	if got := l.Take(ctx, last, 5); got != 1 {
		t.Errorf("Take for a held user = %d, want the 1 left", got)
	}
	now := time.Now().Add(time.Minute)
	l.now = func() time.Time { return now }
	if got := l.Take(ctx, last, 5); got != 2 {
		t.Errorf("Take in the next window = %d, want 2", got)
	}
}

// FuzzClipText: the fast path of clipText gives what squeezing the spaces
// and cutting by letters gives.
func FuzzClipText(f *testing.F) {
	for _, s := range []string{"", "a", " a", "a ", "a  b", "a\tb", "héllo wörld", "one two three four", "x\u00a0y", "a\nb"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 1 || n > 1000 {
			return
		}
		want := strings.Join(strings.Fields(s), " ")
		if r := []rune(want); len(r) > n {
			want = string(r[:n-1]) + "…"
		}
		if got := clipText(s, n); got != want {
			t.Errorf("clipText(%q, %d) = %q, want %q", s, n, got, want)
		}
	})
}

// TestWithoutPastedError: an error runs to the end of its paragraph,
// however the blank line after it is typed.
func TestWithoutPastedError(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"me sale esto: AADSTS50053: Your account is locked", "me sale esto: "},
		{"AADSTS50126: Error validating credentials\n\nthats all it says", "\n\nthats all it says"},
		{"AADSTS50126: Error validating credentials\r\n\r\nthats all it says", "\n\r\nthats all it says"},
		{"AADSTS50126: Error validating\nTrace ID: 1\n  \nthats all", "\n  \nthats all"},
		{"no code here", "no code here"},
	} {
		if got := withoutPastedError(tt.in); got != tt.want {
			t.Errorf("withoutPastedError(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzWithoutPastedError: what is left of a message without its pasted
// errors holds none, is no longer than the message, and is the message
// itself when it held none.
func FuzzWithoutPastedError(f *testing.F) {
	for _, s := range []string{"", "AADSTS", "aadsts5", "me sale esto: AADSTS50053: Your account is locked", "AADSTS50126: x\n\nthats all it says", "a AADSTS1 b\n\nc aadsts2 d\n\ne", "ſ AADSTS9", "\n\nAADSTS7\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := withoutPastedError(s)
		if errorCodeAt(got) >= 0 || len(got) > len(s) || errorCodeAt(s) < 0 && got != s {
			t.Errorf("withoutPastedError(%q) = %q", s, got)
		}
	})
}
