package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/slack/slacktest"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// hostileHandoff is a hand-off whose outside text tries markup, mentions
// and links.
func hostileHandoff() helpdesk.Handoff {
	h := helpdesk.Handoff{ID: "h1", Platform: helpdesk.PlatformSlack, Conversation: "T0001:C0001:1700000000.000100",
		Question:   "is alex@contoso.com *URGENT* <https://evil.example|reset here> <!channel> personal or work?",
		Transcript: []string{"> is alex@contoso.com *URGENT* <!channel> personal or work?", "< alex@contoso.com is both", "> that didn't help, a human please", "< I can pass this on"},
		Verdicts:   []msaccount.Verdict{{Input: "alex@contoso.com", Address: "alex@contoso.com", Kind: msaccount.KindBoth, Certainty: msaccount.Confirmed}},
		Topic:      "classify.address", Lang: "en", At: time.Date(2026, 11, 30, 14, 2, 0, 0, time.UTC)}
	h.User.ID, h.User.Name = "T0001:U0001", "Alex <@U999> *Wilber*"
	return h
}

func TestHandoffGolden(t *testing.T) {
	blocks, text := renderHandoff(hostileHandoff(), "en", slacktest.PermalinkFor("C0001", "1700000000.000100"))
	got, err := json.MarshalIndent(map[string]any{"text": text, "blocks": blocks}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "handoff.golden.json")
	if *update {
		os.WriteFile(path, append(got, '\n'), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("renderHandoff differs from %s:\n%s", path, got)
	}
	var all strings.Builder
	for _, b := range blocks {
		if b.Text != nil {
			all.WriteString(b.Text.Text + "\n")
		}
		for _, e := range b.Elements {
			all.WriteString(e.Text.(string) + "\n")
		}
	}
	s := all.String() + text
	for _, bad := range []string{"<https://evil", "<!channel>", "<@U999>", "*URGENT*", "*Wilber*"} {
		if strings.Contains(s, bad) {
			t.Errorf("outside text became markup: %s", bad)
		}
	}
	for _, want := range []string{"<@U0001>", "alex@contoso.com", "Both kinds", "|Open the conversation>"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %s", want)
		}
	}
}

// TestSendHandoff: one post in the hand-off channel, with a link to the
// thread (chat.getPermalink) or, for a direct message, to the channel in
// the workspace; from another platform, the name and no link.
func TestSendHandoff(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.HandoffChannel = "CHELPDESK" })
	ctx := context.Background()
	if err := h.bot.SendHandoff(ctx, hostileHandoff()); err != nil {
		t.Fatal(err)
	}
	dm := hostileHandoff()
	dm.Conversation = "T0001:D0001"
	if err := h.bot.SendHandoff(ctx, dm); err != nil {
		t.Fatal(err)
	}
	teams := hostileHandoff()
	teams.Platform, teams.Conversation, teams.User.ID = helpdesk.PlatformTeams, "a:1chat", "00000000-0000-0000-0000-00000000a1e5"
	if err := h.bot.SendHandoff(ctx, teams); err != nil {
		t.Fatal(err)
	}
	posts := h.fake.Posts()
	if len(posts) != 3 {
		t.Fatalf("%d posts", len(posts))
	}
	for _, p := range posts {
		if p.Channel != "CHELPDESK" || p.ThreadTS != "" || p.Method != "chat.postMessage" {
			t.Errorf("post %+v", p)
		}
	}
	if pl := h.fake.Permalinks(); len(pl) != 1 || pl[0] != (slacktest.Permalink{Channel: "C0001", MessageTS: "1700000000.000100"}) {
		t.Errorf("permalinks asked for: %+v", pl)
	}
	if !strings.Contains(posts[0].Blocks, slacktest.PermalinkFor("C0001", "1700000000.000100")+"|") {
		t.Errorf("thread link missing: %s", posts[0].Blocks)
	}
	if !strings.Contains(posts[1].Blocks, slacktest.WorkspaceURL+"archives/D0001|") {
		t.Errorf("DM link missing: %s", posts[1].Blocks)
	}
	if strings.Contains(posts[2].Blocks, "<@") || strings.Contains(posts[2].Blocks, "Open the conversation") || !strings.Contains(posts[2].Blocks, "via Teams") {
		t.Errorf("a Teams hand-off in Slack: %s", posts[2].Blocks)
	}
	// Without a channel there is nowhere to post.
	h2 := newHarness(t, 0, nil)
	if err := h2.bot.SendHandoff(ctx, hostileHandoff()); err == nil {
		t.Error("a hand-off without a channel was sent")
	}
}

// TestSendHandoffRetries: a rate limit is waited out; an error Slack
// answers is not retried.
func TestSendHandoffRetries(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.HandoffChannel = "CHELPDESK" })
	h.fake.RateLimit("chat.postMessage", 1)
	if err := h.bot.SendHandoff(context.Background(), hostileHandoff()); err != nil {
		t.Fatal(err)
	}
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("%d posts after a rate limit, want 1", n)
	}
}

// TestUserNameFromUsersInfo: the asker's name comes from the same
// users.info call as their locale, once per user.
func TestUserNameFromUsersInfo(t *testing.T) {
	h := newHarness(t, 0, nil)
	h.fake.SetName("U0042", "Adele Vance")
	for i, ts := range []string{"1700000003.000100", "1700000003.000200"} {
		h.event(t, "EvName"+ts, map[string]any{"type": "message", "channel_type": "im", "user": "U0042", "text": "is sam@outlook.com personal?", "ts": ts, "channel": "D0042"})
		if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Posts()) == i+1 }) {
			t.Fatal("no answer")
		}
	}
	msgs := h.resp.messages()
	if len(msgs) != 2 || msgs[0].UserName != "Adele Vance" || msgs[1].UserName != "Adele Vance" || msgs[0].Locale != "en-US" {
		t.Errorf("messages = %+v", msgs)
	}
	if n := h.fake.UserInfoCalls(); n != 1 {
		t.Errorf("%d users.info calls, want 1", n)
	}
}
