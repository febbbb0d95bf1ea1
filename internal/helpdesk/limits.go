package helpdesk

import (
	"context"
	"sync"
	"time"
)

// Limiter grants online lookups to users. Take asks for n and returns how
// many are granted (0..n).
type Limiter interface {
	Take(ctx context.Context, user string, n int) int
}

// WindowLimiter allows each user a number of lookups per fixed one-minute
// window. It is safe for concurrent use and forgets idle users.
type WindowLimiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	users  map[string]*window
	now    func() time.Time
	swept  time.Time
}

type window struct {
	start time.Time
	used  int
}

// NewWindowLimiter allows perMinute lookups per user per minute.
func NewWindowLimiter(perMinute int) *WindowLimiter {
	return &WindowLimiter{limit: perMinute, window: time.Minute, users: map[string]*window{}, now: time.Now}
}

// Take grants up to n lookups to user.
func (l *WindowLimiter) Take(_ context.Context, user string, n int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > l.window {
		for u, w := range l.users {
			if now.Sub(w.start) >= l.window {
				delete(l.users, u)
			}
		}
		l.swept = now
	}
	w, ok := l.users[user]
	if !ok || now.Sub(w.start) >= l.window {
		w = &window{start: now}
		l.users[user] = w
	}
	granted := min(n, max(0, l.limit-w.used))
	w.used += granted
	return granted
}
