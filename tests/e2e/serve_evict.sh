#!/usr/bin/env bash
# The account cap ([state] max_accounts) changes where accounts live, never
# what serve answers.  The demo log plus 600 light accounts (1-4 requests
# each, interleaved in time with the demo's traffic) is ingested in four
# batches twice: without a cap, and with a cap of 60 accounts in memory, so
# that light accounts are evicted to the store and reloaded when a later
# batch brings their next request.  Every account's /v1/check verdict and
# score must be the same in both servers, after the ingest and again after a
# graceful stop (which folds the evicted accounts back and re-assesses them)
# and a restart (which leaves them in the store); every /v1/accounts/ID record
# (evicted accounts are reloaded on demand) must be byte-identical.  The capped server
# must actually have evicted and reloaded, or the test proves nothing.  A
# kill -9 of the capped server and its journal replay change nothing either.
# Exits 77 when curl is missing.
set -euo pipefail
. scripts/serve-lib.sh
BIN=${DW_BIN:-build/distillwatch}
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
d=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$d"; }
trap cleanup EXIT
export DISTILLWATCH_TOKEN=t0ken-$RANDOM
# every third demo line is followed by a copy sent by light_K (same time: the
# order holds); the demo's two malformed lines are left out, so that every id
# in the input is an account
gzip -dc samples/demo.jsonl.gz | awk '/"timestamp"/ && /}$/' |
  awk '{ print } NR % 3 == 0 { l = $0; if (sub(/"account_id": *"[^"]*"/, "\"account_id\": \"light_" int(NR / 3) % 600 "\"", l)) print l }' > "$d/all.jsonl"
[[ $(grep -c '"light_' "$d/all.jsonl") -gt 1000 ]]
split -n l/4 -d "$d/all.jsonl" "$d/batch."
grep -o '"account_id": *"[^"]*"' "$d/all.jsonl" | sed 's/.*"\([^"]*\)"$/\1/' | sort -u > "$d/ids"
nids=$(wc -l < "$d/ids")
[[ $nids -eq 639 ]] || { echo "FAIL: expected the demo's 39 accounts + 600 light ones, got $nids"; exit 1; }
# an accounts file, loaded at every start: metadata for accounts the capped
# server may have left in the store must join their stored state
for id in light_1 light_150 light_599; do
  printf '{"account_id":"%s","created_at":"2026-06-01T00:00:00Z","payment_fingerprint":"card_%s","signup_program":"education"}\n' "$id" "$id"
done > "$d/accounts.jsonl"
sed 's/^max_accounts = .*/max_accounts = 0/' config/distillwatch.conf > "$d/nocap.conf"
sed 's/^max_accounts = .*/max_accounts = 60/' config/distillwatch.conf > "$d/cap.conf"
grep -q '^max_accounts = 60$' "$d/cap.conf"

start() {  # start NAME: serve on NAME.db with NAME.conf; sets port_NAME
  : > "$d/$1.log"
  $BIN serve --listen 127.0.0.1:0 --store "$d/$1.db" --config "$d/$1.conf" --accounts "$d/accounts.jsonl" --review-rate 0 2>> "$d/$1.log" &
  pids+=($!)
  eval "pid_$1=$!"
  local port
  port=$(dw_serve_port "$d/$1.log" "$!")
  eval "port_$1=$port"
}
stop() { local p; eval "p=\$pid_$1"; kill -TERM "$p"; wait "$p"; }
verdicts() {  # verdicts PORT > file: "id status verdict score" for every account, one curl
  while read -r id; do
    printf 'next\nurl = "http://127.0.0.1:%s/v1/check"\nheader = "x-account-id: %s"\noutput = "/dev/null"\nwrite-out = "%s %%{http_code} %%header{x-distillwatch-verdict} %%header{x-distillwatch-score}\\n"\n' "$1" "$id" "$id"
  done < "$d/ids" | sed 1d > "$d/curl.cfg"
  curl -s -K "$d/curl.cfg"
}
records() {  # records PORT > file: every account's /v1/accounts record (reloads evicted ones), one curl
  while read -r id; do
    printf 'next\nurl = "http://127.0.0.1:%s/v1/accounts/%s"\nheader = "Authorization: Bearer %s"\nwrite-out = "\\n"\n' "$1" "$id" "$DISTILLWATCH_TOKEN"
  done < "$d/ids" | sed 1d > "$d/curl.cfg"
  curl -s -K "$d/curl.cfg"
}
metric() { curl -s "http://127.0.0.1:$1/metrics" | sed -n "s/^$2 //p"; }

start nocap; start cap
for b in "$d"/batch.*; do
  for n in nocap cap; do
    eval "port=\$port_$n"
    [[ $(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" \
         --data-binary @"$b" "http://127.0.0.1:$port/v1/events") == 200 ]] || { echo "FAIL: ingest $b into $n"; exit 1; }
  done
done
ev=$(metric "$port_cap" distillwatch_accounts_evicted_total)
rl=$(metric "$port_cap" distillwatch_accounts_reloaded_total)
mem=$(metric "$port_cap" distillwatch_accounts_in_memory)
[[ ${ev:-0} -gt 100 && ${rl:-0} -gt 10 ]] || { echo "FAIL: the cap did not bite (evicted ${ev:-?}, reloaded ${rl:-?})"; exit 1; }
[[ $(metric "$port_nocap" distillwatch_accounts_evicted_total) == 0 ]]
[[ $(metric "$port_nocap" distillwatch_accounts_in_memory) == "$nids" ]]
(( mem < 200 )) || { echo "FAIL: $mem accounts in memory under a cap of 60"; exit 1; }
verdicts "$port_nocap" > "$d/nocap.1"; verdicts "$port_cap" > "$d/cap.1"
[[ $(wc -l < "$d/nocap.1") -eq $nids ]] && ! grep -q ' unknown ' "$d/nocap.1"
grep -q '^acct_7f3a 403 block' "$d/nocap.1"
diff "$d/nocap.1" "$d/cap.1" || { echo "FAIL: verdicts differ with the cap"; exit 1; }
# light accounts score 0 either way: their full records (request counts, every
# signal) are what shows that an evicted account continues where it left off
records "$port_nocap" > "$d/nocap.r1"; records "$port_cap" > "$d/cap.r1"
[[ $(grep -c '"account_id"' "$d/nocap.r1") -eq $nids ]] || { echo "FAIL: records"; exit 1; }
cmp -s "$d/nocap.r1" "$d/cap.r1" || { diff "$d/nocap.r1" "$d/cap.r1" | head -5; echo "FAIL: account records differ with the cap"; exit 1; }

# kill -9 the capped server: the spill table is scratch (emptied at start)
# and the journal replays every batch, evicting again on the way; the
# answers are the uncapped server's still
kill -9 "$pid_cap"; wait "$pid_cap" 2>/dev/null || true
start cap
grep -q "replayed 4 journaled batch" "$d/cap.log" || { cat "$d/cap.log"; echo "FAIL: no replay after kill -9"; exit 1; }
[[ $(metric "$port_cap" distillwatch_accounts_evicted_total) -gt 100 ]] || { echo "FAIL: the replay did not evict"; exit 1; }
verdicts "$port_cap" > "$d/cap.k"
diff "$d/nocap.1" "$d/cap.k" || { echo "FAIL: verdicts differ after kill -9 and replay"; exit 1; }
records "$port_cap" > "$d/cap.rk"
cmp -s "$d/nocap.r1" "$d/cap.rk" || { diff "$d/nocap.r1" "$d/cap.rk" | head -5; echo "FAIL: records differ after kill -9 and replay"; exit 1; }

# a graceful stop folds the evicted accounts into the saved state and
# re-assesses them; after a restart they stay in the store until asked for
stop nocap; stop cap
start nocap; start cap
verdicts "$port_nocap" > "$d/nocap.2"; verdicts "$port_cap" > "$d/cap.2"
diff "$d/nocap.2" "$d/cap.2" || { echo "FAIL: verdicts differ with the cap after a restart"; exit 1; }
mem=$(metric "$port_cap" distillwatch_accounts_in_memory)
(( mem < 200 )) || { echo "FAIL: the restart loaded every account ($mem) despite the cap"; exit 1; }
records "$port_nocap" > "$d/nocap.r2"; records "$port_cap" > "$d/cap.r2"
cmp -s "$d/nocap.r2" "$d/cap.r2" || { diff "$d/nocap.r2" "$d/cap.r2" | head -5; echo "FAIL: account records differ after a restart"; exit 1; }
stop nocap; stop cap
echo "serve_evict: ok"
