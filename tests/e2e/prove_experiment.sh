#!/usr/bin/env bash
# The radioactivity experiment at a small scale: the student distilled from
# watermarked answers is flagged, the control is not.  The full-size run is
# scripts/prove-experiment.sh.  It trains and samples ~10^5 tokens, so it
# uses the release binary when there is one (the sanitized build runs the
# same code in the unit tests, 10x slower).  Needs ../shared (77 if not).
set -euo pipefail
BIN=build/distillwatch
[[ -x $BIN ]] || BIN=${DW_BIN:-build/distillwatch}
SH=${DW_SHARED:-../shared}
[[ -f $SH/provenance/llama2-tokenizer/tokenizer.model && -d $SH/corpora/gsm8k ]] || exit 77
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$BIN wm experiment --shared "$SH" --runs 1 --distill 300 --test 150 --len 100 --null-keys 20 \
    --out "$out" > "$out/result.jsonl"
python3 - "$out/result.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
run, null, summ = rows[0], rows[1], rows[2]
assert run["teacher_green"] > 0.5, run
assert run["student_log10_p"] < -4, run
assert run["control_log10_p"] > -3, run
assert null["fpr_at_1e-2"] <= 0.1, null
PY
test -s "$out/student_watermarked.jsonl"
echo ok
