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

# dw_serve_scratch [SIGNAL]: for a script that runs one serve at a time: a
# scratch directory in $d, $pid for the serve it starts (empty until then),
# and on exit that serve stopped with SIGNAL (default KILL: the tests check
# crash recovery anyway; the benchmarks pass TERM) and $d removed.  Exports
# a fresh ingest token in DISTILLWATCH_TOKEN.
dw_serve_scratch() {
  d=$(mktemp -d)
  pid=
  dw_stop_signal=${1:-KILL}
  trap dw_serve_cleanup EXIT
  export DISTILLWATCH_TOKEN=t0ken-$RANDOM$RANDOM
}

# Under set -e a failing kill (serve already gone) must not end the cleanup
# before $d is removed.
dw_serve_cleanup() {
  [[ -n ${pid:-} ]] && { kill -"$dw_stop_signal" "$pid" 2>/dev/null || true; }
  wait 2>/dev/null || true
  rm -rf "$d"
}

# dw_serve_start ARGS...: $BIN serve on a free loopback port with the store
# $d/state.db and ARGS, stderr appended to $d/log (emptied first); sets pid,
# port and URL.  After dw_serve_scratch.
dw_serve_start() {
  : > "$d/log"
  $BIN serve --listen 127.0.0.1:0 --store "$d/state.db" "$@" 2>> "$d/log" &
  pid=$!
  port=$(dw_serve_port "$d/log" "$pid")
  URL=http://127.0.0.1:$port
}

# dw_free_port: a loopback port nobody listens on, below the kernel's
# ephemeral range (32768-60999), which clients' own ports take.  Racy: a
# server started on it may still find it taken, so callers retry.
dw_free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

# dw_nginx_http_common DIR: the top of the http block of every nginx the
# tests and benchmarks run: no access log, temp paths under DIR/tmp (the
# defaults sit under nginx's install prefix, which a test cannot write).
dw_nginx_http_common() {
  cat <<HTTP
  access_log off;
  client_body_temp_path $1/tmp/body;
  proxy_temp_path $1/tmp/proxy;
  fastcgi_temp_path $1/tmp/fastcgi;
  uwsgi_temp_path $1/tmp/uwsgi;
  scgi_temp_path $1/tmp/scgi;
HTTP
}

# The 1 s cache of serve's answers of docs/operations.md (review answers say
# no-store), as AUTH_EXTRA for dw_nginx_gateway; the http block declares the
# keys_zone distillwatch.
DW_NGINX_AUTH_CACHE='      proxy_cache distillwatch;
      proxy_cache_key $http_x_account_id;
      proxy_cache_methods GET HEAD POST;
      proxy_cache_valid 200 403 1s;'

# dw_nginx_gateway PORT MODEL_API [AUTH_EXTRA] [UPSTREAM]: one nginx server
# block, the gateway of docs/operations.md: every request is checked by
# serve (auth_request to the upstream block UPSTREAM, default distillwatch)
# before it goes to MODEL_API (a proxy_pass target); a block is 403, a
# throttle 429 with Retry-After, and serve unreachable fails open.
# AUTH_EXTRA: lines added to the auth location (the 1 s cache).  The test
# (tests/e2e/serve_nginx.sh) and the benchmark (bench/serve.sh) both build
# their gateways here, so what is measured is what is tested.
dw_nginx_gateway() {
  cat <<SRV
  server {
    listen 127.0.0.1:$1;
    location / {
      auth_request /_distillwatch;
      auth_request_set \$dw_verdict \$upstream_http_x_distillwatch_verdict;
      add_header x-distillwatch-verdict \$dw_verdict always;
      error_page 401 = @throttled;      # serve's 429, carried as 401 (see below)
      error_page 500 502 503 504 = @failopen;
      proxy_pass $2;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
    location = /_distillwatch {
      internal;
      proxy_pass http://${4:-distillwatch}/v1/check;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header x-account-id \$http_x_account_id;  # what the gateway resolved from the key
      proxy_connect_timeout 100ms;
      proxy_read_timeout 500ms;
      # auth_request passes only 2xx, 401 and 403; anything else is a 500.
      # serve never answers 401 on /v1/check, so 401 carries "throttle".
${3:-}
      proxy_intercept_errors on;
      error_page 429 = @dw_throttle;
    }
    location @dw_throttle { return 401; }
    location @throttled { add_header Retry-After 1 always; return 429 "throttled\n"; }
    location @failopen { proxy_pass $2; }   # fail open: see docs/operations.md
  }
SRV
}
