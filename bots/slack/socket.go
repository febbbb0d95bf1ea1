package slack

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode connects to Slack over Socket Mode and serves it until ctx
// ends, with the same behaviour as HTTP. Every request is acknowledged
// explicitly (slack-go does not), slash commands with their answer when it
// is ready. A lost connection is re-established with backoff.
func (b *Bot) RunSocketMode(ctx context.Context) error {
	if b.cfg.AppToken == "" {
		return errors.New("slack: Socket Mode needs an app token")
	}
	client := socketmode.New(b.api, socketmode.OptionPingInterval(30*time.Second))
	go b.socketEvents(ctx, client)
	delay := time.Second
	for {
		err := client.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		b.log.Warn("socket mode connection lost; reconnecting", "error", errString(err), "in", delay)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Minute)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// socketEvents acknowledges and handles what arrives over the socket.
func (b *Bot) socketEvents(ctx context.Context, client *socketmode.Client) {
	for {
		var evt socketmode.Event
		select {
		case <-ctx.Done():
			return
		case evt = <-client.Events:
		}
		switch evt.Type {
		case socketmode.EventTypeConnected:
			b.log.Info("socket mode connected")
		case socketmode.EventTypeInvalidAuth:
			b.log.Error("socket mode: Slack refused the app token")
		case socketmode.EventTypeEventsAPI:
			if evt.Request == nil {
				continue
			}
			client.Ack(*evt.Request)
			var env envelope
			if err := json.Unmarshal(evt.Request.Payload, &env); err != nil {
				b.log.Debug("ignored undecodable socket event", "error", safeErr(err))
				continue
			}
			if env.Type == "event_callback" {
				if err := b.event(ctx, env); err != nil {
					b.log.Warn("dropped a socket event", "reason", err.Error())
				}
			}
		case socketmode.EventTypeSlashCommand:
			if evt.Request == nil {
				continue
			}
			c, ok := evt.Data.(slackapi.SlashCommand)
			if !ok || !commandFits(c) {
				client.Ack(*evt.Request)
				continue
			}
			if ack := b.command(ctx, c); ack != nil {
				client.Ack(*evt.Request, ack)
			} else {
				client.Ack(*evt.Request)
			}
		case socketmode.EventTypeInteractive:
			if evt.Request == nil {
				continue
			}
			client.Ack(*evt.Request)
			if cb, ok := evt.Data.(slackapi.InteractionCallback); ok && interactionFits(cb) {
				b.interaction(ctx, cb)
			}
		}
	}
}
