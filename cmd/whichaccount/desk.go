package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/journal"
	"github.com/gosmarter/whichaccount/internal/webhook"
)

// orgStatus is the start-up summary's line about the organisation's own
// facts.
func orgStatus(cfg config) string {
	o := cfg.Org
	if o.Name == "" && o.Helpdesk == "" && o.SSPRURL == "" && len(o.Domains) == 0 {
		return "Organisation: not set — answers say \"your organisation\", \"your IT helpdesk\" and aka.ms/sspr; set WHICHACCOUNT_ORG_NAME, WHICHACCOUNT_ORG_DOMAINS, WHICHACCOUNT_HELPDESK and WHICHACCOUNT_SSPR_URL"
	}
	var parts []string
	add := func(label, v, unset string) {
		if v == "" {
			parts = append(parts, label+" "+unset)
			return
		}
		parts = append(parts, label+" "+v)
	}
	add("name", o.Name, "(not set)")
	add("domains", strings.Join(o.Domains, ", "), "(not set)")
	add("helpdesk", o.Helpdesk, "(not set: \"your IT helpdesk\")")
	add("password reset", o.SSPRURL, "aka.ms/sspr")
	return "Organisation: " + strings.Join(parts, "; ")
}

// knowledgeStatus is the start-up summary's line about the knowledge
// catalogue.
func knowledgeStatus(cfg config) string {
	if cfg.KnowledgeDir == "" {
		return "Knowledge: the built-in catalogue (set WHICHACCOUNT_KNOWLEDGE_DIR to add topics or replace built-in ones)"
	}
	k := cfg.Knowledge
	return fmt.Sprintf("Knowledge: the built-in catalogue and %s: %d topics added, %d replaced, %d in all", cfg.KnowledgeDir, k.Added, k.Replaced, k.Topics)
}

// journalStatus is the start-up summary's line about the journal.
func journalStatus(s *sharedState) string {
	if s.journalDesc == "Redis" {
		return "Journal: Redis — every replica counts answers, votes and hand-offs and keeps unanswered questions there (whichaccount report reads it)"
	}
	return "Journal: " + s.journalDesc + " — answers, votes, hand-offs and unanswered questions, kept across restarts (whichaccount report reads it; set WHICHACCOUNT_DATA_DIR to move it, REDIS_URL to share it between replicas)"
}

// countingJournal counts votes and unmatched questions for the metrics
// on their way to the journal. Topics are the journal's labels: catalogue
// IDs, or "unknown".
type countingJournal struct {
	j helpdesk.Journal
	m *metrics
}

func (c countingJournal) Note(ctx context.Context, topic, event, lang string) {
	switch event {
	case helpdesk.NoteHelpful, helpdesk.NoteNotHelpful:
		c.m.feedback.WithLabelValues(journal.TopicLabel(topic), event).Inc()
	}
	c.j.Note(ctx, topic, event, lang)
}

func (c countingJournal) Unanswered(ctx context.Context, q helpdesk.Unanswered) {
	if q.Why == "unmatched" || q.Why == "none_of_these" {
		c.m.unmatched.Inc()
	}
	c.j.Unanswered(ctx, q)
}

// handoffTarget is one place hand-offs go.
type handoffTarget struct {
	name string // slack, teams or webhook: the metric's label
	send func(context.Context, helpdesk.Handoff) error
}

// handoffs is the helpdesk the assistant hands off to: every configured
// target at once. A hand-off is done when at least one target took it;
// each target retries on its own within the hand-off's time.
type handoffs struct {
	targets []handoffTarget
	m       *metrics
	log     *slog.Logger
}

// Send implements helpdesk.Helpdesk.
func (d *handoffs) Send(ctx context.Context, h helpdesk.Handoff) error {
	if len(d.targets) == 0 {
		return errors.New("hand-off: no target")
	}
	errs := make([]error, len(d.targets))
	var wg sync.WaitGroup
	for i, t := range d.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("hand-off to %s panicked: %v", t.name, p)
				}
			}()
			errs[i] = t.send(ctx, h)
		}()
	}
	wg.Wait()
	took := 0
	for i, err := range errs {
		name := d.targets[i].name
		if err != nil {
			d.m.handoffFail.WithLabelValues(name).Inc()
			d.log.Warn("hand-off target failed", "target", name, "platform", h.Platform, "error", err.Error())
			errs[i] = fmt.Errorf("%s: %w", name, err)
			continue
		}
		took++
		d.m.handoffs.WithLabelValues(name).Inc()
	}
	if took > 0 {
		return nil
	}
	return errors.Join(errs...)
}

// handoffStatus is the start-up summary's line about hand-offs.
func handoffStatus(cfg config, hook *webhook.Client) string {
	h := cfg.Handoff
	if !h.on() {
		reach := cfg.Org.Helpdesk
		if reach == "" {
			reach = "\"your IT helpdesk\" (set WHICHACCOUNT_HELPDESK)"
		}
		return "Hand-off: off — no person is offered; answers say to contact " + reach + ". Set SLACK_HANDOFF_CHANNEL, TEAMS_HANDOFF_CHANNEL or WHICHACCOUNT_HANDOFF_WEBHOOK"
	}
	var to []string
	if h.SlackChannel != "" {
		to = append(to, "Slack channel "+h.SlackChannel)
	}
	if h.TeamsChannel != "" {
		via := "the Bot Connector of the latest Teams activity"
		if h.TeamsServiceURL != "" {
			via = h.TeamsServiceURL
		}
		to = append(to, "Teams channel "+h.TeamsChannel+" (through "+via+")")
	}
	if hook != nil {
		to = append(to, "webhook "+hook.Host()+"/… (retried on 429 and 5xx)")
	}
	return "Hand-off: on — a summary goes to " + strings.Join(to, ", ")
}
