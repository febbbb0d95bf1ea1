package msaccount

import "context"

type waitNoticeKey struct{}

// WithWaitNotice returns a context whose lookups call notice just before
// they wait for Microsoft's sign-in service or the organisation's
// directory (an answer not in the cache). A caller that must answer
// quickly, a Slack slash command's acknowledgement, waits for an answer
// that needs no such call and stops waiting at the notice.
func WithWaitNotice(ctx context.Context, notice func()) context.Context {
	return context.WithValue(ctx, waitNoticeKey{}, notice)
}

// noticeWait calls the context's wait notice, if any.
func noticeWait(ctx context.Context) {
	if notice, ok := ctx.Value(waitNoticeKey{}).(func()); ok {
		notice()
	}
}
