package teams_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gosmarter/whichaccount/bots/teams"
	"github.com/gosmarter/whichaccount/bots/teams/teamstest"
	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

const handoffChannel = "19:helpdesk-channel@thread.tacv2"

func teamsHandoff() helpdesk.Handoff {
	h := helpdesk.Handoff{ID: "h1", Platform: helpdesk.PlatformWeb, Conversation: "web:abc", Question: "is alex@contoso.com personal or work?",
		Transcript: []string{"> is alex@contoso.com personal or work?", "< both"}, Topic: "classify.address", Lang: "en", At: time.Now()}
	h.User.ID, h.User.Name = "web:abc", "Alex Wilber"
	return h
}

// TestSendHandoff: a hand-off starts a conversation in the hand-off
// channel through the Bot Connector the bot has seen activities from,
// with the bot's token; a throttled attempt is retried, and nothing is
// posted before any Bot Connector is known.
func TestSendHandoff(t *testing.T) {
	h := newHarness(t, nil, nil, func(c *teams.Config) { c.HandoffChannel = handoffChannel })
	ctx := context.Background()
	if err := h.bot.SendHandoff(ctx, teamsHandoff()); err == nil || !strings.Contains(err.Error(), "TEAMS_SERVICE_URL") {
		t.Fatalf("with no Bot Connector known: %v", err)
	}
	if code := h.post(t, h.fake.Message("hello")); code != 200 {
		t.Fatalf("activity: %d", code)
	}
	h.fake.WaitActivities(t, 1)
	h.fake.Throttle(1, time.Second)
	if err := h.bot.SendHandoff(ctx, teamsHandoff()); err != nil {
		t.Fatal(err)
	}
	convs := h.fake.Conversations()
	if len(convs) != 1 || !strings.HasPrefix(convs[0].Authorization, "Bearer fake-access-token-") {
		t.Fatalf("conversations: %+v", convs)
	}
	var p struct {
		IsGroup     bool   `json:"isGroup"`
		TenantID    string `json:"tenantId"`
		Bot         struct{ ID string }
		ChannelData struct {
			Channel struct{ ID string }
			Tenant  struct{ ID string }
		} `json:"channelData"`
		Activity struct {
			Type        string
			Summary     string
			Attachments []struct {
				ContentType string
				Content     struct {
					Type string
					Body []struct{ Text string }
				}
			}
		}
	}
	if err := convs[0].Decode(&p); err != nil {
		t.Fatal(err)
	}
	if !p.IsGroup || p.ChannelData.Channel.ID != handoffChannel || p.ChannelData.Tenant.ID != teamstest.TenantID || p.TenantID != teamstest.TenantID ||
		p.Bot.ID != "28:"+teamstest.AppID || p.Activity.Type != "message" || p.Activity.Summary != "Alex Wilber asked for a person" ||
		len(p.Activity.Attachments) != 1 || p.Activity.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
		t.Errorf("conversation = %s", convs[0].Body)
	}
	if !strings.Contains(string(convs[0].Body), "via the web chat") || !strings.Contains(string(convs[0].Body), "is alex@contoso.com personal or work?") {
		t.Errorf("card = %s", convs[0].Body)
	}
}

// TestSendHandoffServiceURL: a configured Bot Connector (TEAMS_SERVICE_URL)
// is used even before any activity arrived.
func TestSendHandoffServiceURL(t *testing.T) {
	other := teamstest.New(t)
	h := newHarness(t, nil, nil, func(c *teams.Config) { c.HandoffChannel = handoffChannel; c.ServiceURL = other.ServiceURL })
	// The other connector does not know this bot's tokens: it refuses
	// them, and the hand-off fails there after one retry with a new token.
	if err := h.bot.SendHandoff(context.Background(), teamsHandoff()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("err = %v, want the configured connector's 401", err)
	}
	if calls := other.Calls(); len(calls) != 2 {
		t.Errorf("the configured connector got %d calls, want 2", len(calls))
	}
	if n := len(h.fake.Calls()); n != 0 {
		t.Errorf("%d calls to the other connector", n)
	}
}
