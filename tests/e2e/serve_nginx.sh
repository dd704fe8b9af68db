#!/usr/bin/env bash
# nginx auth_request in front of a small upstream, with distillwatch serve as
# the authorizer (the configuration of docs/operations.md, "serve"), all on
# loopback.  Requests replayed through nginx with curl: before the logs are
# ingested every account gets 200; after, the harvester (acct_7f3a) gets
# 403, the review account (acct_d0e1) gets 429 once past its burst, and
# ordinary accounts keep getting 200.  A second gateway with the 1 s auth
# cache blocks the harvester once its cached "unknown" expires and still
# throttles the review account.  When serve is down, nginx fails open.
# Exits 77 (skip) when nginx or curl is missing.
set -euo pipefail
. scripts/serve-lib.sh
BIN=${DW_BIN:-build/distillwatch}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || { echo "nginx not installed"; exit 77; }
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
d=$(mktemp -d)
pid= npid=
cleanup() {  # under set -e a failing kill (already gone) must not end the cleanup early
  [[ -n $npid ]] && { kill "$npid" 2>/dev/null || true; }
  [[ -n $pid ]] && { kill -9 "$pid" 2>/dev/null || true; }
  wait 2>/dev/null; rm -rf "$d"
}
trap cleanup EXIT
export DISTILLWATCH_TOKEN=t0ken-$RANDOM$RANDOM
gzip -dc samples/demo.jsonl.gz > "$d/all.jsonl"

$BIN serve --listen 127.0.0.1:0 --store "$d/state.db" --review-rate 1 --review-burst 3 2> "$d/serve.log" &
pid=$!
dwport=$(dw_serve_port "$d/serve.log" "$pid")
mkdir -p "$d/tmp" "$d/cache"
# free_port is racy (another test may take a port between the probe and
# nginx's bind), so a failed start is retried on other ports
for attempt in 1 2 3 4 5; do
up=$(dw_free_port); ng=$(dw_free_port); ngc=$(dw_free_port)
cat > "$d/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 256; }
http {
$(dw_nginx_http_common "$d")
  proxy_cache_path $d/cache keys_zone=distillwatch:1m max_size=16m inactive=10s;
  upstream distillwatch { server 127.0.0.1:$dwport; keepalive 16; keepalive_requests 1000000; }
  # the model API stand-in
  server { listen 127.0.0.1:$up; location / { return 200 "upstream ok\n"; } }
$(dw_nginx_gateway "$ng" "http://127.0.0.1:$up")
$(dw_nginx_gateway "$ngc" "http://127.0.0.1:$up" "$DW_NGINX_AUTH_CACHE")
}
CONF
"$NGINX" -p "$d" -c "$d/nginx.conf" -e "$d/error.log" &
npid=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$ng/" && break
  kill -0 "$npid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$npid" 2>/dev/null && break
wait "$npid" 2>/dev/null || true
npid=
echo "nginx could not start (attempt $attempt), trying other ports"
done
[[ -n $npid ]] || { cat "$d/error.log"; echo "FAIL: nginx did not start"; exit 1; }

via() { curl -s -o /dev/null -w '%{http_code}' -H "x-account-id: $1" "http://127.0.0.1:${2:-$ng}/v1/chat/completions"; }
expect() { [[ $1 == "$2" ]] || { echo "FAIL: $3: got $1, want $2"; cat "$d/error.log"; exit 1; }; }
ordinary="acct_b47c acct_0bf7 acct_0e7e"

# before ingest: nobody is known, everyone passes (the cached gateway remembers that for 1 s)
for a in acct_7f3a acct_d0e1 $ordinary; do expect "$(via $a)" 200 "$a before ingest"; done
expect "$(via acct_7f3a "$ngc")" 200 "harvester before ingest, cached gateway"
# the log pipeline ships the traffic to serve
curl -sf -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$d/all.jsonl" \
  "http://127.0.0.1:$dwport/v1/events" > /dev/null
# replay: each account's requests through nginx, in the log's order
blocked=0 throttled=0 ok=0 other=0
for a in $(grep -o '"account_id": *"[^"]*"' "$d/all.jsonl" | sed 's/.*"\([^"]*\)"$/\1/' | grep -E '^(acct_7f3a|acct_d0e1|acct_b47c|acct_0bf7|acct_0e7e)$' | head -400); do
  c=$(via "$a")
  case "$a:$c" in
    acct_7f3a:403) blocked=$((blocked + 1)) ;;
    acct_d0e1:429) throttled=$((throttled + 1)) ;;
    acct_d0e1:200) ;;
    acct_7f3a:*|acct_d0e1:*) echo "FAIL: $a got $c"; exit 1 ;;
    *:200) ok=$((ok + 1)) ;;
    *) echo "FAIL: ordinary $a got $c"; exit 1 ;;
  esac
done
echo "through nginx: blocked=$blocked throttled=$throttled ordinary_ok=$ok"
[[ $blocked -gt 0 && $ok -gt 0 ]] || { echo "FAIL: replay did not exercise both sides"; exit 1; }
for _ in 1 2 3 4 5; do via acct_d0e1 > /dev/null; done
expect "$(via acct_d0e1)" 429 "review account past its burst"
expect "$(via acct_7f3a)" 403 "harvester"
for a in $ordinary; do expect "$(via $a)" 200 "$a"; done
# the cached gateway: a block takes effect within the cache's 1 s, the
# review throttle is not cached away, and a cached block is served as 403
sleep 1.1
expect "$(via acct_7f3a "$ngc")" 403 "harvester, cached gateway, after 1 s"
expect "$(via acct_7f3a "$ngc")" 403 "harvester, cached gateway, from the cache"
sleep 1.1
got=""; for _ in $(seq 1 8); do got="$got $(via acct_d0e1 "$ngc")"; done
[[ $got == *200* && $got == *429* ]] || { echo "FAIL: review throttle through the cache: $got"; exit 1; }
for a in $ordinary; do expect "$(via $a "$ngc")" 200 "$a, cached gateway"; done
ls "$d/cache" | grep -q . || { echo "FAIL: the cache stored nothing"; exit 1; }
# fail open: with serve gone, nginx still serves
kill -TERM "$pid"; wait "$pid"; pid=
expect "$(via acct_b47c)" 200 "fail-open while serve is down"
echo "serve_nginx: ok"
