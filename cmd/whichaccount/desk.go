package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/journal"
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
