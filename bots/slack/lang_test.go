package slack

import (
	"strings"
	"testing"
	"time"
)

// TestFrenchDM: a French DM is answered in French; a message too short to
// tell is answered in the user's Slack locale, looked up once.
func TestFrenchDM(t *testing.T) {
	h := newHarness(t, 0, nil)
	h.event(t, "EvFr1", map[string]any{"type": "message", "channel_type": "im", "user": "U0007", "text": "bonjour, j'ai oublié le mot de passe de mon compte Outlook personnel, je fais comment ?", "ts": "1700000001.000100", "channel": "D0007"})
	if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Posts()) == 1 }) {
		t.Fatal("no answer")
	}
	if p := h.fake.Posts()[0]; !strings.Contains(p.Text, "account.live.com/password/reset") || !strings.Contains(p.Text, "mot de passe") {
		t.Errorf("answer is not the French reset answer:\n%s", p.Text)
	}

	h.fake.SetLocale("U0008", "fr-FR")
	for i, text := range []string{"ok", "ok"} {
		h.event(t, "EvFr2"+strings.Repeat("x", i), map[string]any{"type": "message", "channel_type": "im", "user": "U0008", "text": text, "ts": "1700000002.00010" + string(rune('0'+i)), "channel": "D0008"})
	}
	if !h.fake.Wait(3*time.Second, func() bool { return len(h.fake.Posts()) == 3 }) {
		t.Fatal("no answers")
	}
	for _, p := range h.fake.Posts()[1:] {
		if !strings.Contains(p.Text, "Vous pouvez aussi demander") && !strings.Contains(p.Text, "Choisissez") && !strings.Contains(p.Text, "é") {
			t.Errorf("answer to a user with a French locale is not French:\n%s", p.Text)
		}
	}
	if n := h.fake.UserInfoCalls(); n != 2 {
		t.Errorf("users.info called %d times for two users, want 2 (one each, then cached)", n)
	}
}
