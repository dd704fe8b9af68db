#!/usr/bin/env bash
# The end-to-end radioactivity experiment (docs/provenance.md) in one
# command: build, run 5 keys end to end plus the 1,000-key null test, and
# keep the results and the students' answers in experiments/prove/results/.
# Takes 2-5 minutes on two cores.  Needs ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${DW_BIN:-build/distillwatch}
[[ -x $BIN ]] || make --no-print-directory build/distillwatch
out=${1:-experiments/prove/results}
mkdir -p "$out"
"$BIN" wm experiment --shared "${DW_SHARED:-../shared}" --out "$out" "${@:2}" | tee "$out/result.jsonl"
