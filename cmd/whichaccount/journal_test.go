package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
	"github.com/gosmarter/whichaccount/bots/teams/teamstest"
	"github.com/gosmarter/whichaccount/internal/journal"
)

var slackSeq atomic.Int64

// slackDM sends a direct message to the bot, as the Events API does.
func slackDM(t *testing.T, base, user, channel, text string) {
	t.Helper()
	n := slackSeq.Add(1)
	ev, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0001", "event_id": fmt.Sprintf("EvDesk%d", n),
		"event": map[string]any{"type": "message", "channel_type": "im", "user": user, "channel": channel, "text": text, "ts": fmt.Sprintf("1700000100.%06d", n)}})
	if res := signedPost(t, base+"/slack/events", "application/json", ev); res.StatusCode != http.StatusOK {
		t.Fatalf("DM: status %d", res.StatusCode)
	}
}

// slackClick presses a button of a message the bot posted in a DM.
func slackClick(t *testing.T, base, user, channel, actionID, value string) {
	t.Helper()
	slackClickIn(t, base, user, channel, "", actionID, value)
}

// slackClickIn presses a button of a message the bot posted in a thread
// ("" for none).
func slackClickIn(t *testing.T, base, user, channel, thread, actionID, value string) {
	t.Helper()
	n := slackSeq.Add(1)
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": user},
		"channel":   map[string]string{"id": channel},
		"container": map[string]any{"type": "message", "channel_id": channel},
		"message":   map[string]any{"ts": "1800000000.000001", "thread_ts": thread},
		"actions":   []map[string]string{{"action_id": actionID, "block_id": "wa_feedback", "value": value, "type": "button", "action_ts": fmt.Sprintf("1700000200.%06d", n)}},
	})
	if res := signedPost(t, base+"/slack/events", "application/x-www-form-urlencoded", slacktest.FormBody(url.Values{"payload": {string(payload)}})); res.StatusCode != http.StatusOK {
		t.Fatalf("click: status %d", res.StatusCode)
	}
}

// buttonValue is the value of the first button of a post whose value
// starts with prefix, and its action ID.
func buttonValue(t *testing.T, p slacktest.Post, prefix string) (actionID, value string) {
	t.Helper()
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	json.Unmarshal([]byte(p.Blocks), &blocks)
	for _, b := range blocks {
		for _, e := range b.Elements {
			if strings.HasPrefix(e.Value, prefix) {
				return e.ActionID, e.Value
			}
		}
	}
	t.Fatalf("no %q button in %s", prefix, p.Blocks)
	return "", ""
}

// waitPosts waits for the fake Slack to have n posts and returns the last.
func waitPosts(t *testing.T, slack *slacktest.Server, n int) slacktest.Post {
	t.Helper()
	if !slack.Wait(5*time.Second, func() bool { return len(slack.Posts()) >= n }) {
		t.Fatalf("%d posts, want %d: %+v", len(slack.Posts()), n, slack.Posts())
	}
	p := slack.Posts()
	return p[n-1]
}

// TestReportShowsUnansweredWithoutAddress: a Slack conversation with a
// "Not helpful" vote, what was missing (naming an address) and a question
// nothing matched ends up in `whichaccount report`, with the address as
// its domain only; the counts and the metrics agree, and a restart (a new
// server on the same data directory) keeps them.
func TestReportShowsUnansweredWithoutAddress(t *testing.T) {
	dir := t.TempDir()
	slack := slacktest.New(t)
	env := map[string]string{"WHICHACCOUNT_DATA_DIR": dir, "WHICHACCOUNT_LOOKUP": "offline"}
	a, srv := testApp(t, slack, microsoftFake(t), &syncBuffer{}, env)

	slackDM(t, srv.URL, "U0001", "D0001", "I forgot my work password, how do I reset it?")
	answer := waitPosts(t, slack, 1)
	id, down := buttonValue(t, answer, "vote:down:")
	slackClick(t, srv.URL, "U0001", "D0001", id, down)
	waitPosts(t, slack, 2)
	slackClick(t, srv.URL, "U0001", "D0001", id, down) // twice: counted once
	waitPosts(t, slack, 3)
	slackDM(t, srv.URL, "U0001", "D0001", "I needed the reset page for jane.doe@contoso.com, she is locked out")
	waitPosts(t, slack, 4)
	slackDM(t, srv.URL, "U0002", "D0002", "qwzx plorf")
	waitPosts(t, slack, 5)

	_, m := get(t, srv.URL+"/metrics")
	for _, want := range []string{`whichaccount_feedback_total{topic="password.reset_work",vote="not_helpful"} 1`, "whichaccount_unmatched_total 1"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if err := a.journal.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}

	code, out, errs := runCmd(t, env, "", "report", "--format", "json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errs)
	}
	var r journal.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var reset journal.TopicRow
	for _, row := range r.Topics {
		if row.Topic == "password.reset_work" {
			reset = row
		}
	}
	if reset.Answered != 1 || reset.NotHelpful != 1 || reset.Helpful != 0 {
		t.Errorf("password.reset_work row = %+v; topics %+v", reset, r.Topics)
	}
	if r.Unanswered.Total != 2 {
		t.Errorf("unanswered = %+v", r.Unanswered)
	}
	if strings.Contains(out, "jane.doe") || !strings.Contains(out, "reset page for …@contoso.com, she is locked out") || !strings.Contains(out, "qwzx plorf") {
		t.Errorf("report:\n%s", out)
	}

	// A restart keeps it: a new server on the same directory adds to it.
	a.journal.Close(t.Context())
	_, srv2 := testApp(t, slack, microsoftFake(t), &syncBuffer{}, env)
	slackDM(t, srv2.URL, "U0003", "D0003", "qwzx plorf")
	waitPosts(t, slack, 6)
	code, out, errs = runCmdUntil(t, env, func(out string) bool { return strings.Contains(out, `2× "qwzx plorf"`) }, "report", "--since", "1d")
	if code != 0 || strings.Contains(out, "jane.doe") || !strings.Contains(out, "password.reset_work") || !strings.Contains(out, "…@contoso.com") || !strings.Contains(out, `2× "qwzx plorf"`) {
		t.Errorf("report after a restart: exit %d %s\n%s", code, errs, out)
	}
	t.Logf("report:\n%s", out)
}

// runCmdUntil runs a command until its output satisfies ok (the journal
// flushes once a second), for up to 5 seconds.
func runCmdUntil(t *testing.T, env map[string]string, ok func(string) bool, args ...string) (int, string, string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, out, errs := runCmd(t, env, "", args...)
		if ok(out) || time.Now().After(deadline) {
			return code, out, errs
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTeamsNotHelpfulOnceAcrossReplicas: two servers on one Redis; a
// Teams "Not helpful" pressed twice, once on each, is one vote in the
// journal they share.
func TestTeamsNotHelpfulOnceAcrossReplicas(t *testing.T) {
	ru := redisURL(t)
	bf := teamstest.New(t)
	env := map[string]string{"REDIS_URL": ru, "WHICHACCOUNT_LOOKUP": "offline",
		"MICROSOFT_APP_ID": teamstest.AppID, "MICROSOFT_APP_PASSWORD": teamstest.AppPassword,
		"BOTFRAMEWORK_OPENID_METADATA_URL": bf.MetadataURL, "BOTFRAMEWORK_TOKEN_URL": bf.TokenURL}
	one, srv1 := testApp(t, slacktest.New(t), microsoftFake(t), &syncBuffer{}, env)
	two, srv2 := testApp(t, slacktest.New(t), microsoftFake(t), &syncBuffer{}, env)

	msg := bf.Message("I forgot my work password, how do I reset it?")
	if code := teamstest.Post(t, srv1.URL+"/api/messages", bf.Token(t), msg); code != 200 {
		t.Fatalf("message: %d", code)
	}
	acts := bf.WaitActivities(t, 1)
	down := ""
	for _, m := range strings.Split(string(acts[0].Body), `"action":"`)[1:] {
		if v, _, _ := strings.Cut(m, `"`); strings.HasPrefix(v, "vote:down:") {
			down = v
		}
	}
	if down == "" {
		t.Fatalf("no Not helpful button: %s", acts[0].Body)
	}
	conv := msg["conversation"].(map[string]any)
	if code := teamstest.Post(t, srv1.URL+"/api/messages", bf.Token(t), bf.Submit(conv, down)); code != 200 {
		t.Fatalf("vote: %d", code)
	}
	bf.WaitActivities(t, 2)
	if code := teamstest.Post(t, srv2.URL+"/api/messages", bf.Token(t), bf.Submit(conv, down)); code != 200 {
		t.Fatalf("vote again: %d", code)
	}
	acts = bf.WaitActivities(t, 3)
	if !strings.Contains(string(acts[2].Body), "already have your vote") {
		t.Errorf("second vote's reply: %s", acts[2].Body)
	}
	for _, a := range []*app{one, two} {
		if err := a.journal.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errs := runCmd(t, env, "", "report", "--format", "json")
	var r journal.Report
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
		t.Fatalf("report: %d %s %s", code, out, errs)
	}
	got := map[string]journal.TopicRow{}
	for _, row := range r.Topics {
		got[row.Topic] = row
	}
	if row := got["password.reset_work"]; row.NotHelpful != 1 || row.Answered != 1 {
		t.Errorf("votes across replicas: %+v", r.Topics)
	}
	_, m1 := get(t, srv1.URL+"/metrics")
	_, m2 := get(t, srv2.URL+"/metrics")
	if !strings.Contains(m1, `whichaccount_feedback_total{topic="password.reset_work",vote="not_helpful"} 1`) || strings.Contains(m2, "whichaccount_feedback_total{") {
		t.Errorf("the vote's metric: first replica %v, second %v", strings.Contains(m1, "feedback_total{"), strings.Contains(m2, "feedback_total{"))
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"7d", now.AddDate(0, 0, -7), true},
		{"0d", now, true},
		{"36h", now.Add(-36 * time.Hour), true},
		{"90m", now.Add(-90 * time.Minute), true},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), true},
		{"-3d", time.Time{}, false},
		{"-1h", time.Time{}, false},
		{"d", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"99999d", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if code, _, errs := runCmd(t, map[string]string{"WHICHACCOUNT_DATA_DIR": t.TempDir()}, "", "report", "--since", "soon"); code != 2 || !strings.Contains(errs, "--since") {
		t.Errorf("report --since soon: exit %d, %q", code, errs)
	}
	if code, out, _ := runCmd(t, map[string]string{"WHICHACCOUNT_DATA_DIR": t.TempDir()}, "", "report"); code != 0 || !strings.Contains(out, "nothing kept there yet") {
		t.Errorf("report of an empty directory: exit %d\n%s", code, out)
	}
}
