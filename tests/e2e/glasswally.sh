#!/usr/bin/env bash
# A peer tool's labeled log, read through --map: campaign accounts flagged,
# benign accounts allowed.  Skipped (77) when ../shared is absent.
set -euo pipefail
BIN=${DW_BIN:-build/distillwatch}
f=${DW_SHARED:-../shared}/peers/glasswally/labeled_5k.jsonl
[[ -f $f ]] || exit 77
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
$BIN scan --quiet --map asn=asn_number,completion_tokens=token_count --out "$d" "$f"
python3 - "$f" "$d/accounts.jsonl" <<'PY'
import json, sys
truth = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    truth.setdefault(r["account_id"], r["campaign_label"] is not None)
pred = {json.loads(l)["account_id"]: json.loads(l)["verdict"] for l in open(sys.argv[2])}
assert set(pred) == set(truth), "every account must be reported"
tp = sum(1 for a, c in truth.items() if c and pred[a] != "allow")
fp = sum(1 for a, c in truth.items() if not c and pred[a] != "allow")
fn = sum(1 for a, c in truth.items() if c and pred[a] == "allow")
prec = tp / (tp + fp) if tp + fp else 0
rec = tp / (tp + fn)
print("glasswally review+block: precision %.3f recall %.3f (tp %d fp %d fn %d)" % (prec, rec, tp, fp, fn))
assert prec >= 0.9 and rec >= 0.9
PY
