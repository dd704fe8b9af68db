#!/usr/bin/env bash
# Hashed API keys at /v1/check: with [serve] account_header = x-api-key and
# account_header_hash = hmac-sha256, serve refuses to start without a secret;
# with one, the log pipeline names the harvester by `distillwatch keyid` of
# its key, and a check carrying that raw key in x-api-key is blocked while
# other keys pass.  The secret in the environment wins over the config's,
# and the key never appears in serve's output.  Exits 77 when curl is missing.
set -euo pipefail
. scripts/serve-lib.sh
BIN=${DW_BIN:-build/distillwatch}
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
dw_serve_scratch
key=sk-live-h4rv3ster-$RANDOM$RANDOM
sed -e 's/^account_header = .*/account_header = x-api-key/' -e 's/^account_header_hash = .*/account_header_hash = hmac-sha256/' \
  config/distillwatch.conf > "$d/hash.conf"
grep -q '^account_header_hash = hmac-sha256' "$d/hash.conf"
sed 's/^key_secret =.*/key_secret = from-the-config/' "$d/hash.conf" > "$d/hash-secret.conf"

# no secret anywhere: refuse to start, saying why
unset DISTILLWATCH_KEY_SECRET
if $BIN serve --listen 127.0.0.1:0 --config "$d/hash.conf" 2> "$d/log"; then echo "FAIL: started without a secret"; exit 1; fi
grep -q 'DISTILLWATCH_KEY_SECRET' "$d/log" || { cat "$d/log"; echo "FAIL: no reason given"; exit 1; }

# keyid: stdin to stdout, one id per key; env wins over the config; no secret is an error
export DISTILLWATCH_KEY_SECRET=s3cret-$RANDOM
id=$(printf '%s\n' "$key" | $BIN keyid)
[[ $id =~ ^kh_[0-9a-f]{32}$ ]] || { echo "FAIL: keyid output '$id'"; exit 1; }
[[ $(printf '%s\r\n' "$key" | $BIN keyid --config "$d/hash-secret.conf") == "$id" ]] || { echo "FAIL: env secret must win, CR ignored"; exit 1; }
cfg_id=$(printf '%s\n' "$key" | env -u DISTILLWATCH_KEY_SECRET $BIN keyid --config "$d/hash-secret.conf")
[[ $cfg_id != "$id" && $cfg_id =~ ^kh_ ]] || { echo "FAIL: config secret"; exit 1; }
if printf 'x\n' | env -u DISTILLWATCH_KEY_SECRET $BIN keyid 2>/dev/null; then echo "FAIL: keyid without a secret"; exit 1; fi
# the id is HMAC-SHA256(secret, key) truncated to 16 bytes, as documented (checked with openssl when present)
if command -v openssl >/dev/null; then
  want=kh_$(printf '%s' "$key" | openssl dgst -sha256 -hmac "$DISTILLWATCH_KEY_SECRET" | sed 's/.*= //' | cut -c1-32)
  [[ $id == "$want" ]] || { echo "FAIL: keyid $id, openssl says $want"; exit 1; }
fi

# the log pipeline names the harvester by its key's id
gzip -dc samples/demo.jsonl.gz | sed "s/\"acct_7f3a\"/\"$id\"/g" > "$d/all.jsonl"
grep -q "$id" "$d/all.jsonl"
dw_serve_start --config "$d/hash-secret.conf"
code() { curl -s -o "$d/body" -w '%{http_code}' "$@"; }
expect() { [[ $1 == "$2" ]] || { echo "FAIL: $3: got $1, want $2"; cat "$d/body"; echo; exit 1; }; }
expect "$(code -X POST -H "Authorization: Bearer $DISTILLWATCH_TOKEN" --data-binary @"$d/all.jsonl" "$URL/v1/events")" 200 ingest
expect "$(code -H "x-api-key: $key" "$URL/v1/check")" 403 "harvester's raw key"
grep -q "\"account_id\":\"$id\"" "$d/body" || { cat "$d/body"; echo "FAIL: block names the hashed id"; exit 1; }
! grep -q "$key" "$d/body" || { echo "FAIL: raw key echoed"; exit 1; }
expect "$(code -H "x-api-key: sk-live-someone-else" "$URL/v1/check")" 200 "another key"
expect "$(code -H "x-api-key: $id" "$URL/v1/check")" 200 "the id itself is not a key (hashed again: unknown)"
expect "$(code -H "x-account-id: $id" "$URL/v1/check")" 400 "the default header is not read any more"
grep -q '"header":"x-api-key"' "$d/body"
# the guardrail falls back to the same hashed header
expect "$(code -H "x-api-key: $key" -d '{"request_data":{}}' "$URL/beta/litellm_basic_guardrail_api")" 200 guardrail
grep -q '"action":"BLOCKED"' "$d/body" || { cat "$d/body"; echo "FAIL: guardrail with the hashed header"; exit 1; }
kill -TERM "$pid"; wait "$pid"; pid=
! grep -q "$key" "$d/log" || { echo "FAIL: raw key in serve's log"; exit 1; }
echo "serve_keyid: ok"
