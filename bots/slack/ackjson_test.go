package slack

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
)

// stdAck is what encoding/json writes for a, without HTML escaping.
func stdAck(t testing.TB, a *ackMessage) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// tricky are strings that exercise every escape of a JSON string.
var tricky = []string{
	"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f",
	"<mailto:a@b.c|a@b.c> & more", "é → ü 日本 🙂", "bad \xff utf-8 \xe2\x82", "line\u2028para\u2029end",
	strings.Repeat("long ", 2000),
}

func TestAckJSONMatchesEncodingJSON(t *testing.T) {
	var acks []*ackMessage
	// Every shape the renderer makes, from real replies.
	r := newRecorder(nil, 0)
	for _, text := range []string{
		"is <mailto:sam@outlook.com|sam@outlook.com> a work account?",
		"check x@contoso.onmicrosoft.com, kim@gmail.com and fabrikam.com",
		"how do I reset my password?", "help", "hello", "why does Teams ask me to pick an account?",
	} {
		reply, err := r.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: text, User: "U", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		acks = append(acks, commandAck(reply, text, false), commandAck(reply, text, true))
	}
	acks = append(acks, &ackMessage{ResponseType: "ephemeral", Text: helpdesk.Phrase("", "slack.error")}, &ackMessage{})
	// Every escape in every field.
	for _, s := range tricky {
		yes := true
		acks = append(acks, &ackMessage{ResponseType: s, Text: s, Blocks: []block{
			{Type: s, BlockID: s, Text: &textObj{Type: s, Text: s, Emoji: &yes, Verbatim: true}},
			{Type: "context", Elements: []blockElt{{Type: s, Text: s, Verbatim: true}, {Type: "x", Text: nil}, {Type: "y", Text: (*textObj)(nil)}, {Type: "z", Text: 42}}},
			{Type: "actions", Elements: []blockElt{{Type: "button", Text: plain(s), ActionID: s, Value: s}}},
		}})
	}
	for i, a := range acks {
		got := appendAck(nil, a)
		if want := stdAck(t, a); !bytes.Equal(got, want) {
			t.Errorf("ack %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestWriteAck(t *testing.T) {
	a := &ackMessage{ResponseType: "ephemeral", Text: "hi", Blocks: []block{{Type: "section", Text: markdown("*hi*")}}}
	for range 3 { // the pooled buffer is reused cleanly
		w := httptest.NewRecorder()
		writeAck(w, a)
		want := string(stdAck(t, a)) + "\n"
		if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
			t.Errorf("writeAck: %d %v", w.Code, w.Header())
		}
		if w.Body.String() != want {
			t.Errorf("writeAck body = %s, want %s", w.Body, want)
		}
	}
	w := httptest.NewRecorder()
	writeAck(w, nil)
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("silent ack: %d %q", w.Code, w.Body)
	}
}

// TestAckJSONKnowsEveryField fails when the acknowledgement's types gain a
// field: appendAck must then learn to write it.
func TestAckJSONKnowsEveryField(t *testing.T) {
	known := map[reflect.Type][]string{
		reflect.TypeFor[ackMessage](): {"response_type,omitempty", "text", "blocks,omitempty"},
		reflect.TypeFor[block]():      {"type", "block_id,omitempty", "text,omitempty", "elements,omitempty"},
		reflect.TypeFor[textObj]():    {"type", "text", "emoji,omitempty", "verbatim,omitempty"},
		reflect.TypeFor[blockElt]():   {"type", "text", "action_id,omitempty", "value,omitempty", "verbatim,omitempty"},
	}
	for typ, want := range known {
		var got []string
		for f := range typ.Fields() {
			got = append(got, f.Tag.Get("json"))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s has the JSON fields %q; appendAck writes %q: teach ackjson.go the difference", typ.Name(), got, want)
		}
	}
}

func FuzzAckJSON(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, text, label, value string) {
		a := &ackMessage{ResponseType: "ephemeral", Text: text, Blocks: []block{
			{Type: "section", Text: markdown(text)},
			{Type: "context", Elements: []blockElt{{Type: "mrkdwn", Text: label}}},
			{Type: "actions", BlockID: "wa_actions", Elements: []blockElt{{Type: "button", Text: plain(label), ActionID: "wa_suggest_0", Value: value}}},
		}}
		if got, want := appendAck(nil, a), stdAck(t, a); !bytes.Equal(got, want) {
			t.Errorf("appendAck:\n got %q\nwant %q", got, want)
		}
	})
}

func BenchmarkAckJSON(b *testing.B) {
	r := newRecorder(nil, 0)
	text := "is <mailto:sam@outlook.com|sam@outlook.com> a work account?"
	reply, _ := r.Respond(context.Background(), helpdesk.Message{Platform: helpdesk.PlatformSlack, Conversation: "b", User: "U", Text: text})
	a := commandAck(reply, text, false)
	b.Run("appendAck", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendAck(buf[:0], a)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.NewEncoder(&bytes.Buffer{}).Encode(a)
		}
	})
}

// TestPlainWord: eight bytes are plain exactly when each is, for every
// byte in every position among plain ones and beside each other byte.
func TestPlainWord(t *testing.T) {
	for c := range 256 {
		for d := range 256 {
			for pos := range 8 {
				w := []byte("abcdefgh")
				w[pos] = byte(c)
				w[(pos+1)%8] = byte(d)
				want := c < utf8.RuneSelf && plainByte[c] && d < utf8.RuneSelf && plainByte[d]
				if got := plainWord(binary.LittleEndian.Uint64(w)); got != want {
					t.Fatalf("plainWord(%q) = %v, want %v", w, got, want)
				}
			}
		}
	}
}
