#!/usr/bin/env bash
# Part of `make bench`: `distillwatch serve` under load, everything on 127.0.0.1.
#
#  1. /v1/check straight from wrk (an allowed account: 200 + headers);
#  2. the gateway case: wrk -> nginx -> a `return 200` stand-in for the model
#     API ("nginx alone"), then the same with auth_request -> serve, then with
#     auth_request and a 1 s proxy_cache of serve's answers keyed by the
#     account header, and with auth_request to serve on a unix socket.  The ratios (auth / alone) are computed from runs made
#     back to back in this script, DW_SERVE_ROUNDS times (default 2), because
#     on a shared machine only same-run ratios mean anything;
#  3. POST /v1/events: Glasswally-shaped ~400-byte records (bench/genlog.c
#     `small`, 20,000 accounts) in batches of DW_INGEST_BATCH lines, with the
#     durable journal (--store), events/s over the whole upload.
# Knobs: DW_SERVE_SECONDS (wrk duration, 8), DW_SERVE_CONNS (16),
# DW_SERVE_THREADS (serve's --threads, 1: on 2 shared cores the fastest), DW_NGINX_WORKERS (1),
# DW_INGEST_EVENTS (200000), DW_INGEST_BATCH (20000).
# Needs wrk and nginx (scripts/install-deps.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/serve-lib.sh
BIN=build/distillwatch
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
command -v wrk >/dev/null || { echo "serve bench: wrk not installed (scripts/install-deps.sh)"; exit 1; }
[[ -x $NGINX ]] || { echo "serve bench: nginx not installed (scripts/install-deps.sh)"; exit 1; }
secs=${DW_SERVE_SECONDS:-8}
conns=${DW_SERVE_CONNS:-16}
threads=${DW_SERVE_THREADS:-1}
workers=${DW_NGINX_WORKERS:-1}
rounds=${DW_SERVE_ROUNDS:-2}
nev=${DW_INGEST_EVENTS:-200000}
batch=${DW_INGEST_BATCH:-20000}
d=$(mktemp -d)
# the auth cache on tmpfs, as docs/operations.md recommends: a hit is then a memory read
shm=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$d" "$shm"
}
trap cleanup EXIT
export DISTILLWATCH_TOKEN=bench-$RANDOM$RANDOM

start_serve() {  # start_serve LOG ARGS...: sets port (not $(...): the subshell would wait for serve)
  local log=$1; shift
  $BIN serve --listen 127.0.0.1:0 "$@" > /dev/null 2> "$log" &
  pids+=($!)
  port=$(dw_serve_port "$log" "$!")
}
# wrk URL [headers...] -> "rps p50_us p99_us"
bench() {
  local url=$1; shift
  local h=()
  for x in "$@"; do h+=(-H "$x"); done
  wrk -t1 -c"$conns" -d"${secs}s" --latency "${h[@]}" "$url" > "$d/wrk.out"
  awk '
    function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1e6; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = us($2) }
    /^ +99%/ { p99 = us($2) }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    END { printf "%.0f %.0f %.0f %d\n", rps, p50, p99, bad }' "$d/wrk.out"
}
# CPU time (clock ticks) used so far by the given processes
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
hz=$(getconf CLK_TCK)
# measure WHAT URL HEADER: one wrk run, printed as a table row with the CPU
# each request cost nginx and serve (what a dedicated gateway host would pay)
measure() {
  local n0 s0 n1 s1
  local m=$(cat "$d/nginx.pid") ng
  ng=($m $(pgrep -P "$m" || true))
  n0=$(ticks "${ng[@]}"); s0=$(ticks "$dwpid")
  set -- "$1" $(bench "$2" "$3")
  n1=$(ticks "${ng[@]}"); s1=$(ticks "$dwpid")
  local reqs=$(echo "$2 * $secs" | bc -l)
  printf "| %s | %.1f k | %s µs | %s µs | %.1f µs | %.1f µs |%s\n" "$1" "$(echo "$2 / 1000" | bc -l)" "$3" "$4" \
    "$(echo "($n1 - $n0) * 1000000 / $hz / $reqs" | bc -l)" "$(echo "($s1 - $s0) * 1000000 / $hz / $reqs" | bc -l)" \
    "$([[ ${5:-0} -gt 0 ]] && echo " ($5 non-2xx)" || true)"
  last=$2
}

# --- the authorizer, with the demo's 39 accounts ---------------------------------
start_serve "$d/serve.log" --store "$d/state.db" --review-rate 0 --threads "$threads"
dw=$port
dwpid=${pids[-1]}
gzip -dc samples/demo.jsonl.gz | curl -sf -o /dev/null -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" \
  --data-binary @- "http://127.0.0.1:$dw/v1/events"
# the same authorizer on a unix socket (a gateway on the same host can use one)
$BIN serve --listen "unix:$d/dw.sock" --store "$d/state-unix.db" --review-rate 0 --threads "$threads" > /dev/null 2> "$d/serve-unix.log" &
pids+=($!)
dwupid=$!
for _ in $(seq 1 300); do grep -q "listening on" "$d/serve-unix.log" && break; sleep 0.1; done
gzip -dc samples/demo.jsonl.gz | curl -sf -o /dev/null --unix-socket "$d/dw.sock" -X POST \
  -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @- "http://localhost/v1/events"
acct=acct_b47c   # an ordinary account: allowed, the common case
curl -s -o /dev/null -D - -H "x-account-id: $acct" "http://127.0.0.1:$dw/v1/check" | grep -qi '^x-distillwatch-verdict: allow'

# --- nginx: one config file, three front servers -----------------------------------
up=$(dw_free_port); alone=$(dw_free_port); auth=$(dw_free_port); authu=$(dw_free_port); cached=$(dw_free_port)
mkdir -p "$d/tmp"
chmod 777 "$d/tmp" "$shm"
user=""; [[ $(id -u) -eq 0 ]] && user="user root;"
alone() {  # alone PORT: nginx in front of the model API with no check, the baseline
  cat <<SRV
  server {
    listen 127.0.0.1:$1;
    location / {
      proxy_pass http://model_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
SRV
}
cat > "$d/nginx.conf" <<CONF
$user
daemon off;
worker_processes $workers;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
$(dw_nginx_http_common "$d")
  proxy_cache_path $shm keys_zone=distillwatch:1m max_size=16m inactive=10s;
  # keepalive_requests: nginx closes an upstream connection after 1000 requests by default
  upstream distillwatch { server 127.0.0.1:$dw; keepalive 32; keepalive_requests 1000000; }
  upstream distillwatch_unix { server unix:$d/dw.sock; keepalive 32; keepalive_requests 1000000; }
  upstream model_api { server 127.0.0.1:$up; keepalive 32; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$up; location / { return 200 "upstream ok\n"; } }
$(alone "$alone")
$(dw_nginx_gateway "$auth" http://model_api)
$(dw_nginx_gateway "$authu" http://model_api "" distillwatch_unix)
$(dw_nginx_gateway "$cached" http://model_api "$DW_NGINX_AUTH_CACHE")
}
CONF
"$NGINX" -p "$d" -c "$d/nginx.conf" -e "$d/error.log" > /dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$cached/" -H "x-account-id: $acct" && break; sleep 0.1; done
curl -s -D - -o /dev/null -H "x-account-id: $acct" "http://127.0.0.1:$auth/" | grep -qi '^x-distillwatch-verdict: allow' ||
  { cat "$d/error.log"; echo "serve bench: nginx auth_request not answering as expected"; exit 1; }
curl -s -o /dev/null -w '%{http_code}' -H "x-account-id: acct_7f3a" "http://127.0.0.1:$cached/" | grep -q 403 ||
  { echo "serve bench: the cached config does not block the harvester"; exit 1; }

echo "serve: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), serve --threads $threads, nginx worker_processes $workers, wrk -t1 -c$conns -d${secs}s"
echo
echo "| what | requests/s | p50 | p99 | nginx CPU/request | serve CPU/request |"
echo "|---|---|---|---|---|---|"
measure '`/v1/check` direct (allowed account)' "http://127.0.0.1:$dw/v1/check" "x-account-id: $acct"
ratios=()
for ((r = 1; r <= rounds; r++)); do
  measure "round $r: nginx alone" "http://127.0.0.1:$alone/" "x-account-id: $acct"; a=$last
  measure "round $r: nginx + auth_request → serve" "http://127.0.0.1:$auth/" "x-account-id: $acct"; b=$last
  # keepalive to serve is effective when nginx holds a few connections open
  # rather than leaving one in TIME_WAIT per check
  conns_note="connections nginx → serve after round $r: $(ss -Htn state established "( dport = :$dw )" | wc -l) open, $(ss -Htn state time-wait "( dport = :$dw )" | wc -l) in TIME_WAIT"
  measure "round $r: nginx + auth_request → serve, 1 s cache" "http://127.0.0.1:$cached/" "x-account-id: $acct"; c=$last
  dwpid_tcp=$dwpid; dwpid=$dwupid
  measure "round $r: nginx + auth_request → serve on a unix socket" "http://127.0.0.1:$authu/" "x-account-id: $acct"; u=$last
  dwpid=$dwpid_tcp
  ratios+=("round $r: auth/alone $(echo "$b / $a" | bc -l | cut -c1-4), unix-socket auth/alone $(echo "$u / $a" | bc -l | cut -c1-4), cached/alone $(echo "$c / $a" | bc -l | cut -c1-4)")
done
echo
for x in "${ratios[@]}"; do echo "$x"; done
echo "$conns_note"

# --- ingest --------------------------------------------------------------------------
cc -O2 -o "$d/genlog" bench/genlog.c
"$d/genlog" small "$nev" 2 > "$d/small.jsonl"
split -l "$batch" -d -a 4 "$d/small.jsonl" "$d/batch."
start_serve "$d/ingest.log" --store "$d/ingest.db" --threads "$threads" --map asn=asn_number,completion_tokens=token_count
ig=$port
bytes=$(stat -c %s "$d/small.jsonl")
t0=$(date +%s.%N)
for f in "$d"/batch.*; do
  curl -sf -o "$d/reply" -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$f" "http://127.0.0.1:$ig/v1/events"
done
t1=$(date +%s.%N)
got=$(curl -s "http://127.0.0.1:$ig/metrics" | sed -n 's/^distillwatch_events_total \([0-9]*\)$/\1/p')
[[ $got == "$nev" ]] || { echo "serve bench: ingested $got events of $nev"; exit 1; }
t=$(echo "$t1 - $t0" | bc -l)
echo
printf 'ingest: %d small events (%.0f B each) in %d batches of %d: %.2f s, %.0f events/s (%.1f MB/s), journal fsync included\n' \
  "$nev" "$(echo "$bytes / $nev" | bc -l)" "$(ls "$d"/batch.* | wc -l)" "$batch" "$t" "$(echo "$nev / $t" | bc -l)" \
  "$(echo "$bytes / 1000000 / $t" | bc -l)"
