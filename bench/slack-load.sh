#!/usr/bin/env bash
# Slack load run: signed slash commands answered offline, 64 concurrent, over
# loopback, against whichaccount and against a bare net/http handler that
# only verifies the signature, alternating A B A B for ROUNDS rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3} N=${N:-20000} C=${C:-64}
SECRET=loadtestsecret0123456789abcdef
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/whichaccount" ./cmd/whichaccount
go build -o "$tmp/bare" ./bench/bare
go build -o "$tmp/loadgen" ./bench/loadgen
PORT=3981 SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=$SECRET SLACK_API_URL=http://127.0.0.1:9/api/ \
  WHICHACCOUNT_LOOKUP=offline WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE=1000000 LOG_LEVEL=warn "$tmp/whichaccount" serve >/dev/null &
wa=$!
"$tmp/bare" -addr 127.0.0.1:3999 -secret $SECRET &
bare=$!
for u in http://127.0.0.1:3981/healthz; do for _ in $(seq 100); do curl -sf "$u" >/dev/null && break; sleep 0.05; done; done
sleep 0.3
for r in $(seq "$ROUNDS"); do
  "$tmp/loadgen" -label "round=$r whichaccount" -url http://127.0.0.1:3981/slack/events -secret $SECRET -c "$C" -n "$N" -pid $wa
  "$tmp/loadgen" -label "round=$r bare" -url http://127.0.0.1:3999/slack/events -secret $SECRET -c "$C" -n "$N" -pid $bare
done
echo "whichaccount resident memory after the runs: $(grep VmRSS /proc/$wa/status | awk '{print $2 $3}')"
