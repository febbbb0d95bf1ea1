package slack

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/gosmarter/whichaccount/internal/recent"
)

// sender makes the bot's Web API and response_url calls: it retries rate
// limits after the delay Slack asks for and transient failures with
// backoff, paces posts per channel, and keeps each response_url within its
// budget of 5 uses in 30 minutes.
type sender struct {
	api      *slackapi.Client
	hc       *http.Client
	log      *slog.Logger
	interval time.Duration // least time between two posts to one channel
	attempts int
	backoff  time.Duration
	now      func() time.Time
	onRetry  func(op string)

	// apiOrigin is the scheme://host[:port] of the Web API, where
	// response_urls are accepted too (a fake Slack on loopback).
	apiOrigin string
	// webhook posts to response_urls: hc, following no redirects.
	webhook *http.Client

	mu   sync.Mutex              // guards the values in next and urls
	next *recent.Map[time.Time]  // channel → earliest next post
	urls *recent.Map[*urlBudget] // response_url → its uses so far
}

type urlBudget struct {
	first time.Time
	uses  int
}

// Bounds of the sender's state: channels being paced, and response_urls
// whose budget is counted. Both forget the oldest first when full; a
// response_url forgotten early at worst gets a refusal from Slack, after
// which the answer goes through the Web API.
const (
	pacedChannels    = 10000
	pacedBytes       = 2 << 20
	budgetedURLs     = 20000
	budgetedURLBytes = 8 << 20
)

func newSender(api *slackapi.Client, hc *http.Client, apiURL string, log *slog.Logger, interval time.Duration, attempts int, backoff time.Duration, now func() time.Time, onRetry func(string)) *sender {
	webhook := *hc
	webhook.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s := &sender{api: api, hc: hc, webhook: &webhook, apiOrigin: origin(apiURL), log: log, interval: interval, attempts: attempts, backoff: backoff, now: now, onRetry: onRetry,
		next: recent.New[time.Time](pacedChannels, pacedBytes, nil),
		urls: recent.New[*urlBudget](budgetedURLs, budgetedURLBytes, func(*urlBudget) int { return 32 })}
	s.next.SetClock(now)
	s.urls.SetClock(now)
	return s
}

// Limits of a response_url.
const (
	responseURLUses = 5
	responseURLLife = 30 * time.Minute
)

var (
	errURLSpent      = errors.New("slack: response_url used up or expired")
	errURLNotAllowed = errors.New("slack: response_url is not on a Slack host")
)

// responseURLHosts are the hosts Slack's response_urls are on: Slack's and
// GovSlack's.
var responseURLHosts = map[string]bool{"hooks.slack.com": true, "hooks.slack-gov.com": true}

// origin is the scheme://host[:port] of a URL, lowercased, or "".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// allowedResponseURL reports whether a response_url may be posted to: an
// https URL on Slack's or GovSlack's hooks host, or one on the exact origin
// (scheme, host and port) of the Web API the bot is configured with.
// Anything else (another host or port, http, credentials in the URL) came
// from somewhere other than Slack.
func (s *sender) allowedResponseURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	if u.Scheme == "https" && responseURLHosts[strings.ToLower(u.Host)] {
		return true // the default port only: Host has none
	}
	return s.apiOrigin != "" && strings.ToLower(u.Scheme+"://"+u.Host) == s.apiOrigin
}

// retry runs f until it succeeds, fails for good, or runs out of attempts.
// It retries only what cannot have been delivered: a rate limit (429, after
// the wait Slack asks for), an explicit 5xx answer, and a connection that
// was never made. A timeout or a connection lost after the request was sent
// is not retried: Slack may have taken the message, and the same answer
// twice is worse than one lost.
func (s *sender) retry(ctx context.Context, op string, f func() error) error {
	delay := s.backoff
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			return nil
		}
		var wait time.Duration
		var rl *slackapi.RateLimitedError
		var sc slackapi.StatusCodeError
		switch {
		case errors.As(err, &rl):
			wait = max(rl.RetryAfter, 100*time.Millisecond)
		case errors.As(err, &sc) && sc.Code >= 500:
			wait = delay
		case dialFailed(err):
			wait = delay
		default:
			return err
		}
		if attempt >= s.attempts {
			return err
		}
		s.log.Warn("slack call will be retried", "op", op, "attempt", attempt, "wait", wait)
		if s.onRetry != nil {
			s.onRetry(op)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, 30*time.Second)
	}
}

// mayHaveDelivered reports whether a failed call may still have reached
// Slack: anything but an answer refusing it, a connection never made, or a
// response_url not used at all.
func mayHaveDelivered(err error) bool {
	var rl *slackapi.RateLimitedError
	var sc slackapi.StatusCodeError
	var se slackapi.SlackErrorResponse
	return !errors.Is(err, errURLSpent) && !errors.Is(err, errURLNotAllowed) && !errors.As(err, &rl) && !errors.As(err, &sc) && !errors.As(err, &se) && !dialFailed(err)
}

// dialFailed reports whether err happened before the request was sent
// (connection refused, no route, a name that does not resolve), so that a
// retry cannot deliver it twice.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// pace waits until channel may take another post.
func (s *sender) pace(ctx context.Context, channel string) error {
	s.mu.Lock()
	now := s.now()
	at, _ := s.next.Get(channel)
	if at.Before(now) {
		at = now
	}
	// Kept until the channel may post again, and no longer.
	s.next.Put(channel, at.Add(s.interval), at.Add(s.interval).Sub(now))
	s.mu.Unlock()
	if wait := at.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

func (s *sender) postMessage(ctx context.Context, channel, threadTS string, blocks []slackapi.Block, text string) (string, error) {
	if err := s.pace(ctx, channel); err != nil {
		return "", err
	}
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...)}
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	var ts string
	err := s.retry(ctx, "chat.postMessage", func() error {
		var err error
		_, ts, err = s.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

func (s *sender) postEphemeral(ctx context.Context, channel, user, threadTS string, blocks []slackapi.Block, text string) error {
	if err := s.pace(ctx, channel); err != nil {
		return err
	}
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...)}
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	return s.retry(ctx, "chat.postEphemeral", func() error {
		_, err := s.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

func (s *sender) addReaction(ctx context.Context, channel, ts, name string) error {
	return s.retry(ctx, "reactions.add", func() error {
		err := s.api.AddReactionContext(ctx, name, slackapi.ItemRef{Channel: channel, Timestamp: ts})
		var se slackapi.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "already_reacted" {
			return nil
		}
		return err
	})
}

// respond posts to a response_url if it is Slack's and its budget allows;
// errURLSpent and errURLNotAllowed say the caller must fall back to the
// Web API. Redirects are not followed.
func (s *sender) respond(ctx context.Context, url string, msg *slackapi.WebhookMessage) error {
	if url == "" {
		return errURLSpent
	}
	if !s.allowedResponseURL(url) {
		return errURLNotAllowed
	}
	if !s.spend(url) {
		return errURLSpent
	}
	return s.retry(ctx, "response_url", func() error {
		return slackapi.PostWebhookCustomHTTPContext(ctx, url, s.webhook, msg)
	})
}

// spend takes one use of a response_url's budget.
func (s *sender) spend(url string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	b, ok := s.urls.Get(url)
	if !ok {
		b = &urlBudget{first: now}
		s.urls.Put(url, b, responseURLLife)
	}
	if b.uses >= responseURLUses || now.Sub(b.first) > responseURLLife {
		return false
	}
	b.uses++
	return true
}

// safeErr renders an error for the logs without the URL of a failed call: a
// response_url is a capability to post in the user's conversation.
func safeErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + redactedHost(ue.URL) + ": " + ue.Err.Error()
	}
	return err.Error()
}

// redactedHost keeps only the scheme and host of a URL.
func redactedHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(url)"
	}
	return u.Scheme + "://" + u.Host
}
