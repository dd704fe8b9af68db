# serve-lib.sh -- sourced by the test and benchmark scripts that start
# `distillwatch serve` on 127.0.0.1:0 and need the port it picked.
#
# dw_serve_port LOG PID: prints the port serve announced in LOG ("listening on
# 127.0.0.1:PORT"), waiting up to 30 s.  Fails, with the log on stderr, when
# PID exits first or time runs out, so `port=$(dw_serve_port ...)` stops a
# `set -e` script there.  Call it in $(...) only to read the log: start serve
# itself in the calling shell, or the substitution would wait for it.
dw_serve_port() {
  local log=$1 pid=$2 p=
  for _ in $(seq 1 300); do
    p=$(sed -n 's/.*listening on 127.0.0.1:\([0-9][0-9]*\)$/\1/p' "$log")
    [[ -n $p ]] && { echo "$p"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$log" >&2
  echo "distillwatch serve did not start" >&2
  return 1
}
