#!/usr/bin/env bash
# The cost of serve's eviction passes (not part of make test or make bench).
# DW_EVICT_ACCOUNTS (400000) accounts with one request each, in time order
# (1 s apart, so the reorder window holds only the last 300), are POSTed in
# batches of 20,000 to serve with [state] max_accounts = DW_EVICT_CAP
# (200000).  Prints the ingest time, serve's eviction counters (passes, time
# in passes, the longest pass: checks wait for the engine during a pass) and
# the RSS at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/serve-lib.sh
BIN=${DW_BIN:-build/distillwatch}
n=${DW_EVICT_ACCOUNTS:-400000}
cap=${DW_EVICT_CAP:-200000}
dw_serve_scratch TERM
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "{\"timestamp\":%d,\"account_id\":\"acct_%08d\"}\n", 1780315200 + i, i }' > "$d/all.jsonl"
split -l 20000 -d -a 4 "$d/all.jsonl" "$d/b."
sed "s/^max_accounts = .*/max_accounts = $cap/" config/distillwatch.conf > "$d/c.conf"
$BIN serve --listen 127.0.0.1:0 --store "$d/s.db" --config "$d/c.conf" --threads 1 > /dev/null 2> "$d/log" &
pid=$!
port=$(dw_serve_port "$d/log" "$pid")
t0=$(date +%s.%N)
for f in "$d"/b.*; do
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$f" "http://127.0.0.1:$port/v1/events"
done
t1=$(date +%s.%N)
printf 'evict: %d one-request accounts, cap %d: ingest %.2f s\n' "$n" "$cap" "$(echo "$t1 - $t0" | bc -l)"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^distillwatch_(accounts_in_memory|accounts_evicted_total|evict_)'
grep VmRSS "/proc/$pid/status"
