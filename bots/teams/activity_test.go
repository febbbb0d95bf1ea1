package teams

import (
	"context"
	"testing"
	"time"
)

func TestDecodeActivity(t *testing.T) {
	tests := []struct {
		name                            string
		body                            string
		wantErr                         bool
		text, tenant, user, channel     string
		mentionsBot, submit, top, added bool
	}{
		{
			name: "personal message",
			body: `{"type":"message","id":"1","serviceUrl":"https://smba.trafficmanager.net/emea/","channelId":"msteams",
				"from":{"id":"29:u","aadObjectId":"aad-u"},"recipient":{"id":"28:bot"},
				"conversation":{"conversationType":"personal","id":"a:1","tenantId":"t1"},"text":" hello "}`,
			text: "hello", tenant: "t1", user: "aad-u", channel: "a:1", top: true,
		},
		{
			name: "channel mention, tenant from channelData, other mention kept",
			body: `{"type":"message","id":"5","serviceUrl":"https://x/","channelId":"msteams","from":{"id":"29:u"},"recipient":{"id":"28:bot"},
				"conversation":{"conversationType":"channel","id":"19:c@thread.tacv2;messageid=5"},
				"text":"<at>Bot</at> ask <at>Megan</at> about a@b.com",
				"entities":[{"type":"mention","text":"<at>Bot</at>","mentioned":{"id":"28:bot"}},
					{"type":"mention","text":"<at>Megan</at>","mentioned":{"id":"29:megan"}},
					{"type":"clientInfo","locale":"en-GB"}, 42, {"type":"mention","mentioned":"odd"}],
				"channelData":{"tenant":{"id":"t2"},"channel":{"id":"19:c@thread.tacv2"}}}`,
			text: "ask <at>Megan</at> about a@b.com", tenant: "t2", user: "29:u", channel: "19:c@thread.tacv2", mentionsBot: true, top: true,
		},
		{
			name: "thread reply",
			body: `{"type":"message","id":"7","replyToId":"5","serviceUrl":"https://x/","conversation":{"conversationType":"channel","id":"19:c@thread.tacv2;messageid=5"},"text":"hi"}`,
			text: "hi", channel: "19:c@thread.tacv2",
		},
		{
			name: "thread reply without replyToId",
			body: `{"type":"message","id":"7","serviceUrl":"https://x/","conversation":{"conversationType":"channel","id":"19:c@thread.tacv2;messageid=5"},"text":"hi"}`,
			text: "hi", channel: "19:c@thread.tacv2",
		},
		{
			name: "card submission",
			body: `{"type":"message","id":"8","serviceUrl":"https://x/","conversation":{"id":"a:1"},"value":{"text":"why?","other":1}}`,
			text: "why?", submit: true, channel: "a:1", top: true,
		},
		{
			name: "value of another shape",
			body: `{"type":"message","id":"8","serviceUrl":"https://x/","conversation":{"id":"a:1"},"text":"t","value":"just a string"}`,
			text: "t", channel: "a:1", top: true,
		},
		{
			name: "value text not a string",
			body: `{"type":"message","id":"8","serviceUrl":"https://x/","conversation":{"id":"a:1"},"text":"t","value":{"text":5}}`,
			text: "t", channel: "a:1", top: true,
		},
		{
			name:    "channelData of another shape",
			body:    `{"type":"message","id":"8","serviceUrl":"https://x/","conversation":{"id":"a:1"},"channelData":[1]}`,
			channel: "a:1", top: true,
		},
		{
			name:    "bot added",
			body:    `{"type":"conversationUpdate","serviceUrl":"https://x/","recipient":{"id":"28:bot"},"conversation":{"id":"a:1"},"membersAdded":[{"id":"29:u"},{"id":"28:bot"}]}`,
			channel: "a:1", top: true, added: true,
		},
		{name: "typing needs no serviceUrl", body: `{"type":"typing"}`, top: true},
		{name: "no type", body: `{"id":"1"}`, wantErr: true},
		{name: "array", body: `[]`, wantErr: true},
		{name: "trailing garbage", body: `{"type":"typing"} x`, wantErr: true},
		{name: "message without serviceUrl", body: `{"type":"message","conversation":{"id":"a"}}`, wantErr: true},
		{name: "relative serviceUrl", body: `{"type":"message","serviceUrl":"/x","conversation":{"id":"a"}}`, wantErr: true},
		{name: "serviceUrl with userinfo", body: `{"type":"message","serviceUrl":"https://u:p@x/","conversation":{"id":"a"}}`, wantErr: true},
		{name: "serviceUrl of another scheme", body: `{"type":"message","serviceUrl":"file:///etc/","conversation":{"id":"a"}}`, wantErr: true},
		{name: "message without conversation", body: `{"type":"message","serviceUrl":"https://x/"}`, wantErr: true},
		{name: "wrong type of field", body: `{"type":"message","from":"me"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := decodeActivity([]byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("decodeActivity error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got := struct {
				text, tenant, user, channel     string
				mentionsBot, submit, top, added bool
			}{a.text(), a.tenantID(), a.user(), a.channel(), a.mentionsBot(), a.isSubmit, a.topLevel(), a.addsBot()}
			want := struct {
				text, tenant, user, channel     string
				mentionsBot, submit, top, added bool
			}{tt.text, tt.tenant, tt.user, tt.channel, tt.mentionsBot, tt.submit, tt.top, tt.added}
			if got != want {
				t.Errorf("decoded %+v, want %+v", got, want)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for u, want := range map[string]bool{
		"http://localhost:3978":                 true,
		"http://127.0.0.1:56789/":               true,
		"http://[::1]:80/":                      true,
		"https://smba.trafficmanager.net/emea/": false,
		"http://10.0.0.1/":                      false,
		"http://localhost.evil.io/":             false,
		"not a url":                             false,
	} {
		if got := isLoopback(u); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestMemoryDeduper(t *testing.T) {
	now := time.Unix(0, 0)
	ctx := context.Background()
	d := newMemoryDeduper(2, func() time.Time { return now })
	if d.Seen(ctx, "a", time.Minute) || !d.Seen(ctx, "a", time.Minute) {
		t.Fatal("a second sighting of a key was new")
	}
	d.Seen(ctx, "b", time.Minute)
	d.Seen(ctx, "c", time.Minute) // forgets a, the oldest
	if d.Seen(ctx, "a", time.Minute) {
		t.Error("the oldest key was not forgotten at capacity")
	}
	now = now.Add(2 * time.Minute)
	if d.Seen(ctx, "c", time.Minute) {
		t.Error("a key was remembered past its time")
	}
}
