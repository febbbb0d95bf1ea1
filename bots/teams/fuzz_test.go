package teams

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

var activitySeeds = []string{
	`{"type":"message","id":"1","serviceUrl":"https://smba.trafficmanager.net/emea/","channelId":"msteams","from":{"id":"29:u","aadObjectId":"a"},"recipient":{"id":"28:bot"},"conversation":{"conversationType":"personal","id":"a:1","tenantId":"t"},"text":"is jane@contoso.com personal?","locale":"en-GB"}`,
	`{"type":"message","id":"5","serviceUrl":"https://x/","channelId":"msteams","from":{"id":"29:u"},"recipient":{"id":"28:bot"},"conversation":{"conversationType":"channel","id":"19:c@thread.tacv2;messageid=5"},"text":"<at>Bot</at> hi <at>M</at>","entities":[{"type":"mention","text":"<at>Bot</at>","mentioned":{"id":"28:bot"}},{"type":"mention","text":"<at>M</at>","mentioned":{"id":"29:m"}}],"channelData":{"tenant":{"id":"t"},"channel":{"id":"19:c@thread.tacv2"}}}`,
	`{"type":"message","id":"8","serviceUrl":"http://localhost:3978","conversation":{"id":"a:1"},"value":{"text":"why?"}}`,
	`{"type":"conversationUpdate","serviceUrl":"https://x/","recipient":{"id":"28:bot"},"conversation":{"id":"a:1"},"membersAdded":[{"id":"28:bot"}]}`,
	`{"type":"invoke","name":"adaptiveCard/action","value":[1,2,{"a":null}]}`,
	`{"type":"message","entities":"x","value":"y","channelData":7}`,
	`[]`, `null`, `{}`, ``,
}

// FuzzDecodeActivity checks that no body makes the decoder, the routing or
// the rendering panic, and that what is decoded is consistent.
func FuzzDecodeActivity(f *testing.F) {
	for _, s := range activitySeeds {
		f.Add([]byte(s))
	}
	b, err := New(Config{Emulator: true, TriageChannels: []string{"19:c@thread.tacv2"}}, nopResponder{}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := decodeActivity(body)
		if err != nil {
			if a != nil {
				t.Fatal("an error and an activity")
			}
			return
		}
		if a.Type == "" {
			t.Fatal("decoded an activity with no type")
		}
		if len(a.Conversation.ID) > MaxIDLen || len(a.user()) > MaxIDLen || len(a.tenantID()) > MaxIDLen || len(a.ID) > MaxIDLen || len(a.channel()) > MaxIDLen {
			t.Fatal("decoded an activity with an id over MaxIDLen")
		}
		if a.isSubmit && a.text() != a.submitted {
			t.Fatalf("a submission's text %q is not its value %q", a.text(), a.submitted)
		}
		_, _, _, _, _, _ = a.tenantID(), a.user(), a.channel(), a.topLevel(), a.addsBot(), a.conversationType()
		if j, ok := b.route(a); ok {
			if j.msg.Platform != helpdesk.PlatformTeams || j.msg.Conversation != a.Conversation.ID {
				t.Fatalf("routed message %+v", j.msg)
			}
			activityURL(a.ServiceURL, a.Conversation.ID, j.replyTo)
			renderActivity(a, helpdesk.Reply{Headline: helpdesk.Rich{{Text: a.Text, Quoted: true}}, Summary: helpdesk.Plain(j.msg.Text), Lines: []helpdesk.Rich{{{Text: a.Text, Quoted: true}}}}, j.replyTo)
		}
	})
}

type nopResponder struct{}

func (nopResponder) Respond(context.Context, helpdesk.Message) (helpdesk.Reply, error) {
	return helpdesk.Reply{}, nil
}

// fuzzKey is a signing key shared by the token fuzz target and benchmarks.
var fuzzKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

const testAppID = "2f4c8a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"

// cachedVerifier is a verifier whose key set already holds key "k1" and
// that never fetches (its client fails, and it has just tried).
func cachedVerifier(now func() time.Time) *verifier {
	ks := &keySet{
		metadataURL: "http://127.0.0.1:1/none",
		client:      &http.Client{Transport: failingTransport{}},
		now:         now,
		log:         slog.New(slog.DiscardHandler),
		keys:        map[string]signingKey{"k1": {pub: &fuzzKey().PublicKey, endorsements: []string{"msteams"}}},
		fetchedAt:   now(),
		lastAttempt: now(),
	}
	return newVerifier(testAppID, ks, now)
}

type failingTransport struct{}

func (failingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network in this test")
}

func mint(tb testing.TB, now time.Time, method jwt.SigningMethod, key any, claims jwt.MapClaims, kid string) string {
	tb.Helper()
	c := jwt.MapClaims{
		"iss": botFrameworkIssuer, "aud": testAppID, "serviceurl": "https://smba.trafficmanager.net/emea/",
		"nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	for k, v := range claims {
		c[k] = v
	}
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// FuzzVerifyToken checks that no token makes the validator panic and that
// only tokens signed with the key set's key pass.
func FuzzVerifyToken(f *testing.F) {
	now := time.Unix(1_750_000_000, 0)
	clock := func() time.Time { return now }
	valid := mint(f, now, jwt.SigningMethodRS256, fuzzKey(), nil, "k1")
	f.Add(valid)
	f.Add(mint(f, now, jwt.SigningMethodRS256, fuzzKey(), jwt.MapClaims{"aud": []string{testAppID}, "serviceurl": 5}, "k1"))
	f.Add(mint(f, now, jwt.SigningMethodRS256, fuzzKey(), nil, "unknown"))
	f.Add(mint(f, now, jwt.SigningMethodHS256, []byte("secret"), nil, "k1"))
	f.Add(mint(f, now, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil, "k1"))
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.e30.")
	v := cachedVerifier(clock)
	f.Fuzz(func(t *testing.T, tok string) {
		id, err := v.verify(context.Background(), tok)
		if err != nil {
			return
		}
		if id.serviceURL == "" || len(id.endorsements) == 0 {
			t.Fatalf("accepted token gives identity %+v", id)
		}
		// Only the seed minted with the real key can verify; any other
		// accepted token would mean a forgery.
		if _, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{}); err != nil {
			t.Fatalf("accepted a token that does not even parse: %v", err)
		}
	})
}
