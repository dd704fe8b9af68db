#!/usr/bin/env bash
# --store: scanning day 1 then day 2 into one store gives the verdicts (the
# same accounts.jsonl, byte for byte) of scanning both days at once.
set -euo pipefail
BIN=${DW_BIN:-build/distillwatch}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
gzip -dc samples/demo.jsonl.gz > "$d/all.jsonl"
grep '"timestamp": "2026-06-01' "$d/all.jsonl" > "$d/day1.jsonl"
grep -v '"timestamp": "2026-06-01' "$d/all.jsonl" > "$d/day2.jsonl"
$BIN scan --quiet --out "$d/both" "$d/all.jsonl"
$BIN scan --quiet --store "$d/state.db" --out "$d/one" "$d/day1.jsonl"
$BIN scan --quiet --store "$d/state.db" --out "$d/two" "$d/day2.jsonl"
cmp "$d/both/accounts.jsonl" "$d/two/accounts.jsonl"
# and day 1 alone is different (the test would pass vacuously otherwise)
! cmp -s "$d/both/accounts.jsonl" "$d/one/accounts.jsonl"
# the store refuses a file that is not a store
echo "not a database" > "$d/bad.db"
if $BIN scan --quiet --store "$d/bad.db" --out "$d/x" "$d/day1.jsonl" 2> "$d/err"; then exit 1; fi
grep -q "store" "$d/err"
