#!/usr/bin/env bash
# End-to-end: `simulate` is reproducible byte for byte through the CLI, its
# options fail cleanly, and (when `scan` is built in) simulate -> scan -> eval
# produces eval.json and a self-contained eval.html.  Exit 77 = skipped.
set -u
bin=${DW_BIN:-build/distillwatch}
[[ -x $bin ]] || { echo "no $bin"; exit 77; }
"$bin" simulate --help >/dev/null 2>&1 || { echo "simulate not wired into $bin"; exit 77; }
tmp=$(mktemp -d /tmp/dwtest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

small=(--scenario demo --days 1 --set casual_chat.accounts=40 --set coding_agent.accounts=8
       --set campaign_hydra.accounts_per_campaign=15 --set batch_job.job_requests=300
       --set reseller.requests_per_account_per_day=200 --set researcher.requests_per_account_per_day=100)
"$bin" simulate --seed 5 "${small[@]}" --out "$tmp/a" --quiet || fail "simulate a"
"$bin" simulate --seed 5 "${small[@]}" --out "$tmp/b" --quiet || fail "simulate b"
for f in requests.jsonl accounts.jsonl truth.jsonl truth_requests.jsonl; do
  cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between identical runs"
done
[[ $(wc -l < "$tmp/a/truth.jsonl") -eq $(wc -l < "$tmp/a/accounts.jsonl") ]] || fail "truth/accounts mismatch"

"$bin" simulate --bogus >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "bad option should exit 2"
"$bin" simulate --out "$tmp/c" --set ip_rotation=hourly >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "bad knob should exit 2"
"$bin" eval --truth "$tmp/a/truth.jsonl" >/dev/null 2>&1; [[ $? -eq 2 ]] || fail "eval without --scan should exit 2"

if "$bin" scan --help >/dev/null 2>&1; then
  "$bin" scan --accounts "$tmp/a/accounts.jsonl" --out "$tmp/scan" "$tmp/a/requests.jsonl" >"$tmp/scan.log" 2>&1 \
    || { cat "$tmp/scan.log"; fail "scan"; }
  "$bin" eval --truth "$tmp/a/truth.jsonl" --scan "$tmp/scan" --out "$tmp/eval" >"$tmp/eval.log" 2>&1 \
    || { cat "$tmp/eval.log"; fail "eval"; }
  [[ -s $tmp/eval/eval.json && -s $tmp/eval/eval.html ]] || fail "eval outputs missing"
  grep -q '<svg' "$tmp/eval/eval.html" || fail "no inline SVG"
  ! grep -Eq '(src|href)="(https?:)?//' "$tmp/eval/eval.html" || fail "eval.html references external assets"
fi
echo ok
