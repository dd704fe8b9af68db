#!/usr/bin/env bash
# Inputs: plain, gzip, zstd and stdin give the same result; several files in
# one run; a missing file is reported (exit 1) while the others are scanned;
# usage errors exit 2; --help documents every option.
set -euo pipefail
BIN=${DW_BIN:-build/distillwatch}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
gzip -dc samples/demo.jsonl.gz > "$d/all.jsonl"
zstd -q -o "$d/all.jsonl.zst" "$d/all.jsonl"
$BIN scan --quiet --out "$d/plain" "$d/all.jsonl"
$BIN scan --quiet --out "$d/gz" samples/demo.jsonl.gz
$BIN scan --quiet --out "$d/zst" "$d/all.jsonl.zst"
$BIN scan --quiet --out "$d/stdin" - < "$d/all.jsonl"
for x in gz zst stdin; do cmp "$d/plain/accounts.jsonl" "$d/$x/accounts.jsonl"; done
# split in two files (renamed: compression is detected by content)
head -n 2000 "$d/all.jsonl" | gzip > "$d/part1.log"
tail -n +2001 "$d/all.jsonl" > "$d/part2.log"
$BIN scan --quiet --out "$d/split" "$d/part1.log" "$d/part2.log"
cmp "$d/plain/accounts.jsonl" "$d/split/accounts.jsonl"
# a missing file: exit 1, the others still scanned and written
set +e
$BIN scan --quiet --out "$d/miss" "$d/nope.jsonl" "$d/all.jsonl" 2> "$d/err"; rc=$?
set -e
[[ $rc -eq 1 ]]
grep -q "nope.jsonl" "$d/err"
cmp "$d/plain/accounts.jsonl" "$d/miss/accounts.jsonl"
# a truncated gzip stream: what was read is kept, the error names the file
head -c 50000 samples/demo.jsonl.gz > "$d/trunc.gz"
set +e
$BIN scan --quiet --out "$d/trunc" "$d/trunc.gz" 2> "$d/err"; rc=$?
set -e
[[ $rc -eq 1 ]] && grep -q "trunc.gz" "$d/err" && [[ -s "$d/trunc/accounts.jsonl" ]]
# usage errors
set +e
$BIN scan "$d/all.jsonl" 2>/dev/null; [[ $? -eq 2 ]] || exit 1
$BIN scan --out "$d/x" --format yaml "$d/all.jsonl" 2>/dev/null; [[ $? -eq 2 ]] || exit 1
$BIN scan --out "$d/x" --map nonsense=a "$d/all.jsonl" 2>/dev/null; [[ $? -eq 2 ]] || exit 1
$BIN bogus 2>/dev/null; [[ $? -eq 2 ]] || exit 1
set -e
help=$($BIN scan --help)
for opt in --out --format --map --accounts --config --store --quiet --help; do
  grep -q -- "$opt" <<< "$help" || { echo "--help does not document $opt"; exit 1; }
done
# an empty input: empty outputs, a balanced summary, and (under the sanitizers) no UB on empty buffers
: > "$d/empty.jsonl"
$BIN scan --out "$d/empty" "$d/empty.jsonl" > "$d/empty.txt"
grep -q '^read 0 records = 0 accepted + 0 quarantined' "$d/empty.txt"
[[ ! -s "$d/empty/accounts.jsonl" && ! -s "$d/empty/alerts.jsonl" ]]
