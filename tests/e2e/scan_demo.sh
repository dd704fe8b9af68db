#!/usr/bin/env bash
# The shipped sample: the harvester is blocked with reasons, ordinary users,
# the office and the batch job are allowed, the two malformed lines are
# quarantined with their line numbers, and the summary balances.
set -euo pipefail
BIN=${DW_BIN:-build/distillwatch}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
$BIN scan --out "$out" samples/demo.jsonl.gz > "$out/summary.txt"
cat "$out/summary.txt"
grep -Eq '^read ([0-9]+) records = ([0-9]+) accepted \+ 2 quarantined' "$out/summary.txt"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
accts = {}
for l in open(out + "/accounts.jsonl"):
    r = json.loads(l)
    for k in ("account_id", "verdict", "score", "campaign_id", "requests", "signals", "reasons"):
        assert k in r, k
    accts[r["account_id"]] = r
h = accts["acct_7f3a"]
assert h["verdict"] == "block", h
assert any("reasoning" in x for x in h["reasons"]), h["reasons"]
assert accts["acct_d0e1"]["verdict"] in ("review", "block"), accts["acct_d0e1"]
assert accts["acct_b47c"]["verdict"] == "allow", accts["acct_b47c"]
others = [a for k, a in accts.items() if k not in ("acct_7f3a", "acct_d0e1")]
bad = [a["account_id"] for a in others if a["verdict"] != "allow"]
assert not bad, bad
alerts = [json.loads(l) for l in open(out + "/alerts.jsonl")]
assert alerts and all(a["reason"] for a in alerts)
assert [a["ts"] for a in alerts] == sorted(a["ts"] for a in alerts)
first_block = next(a for a in alerts if a["account_id"] == "acct_7f3a" and a["verdict"] == "block")
assert first_block["request_id"].startswith("req_")
# the harvester's block came early in its two days of traffic
assert first_block["ts"] < "2026-06-01T12:00:00", first_block
q = [json.loads(l) for l in open(out + "/quarantine.jsonl")]
assert len(q) == 2 and all(x["line"] > 0 and x["error"] for x in q), q
raw = open(out + "/quarantine.raw", encoding="utf-8").read().splitlines()
assert len(raw) == 2 and raw[0].startswith('{"request_id": "req_broken"'), raw
PY
