#!/usr/bin/env bash
# Does the account cap change what serve answers on traffic with campaigns?
# (not part of make test: it runs two servers on the simulator's demo mix,
# 26,301 requests, 460 accounts, four campaigns).  The mix is ingested in 8
# batches into a server without a cap and one with [state] max_accounts =
# DW_CAP (60); then every account's /v1/accounts record and /v1/campaigns are
# compared live, and again after a graceful stop and restart (the fold).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/serve-lib.sh
BIN=${DW_BIN:-build/distillwatch}
cap=${DW_CAP:-60}
d=$(mktemp -d)
cleanup() { for n in nocap cap; do [[ -f $d/$n.pid ]] && { kill "$(cat "$d/$n.pid")" 2>/dev/null || true; }; done; wait 2>/dev/null || true; rm -rf "$d"; }
trap cleanup EXIT
export DISTILLWATCH_TOKEN=cmp-$RANDOM
$BIN simulate --scenario demo --seed 1 --out "$d/sim" --quiet
split -n l/8 -d "$d/sim/requests.jsonl" "$d/batch."
grep -o '"account_id": *"[^"]*"' "$d/sim/requests.jsonl" | sed 's/.*"\([^"]*\)"$/\1/' | sort -u > "$d/ids"
start() {  # start SUFFIX [--accounts FILE]
  local s=$1; shift
  for n in nocap cap; do
    local c=0; [[ $n == cap ]] && c=$cap
    sed "s/^max_accounts = .*/max_accounts = $c/" config/distillwatch.conf > "$d/$n.conf"
    $BIN serve --listen 127.0.0.1:0 --store "$d/$n.db" --config "$d/$n.conf" --review-rate 0 "$@" > /dev/null 2> "$d/$n.log$s" &
    echo $! > "$d/$n.pid"
  done
  for n in nocap cap; do
    local p
    p=$(dw_serve_port "$d/$n.log$s" "$(cat "$d/$n.pid")")
    eval "port_$n=$p"
  done
}
stop() { for n in nocap cap; do kill -TERM "$(cat "$d/$n.pid")"; wait "$(cat "$d/$n.pid")" || true; rm -f "$d/$n.pid"; done; }
records() { while read -r id; do printf 'next\nurl = "http://127.0.0.1:%s/v1/accounts/%s"\nheader = "Authorization: Bearer %s"\nwrite-out = "\\n"\n' "$1" "$id" "$DISTILLWATCH_TOKEN"; done < "$d/ids" | sed 1d > "$d/cfg"; curl -s -K "$d/cfg"; }
compare() {  # compare WHEN
  records "$port_nocap" > "$d/nocap.r"; records "$port_cap" > "$d/cap.r"
  if cmp -s "$d/nocap.r" "$d/cap.r"; then echo "$1: all $(wc -l < "$d/ids") account records identical"; return; fi
  echo "$1: $(diff "$d/nocap.r" "$d/cap.r" | grep -c '^<') of $(wc -l < "$d/ids") records differ; verdicts (no cap -> cap):"
  paste -d' ' <(grep -o '"verdict":"[a-z]*"' "$d/nocap.r") <(grep -o '"verdict":"[a-z]*"' "$d/cap.r") | awk '$1 != $2' | sort | uniq -c
  echo "  campaign ids differing: $(paste -d' ' <(grep -o '"campaign_id":[^,]*' "$d/nocap.r") <(grep -o '"campaign_id":[^,]*' "$d/cap.r") | awk '$1 != $2' | wc -l)"
}
start 1 --accounts "$d/sim/accounts.jsonl"
for b in "$d"/batch.*; do for n in nocap cap; do eval "p=\$port_$n"
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$b" "http://127.0.0.1:$p/v1/events"; done; done
echo "cap $cap: $(curl -s "http://127.0.0.1:$port_cap/metrics" | grep -E '^distillwatch_accounts_(in_memory|evicted_total|reloaded_total)' | tr '\n' ' ')"
compare "live"
stop
start 2
compare "after a graceful stop and restart"
stop
