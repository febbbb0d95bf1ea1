package directory

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// refusalTTL is how long a refused token request is remembered, so that
// wrong credentials do not send every lookup to the token endpoint.
const refusalTTL = 30 * time.Second

// token returns a client-credentials access token for Graph, from the
// cache until shortly before it expires (a tenth of its lifetime, at most
// five minutes, before). One request at a time fetches a new one; the
// others wait for it.
func (c *Client) token(ctx context.Context) (string, error) {
	if tok, err, ok := c.cachedToken(); ok {
		return tok, err
	}
	select {
	case c.tokenLock <- struct{}{}:
	case <-ctx.Done():
		return "", &Error{Op: "token", Kind: ErrUnavailable, Err: ctx.Err()}
	}
	defer func() { <-c.tokenLock }()
	if tok, err, ok := c.cachedToken(); ok {
		return tok, err // fetched while this caller waited
	}

	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret},
		"scope":         {Scope},
	}
	status, body, _, err := c.send(ctx, opToken, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req, nil
	})
	if err != nil {
		return "", err
	}
	a, derr := decodeToken(body)
	switch {
	case derr == nil && status == http.StatusOK && a.Error == "":
		lifetime := a.ExpiresIn
		c.tokMu.Lock()
		c.tok = a.AccessToken
		c.tokUntil = c.now().Add(lifetime - min(lifetime/10, 5*time.Minute))
		c.tokErr = nil
		c.tokMu.Unlock()
		return a.AccessToken, nil
	case status >= 500 || status == http.StatusTooManyRequests:
		return "", &Error{Op: "token", Kind: ErrUnavailable, Status: status, Code: a.Error}
	case derr != nil && status == http.StatusOK:
		c.failures[opToken].Add(1)
		return "", &Error{Op: "token", Kind: ErrBadAnswer, Status: status, Err: derr}
	}
	// Refused: wrong tenant, client or secret. The AADSTS number says
	// which, without repeating anything secret.
	code := a.Error
	if len(a.ErrorCodes) > 0 {
		code += " AADSTS" + strconv.Itoa(a.ErrorCodes[0])
	}
	if status == http.StatusOK {
		c.failures[opToken].Add(1)
	}
	e := &Error{Op: "token", Kind: ErrDenied, Status: status, Code: strings.TrimSpace(code)}
	c.tokMu.Lock()
	c.tokErr, c.tokErrEnd = e, c.now().Add(refusalTTL)
	c.tokMu.Unlock()
	c.log.Warn("microsoft graph token refused", "status", status, "code", e.Code)
	return "", e
}

// cachedToken returns the cached token or the recent refusal, if any.
func (c *Client) cachedToken() (string, error, bool) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	now := c.now()
	if c.tok != "" && now.Before(c.tokUntil) {
		return c.tok, nil, true
	}
	if c.tokErr != nil && now.Before(c.tokErrEnd) {
		return "", c.tokErr, true
	}
	return "", nil, false
}

// dropToken forgets tok after Graph refused it, unless it was replaced
// already.
func (c *Client) dropToken(tok string) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.tok == tok {
		c.tok = ""
	}
}
