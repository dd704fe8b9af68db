#!/usr/bin/env bash
# Scoring throughput of `distillwatch wm score` in reference-compatible mode
# (Llama 2 tokenizer, hash seeding, h = 2, gamma 0.25, tape v2) on the 1,000
# published radioactivity texts: one process, one core, best of 3 runs.
# Prints tokens per second (all tokens, tokenization included) and scored
# tokens per second.  Needs ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DW_BIN:-build/distillwatch}
SH=${DW_SHARED:-../shared}
TOK=$SH/provenance/llama2-tokenizer/tokenizer.model
RES=$SH/provenance/radioactive-watermark/output_closed/results_expected.jsonl
[[ -f $TOK && -f $RES ]] || { echo "prove-bench: needs $SH (skipped)"; exit 0; }
[[ -x $BIN ]] || make --no-print-directory build/distillwatch
out=$(mktemp)
trap 'rm -f "$out"' EXIT
best=""
for i in 1 2 3; do
  t=$( { /usr/bin/time -f "%U %S" taskset -c 0 "$BIN" wm score --tokenizer "$TOK" --seeding hash --seed 3 \
          --ngram 2 --gamma 0.25 --tape v2 --field result "$RES" > "$out"; } 2>&1 | tail -1)
  cpu=$(awk '{print $1 + $2}' <<<"$t")
  if [[ -z $best ]] || awk -v a="$cpu" -v b="$best" 'BEGIN{exit !(a < b)}'; then best=$cpu; fi
done
python3 - "$out" "$best" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
cpu = float(sys.argv[2])
tok = sum(r["tokens"] for r in rows); sc = sum(r["num_token"] for r in rows)
print("wm score: %d texts, %d tokens (%d scored) in %.2f s CPU: %.0f tokens/s, %.0f scored tokens/s per core"
      % (len(rows), tok, sc, cpu, tok / cpu, sc / cpu))
PY
