package teams

import (
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// activity is the part of an inbound Bot Framework activity the adapter
// reads. It is not schema.Activity: that type keeps only the type of each
// entity (a mention loses whom it mentions), rejects the whole activity when
// value is not an object, and types channelData as a map. Entities, value
// and channelData are kept raw here and read leniently by decodeActivity.
type activity struct {
	Type         schema.ActivityTypes       `json:"type"`
	ID           string                     `json:"id"`
	ServiceURL   string                     `json:"serviceUrl"`
	ChannelID    string                     `json:"channelId"`
	From         schema.ChannelAccount      `json:"from"`
	Recipient    schema.ChannelAccount      `json:"recipient"`
	Conversation schema.ConversationAccount `json:"conversation"`
	Text         string                     `json:"text"`
	Locale       string                     `json:"locale"`
	ReplyToID    string                     `json:"replyToId"`
	MembersAdded []schema.ChannelAccount    `json:"membersAdded"`
	Entities     json.RawMessage            `json:"entities"`
	Value        json.RawMessage            `json:"value"`
	ChannelData  json.RawMessage            `json:"channelData"`

	// Read from the raw fields by decodeActivity.
	mentions  []mention
	submitted string // value.text of an Action.Submit, or ""
	isSubmit  bool
	data      channelData
}

// mention is one mention entity: whom it mentions and the markup standing
// for it in the text (<at>Name</at>).
type mention struct {
	ID   string
	Text string
}

// channelData is the Teams part of channelData the adapter uses.
type channelData struct {
	Tenant    struct{ ID string } `json:"tenant"`
	Team      struct{ ID string } `json:"team"`
	Channel   struct{ ID string } `json:"channel"`
	EventType string              `json:"eventType"`
}

// Conversation types Teams reports.
const (
	conversationPersonal  = "personal"
	conversationGroupChat = "groupChat"
	conversationChannel   = "channel"
)

var (
	errNotObject     = errors.New("activity is not a JSON object")
	errNoType        = errors.New("activity has no type")
	errNoServiceURL  = errors.New("activity has no serviceUrl")
	errBadServiceURL = errors.New("activity serviceUrl is not an absolute http(s) URL")
	errNoConvo       = errors.New("activity has no conversation id")
	errIDTooLong     = errors.New("activity has an id longer than 256 bytes")
)

// Limits of what an activity may carry. Every id becomes a key in memory
// or Redis (dedupe, conversation memory, per-user limits), so none may be
// longer than MaxIDLen; Teams' own are at most about 150 bytes.
const (
	MaxIDLen         = 256
	maxServiceURLLen = 2048
)

// decodeActivity decodes an activity from its JSON. Only what the adapter
// cannot work without makes it fail: a malformed body, a missing type, and
// for messages and conversation updates a missing or malformed serviceUrl
// or conversation id. Mention entities, value and channelData that are not
// what Teams sends are ignored rather than fatal.
func decodeActivity(body []byte) (*activity, error) {
	if firstNonSpace(body) != '{' {
		return nil, errNotObject
	}
	var a activity
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, err
	}
	if a.Type == "" {
		return nil, errNoType
	}
	a.mentions = decodeMentions(a.Entities)
	a.submitted, a.isSubmit = decodeSubmit(a.Value)
	if len(a.ChannelData) > 0 {
		var cd channelData
		if json.Unmarshal(a.ChannelData, &cd) == nil {
			a.data = cd
		}
	}
	if !a.idsFit() {
		return nil, errIDTooLong
	}
	if a.Type == schema.Message || a.Type == schema.ConversationUpdate {
		if a.ServiceURL == "" {
			return nil, errNoServiceURL
		}
		if _, err := parseServiceURL(a.ServiceURL); err != nil {
			return nil, err
		}
		if a.Conversation.ID == "" {
			return nil, errNoConvo
		}
	}
	return &a, nil
}

// idsFit reports whether every id of the activity is at most MaxIDLen
// bytes, and its serviceUrl at most maxServiceURLLen.
func (a *activity) idsFit() bool {
	if len(a.ServiceURL) > maxServiceURLLen {
		return false
	}
	for _, id := range []string{a.ID, a.ChannelID, a.ReplyToID, a.From.ID, a.From.AadObjectID, a.Recipient.ID,
		a.Conversation.ID, a.Conversation.TenantID, a.data.Tenant.ID, a.data.Team.ID, a.data.Channel.ID} {
		if len(id) > MaxIDLen {
			return false
		}
	}
	for _, m := range a.MembersAdded {
		if len(m.ID) > MaxIDLen {
			return false
		}
	}
	return true
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// parseServiceURL checks that s is an absolute http or https URL with a host
// and nothing that would change where a path appended to it goes.
func parseServiceURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return nil, errBadServiceURL
	}
	return u, nil
}

// isLoopback reports whether a serviceUrl points at this machine, as the
// Bot Framework Emulator's do.
func isLoopback(serviceURL string) bool {
	u, err := parseServiceURL(serviceURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// decodeMentions reads the mention entities; entities of other types, and
// mentions not shaped as Teams sends them, are skipped.
func decodeMentions(raw json.RawMessage) []mention {
	if len(raw) == 0 {
		return nil
	}
	var entities []json.RawMessage
	if json.Unmarshal(raw, &entities) != nil {
		return nil
	}
	var out []mention
	for _, e := range entities {
		var m struct {
			Type      string `json:"type"`
			Text      string `json:"text"`
			Mentioned struct {
				ID string `json:"id"`
			} `json:"mentioned"`
		}
		if json.Unmarshal(e, &m) != nil || m.Type != "mention" || m.Mentioned.ID == "" {
			continue
		}
		out = append(out, mention{ID: m.Mentioned.ID, Text: m.Text})
	}
	return out
}

// decodeSubmit reads what an Action.Submit button sends: the card's buttons
// carry {"action": "..."} as their data (cards sent before buttons carried
// actions: {"text": "..."}), and Teams delivers it as the message's value.
func decodeSubmit(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	var v map[string]json.RawMessage
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	t, ok := v["action"]
	if !ok {
		if t, ok = v["text"]; !ok {
			return "", false
		}
	}
	var s string
	if json.Unmarshal(t, &s) != nil {
		return "", false
	}
	return s, true
}

// mentionsBot reports whether the activity @mentions its recipient, the bot.
func (a *activity) mentionsBot() bool {
	if a.Recipient.ID == "" {
		return false
	}
	for _, m := range a.mentions {
		if m.ID == a.Recipient.ID {
			return true
		}
	}
	return false
}

// text is what the person asked: the submitted button's text, or the
// message text with the bot's own mentions removed (by entity, not by
// guessing at <at> tags; other people's mentions stay for the helpdesk to
// read).
func (a *activity) text() string {
	if a.isSubmit {
		return a.submitted
	}
	t := a.Text
	for _, m := range a.mentions {
		if m.ID == a.Recipient.ID && a.Recipient.ID != "" && m.Text != "" {
			t = strings.Replace(t, m.Text, " ", 1)
		}
	}
	return strings.TrimSpace(t)
}

// tenantID is the tenant the activity comes from.
func (a *activity) tenantID() string {
	if a.Conversation.TenantID != "" {
		return a.Conversation.TenantID
	}
	return a.data.Tenant.ID
}

// user identifies the sender for per-user limits: the Entra object ID when
// Teams gives one, else the channel account ID.
func (a *activity) user() string {
	if a.From.AadObjectID != "" {
		return a.From.AadObjectID
	}
	return a.From.ID
}

// conversationType is personal, groupChat or channel; the Emulator sends
// none, which is a one-to-one chat.
func (a *activity) conversationType() string {
	if a.Conversation.ConversationType == "" {
		return conversationPersonal
	}
	return a.Conversation.ConversationType
}

// channel is the Teams channel a channel message was posted in: the
// channelData's channel, or the conversation id without its thread part.
func (a *activity) channel() string {
	if a.data.Channel.ID != "" {
		return a.data.Channel.ID
	}
	id, _, _ := strings.Cut(a.Conversation.ID, ";")
	return id
}

// topLevel reports whether a channel message starts a thread rather than
// replying in one. A channel conversation id names its thread
// (";messageid=<root>"); the root post has that id and no replyToId.
func (a *activity) topLevel() bool {
	if a.ReplyToID != "" {
		return false
	}
	_, thread, ok := strings.Cut(a.Conversation.ID, ";messageid=")
	return !ok || thread == a.ID
}

// addsBot reports whether a conversationUpdate adds the bot itself.
func (a *activity) addsBot() bool {
	if a.Recipient.ID == "" {
		return false
	}
	for _, m := range a.MembersAdded {
		if m.ID == a.Recipient.ID {
			return true
		}
	}
	return false
}
