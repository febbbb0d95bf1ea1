package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
	"github.com/gosmarter/whichaccount/internal/redisstore/redistest"
)

// redisURL starts a redis-server of the test's own and returns its URL.
// Without the binary the test skips locally and fails under CI=true.
func redisURL(t *testing.T) string {
	t.Helper()
	return redistest.Start(t).URL
}

// TestTwoReplicasShareState runs two servers on one Redis: a retry that
// lands on the second after the first answered is not answered again, a
// follow-up on the second continues the conversation begun on the first,
// and the per-user lookup limit holds across both.
func TestTwoReplicasShareState(t *testing.T) {
	ru := redisURL(t)
	slack := slacktest.New(t)
	ms := microsoftFake(t)
	env := map[string]string{"REDIS_URL": ru, "WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE": "3"}
	_, one := testApp(t, slack, ms, &syncBuffer{}, env)
	_, two := testApp(t, slack, ms, &syncBuffer{}, env)

	// A retry on the other replica.
	ev := []byte(`{"type":"event_callback","team_id":"T0001","event_id":"EvRep1","event":{"type":"app_mention","user":"U0001","text":"<@UBOT0001> is my account personal?","ts":"1700000000.000100","channel":"C0001"}}`)
	signedPost(t, one.URL+"/slack/events", "application/json", ev)
	if !slack.Wait(3*time.Second, func() bool { return len(slack.Posts()) == 1 }) {
		t.Fatal("first replica did not answer")
	}
	signedPost(t, two.URL+"/slack/events", "application/json", ev, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	time.Sleep(200 * time.Millisecond)
	if n := len(slack.Posts()); n != 1 {
		t.Fatalf("retry on the second replica answered again: %d posts", n)
	}
	// The follow-up (just the address) lands on the second replica.
	follow := []byte(`{"type":"event_callback","team_id":"T0001","event_id":"EvRep2","event":{"type":"app_mention","user":"U0001","text":"<@UBOT0001> alex@contoso.com","ts":"1700000000.000200","thread_ts":"1700000000.000100","channel":"C0001"}}`)
	signedPost(t, two.URL+"/slack/events", "application/json", follow)
	if !slack.Wait(3*time.Second, func() bool { return len(slack.Posts()) == 2 }) {
		t.Fatal("second replica did not answer the follow-up")
	}
	if p := slack.Posts()[1]; !strings.Contains(p.Text, "both") || p.ThreadTS != "1700000000.000100" {
		t.Errorf("follow-up answer = %+v", p)
	}
	// The per-user limit (3 a minute) holds across both replicas.
	var answers []string
	for i, srv := range []string{one.URL, two.URL, one.URL, two.URL} {
		body := slashBody("is u"+string(rune('a'+i))+"@contoso.com work?", slack.ResponseURL(), "ULIMIT")
		answers = append(answers, commandAnswer(t, slack, func() *http.Response {
			return signedPost(t, srv+"/slack/events", "application/x-www-form-urlencoded", body)
		}))
	}
	for i, a := range answers {
		limited := strings.Contains(a, "offline rules only")
		if limited != (i == 3) {
			t.Errorf("lookup %d across replicas: limited=%v, want %v: %q", i+1, limited, i == 3, a)
		}
	}
}

// commandAnswer returns a slash command's answer, from its acknowledgement
// or, when that was empty, from the response_url post that follows.
func commandAnswer(t *testing.T, slack *slacktest.Server, send func() *http.Response) string {
	t.Helper()
	before := len(slack.Posts())
	res := send()
	var ack struct{ Text string }
	if err := json.NewDecoder(res.Body).Decode(&ack); err == nil && ack.Text != "" {
		return ack.Text
	}
	if !slack.Wait(5*time.Second, func() bool { return len(slack.Posts()) > before }) {
		t.Fatal("no answer")
	}
	return slack.Posts()[len(slack.Posts())-1].Text
}

// TestRedisDownDegrades points a server at a Redis that is not there:
// answers still flow and readiness says so.
func TestRedisDownDegrades(t *testing.T) {
	slack := slacktest.New(t)
	ms := microsoftFake(t)
	_, srv := testApp(t, slack, ms, &syncBuffer{}, map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0"})
	signedPost(t, srv.URL+"/slack/events", "application/x-www-form-urlencoded", slashBody("alex@contoso.com", slack.ResponseURL(), "U1"))
	if !slack.Wait(5*time.Second, func() bool { return len(slack.Posts()) == 1 }) {
		t.Fatal("no answer with Redis down")
	}
	if code, _ := get(t, srv.URL+"/readyz"); code != 503 {
		t.Errorf("readyz with Redis down = %d, want 503", code)
	}
	_, m := get(t, srv.URL+"/metrics")
	if strings.Contains(m, "whichaccount_redis_errors_total 0") {
		t.Errorf("redis errors not counted")
	}
}
