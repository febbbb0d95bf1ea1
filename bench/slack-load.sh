#!/usr/bin/env bash
# Slack load run: signed slash commands answered offline, 64 concurrent, over
# loopback, against whichaccount and against a bare net/http handler that
# only verifies the signature, alternating A B A B for ROUNDS rounds. The
# bare server also plays Slack's side of late answers (response_url and
# the Web API accept them), so an answer that misses the acknowledgement is
# delivered once, as in production.
#
# BASE=<git revision> also builds whichaccount at that revision and runs it
# in the same alternation (base, current, bare), to compare a change with
# what it changes in one run, on the same machine state.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3} N=${N:-20000} C=${C:-64} BASE=${BASE:-}
SECRET=loadtestsecret0123456789abcdef
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/whichaccount" ./cmd/whichaccount
go build -o "$tmp/bare" ./bench/bare
go build -o "$tmp/loadgen" ./bench/loadgen
if [ -n "$BASE" ]; then
  mkdir "$tmp/base"
  git archive "$BASE" | tar -x -C "$tmp/base"
  (cd "$tmp/base" && go build -o "$tmp/whichaccount-base" ./cmd/whichaccount)
fi
serve() { # binary port
  PORT=$2 SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=$SECRET SLACK_API_URL=http://127.0.0.1:3999/api/ \
    WHICHACCOUNT_LOOKUP=offline WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE=1000000 LOG_LEVEL=warn "$1" serve >/dev/null &
}
serve "$tmp/whichaccount" 3981
wa=$!
if [ -n "$BASE" ]; then
  serve "$tmp/whichaccount-base" 3982
  base=$!
fi
"$tmp/bare" -addr 127.0.0.1:3999 -secret $SECRET &
bare=$!
for port in 3981 ${BASE:+3982}; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
done
sleep 0.3
out="$tmp/results"
for r in $(seq "$ROUNDS"); do
  if [ -n "$BASE" ]; then
    "$tmp/loadgen" -label "round=$r base=$BASE" -url http://127.0.0.1:3982/slack/events -secret $SECRET -response-url http://127.0.0.1:3999/response -c "$C" -n "$N" -pid $base | tee -a "$out"
  fi
  "$tmp/loadgen" -label "round=$r whichaccount" -url http://127.0.0.1:3981/slack/events -secret $SECRET -response-url http://127.0.0.1:3999/response -c "$C" -n "$N" -pid $wa | tee -a "$out"
  "$tmp/loadgen" -label "round=$r bare" -url http://127.0.0.1:3999/slack/events -secret $SECRET -response-url http://127.0.0.1:3999/response -c "$C" -n "$N" -pid $bare | tee -a "$out"
done
echo "whichaccount resident memory after the runs: $(grep VmRSS /proc/$wa/status | awk '{print $2 $3}')"
# Each server's throughput over the bare handler's in the same round, and
# the server CPU time per command (user and system, from /proc): a figure
# less sensitive than throughput to other work on the machine.
awk '{ t = ""; c = ""
       for (i = 1; i <= NF; i++) {
         if ($i ~ /^throughput=/) { t = substr($i, 12); sub(/\/s$/, "", t) }
         if ($i ~ /^server_cpu_per_req=/) { c = substr($i, 20); sub(/us$/, "", c) } }
       r = $1; name = $2
       if (name == "bare") { bare[r] = t; barecpu[r] = c } else { seen[r] = seen[r] " " name; tp[r, name] = t; cpu[r, name] = c } }
     END { for (r in seen) { n = split(seen[r], names, " "); for (k = 1; k <= n; k++)
             printf "%s %s ratio to bare %.2f; server CPU per command %s us (bare %s us)\n", r, names[k], tp[r, names[k]] / bare[r], cpu[r, names[k]], barecpu[r] } }' "$out" | sort
