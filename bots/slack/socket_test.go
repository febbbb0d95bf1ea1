package slack

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestSocketMode(t *testing.T) {
	h := newHarness(t, 0, func(c *Config) { c.AppToken = "xapp-test"; c.SigningSecret = ""; c.AckWait = 2500 * time.Millisecond })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.RunSocketMode(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	if !h.fake.Wait(5*time.Second, h.fake.Connected) {
		t.Fatal("socket mode never connected")
	}
	// An event is acknowledged and answered as over HTTP.
	err := h.fake.SendEnvelope("env-1", "events_api", map[string]any{"type": "event_callback", "team_id": "T0001", "event_id": "EvS1",
		"event": map[string]any{"type": "app_mention", "user": "U0001", "text": "<@UBOT0001> is sam@outlook.com work?", "ts": "1700000001.000100", "channel": "C0001"}})
	if err != nil {
		t.Fatal(err)
	}
	if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Acks()) == 1 && len(h.fake.Posts()) == 1 }) {
		t.Fatalf("acks %+v posts %+v", h.fake.Acks(), h.fake.Posts())
	}
	if a := h.fake.Acks()[0]; a.EnvelopeID != "env-1" {
		t.Errorf("ack = %+v", a)
	}
	if p := h.fake.Posts()[0]; p.ThreadTS != "1700000001.000100" || !strings.Contains(p.Text, "sam@outlook.com") {
		t.Errorf("post = %+v", p)
	}
	// A slash command gets its answer in the acknowledgement: the answer
	// needs no lookup, so the acknowledgement waits for it, here up to
	// 2.5 s of the 3 s Slack allows, so that a machine busy with the race
	// detector still answers in time.
	h.fake.SendEnvelope("env-2", "slash_commands", map[string]any{"team_id": "T0001", "channel_id": "C0001", "user_id": "U0001", "command": "/whichaccount", "text": "sam@outlook.com", "response_url": h.fake.ResponseURL()})
	if !h.fake.Wait(5*time.Second, func() bool { return len(h.fake.Acks()) == 2 }) {
		t.Fatalf("acks %+v", h.fake.Acks())
	}
	a := h.fake.Acks()[1]
	if a.EnvelopeID != "env-2" || !strings.Contains(string(a.Payload), "sam@outlook.com") || !strings.Contains(string(a.Payload), `"blocks"`) {
		t.Errorf("slash ack = %s %s", a.EnvelopeID, a.Payload)
	}
	// A retried envelope with the same event is acknowledged, not answered again.
	h.fake.SendEnvelope("env-3", "events_api", map[string]any{"type": "event_callback", "team_id": "T0001", "event_id": "EvS1",
		"event": map[string]any{"type": "app_mention", "user": "U0001", "text": "<@UBOT0001> is sam@outlook.com work?", "ts": "1700000001.000100", "channel": "C0001"}})
	if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Acks()) == 3 }) {
		t.Fatal("retry not acknowledged")
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(h.fake.Posts()); n != 1 {
		t.Errorf("posts after retry = %d, want 1", n)
	}
}
