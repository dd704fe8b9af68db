#!/usr/bin/env bash
# distillwatch serve, end to end over loopback HTTP with curl:
#  ingest a harvester's traffic (samples/demo: acct_7f3a is blocked by scan),
#  /v1/check says 403 for it and 200 for ordinary accounts, 429 for a review
#  account over its rate, /metrics parses as Prometheus text, ingest without
#  the token is 401, an oversize body is 413, Envoy's ext_authz request form
#  (/v1/check + the client's path) gets the same answers, the guardrail and
#  accounts endpoints answer; then kill -9 and restart on the same store: every
#  account's verdict and score is the same (the journal replays what was
#  acknowledged); then SIGTERM saves the state and a restart still blocks.
# Exits 77 (skip) when curl is missing.
set -euo pipefail
. scripts/serve-lib.sh
BIN=${DW_BIN:-build/distillwatch}
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
dw_serve_scratch
gzip -dc samples/demo.jsonl.gz > "$d/all.jsonl"

start() { dw_serve_start --review-rate 1 --review-burst 5 "$@"; }
code() { curl -s -o "$d/body" -w '%{http_code}' "$@"; }
check() { code -H "x-account-id: $1" "$URL/v1/check"; }
expect() { [[ $1 == "$2" ]] || { echo "FAIL: $3: got $1, want $2"; cat "$d/body" 2>/dev/null; echo; exit 1; }; }
verdicts() {  # one line per account: id verdict score (the throttle's state is not saved: no status)
  for a in $(grep -o '"account_id": *"[^"]*"' "$d/all.jsonl" | sed 's/.*"\([^"]*\)"$/\1/' | sort -u); do
    h=$(curl -s -o /dev/null -D - -H "x-account-id: $a" "$URL/v1/check" | tr -d '\r' |
        awk -v a="$a" '/^HTTP/{s=$2} /^x-distillwatch-verdict/{v=$2} /^x-distillwatch-score/{c=$2} END{print a, v, c}')
    echo "$h"
  done
}

start
# ingest: wrong token and no token are refused, nothing is fed
expect "$(code -X POST --data-binary @"$d/all.jsonl" "$URL/v1/events")" 401 "ingest without token"
expect "$(code -X POST -H "Authorization: Bearer wrong" --data-binary @"$d/all.jsonl" "$URL/v1/events")" 401 "ingest with a wrong token"
expect "$(check acct_7f3a)" 200 "nothing ingested yet: unknown account is allowed"
expect "$(code -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$d/all.jsonl" "$URL/v1/events")" 200 "ingest"
grep -q '"accepted":3468,"quarantined":2' "$d/body" || { cat "$d/body"; echo "FAIL: ingest counts"; exit 1; }
# oversize: announced by Content-Length, and chunked
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'x' > "$d/big"
expect "$(code -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$d/big" "$URL/v1/events")" 413 "oversize body"
expect "$(code -X POST -H "Transfer-Encoding: chunked" -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$d/big" "$URL/v1/events")" 413 "oversize chunked body"
# the gateway's question
expect "$(check acct_7f3a)" 403 "harvester"
grep -q '"verdict":"block"' "$d/body"
expect "$(check acct_b47c)" 200 "ordinary account"
expect "$(check acct_0bf7)" 200 "ordinary account"
expect "$(check acct_never_seen)" 200 "unknown account"
expect "$(code "$URL/v1/check")" 400 "no account header"
# Envoy's ext_authz HTTP service: it calls path_prefix + the client's path,
# with the client's method, its own headers and, unless with_request_body is
# set, no body.  Envoy is not packaged in Debian 12, so the request it makes
# is made here by hand; the answer must be the same as at /v1/check.
envoy() {  # envoy METHOD PATH ACCOUNT [BODY]
  curl -s -o "$d/body" -D "$d/hdrs" -w '%{http_code}' -X "$1" -H "x-account-id: $3" \
    -H 'x-envoy-expected-rq-timeout-ms: 500' -H 'x-forwarded-proto: https' -H "x-request-id: $RANDOM" \
    -H 'x-envoy-internal: true' ${4:+--data-binary "$4"} "$URL/v1/check$2"
}
expect "$(envoy POST '/v1/chat/completions?stream=true' acct_7f3a)" 403 "ext_authz: harvester"
grep -q '"verdict":"block"' "$d/body" || { cat "$d/body"; echo "FAIL: ext_authz 403 without its reason"; exit 1; }
grep -qi '^x-distillwatch-verdict: block' "$d/hdrs" || { cat "$d/hdrs"; echo "FAIL: ext_authz 403 without the verdict header"; exit 1; }
expect "$(envoy POST /v1/chat/completions acct_b47c '{"model":"m","messages":[]}')" 200 "ext_authz: ordinary account, body forwarded"
grep -qi '^x-distillwatch-verdict: allow' "$d/hdrs" || { cat "$d/hdrs"; echo "FAIL: ext_authz 200 without the verdict header"; exit 1; }
expect "$(envoy GET /v1/models acct_never_seen)" 200 "ext_authz: unknown account"
# a review account is throttled past its burst; its answers (200 and 429) are
# never cacheable, since each spends a token, while an allow answer may be
curl -s -o /dev/null -D "$d/hdrs" -H "x-account-id: acct_d0e1" "$URL/v1/check"
grep -qi '^cache-control: no-store' "$d/hdrs" || { cat "$d/hdrs"; echo "FAIL: review answer without no-store"; exit 1; }
curl -s -o /dev/null -D "$d/hdrs" -H "x-account-id: acct_b47c" "$URL/v1/check"
! grep -qi '^cache-control' "$d/hdrs" || { echo "FAIL: allow answer marked uncacheable"; exit 1; }
got=""; for _ in $(seq 1 8); do got="$got $(check acct_d0e1)"; done
[[ $got == *200* && $got == *429* ]] || { echo "FAIL: review throttle: $got"; exit 1; }
curl -s -o /dev/null -D "$d/hdrs" -H "x-account-id: acct_d0e1" "$URL/v1/check"
grep -q '^HTTP/1.1 429' "$d/hdrs" && grep -qi '^cache-control: no-store' "$d/hdrs" || { cat "$d/hdrs"; echo "FAIL: 429 without no-store"; exit 1; }
# LiteLLM guardrail
g='{"texts":["hi"],"request_data":{"metadata":{"user_api_key_org_id":"ACCT"}},"input_type":"request"}'
expect "$(code -H 'content-type: application/json' -d "${g/ACCT/acct_7f3a}" "$URL/beta/litellm_basic_guardrail_api")" 200 guardrail
grep -q '"action":"BLOCKED"' "$d/body" || { cat "$d/body"; echo "FAIL: guardrail block"; exit 1; }
code -d "${g/ACCT/acct_b47c}" "$URL/beta/litellm_basic_guardrail_api" >/dev/null
grep -q '"action":"NONE"' "$d/body" || { cat "$d/body"; echo "FAIL: guardrail allow"; exit 1; }
expect "$(code -d 'not json' "$URL/beta/litellm_basic_guardrail_api")" 400 "guardrail bad body"
# accounts endpoint: token required; the record is scan's
expect "$(code "$URL/v1/accounts/acct_7f3a")" 401 "accounts without token"
expect "$(code -H "Authorization: Bearer $DISTILLWATCH_TOKEN" "$URL/v1/accounts/acct_7f3a")" 200 "accounts record"
grep -q '"account_id":"acct_7f3a","verdict":"block"' "$d/body"
expect "$(code -H "Authorization: Bearer $DISTILLWATCH_TOKEN" "$URL/v1/accounts/nobody")" 404 "unknown account record"
expect "$(code "$URL/v1/campaigns")" 401 "campaigns without token"
expect "$(code -H "Authorization: Bearer $DISTILLWATCH_TOKEN" "$URL/v1/campaigns")" 200 "campaigns"
grep -q '"campaigns"' "$d/body" || { cat "$d/body"; echo "FAIL: campaigns JSON"; exit 1; }
expect "$(code "$URL/healthz")" 200 healthz
expect "$(code "$URL/nope")" 404 "unknown path"
# metrics: every sample line is `name{labels} number`, and the counts are there
expect "$(code "$URL/metrics")" 200 metrics
awk '/^#/ {next} !/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$/ {print "bad metrics line: " $0; bad=1} END{exit bad}' "$d/body"
grep -q '^distillwatch_lines_total{outcome="accepted"} 3468$' "$d/body"
grep -q '^distillwatch_account_verdicts{verdict="block"} 1$' "$d/body"
grep -q '^distillwatch_check_duration_seconds_count [1-9]' "$d/body"
grep -q '^distillwatch_unauthorized_total [1-9]' "$d/body"

# the batch's format by header: native lines read as OTLP are all quarantined
# (and stay so on the replay below: the journal keeps the format)
expect "$(code -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" -H "x-distillwatch-format: bogus" --data-binary @"$d/all.jsonl" "$URL/v1/events")" 400 "unknown format header"
expect "$(code -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" -H "x-distillwatch-format: otel" --data-binary @"$d/all.jsonl" "$URL/v1/events")" 200 "otel header"
grep -q '"accepted":0,"quarantined":3470' "$d/body" || { cat "$d/body"; echo "FAIL: format header ignored"; exit 1; }

# durability: kill -9, restart on the same store, same verdicts for everyone
verdicts > "$d/before"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=
start
grep -q "replayed 2 journaled batch" "$d/log" || { cat "$d/log"; echo "FAIL: no journal replay"; exit 1; }
verdicts > "$d/after"
diff "$d/before" "$d/after" || { echo "FAIL: verdicts changed across kill -9"; exit 1; }
grep -q '^acct_7f3a block' "$d/after"
expect "$(check acct_7f3a)" 403 "harvester after kill -9"
# graceful stop saves the state (journal emptied); the restart still blocks
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[[ $rc -eq 0 ]] || { cat "$d/log"; echo "FAIL: exit status $rc after SIGTERM"; exit 1; }
grep -q "state saved" "$d/log"
start
! grep -q "replayed" "$d/log" || { echo "FAIL: journal not truncated after a graceful stop"; exit 1; }
expect "$(check acct_7f3a)" 403 "harvester after graceful restart"
expect "$(check acct_b47c)" 200 "ordinary account after graceful restart"
kill -TERM "$pid"; wait "$pid"; pid=
# a full ingest queue answers 503 with Retry-After, and recovers
start --max-queue 1
head -c 400000 "$d/all.jsonl" > "$d/slow"
curl -s -o /dev/null --limit-rate 20k -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" \
  --data-binary @"$d/slow" "$URL/v1/events" & slow=$!
for _ in $(seq 1 50); do
  [[ $(curl -s "$URL/metrics" | sed -n 's/^distillwatch_queue_depth //p') == 1 ]] && break
  sleep 0.1
done
expect "$(code -D "$d/hdrs" -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$d/slow" "$URL/v1/events")" 503 "queue full"
grep -qi '^retry-after: 1' "$d/hdrs"
kill "$slow" 2>/dev/null; wait "$slow" 2>/dev/null || true
for _ in $(seq 1 50); do
  [[ $(curl -s "$URL/metrics" | sed -n 's/^distillwatch_queue_depth //p') == 0 ]] && break
  sleep 0.1
done
expect "$(code -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$d/slow" "$URL/v1/events")" 200 "queue drained"
kill -TERM "$pid"; wait "$pid"; pid=
# an optional token on the check path
DISTILLWATCH_CHECK_TOKEN=chk start
expect "$(check acct_7f3a)" 401 "check without the check token"
expect "$(code -H "Authorization: Bearer chk" -H "x-account-id: acct_7f3a" "$URL/v1/check")" 403 "check with the check token"
kill -TERM "$pid"; wait "$pid"; pid=
# a unix socket listener, for a gateway on the same host: it answers, never
# replaces a file that is not a socket, and removes its socket when it stops
: > "$d/notsock"
if $BIN serve --listen "unix:$d/notsock" --store "$d/state.db" 2> "$d/log"; then echo "FAIL: bound over a regular file"; exit 1; fi
grep -q "not a socket" "$d/log" && [[ -f $d/notsock ]]
: > "$d/log"
$BIN serve --listen "unix:$d/dw.sock" --store "$d/state.db" 2>> "$d/log" &
pid=$!
for _ in $(seq 1 200); do grep -q "listening on unix:" "$d/log" && break; sleep 0.1; done
[[ -S $d/dw.sock ]] || { cat "$d/log"; echo "FAIL: no socket"; exit 1; }
expect "$(curl -s -o "$d/body" -w '%{http_code}' --unix-socket "$d/dw.sock" -H "x-account-id: acct_7f3a" http://localhost/v1/check)" 403 "harvester over the unix socket"
expect "$(curl -s -o "$d/body" -w '%{http_code}' --unix-socket "$d/dw.sock" -H "x-account-id: acct_b47c" http://localhost/v1/check)" 200 "ordinary account over the unix socket"
kill -TERM "$pid"; wait "$pid"; pid=
[[ ! -e $d/dw.sock ]] || { echo "FAIL: socket left behind"; exit 1; }
echo "serve_basic: ok"
