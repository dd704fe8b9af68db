#!/usr/bin/env bash
# `make bench`: throughput, memory and per-account cost of `distillwatch scan`.
#
# Inputs, under build/bench/ (override with DW_BENCH_DIR):
#  - realistic: the traffic simulator's default population with real prompts
#    and answers from ../shared/corpora (when present), ~1 GB (9 days);
#  - synthetic: bench/genlog.c's ~2 KB records from a small vocabulary (a
#    worst case for pattern matching: topic words everywhere);
#  - small: Glasswally-shaped flat events, every prompt new (the worst case
#    for the pattern matcher, whose hits are cached per distinct text);
#  - bank: the same events with prompts drawn from a bank of 1,000, as
#    gateway traffic repeats itself; idle: one request per account.
# Then for each: runs `wc -l` on the same file
# in the same run as the I/O floor, and `scan` (best of DW_BENCH_RUNS, default
# 3).  Prints a Markdown table for docs/benchmarks.md.  Sizes: DW_BENCH_MB
# (realistic log, default 1024), DW_BENCH_SMALL (small events, default
# 2000000), DW_BENCH_IDLE (idle accounts, default 1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/distillwatch
dir=${DW_BENCH_DIR:-build/bench}
runs=${DW_BENCH_RUNS:-3}
mb=${DW_BENCH_MB:-1024}
small=${DW_BENCH_SMALL:-2000000}
idle=${DW_BENCH_IDLE:-1000000}
mkdir -p "$dir"
cc -O2 -o "$dir/genlog" bench/genlog.c
shared=${DW_SHARED:-../shared}
if [[ ! -s $dir/realistic.jsonl ]]; then
  corpus=()
  [[ -d $shared/corpora ]] && corpus=(--corpus "$shared/corpora")
  $BIN simulate --quiet --seed 1 --days 9 "${corpus[@]}" --out "$dir/sim"
  mv "$dir/sim/requests.jsonl" "$dir/realistic.jsonl"
fi
[[ -s $dir/synthetic.jsonl ]] || "$dir/genlog" realistic $((mb * 1024 * 1024)) 1 > "$dir/synthetic.jsonl"
[[ -s $dir/small.jsonl ]] || "$dir/genlog" small "$small" 2 > "$dir/small.jsonl"
[[ -s $dir/bank.jsonl ]] || "$dir/genlog" bank "$small" 2 > "$dir/bank.jsonl"
[[ -s $dir/idle.jsonl ]] || "$dir/genlog" idle "$idle" 3 > "$dir/idle.jsonl"

best() { # best wall time in seconds of a command, over $runs runs
  local b=999999 t
  for ((i = 0; i < runs; i++)); do
    local s=$(date +%s.%N)
    "$@" > /dev/null
    local e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if (( $(echo "$t < $b" | bc -l) )); then b=$t; fi
  done
  echo "$b"
}
peak_rss_mib() { # peak RSS of one run, from the summary line scan prints
  "$@" | sed -n 's/.*peak memory \([0-9.]*\) MiB.*/\1/p'
}

echo "| input | size | records | wc -l | scan | scan MB/s | events/s | scan / wc -l | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
# the per-account pipeline alone (issue 2's scope) next to the full scan
sed '/^\[link\]/,/^\[/ s/^enabled = true/enabled = false/' config/distillwatch.conf > "$dir/nolink.conf"
for item in realistic realistic:per-account synthetic small small:per-account bank bank:per-account; do
  f=${item%%:*}
  conf=""
  [[ $item == *:per-account ]] && conf="--config $dir/nolink.conf"
  path=$dir/$f.jsonl
  bytes=$(stat -c %s "$path")
  lines=$(wc -l < "$path")
  map=""
  [[ $f == small || $f == bank ]] && map="--map asn=asn_number,completion_tokens=token_count"
  twc=$(best wc -l "$path")
  tscan=$(best $BIN scan --quiet $conf $map --out "$dir/out-$f" "$path")
  rss=$(peak_rss_mib $BIN scan $conf $map --out "$dir/out-$f" "$path")
  printf "| %s | %.0f MB | %d | %.2f s | %.2f s | %.0f | %.0f | %.1fx | %s MiB |\n" "$item" \
    "$(echo "$bytes / 1000000" | bc -l)" "$lines" "$twc" "$tscan" \
    "$(echo "$bytes / 1000000 / $tscan" | bc -l)" "$(echo "$lines / $tscan" | bc -l)" \
    "$(echo "$tscan / $twc" | bc -l)" "$rss"
done
# memory per idle account: RSS of N one-request accounts minus RSS of 1
base=$(peak_rss_mib $BIN scan --out "$dir/out-one" <(head -1 "$dir/idle.jsonl"))
many=$(peak_rss_mib $BIN scan --out "$dir/out-idle" "$dir/idle.jsonl")
echo
printf "idle accounts: %d, peak RSS %s MiB (baseline %s MiB): %.0f bytes per account\n" "$idle" "$many" "$base" \
  "$(echo "($many - $base) * 1048576 / $idle" | bc -l)"

# wm score throughput (reference-compatible mode), see bench/prove.sh
echo
bench/prove.sh
