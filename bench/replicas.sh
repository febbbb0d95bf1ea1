#!/usr/bin/env bash
# Two replicas sharing one Redis against one in-memory replica, under the
# Slack load of slack-load.sh (signed slash commands answered offline, 64
# concurrent), alternating; plus Redis round trips per request, the idle
# memory of the server and its start-up time to ready.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3} N=${N:-20000} C=${C:-64}
SECRET=loadtestsecret0123456789abcdef
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
# A redis-server of its own in the temporary folder, unless REDIS_URL names
# one this script may empty.
if [ -z "${REDIS_URL:-}" ]; then
  redis-server --bind 127.0.0.1 --port 6391 --dir "$tmp" --save '' --appendonly no >/dev/null &
  REDIS=redis://127.0.0.1:6391/0
  for _ in $(seq 200); do redis-cli -u "$REDIS" ping >/dev/null 2>&1 && break; sleep 0.01; done
else
  REDIS=$REDIS_URL
fi
go build -o "$tmp/whichaccount" ./cmd/whichaccount
go build -o "$tmp/loadgen" ./bench/loadgen
common=(SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=$SECRET SLACK_API_URL=http://127.0.0.1:9/api/ WHICHACCOUNT_LOOKUP=offline WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE=100000000 LOG_LEVEL=warn)
wait_ready() { for _ in $(seq 400); do curl -sf "$1/readyz" >/dev/null && return; sleep 0.005; done; echo "not ready: $1"; exit 1; }

# Start-up to ready and idle memory, local mode (no credentials).
start=$(date +%s%N)
env PORT=3990 "$tmp/whichaccount" serve >/dev/null 2>&1 &
local=$!
wait_ready http://127.0.0.1:3990
echo "local mode: start-up to ready $(( ($(date +%s%N) - start) / 1000000 ))ms"
sleep 2
echo "local mode: idle resident memory $(grep VmRSS /proc/$local/status | awk '{print $2 $3}')"
kill $local

redis-cli -u "$REDIS" flushdb >/dev/null
env PORT=3981 "${common[@]}" "$tmp/whichaccount" serve >/dev/null 2>&1 &
one=$!
env PORT=3982 "${common[@]}" REDIS_URL=$REDIS "$tmp/whichaccount" serve >/dev/null 2>&1 &
r1=$!
env PORT=3983 "${common[@]}" REDIS_URL=$REDIS "$tmp/whichaccount" serve >/dev/null 2>&1 &
r2=$!
for p in 3981 3982 3983; do wait_ready http://127.0.0.1:$p; done
for r in $(seq "$ROUNDS"); do
  "$tmp/loadgen" -label "round=$r one-replica-in-memory" -url http://127.0.0.1:3981/slack/events -secret $SECRET -c "$C" -n "$N"
  before=$(redis-cli -u "$REDIS" info stats | awk -F: '/total_commands_processed/ {print $2}' | tr -d '\r')
  "$tmp/loadgen" -label "round=$r two-replicas-redis" -url http://127.0.0.1:3982/slack/events,http://127.0.0.1:3983/slack/events -secret $SECRET -c "$C" -n "$N" -warmup 0
  after=$(redis-cli -u "$REDIS" info stats | awk -F: '/total_commands_processed/ {print $2}' | tr -d '\r')
  echo "round=$r redis commands per request: $(echo "scale=2; ($after - $before) / $N" | bc)"
done
