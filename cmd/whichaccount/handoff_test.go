package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
	"github.com/gosmarter/whichaccount/bots/teams/teamstest"
	"github.com/gosmarter/whichaccount/internal/webhook"
	"github.com/gosmarter/whichaccount/internal/webhook/webhooktest"
)

// postsIn returns the fake Slack's posts in a channel.
func postsIn(slack *slacktest.Server, channel string) []slacktest.Post {
	var out []slacktest.Post
	for _, p := range slack.Posts() {
		if p.Channel == channel {
			out = append(out, p)
		}
	}
	return out
}

// TestSlackDMHandoff: a Slack DM that ends in a hand-off posts exactly one
// summary in the hand-off channel and one webhook delivery to a loopback
// receiver, also when the receiver first answers 503; pressing the button
// again sends nothing more.
func TestSlackDMHandoff(t *testing.T) {
	for _, first := range []int{200, 503} {
		t.Run(map[int]string{200: "receiver takes it", 503: "receiver answers 503 first"}[first], func(t *testing.T) {
			hook := webhooktest.New(t)
			if first != 200 {
				hook.Fail(first)
			}
			slack := slacktest.New(t)
			slack.SetName("U0001", "Alex Wilber")
			dir := t.TempDir()
			env := map[string]string{"SLACK_HANDOFF_CHANNEL": "CHELPDESK", "WHICHACCOUNT_HANDOFF_WEBHOOK": hook.URL, "WHICHACCOUNT_DATA_DIR": dir,
				"WHICHACCOUNT_ORG_NAME": "Contoso", "WHICHACCOUNT_HELPDESK": "the IT Service Desk"}
			logs := &syncBuffer{}
			a, srv := testApp(t, slack, microsoftFake(t), logs, env)
			status := strings.Join(a.status, "\n")
			if !strings.Contains(status, "Hand-off: on — a summary goes to Slack channel CHELPDESK, webhook http://127.0.0.1:") || strings.Contains(status, "s3cr3t") {
				t.Errorf("start-up summary:\n%s", status)
			}

			slackDM(t, srv.URL, "U0001", "D0001", "is alex@contoso.com personal or work?")
			waitPosts(t, slack, 1)
			slackDM(t, srv.URL, "U0001", "D0001", "that didn't help, I want to talk to a human")
			offer := waitPosts(t, slack, 2)
			id, value := buttonValue(t, offer, "handoff")
			slackClick(t, srv.URL, "U0001", "D0001", id, value)
			waitPosts(t, slack, 4) // the summary and the answer, in either order
			var reply slacktest.Post
			for _, p := range postsIn(slack, "D0001") {
				reply = p
			}
			if !strings.Contains(reply.Text, "passed this to the IT Service Desk") {
				t.Errorf("the person is told %q", reply.Text)
			}
			slackClick(t, srv.URL, "U0001", "D0001", id, value) // pressed again
			waitPosts(t, slack, 5)
			if last := slack.Posts()[4]; !strings.Contains(last.Text, "already passed this") {
				t.Errorf("second press: %q", last.Text)
			}

			summaries := postsIn(slack, "CHELPDESK")
			if len(summaries) != 1 {
				t.Fatalf("%d summaries in the hand-off channel, want 1", len(summaries))
			}
			s := summaries[0].Blocks
			for _, want := range []string{"<@U0001> (Alex Wilber) asked for a person", "is alex@contoso.com personal or work?", "alex@contoso.com — Both kinds",
				"that didn't help, I want to talk to a human", slacktest.WorkspaceURL + "archives/D0001|"} {
				if !strings.Contains(jsonUnescape(s), want) {
					t.Errorf("summary lacks %q: %s", want, jsonUnescape(s))
				}
			}
			taken := hook.Taken()
			if len(taken) != 1 || len(hook.Requests()) != map[int]int{200: 1, 503: 2}[first] {
				t.Fatalf("webhook: %d requests, %d taken", len(hook.Requests()), len(taken))
			}
			var body webhook.Body
			if err := json.Unmarshal(taken[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			if body.Kind != "handoff" || body.Platform != "slack" || body.User.ID != "T0001:U0001" || body.User.Name != "Alex Wilber" ||
				body.Question != "is alex@contoso.com personal or work?" || len(body.Verdicts) != 1 || body.Verdicts[0].Kind != "both" ||
				len(body.Transcript) < 4 || body.Lang != "en" || body.ID == "" || taken[0].IdempotencyKey != body.ID || time.Since(body.At) > time.Minute {
				t.Errorf("webhook body = %s", taken[0].Body)
			}
			for _, r := range hook.Requests() {
				if r.IdempotencyKey != body.ID {
					t.Errorf("a retry with another key: %q", r.IdempotencyKey)
				}
			}
			_, m := get(t, srv.URL+"/metrics")
			for _, want := range []string{`whichaccount_handoffs_total{target="slack"} 1`, `whichaccount_handoffs_total{target="webhook"} 1`} {
				if !strings.Contains(m, want) {
					t.Errorf("metrics lack %s", want)
				}
			}
			for _, secret := range []string{"s3cr3t", "hooks/catch", "alex@contoso.com"} {
				if strings.Contains(logs.String(), secret) {
					t.Errorf("logs carry %q", secret)
				}
			}
			// The report has the question, without the address.
			a.journal.Flush(t.Context())
			_, out, _ := runCmd(t, map[string]string{"WHICHACCOUNT_DATA_DIR": dir}, "", "report")
			if !strings.Contains(out, `"is …@contoso.com personal or work?"`) || strings.Contains(out, "alex@") || !strings.Contains(out, "handoff 1") {
				t.Errorf("report:\n%s", out)
			}
		})
	}
}

// TestSlackThreadHandoffLinksTheThread: a hand-off asked for in a
// channel thread links to that thread (chat.getPermalink).
func TestSlackThreadHandoffLinksTheThread(t *testing.T) {
	slack := slacktest.New(t)
	_, srv := testApp(t, slack, microsoftFake(t), &syncBuffer{}, map[string]string{"SLACK_HANDOFF_CHANNEL": "CHELPDESK", "WHICHACCOUNT_LOOKUP": "offline"})
	const root = "1700000300.000100"
	ev, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T0001", "event_id": "EvThread1",
		"event": map[string]any{"type": "app_mention", "user": "U0005", "channel": "C0001", "ts": root, "text": "<@UBOT0001> can I talk to a real person please"}})
	signedPost(t, srv.URL+"/slack/events", "application/json", ev)
	offer := waitPosts(t, slack, 1)
	if offer.ThreadTS != root {
		t.Fatalf("answer not in the thread: %+v", offer)
	}
	id, value := buttonValue(t, offer, "handoff")
	slackClickIn(t, srv.URL, "U0005", "C0001", root, id, value)
	waitPosts(t, slack, 3)
	summaries := postsIn(slack, "CHELPDESK")
	if len(summaries) != 1 || !strings.Contains(jsonUnescape(summaries[0].Blocks), "<"+slacktest.PermalinkFor("C0001", root)+"|") ||
		!strings.Contains(jsonUnescape(summaries[0].Blocks), "<@U0005>") {
		t.Errorf("summaries: %+v", summaries)
	}
	if p := slack.Permalinks(); len(p) != 1 || p[0].Channel != "C0001" || p[0].MessageTS != root {
		t.Errorf("chat.getPermalink calls: %+v", p)
	}
}

// jsonUnescape undoes the escaping of <, > and & in JSON text.
func jsonUnescape(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}

// TestTeamsHandoff: in a Teams chat, "talk to a person" and the button
// start a conversation in the hand-off channel through the Bot Connector.
func TestTeamsHandoff(t *testing.T) {
	bf := teamstest.New(t)
	_, srv := testApp(t, slacktest.New(t), microsoftFake(t), &syncBuffer{}, map[string]string{
		"MICROSOFT_APP_ID": teamstest.AppID, "MICROSOFT_APP_PASSWORD": teamstest.AppPassword,
		"BOTFRAMEWORK_OPENID_METADATA_URL": bf.MetadataURL, "BOTFRAMEWORK_TOKEN_URL": bf.TokenURL,
		"TEAMS_HANDOFF_CHANNEL": "19:helpdesk@thread.tacv2",
	})
	msg := bf.Message("can I talk to a real person please")
	if code := teamstest.Post(t, srv.URL+"/api/messages", bf.Token(t), msg); code != 200 {
		t.Fatalf("message: %d", code)
	}
	acts := bf.WaitActivities(t, 1)
	if !strings.Contains(string(acts[0].Body), `"action":"handoff"`) {
		t.Fatalf("no hand-off button: %s", acts[0].Body)
	}
	if code := teamstest.Post(t, srv.URL+"/api/messages", bf.Token(t), bf.Submit(msg["conversation"].(map[string]any), "handoff")); code != 200 {
		t.Fatalf("submit: %d", code)
	}
	convs := bf.WaitConversations(t, 1)
	body := string(convs[0].Body)
	if !strings.Contains(body, `"id":"19:helpdesk@thread.tacv2"`) || !strings.Contains(body, "Alex Wilber asked for a person via Teams") {
		t.Errorf("conversation = %s", body)
	}
	acts = bf.WaitActivities(t, 2)
	if !strings.Contains(string(acts[1].Body), "passed this to") {
		t.Errorf("reply = %s", acts[1].Body)
	}
}
