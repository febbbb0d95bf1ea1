package main

import (
	"fmt"
	"strings"
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
