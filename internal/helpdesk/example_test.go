package helpdesk_test

import (
	"context"
	"fmt"

	"github.com/gosmarter/whichaccount/internal/helpdesk"
	"github.com/gosmarter/whichaccount/internal/msaccount"
)

// One exchange: a Slack message naming an address, answered from the
// offline rules.
func Example() {
	client := msaccount.New(msaccount.Config{Offline: true}, nil)
	h := helpdesk.New(helpdesk.Config{}, client, nil)
	r, err := h.Respond(context.Background(), helpdesk.Message{
		Platform:     helpdesk.PlatformSlack,
		Conversation: "C024BE91L",
		User:         "U2CERLKJA",
		Text:         "<@U0BOT> is <mailto:Sam@Outlook.com|Sam@Outlook.com> a work account?",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Intent, r.Topic, r.Emails)
	fmt.Println(r.Headline)
	fmt.Println(r.Summary)
	// Output:
	// classify classify.address [sam@outlook.com]
	// sam@outlook.com is at one of Microsoft's consumer mail domains: it can only be a personal Microsoft account, never a work or school account; whether it exists I couldn't confirm
	// I'm answering from my built-in rules only, without asking Microsoft.
}
