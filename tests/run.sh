#!/usr/bin/env bash
# Run every test binary given on the command line (cmocka, built with
# ASan+UBSan), then every end-to-end script in tests/e2e/ against the
# sanitized CLI.  Prints each suite's own cmocka output and closes with one
# summary line "tests: N passed, N failed, N skipped".  Exit status is non-zero
# when anything failed or crashed.
set -u
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0 skip=0
crashed=()
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
  s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -1)
  pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0})); skip=$((skip + ${s:-0}))
  if [[ $rc -ne 0 && -z ${f:-} ]]; then fail=$((fail + 1)); crashed+=("$t (exit $rc)"); fi
done
if [[ -d tests/e2e ]]; then
  for s in tests/e2e/*.sh; do
    [[ -e $s ]] || continue
    # output to a file, not a $(...) pipe: a server a failed script left
    # behind would hold the pipe open and hang the run; and a time limit
    log=$(mktemp)
    DW_BIN=build/san/distillwatch timeout 900 bash "$s" > "$log" 2>&1; rc=$?
    out=$(cat "$log"); rm -f "$log"
    if [[ $rc -eq 0 ]]; then echo "[       OK ] e2e $(basename "$s")"; pass=$((pass + 1))
    elif [[ $rc -eq 77 ]]; then echo "[  SKIPPED ] e2e $(basename "$s")"; skip=$((skip + 1))
    else printf '%s\n' "$out" | tail -30; echo "[  FAILED  ] e2e $(basename "$s")"; fail=$((fail + 1)); fi
  done
fi
for c in "${crashed[@]}"; do echo "crashed: $c"; done
echo "tests: $pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
