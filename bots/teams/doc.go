// Package teams is the Microsoft Teams adapter: it receives Bot Framework
// activities on POST /api/messages, authenticates them, turns them into
// helpdesk.Messages, and sends each helpdesk.Reply back through the Bot
// Connector as an Adaptive Card. It also builds the sideloadable Teams app
// package (WritePackage).
//
// # Why this package has its own Bot Framework code
//
// Microsoft ships no Go SDK. github.com/infracloudio/msbotbuilder-go v0.2.5,
// the only Go library, is unmaintained since 2021 and unsafe to put on the
// internet as it is (the chat-platform reference, part B10, lists the gaps):
//
//   - its token validator hard-codes the OpenID metadata URL, re-fetches it on
//     every request, caches keys for five days with no refresh on an unknown
//     key id (a key rotation breaks auth), has no clock skew, never checks
//     the signing key's endorsements, panics on a token without a serviceurl
//     claim or with an array audience, and accepts any Authorization header
//     when the app ID is empty;
//   - its key and token caches are shared without locks (go test -race
//     flags them), its token client panics on a transport error, has no
//     timeouts, no retries on 429, and no single-tenant token URL, which
//     newly registered bots need;
//   - its activity decoding drops mention entities and fails on any `value`
//     that is not an object; it can send only one reply, inside the HTTP
//     request, and not as a threaded reply.
//
// So this package uses msbotbuilder-go only for its schema types (accounts,
// conversations, attachments, activity type names) and has small wrappers of
// its own for the rest: auth.go validates inbound JWTs exactly as the Bot
// Framework specifies (RS256 only, issuer, audience, expiry with five
// minutes of skew, endorsements, serviceurl; keys cached for 24 hours,
// refreshed on an unknown key id at most once a minute, safe for concurrent
// use; a token that passed is remembered until it expires or the keys are
// fetched again, as the Bot Connector reuses each token for an hour);
// activity.go decodes mentions, card submissions and channel data from
// the raw JSON; connector.go gets client-credentials tokens (multi- or
// single-tenant, cached, one refresh at a time) and posts replies with
// timeouts and retries on 429/412/502/503/504 that honour Retry-After.
//
// # Behaviour
//
// The HTTP response comes at once; the answer is composed and sent on its
// own goroutine, which Shutdown waits for. Only serviceUrls of activities
// that passed authentication are ever called (and, for hand-offs, the
// configured Config.ServiceURL). In channels and group chats the
// bot answers only messages that @mention it (the mention is removed by
// entity id), except in the configured triage channels, where, with the
// resource-specific consent permission ChannelMessage.Read.Group, it answers
// new top-level posts that name an address or ask an account question.
// Activities from tenants outside Config.AllowedTenants get 403 and no
// reply: the adapter composes no words of its own, and a refusal from a
// tenant that is not a customer is better silent than chatty.
//
// An empty Config.AppID needs Config.Emulator, the local emulator mode for
// the Bot Framework Emulator and the Microsoft 365 Agents Playground:
// requests need no Authorization header, so only callers on this machine
// are served (a loopback peer with no proxy headers; others get 403),
// replies are sent without a token, and only loopback serviceUrls are
// called. New logs a warning; the command refuses that mode in production.
//
// Every id that becomes a key (conversation, user, tenant, channel, team,
// activity) is at most MaxIDLen bytes; an activity with a longer one gets
// 400. Redeliveries are caught by Config.Deduper, which replicas share.
//
// Every reply is an Adaptive Card. Its plain-text rendering goes in the
// card's fallbackText and its headline in the activity's summary (the
// notification text), not in the activity's text: Teams shows an activity's
// text as a message of its own next to the card, which would say everything
// twice.
//
// SendHandoff posts the summary of a hand-off to a person as a new
// conversation in Config.HandoffChannel (POST {serviceUrl}/v3/conversations
// with isGroup and channelData.channel), an Adaptive Card like the answers'.
// The asker's display name (from.name) reaches the core as
// helpdesk.Message.UserName, for the hand-offs.
package teams
