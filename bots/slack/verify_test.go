package slack

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

// TestVerifyReusesKeyedMACsSafely checks signatures concurrently, good and
// tampered, under two secrets: the pooled HMAC states never carry one
// request's bytes or key into another's.
func TestVerifyReusesKeyedMACsSafely(t *testing.T) {
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				secret := []string{"first-secret", "second-secret"}[(g+i)%2]
				body := []byte("text=" + strconv.Itoa(i))
				h := http.Header{}
				h.Set("X-Slack-Request-Timestamp", ts)
				h.Set("X-Slack-Signature", Sign(secret, now.Unix(), body))
				if err := verify(h, body, secret, now); err != nil {
					t.Errorf("good signature: %v", err)
				}
				if err := verify(h, append(body, '!'), secret, now); err != errSignature {
					t.Errorf("tampered body: %v", err)
				}
				if err := verify(h, body, secret+"x", now); err != errSignature {
					t.Errorf("other secret: %v", err)
				}
			}
		})
	}
	wg.Wait()
}
