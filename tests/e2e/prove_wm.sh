#!/usr/bin/env bash
# `distillwatch wm score` end to end: the published radioactivity scores are
# reproduced from the command line, errors name the file and line, and a
# tape that does not give valid p-values prints none.  Needs ../shared
# (exit 77 = skipped without it).
set -euo pipefail
BIN=${DW_BIN:-build/distillwatch}
SH=${DW_SHARED:-../shared}
TOK=$SH/provenance/llama2-tokenizer/tokenizer.model
RES=$SH/provenance/radioactive-watermark/output_closed/results_expected.jsonl
EXP=$SH/provenance/radioactive-watermark/output_closed/scores_expeced.jsonl
[[ -f $TOK && -f $RES && -f $EXP ]] || exit 77
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

head -n 40 "$RES" > "$out/in.jsonl"
$BIN wm score --tokenizer "$TOK" --seeding hash --salt 35317 --seed 3 --ngram 2 --gamma 0.25 \
    --tape v2 --field result "$out/in.jsonl" > "$out/scores.jsonl"
python3 - "$out/scores.jsonl" "$EXP" <<'PY'
import json, math, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
ref = [json.loads(l) for l in open(sys.argv[2]) if l.strip()][:len(ours)]
assert len(ours) == 40, len(ours)
for i, (o, r) in enumerate(zip(ours, ref)):
    assert o["num_token"] == r["num_token"], (i, o, r)
    if math.isnan(r["pvalue"]):
        assert o["num_green"] == 0 and o["pvalue"] == 1, (i, o)
        continue
    assert abs(o["score"] - r["score"]) < 1e-12, (i, o, r)
    assert abs(o["pvalue"] - r["pvalue"]) <= 1e-9 * r["pvalue"], (i, o, r)
print("40 texts reproduce the reference scores")
PY

# --chunked: cumulative rows, then one final row over everything
$BIN wm score --tokenizer "$TOK" --seeding hash --seed 3 --field result --prompt-field prompt \
    --chunked --every 500 "$out/in.jsonl" > "$out/chunk.jsonl"
python3 - "$out/chunk.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[-1]["final"] is True
assert all((r["num_scored"] - 1) % 500 == 0 for r in rows[:-1]), rows
assert rows[-1]["num_scored"] >= rows[-2]["num_scored"]
assert 0 < rows[-1]["pvalue"] <= 1
PY

# --filter-number N keeps the first N windows of the list; an empty filter
# (N = 0) scores nothing, as the reference's empty set does
printf '13 13\n29889 13\n29892 322\n' > "$out/filter3.txt"
head -n 1 "$out/filter3.txt" > "$out/filter1.txt"
final() { $BIN wm score --tokenizer "$TOK" --seeding hash --seed 3 --field result --chunked "$@" "$out/in.jsonl" | tail -n 1; }
f1=$(final --filter "$out/filter1.txt")
[[ $(final --filter "$out/filter3.txt" --filter-number 1) == "$f1" ]]
[[ $(final --filter "$out/filter3.txt") != "$f1" ]]
final --filter "$out/filter3.txt" --filter-number 0 | grep -q '"num_scored":0,'

# tape none: the count is not binomial, so no p-value is printed
$BIN wm score --tokenizer "$TOK" --seeding lefthash --tape none --field result "$out/in.jsonl" > "$out/none.jsonl"
head -n 1 "$out/none.jsonl" > "$out/none.json"
grep -q '"pvalue":null' "$out/none.json"
grep -q '"valid_pvalue":false' "$out/none.json"

# plain text input and the Kirchenbauer schemes
printf 'The quick brown fox jumps over the lazy dog. ' > "$out/plain.txt"
$BIN wm score --tokenizer "$TOK" --seeding selfhash "$out/plain.txt" | grep -q '"num_token":'

# malformed input: exit 1, message with file and line
printf '{"result": "ok"}\n{"result": "broken}\n' > "$out/bad.jsonl"
if $BIN wm score --tokenizer "$TOK" --seeding hash --field result "$out/bad.jsonl" 2> "$out/err"; then
  echo "malformed input accepted"; exit 1
fi
grep -q "bad.jsonl:2:" "$out/err"
# bad option values: exit 2
set +e
$BIN wm score --tokenizer "$TOK" --seeding nosuch "$out/in.jsonl" 2>/dev/null; rc=$?
set -e
[[ $rc -eq 2 ]]
echo ok
