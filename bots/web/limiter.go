package web

import (
	"context"
	"strings"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// userSep joins the two halves of a web chat asker's User: the browser
// session and the client's address. Neither can contain it.
const userSep = "|"

// Limiter applies the per-user lookup limit of inner to a web chat asker
// twice: to their browser session and to their client address, so that
// opening new sessions (clearing cookies) does not buy more lookups. Other
// platforms' users pass through unchanged. Wrap the Limiter of the
// helpdesk.Handler the Bot answers through with it.
//
// A lookup is granted by the session first and then by the address; one
// the address refuses is lost to the session, which only shortens the
// budget of a session whose address is spent.
func Limiter(inner helpdesk.Limiter) helpdesk.Limiter { return pairLimiter{inner} }

type pairLimiter struct{ inner helpdesk.Limiter }

func (l pairLimiter) Take(ctx context.Context, user string, n int) int {
	rest, ok := strings.CutPrefix(user, helpdesk.PlatformWeb+":")
	if !ok {
		return l.inner.Take(ctx, user, n)
	}
	session, addr, ok := strings.Cut(rest, userSep)
	if !ok {
		return l.inner.Take(ctx, user, n)
	}
	granted := l.inner.Take(ctx, helpdesk.PlatformWeb+":"+session, n)
	if granted == 0 {
		return 0
	}
	return l.inner.Take(ctx, helpdesk.PlatformWeb+"-address:"+addr, granted)
}
