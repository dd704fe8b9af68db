#!/usr/bin/env bash
# Run every fuzz target for SECONDS each from its seed corpus (fuzz/corpus/NAME
# when present), keeping new inputs out of the repository.  Exit non-zero on
# the first crash; the reproducer is left in build/fuzz/.
set -euo pipefail
secs=$1; shift
for f in "$@"; do
  name=$(basename "$f")
  seeds=fuzz/corpus/${name#fuzz_}
  work=build/fuzz/corpus-$name
  mkdir -p "$work"
  [[ -d $seeds ]] && cp -n "$seeds"/* "$work"/ 2>/dev/null || true
  echo "== $name: ${secs}s"
  (cd build/fuzz && "./$name" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 "corpus-$name" 2>&1 | tail -12)
done
