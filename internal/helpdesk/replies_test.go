package helpdesk

import "testing"

// TestRepliesMatch reads messages as replies to one answer: a reply's
// words, with words of the message's own, find it; a message that reads
// as well as replies for two answers, or shares only a common word,
// finds none.
func TestRepliesMatch(t *testing.T) {
	x := builtinReplies()
	tests := []struct{ after, msg, want string }{
		{"picker.which_tile", "it's the one my company gave me", "picker.tile_work"},
		{"picker.which_tile", "no wait, i made it myself years ago", "picker.tile_personal"},
		{"picker.which_tile", "one says work or school and one says personal account", ""},
		{"picker.which_tile", "i made it myself, but the company gave it to me", ""}, // as much one as the other
		{"picker.which_tile", "how do i reset my work password", ""},
		{"picker.which_tile", "i made it myself", "picker.tile_personal"},
		{"error.aadsts50057", "haha ok, who do I call for that account then?", "password.who_is_admin"},
		{"error.aadsts50057", "ik ben net terug van zwangerschapsverlof, zou dat er iets mee te maken hebben?", "error.aadsts50057_leave"},
		{"error.aadsts50057", "is that the same as a lockout", ""},
		{"password.reset_work", "Und wenn der Link bei mir nicht geht?", "password.sspr_not_registered"},
		{"password.reset_personal", "who do i call then", ""}, // replies belong to one answer
	}
	for _, tt := range tests {
		qw := withoutStopWords(rankWords(question(Normalise("", tt.msg))))
		if got := x.match(tt.after, qw); got != tt.want {
			t.Errorf("after %s, %q: match = %q, want %q", tt.after, tt.msg, got, tt.want)
		}
	}
}

// TestRepliesSayMoreThanAKind: a reply that only names a kind of account
// ("my work one") is read by the kind of account it names, for every
// answer with a variant for it; as a reply it would also catch questions
// that merely name that kind ("reset personal microsoft account
// password").
func TestRepliesSayMoreThanAKind(t *testing.T) {
	c, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{}, nil, nil)
	for _, id := range c.IDs {
		for lang, tt := range c.Topics[id].Text {
			for _, r := range tt.Replies {
				said, _, _ := splitReply(r)
				more := false
				for _, w := range withoutStopWords(rankWords(question(said))) {
					if h.kindWord(w) == "" && w != "account" && w != "one" {
						more = true
					}
				}
				if !more {
					t.Errorf("%s (%s): reply %q only names a kind of account", id, lang, r)
				}
			}
		}
	}
}
