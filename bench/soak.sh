#!/usr/bin/env bash
# Memory soak of `distillwatch serve` (not part of make test or make bench:
# it runs for DW_SOAK_SECONDS, default 600).
#
# serve runs on 127.0.0.1 with a store and an account cap ([state]
# max_accounts = DW_SOAK_MAX_ACCOUNTS, default 20000, low enough that the
# cap is reached in the first minute).  Every DW_SOAK_INTERVAL seconds (1) the
# feeder POSTs one batch of DW_SOAK_BATCH (2000) Glasswally-shaped events to
# /v1/events: one request each from account ids never seen before, except
# one line in ten, which comes from an account of 40 batches earlier (out of
# the reorder window and evicted by then, so it is reloaded from the store;
# it stays under 4 requests, so it remains a light, evictable account); and sends DW_SOAK_CHECKS (500) /v1/check calls
# for never-seen ids on one keep-alive connection.  Every 10 s it samples the
# RSS of the serve process (/proc/PID/status) with serve's own account
# counters, prints the series, then first / last / max RSS.  The rate is kept
# low on purpose (a few % of one core): the machine is shared.
#
# Event time advances DW_SOAK_EVENT_STEP seconds (30) per batch.  An account
# with an event still in the reorder buffer ([ingest] reorder_window, 300 s
# of event time) cannot be evicted, so what serve holds is at least the
# accounts active within the window: here 10 batches' worth.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/serve-lib.sh
BIN=${DW_BIN:-build/distillwatch}
secs=${DW_SOAK_SECONDS:-600}
cap=${DW_SOAK_MAX_ACCOUNTS:-20000}
interval=${DW_SOAK_INTERVAL:-1}
batch=${DW_SOAK_BATCH:-2000}
checks=${DW_SOAK_CHECKS:-500}
step=${DW_SOAK_EVENT_STEP:-30}
[[ -x $BIN ]] || { echo "soak: build $BIN first (make)"; exit 1; }
command -v curl >/dev/null || { echo "soak: curl needed"; exit 1; }
dw_serve_scratch TERM
sed "s/^max_accounts = .*/max_accounts = $cap/" config/distillwatch.conf > "$d/soak.conf"
cc -O2 -o "$d/genlog" bench/genlog.c
"$d/genlog" small "$batch" 7 > "$d/template.jsonl"   # the shape and text of the events; ids and times are rewritten
$BIN serve --listen 127.0.0.1:0 --store "$d/soak.db" --config "$d/soak.conf" --threads 1 \
  --map asn=asn_number,completion_tokens=token_count > /dev/null 2> "$d/serve.log" &
pid=$!
port=$(dw_serve_port "$d/serve.log" "$pid")
URL=http://127.0.0.1:$port
metric() { sed -n "s/^$1 //p" "$d/metrics"; }
sample() {
  curl -s -o "$d/metrics" "$URL/metrics"
  printf '%6d %9d %9s %9s %9s %9s\n' "$1" "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")" \
    "$(metric distillwatch_events_total)" "$(metric distillwatch_accounts_in_memory)" \
    "$(metric distillwatch_accounts_evicted_total)" "$(metric distillwatch_accounts_reloaded_total)" | tee -a "$d/series"
}
echo "soak: serve pid $pid, cap $cap accounts, $batch events + $checks checks every ${interval}s for ${secs}s"
echo "     s   RSS KiB    events in memory   evicted  reloaded"
t0=$(date +%s)
base_ms=1780000000000   # 2026-05-28
b=0 next=10
while :; do
  now=$(($(date +%s) - t0))
  (( now >= secs )) && break
  b=$((b + 1))
  awk -v b="$b" -v t="$((base_ms + b * step * 1000))" '{
      id = "soak-" b "-" NR
      # lines NR % 10 == 1 of every batch are new ids, so batch b - 40 has them
      if (NR % 10 == 0 && b > 40) id = "soak-" (b - 40) "-" (NR + 1)
      sub(/"account_id": "[^"]*"/, "\"account_id\": \"" id "\"")
      sub(/"timestamp": "[^"]*"/, "\"timestamp\": " sprintf("%.0f", t + NR))
      print }' "$d/template.jsonl" > "$d/batch"
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$d/batch" "$URL/v1/events" ||
    { echo "soak: ingest failed at batch $b"; cat "$d/serve.log"; exit 1; }
  for ((k = 0; k < checks; k++)); do
    printf 'next\nurl = "%s/v1/check"\nheader = "x-account-id: probe-%d-%d"\noutput = "/dev/null"\n' "$URL" "$b" "$k"
  done | sed 1d > "$d/checks.cfg"
  curl -s -K "$d/checks.cfg" || true
  while (( $(date +%s) - t0 >= next )); do sample "$next"; next=$((next + 10)); done
  sleep "$interval"
done
sample "$(($(date +%s) - t0))"
kill -TERM "$pid"; wait "$pid" || { cat "$d/serve.log"; echo "soak: serve did not stop cleanly"; exit 1; }
pid=
awk 'NR == 1 {f = $2} {l = $2; if ($2 > m) m = $2} END {
  printf "RSS first %.1f MiB, last %.1f MiB, max %.1f MiB (first sample at 10 s)\n", f / 1024, l / 1024, m / 1024 }' "$d/series"
grep -E "shutting down|saved|evict" "$d/serve.log" || true
