#!/usr/bin/env bash
# serve --checkpoint-batches: the journal is folded into the store every N
# batches; a kill -9 after a checkpoint replays only the batches since, and
# every account's verdict and score are the same after the restart.
# Exits 77 (skip) when curl is missing.
set -euo pipefail
. scripts/serve-lib.sh
BIN=${DW_BIN:-build/distillwatch}
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
dw_serve_scratch
gzip -dc samples/demo.jsonl.gz > "$d/all.jsonl"
sed -n '1,1200p' "$d/all.jsonl" > "$d/p1"
sed -n '1201,2400p' "$d/all.jsonl" > "$d/p2"
sed -n '2401,$p' "$d/all.jsonl" > "$d/p3"

start() { dw_serve_start --checkpoint-batches 2; }
post() { curl -sf -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$1" "$URL/v1/events" > /dev/null; }
verdicts() {
  for a in $(grep -o '"account_id": *"[^"]*"' "$d/all.jsonl" | sed 's/.*"\([^"]*\)"$/\1/' | sort -u); do
    curl -s -o /dev/null -D - -H "x-account-id: $a" "$URL/v1/check" | tr -d '\r' |
      awk -v a="$a" '/^x-distillwatch-verdict/{v=$2} /^x-distillwatch-score/{c=$2} END{print a, v, c}'
  done
}
journal() { curl -s "$URL/metrics" | sed -n 's/^distillwatch_journal_batches //p'; }

start
post "$d/p1"; [[ $(journal) == 1 ]] || { echo "FAIL: journal after batch 1: $(journal)"; exit 1; }
post "$d/p2"; [[ $(journal) == 0 ]] || { echo "FAIL: no checkpoint after batch 2: $(journal)"; exit 1; }
post "$d/p3"; [[ $(journal) == 1 ]] || { echo "FAIL: journal after batch 3: $(journal)"; exit 1; }
verdicts > "$d/before"
grep -q '^acct_7f3a block' "$d/before" || { cat "$d/before"; echo "FAIL: harvester not blocked"; exit 1; }
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=
start
grep -q "replayed 1 journaled batch" "$d/log" || { cat "$d/log"; echo "FAIL: expected one batch replayed"; exit 1; }
verdicts > "$d/after"
diff "$d/before" "$d/after" || { echo "FAIL: verdicts changed across kill -9 after a checkpoint"; exit 1; }
kill -TERM "$pid"; wait "$pid"; pid=
echo "serve_checkpoint: ok"
