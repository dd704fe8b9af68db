#!/usr/bin/env bash
# `distillwatch attribute`: ranking from reference answers, the held-out
# arena-hard measurement and the lineage tree.  Needs ../shared (77 if not).
set -euo pipefail
BIN=${DW_BIN:-build/distillwatch}
SH=${DW_SHARED:-../shared}
ARENA=$SH/corpora/arena-hard-v0.1
SLOP=$SH/provenance/slop-forensics/slop_profile_results.json
[[ -d $ARENA/model_answer && -f $SLOP ]] || exit 77
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# rank: references from the first 400 answers of each model, unknown = the
# last 100 answers of gpt-3.5 (other prompts)
for m in gpt-3.5-turbo-0125 gpt-4-0314; do head -n 400 "$ARENA/model_answer/$m.jsonl" > "$out/$m.ref.jsonl"; done
tail -n 100 "$ARENA/model_answer/gpt-3.5-turbo-0125.jsonl" > "$out/unknown.jsonl"
$BIN attribute rank --field messages.1.content.answer \
    --ref gpt-3.5="$out/gpt-3.5-turbo-0125.ref.jsonl" --ref gpt-4="$out/gpt-4-0314.ref.jsonl" \
    "$out/unknown.jsonl" > "$out/rank.jsonl"
python3 - "$out/rank.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
per = rows[:-1]; comb = rows[-1]
assert len(per) == 100 and comb["combined"] is True
assert comb["ranking"][0]["model"] == "gpt-3.5", comb["ranking"]
right = sum(r["probabilities"]["gpt-3.5"] > 0.5 for r in per)
assert right >= 60, right
print("rank: %d/100 answers attributed to gpt-3.5" % right)
PY

$BIN attribute eval --dir "$ARENA" > "$out/eval.json"
python3 - "$out/eval.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["test_answers"] == 750
assert d["accuracy"] > 0.45, d["accuracy"]
assert sum(map(sum, d["confusion"])) == 750
print("held-out accuracy", d["accuracy"])
PY

$BIN attribute lineage "$SLOP" > "$out/lineage.json"
python3 - "$out/lineage.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["models"] == 38 and d["known_pairs"] == 59
assert d["known_pairs_recovered"] >= 12
assert d["newick"].endswith(";")
assert any(p["model"] == "deepseek/deepseek-r1" for p in d["placement"])
PY
echo ok
