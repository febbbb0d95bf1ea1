package helpdesk

import (
	"context"
	"sync"
	"time"

	"github.com/gosmarter/whichaccount/internal/recent"
)

// Limiter grants online lookups to users. Take asks for n and returns how
// many are granted (0..n).
type Limiter interface {
	Take(ctx context.Context, user string, n int) int
}

// WindowLimiter allows each user a number of lookups per fixed one-minute
// window. It is safe for concurrent use, forgets idle users, and holds at
// most LimiterUsers users and LimiterBytes bytes: past them the users whose
// window started first are forgotten first, in constant time.
type WindowLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	users  *recent.Map[*window]
	now    func() time.Time
}

// Bounds of a WindowLimiter.
const (
	LimiterUsers = 100000
	LimiterBytes = 32 << 20
)

type window struct {
	start time.Time
	used  int
}

// NewWindowLimiter allows perMinute lookups per user per minute.
func NewWindowLimiter(perMinute int) *WindowLimiter {
	l := &WindowLimiter{limit: perMinute, window: time.Minute, now: time.Now,
		users: recent.New[*window](LimiterUsers, LimiterBytes, func(*window) int { return 40 })}
	l.users.SetClock(func() time.Time { return l.now() })
	return l
}

// Take grants up to n lookups to user.
func (l *WindowLimiter) Take(_ context.Context, user string, n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	w, ok := l.users.Get(user)
	if !ok || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		l.users.Put(user, w, l.window)
	}
	granted := min(n, max(0, l.limit-w.used))
	w.used += granted
	return granted
}
