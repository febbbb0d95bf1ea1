#!/usr/bin/env bash
# Resident memory of a real server process in Teams emulator mode
# (TEAMS_EMULATOR=true) under N hostile unauthenticated activities from
# loopback (bench/hostile): half with 200 KB conversation ids, half with
# every id at its 256-byte cap. Answers are offline; replies go to a sink.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000} PORT=${PORT:-3993}
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/whichaccount" ./cmd/whichaccount
go build -o "$tmp/hostile" ./bench/hostile
env -i PATH="$PATH" PORT=$PORT TEAMS_EMULATOR=true WHICHACCOUNT_LOOKUP=offline LOG_LEVEL=error \
  "$tmp/whichaccount" serve >/dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.01; done
sleep 1
"$tmp/hostile" -url "http://127.0.0.1:$PORT/api/messages" -n "$N" -pid $pid
