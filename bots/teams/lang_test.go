package teams_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// TestGermanActivity: an activity with locale de-DE is answered in German,
// both when its text is German and when it is too short to tell.
func TestGermanActivity(t *testing.T) {
	hd := helpdesk.New(helpdesk.Config{}, msaccount.New(msaccount.Config{Offline: true}, nil), nil)
	h := newHarness(t, nil, hd, nil)
	for i, text := range []string{"Ich habe das Passwort meines Hotmail-Kontos vergessen", "ok"} {
		a := h.fake.Message(text)
		a["locale"] = "de-DE"
		a["conversation"].(map[string]any)["id"] = "a:german-" + string(rune('0'+i))
		if got := h.post(t, a); got != http.StatusOK {
			t.Fatalf("POST = %d", got)
		}
	}
	acts := h.fake.WaitActivities(t, 2)
	h.drain(t)
	for _, a := range acts {
		s := decodeSent(t, a)
		text := s.cardText() + " " + s.Attachments[0].Content.FallbackText
		if !strings.Contains(text, "Sie") && !strings.Contains(text, "Konto") {
			t.Errorf("answer to a de-DE activity is not German:\n%s", text)
		}
	}
	for _, a := range acts {
		if s := decodeSent(t, a); a.ConversationID == "a:german-0" && !strings.Contains(s.cardText(), "account.live.com/password/reset") {
			t.Errorf("the German reset answer lacks the personal reset page:\n%s", s.cardText())
		}
	}
}
