#!/usr/bin/env bash
# compare.sh: whichaccount against the frameworks a helpdesk team would
# otherwise use, on the same work, over loopback.
#
#   Slack: a signed /whichaccount slash command answered in the response
#          - whichaccount serve (lookups offline)
#          - a minimal @slack/bolt app (bench/peers/bolt/app.js)
#          - bench/bare, a net/http handler that only checks the signature
#   Teams: a message activity with a Bot Connector token, answered through
#          the connector
#          - whichaccount serve, against the fake Bot Framework (bench/fakebf)
#          - a minimal botbuilder app (bench/peers/botbuilder/app.js), same fake
#
# Each is driven by bench/loadgen with the same load, in alternation (A B C
# A B C …) for ROUNDS rounds; the tables are the medians over the rounds and
# the ratios whichaccount/peer. Then whichaccount alone at 1, 16, 64 and 256
# concurrent senders.
#
# Needs Go, Node.js and npm (the npm registry, to install the peers into a
# temporary folder). Settings (environment):
#   ROUNDS=5        rounds of alternation
#   N=20000         Slack requests per run      C=64  concurrent senders
#   TEAMS_N=5000    Teams requests per run (botbuilder runs at a few hundred/s)
#   SCALE_N=20000   requests per run of the scaling table
#   SCALE_C="1 16 64 256"
#   PEERS_DIR=dir   use an existing npm install there instead of a fresh one
#   PIN=1           pin every server to CPU 0 and the load generator and the
#                   fake Bot Framework to CPU 1 (taskset), so each server gets
#                   one core of its own; by default all share both cores
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5} N=${N:-20000} C=${C:-64} TEAMS_N=${TEAMS_N:-5000} SCALE_N=${SCALE_N:-20000}
SCALE_C=${SCALE_C:-"1 16 64 256"}
BOLT_VERSION=5.1.0 BOTBUILDER_VERSION=4.23.3
SECRET=loadtestsecret0123456789abcdef
APP_ID=2f4c8a3e-5b6d-4e7f-8a9b-0c1d2e3f4a5b APP_PASSWORD=fake-app-password
P_WA=3981 P_BOLT=3982 P_BB=3983 P_BF=3990 P_BARE=3999
FAKEBF=http://127.0.0.1:$P_BF
SRV="" LG=""
if [ "${PIN:-0}" = 1 ]; then SRV="taskset -c 0" LG="taskset -c 1"; fi

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for p in $P_WA $P_BOLT $P_BB $P_BF $P_BARE; do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "compare.sh: port $p is in use" >&2; exit 1; fi
done

echo "== building (go $(go env GOVERSION)) and installing the peers (node $(node --version))"
go build -o "$tmp/whichaccount" ./cmd/whichaccount
go build -o "$tmp/bare" ./bench/bare
go build -o "$tmp/loadgen" ./bench/loadgen
go build -o "$tmp/fakebf" ./bench/fakebf
if [ -n "${PEERS_DIR:-}" ]; then
  modules=$(cd "$PEERS_DIR" && pwd)/node_modules
else
  mkdir "$tmp/peers"
  (cd "$tmp/peers" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --loglevel=error "@slack/bolt@$BOLT_VERSION" "botbuilder@$BOTBUILDER_VERSION" >/dev/null)
  modules=$tmp/peers/node_modules
fi
echo "   @slack/bolt $(node -p "require('$modules/@slack/bolt/package.json').version"), botbuilder $(node -p "require('$modules/botbuilder/package.json').version")"

up() { # wait until something listens on port $1
  for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done
  echo "compare.sh: nothing listens on port $1" >&2; exit 1
}

$LG "$tmp/fakebf" -addr 127.0.0.1:$P_BF -appid $APP_ID -password $APP_PASSWORD 2>"$tmp/fakebf.log" &
pids+=($!)
up $P_BF
PORT=$P_WA SLACK_BOT_TOKEN=xoxb-load SLACK_SIGNING_SECRET=$SECRET SLACK_API_URL=http://127.0.0.1:9/api/ \
  MICROSOFT_APP_ID=$APP_ID MICROSOFT_APP_PASSWORD=$APP_PASSWORD \
  BOTFRAMEWORK_OPENID_METADATA_URL=$FAKEBF/v1/.well-known/openidconfiguration \
  BOTFRAMEWORK_TOKEN_URL=$FAKEBF/botframework.com/oauth2/v2.0/token \
  WHICHACCOUNT_LOOKUP=offline WHICHACCOUNT_USER_LOOKUPS_PER_MINUTE=1000000 LOG_LEVEL=warn \
  $SRV "$tmp/whichaccount" serve >"$tmp/whichaccount.log" 2>&1 &
wa=$!; pids+=($wa)
NODE_PATH=$modules PORT=$P_BOLT SLACK_SIGNING_SECRET=$SECRET SLACK_BOT_TOKEN=xoxb-load $SRV node bench/peers/bolt/app.js >"$tmp/bolt.log" 2>&1 &
bolt=$!; pids+=($bolt)
NODE_PATH=$modules PORT=$P_BB MICROSOFT_APP_ID=$APP_ID MICROSOFT_APP_PASSWORD=$APP_PASSWORD FAKEBF=$FAKEBF \
  $SRV node bench/peers/botbuilder/app.js >"$tmp/botbuilder.log" 2>&1 &
bb=$!; pids+=($bb)
$SRV "$tmp/bare" -addr 127.0.0.1:$P_BARE -secret $SECRET >"$tmp/bare.log" 2>&1 &
bare=$!; pids+=($bare)
for p in $P_WA $P_BOLT $P_BB $P_BARE; do up "$p"; done
sleep 0.5

results=$tmp/results
run() { # phase name pid loadgen-args…
  local phase=$1 name=$2 pid=$3; shift 3
  local line
  line=$($LG "$tmp/loadgen" -label "$phase $name" -pid "$pid" "$@")
  echo "   $line"
  # phase name throughput p50 p99 peak_rss_kB errors
  echo "$line" | awk '{for (i = 3; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2] + 0}
    print $1, $2, v["throughput"], v["p50"], v["p99"], v["peak_rss"], v["errors"]}' >>"$results"
}
slack() { run slack "$1" "$2" -url "$3" -secret $SECRET -kind command -c "$C" -n "$N"; }
teams() { run teams "$1" "$2" -url "$3" -kind teams -fakebf $FAKEBF -appid $APP_ID -c "$C" -n "$TEAMS_N"; }

echo "== Slack slash command: $ROUNDS rounds, $N requests per run, $C concurrent"
for r in $(seq "$ROUNDS"); do
  slack whichaccount $wa http://127.0.0.1:$P_WA/slack/events
  slack bolt $bolt http://127.0.0.1:$P_BOLT/slack/events
  slack bare $bare http://127.0.0.1:$P_BARE/slack/events
done
echo "== Teams message activity: $ROUNDS rounds, $TEAMS_N requests per run, $C concurrent"
before=$(curl -s $FAKEBF/stats | sed -E 's/.*"activities":([0-9]+).*/\1/')
for r in $(seq "$ROUNDS"); do
  teams whichaccount $wa http://127.0.0.1:$P_WA/api/messages
  teams botbuilder $bb http://127.0.0.1:$P_BB/api/messages
done
sleep 1
echo "== scaling: whichaccount, Slack slash command, $SCALE_N requests per run"
for c in $SCALE_C; do
  run scale "c=$c" $wa -url http://127.0.0.1:$P_WA/slack/events -secret $SECRET -kind command -c "$c" -n "$SCALE_N"
done

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v p="$1" -v n="$2" -v c="$3" '$1 == p && $2 == n {print $c}' "$results"; }
stat() { col "$1" "$2" "$3" | median; }
errs() { col "$1" "$2" 7 | awk '{s+=$1} END {print s+0}'; }
# peak RSS: the largest VmHWM seen in the phase (VmHWM only grows)
rss() { col "$1" "$2" 6 | sort -g | tail -1 | awk '{printf "%.0f", $1/1024}'; }
row() { printf "%-14s %12.0f %9.2f %9.2f %13s %7s\n" "$2" "$(stat "$1" "$2" 3)" "$(stat "$1" "$2" 4)" "$(stat "$1" "$2" 5)" "$(rss "$1" "$2")" "$(errs "$1" "$2")"; }
ratio() { # phase peer target-throughput
  local tw tp pw pp rw rp
  tw=$(stat "$1" whichaccount 3) tp=$(stat "$1" "$2" 3) pw=$(stat "$1" whichaccount 5) pp=$(stat "$1" "$2" 5)
  rw=$(rss "$1" whichaccount) rp=$(rss "$1" "$2")
  awk -v peer="$2" -v tw="$tw" -v tp="$tp" -v pw="$pw" -v pp="$pp" -v rw="$rw" -v rp="$rp" -v want="$3" 'BEGIN {
    t = tw / tp; q = pw / pp
    printf "whichaccount/%-11s throughput %6.2fx (target >= %sx: %s)   p99 %5.2fx (target <= 1x: %s)   peak RSS %5.2fx\n",
      peer, t, want, (t >= want ? "met" : "MISSED"), q, (q <= 1 ? "met" : "MISSED"), rw / rp }'
}

echo
echo "machine: $(nproc) CPUs$([ "${PIN:-0}" = 1 ] && echo ", servers pinned to CPU 0, load generator to CPU 1") ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(go env GOVERSION), node $(node --version), @slack/bolt $BOLT_VERSION, botbuilder $BOTBUILDER_VERSION"
echo
echo "Slack slash command — medians of $ROUNDS rounds, $N requests per run, $C concurrent"
printf "%-14s %12s %9s %9s %13s %7s\n" server "throughput/s" "p50 ms" "p99 ms" "peak RSS MB" errors
for s in whichaccount bolt bare; do row slack $s; done
ratio slack bolt 5
ratio slack bare 0.5 | sed 's/(target <= 1x: [a-zA-Z]*)/(no target)       /'
echo
echo "Teams message activity — medians of $ROUNDS rounds, $TEAMS_N requests per run, $C concurrent"
printf "%-14s %12s %9s %9s %13s %7s\n" server "throughput/s" "p50 ms" "p99 ms" "peak RSS MB" errors
for s in whichaccount botbuilder; do row teams $s; done
ratio teams botbuilder 3
echo
stats=$(curl -s $FAKEBF/stats)
took=$(echo "$stats" | sed -E 's/.*"activities":([0-9]+).*/\1/')
echo "fake Bot Framework: $stats"
echo "replies the connector took during the Teams rounds: $((took - before)) for $((ROUNDS * 2 * (TEAMS_N + 500))) activities sent (with warm-ups)"
echo
echo "whichaccount scaling — Slack slash command, $SCALE_N requests per run"
printf "%-12s %12s %9s %9s %7s\n" concurrent "throughput/s" "p50 ms" "p99 ms" errors
for c in $SCALE_C; do
  awk -v n="c=$c" -v c="$c" '$1 == "scale" && $2 == n {printf "%-12s %12.0f %9.2f %9.2f %7s\n", c, $3, $4, $5, $7}' "$results"
done
