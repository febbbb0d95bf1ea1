package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Slack's v0 request signature is checked here rather than with slack-go's
// SecretsVerifier, whose clock cannot be set: tests pin the clock to check
// Slack's published example.

var (
	errNoSignature = errors.New("slack: missing signature headers")
	errStale       = errors.New("slack: request timestamp outside the 5-minute window")
	errSignature   = errors.New("slack: signature mismatch")
)

// maxSkew is how far a request's timestamp may be from now.
const maxSkew = 5 * time.Minute

// verify checks the v0 signature of body against secret, in constant time.
func verify(h http.Header, body []byte, secret string, now time.Time) error {
	ts := h.Get("X-Slack-Request-Timestamp")
	sig := h.Get("X-Slack-Signature")
	if ts == "" || sig == "" || secret == "" {
		return errNoSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errNoSignature
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return errStale
	}
	got, ok := strings.CutPrefix(sig, "v0=")
	if !ok || len(got) != 64 {
		return errSignature
	}
	gotBytes, err := hex.DecodeString(got)
	if err != nil {
		return errSignature
	}
	if !hmac.Equal(gotBytes, sign(secret, ts, body)) {
		return errSignature
	}
	return nil
}

// sign computes the raw v0 HMAC of a request.
func sign(secret, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}

// Sign returns the X-Slack-Signature value for a request: what Slack sends,
// for tests and load generators.
func Sign(secret string, ts int64, body []byte) string {
	return "v0=" + hex.EncodeToString(sign(secret, strconv.FormatInt(ts, 10), body))
}
