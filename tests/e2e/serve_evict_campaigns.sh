#!/usr/bin/env bash
# The account cap must not change what serve answers on traffic with
# campaigns: bench/evict-compare.sh feeds the simulator's demo mix (460
# accounts, four campaigns) to a server without a cap and one with
# [state] max_accounts = 60 (hundreds of evictions and reloads, slots
# reused), then compares every /v1/accounts record live and after a restart.
# Live records used to differ when a reused slot changed when a campaign was
# re-judged; the campaign schedule no longer depends on table indices.
# Exits 77 when curl is missing.
set -euo pipefail
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
out=$(DW_CAP=60 bash bench/evict-compare.sh)
printf '%s\n' "$out"
grep -q 'distillwatch_accounts_evicted_total [1-9]' <<< "$out"   # the cap really evicted
grep -q '^live: all [0-9]* account records identical' <<< "$out"
grep -q '^after a graceful stop and restart: all [0-9]* account records identical' <<< "$out"
echo "serve_evict_campaigns: ok"
