#!/usr/bin/env bash
# End-to-end for issue 4 (Hydra): a campaign is found in a small log, its
# outputs are well-formed and self-contained, every value from the log is
# escaped in report.html (an account id and a system prompt carry markup),
# campaigns.json / stix-bundle.json / alerts.jsonl agree on the campaign,
# and a store split (day 1, day 2) ends with the campaigns of one run.
# Exit 77 = skipped.
set -u
bin=${DW_BIN:-build/distillwatch}
[[ -x $bin ]] || { echo "no $bin"; exit 77; }
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
tmp=$(mktemp -d /tmp/dwtest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 14 accounts of one operation (one card, one proxy /24, one harness prompt
# carrying markup, reasoning harvest) among 300 ordinary accounts, over two days
python3 - "$tmp" <<'EOF'
import json, random, sys
d = sys.argv[1]
rnd = random.Random(4)
ops = ['ring%02d' % i for i in range(13)] + ['evil<b>"id"</b>']
people = ['user%03d' % i for i in range(300)]
harness = 'You are <script>alert(1)</script> a solver that always writes out its complete chain of thought before the final answer, numbered step by step.'
with open(d + '/accounts.jsonl', 'w') as f:
    for a in ops:
        f.write(json.dumps({'account_id': a, 'payment_fingerprint': 'pf_<img src=x>', 'created_at': '2026-05-20T10:00:00Z'}) + '\n')
    for a in people:
        f.write(json.dumps({'account_id': a, 'payment_fingerprint': 'pf_' + a, 'created_at': '2025-0%d-11T10:00:00Z' % rnd.randint(1, 9)}) + '\n')
events = []
t0 = 1780300800000
for k in range(60):
    for i, a in enumerate(ops):
        t = t0 + k * 2400000 + i * 9000 + rnd.randint(0, 5000)
        events.append((t, {'request_id': 'r-%s-%d' % (i, k), 'timestamp': t, 'account_id': a,
                           'client_ip': '45.76.1.%d' % (10 + i), 'user_agent': 'harvest-bot/2.1',
                           'request': {'model': 'm-large', 'max_tokens': 8192, 'logprobs': True,
                                       'messages': [{'role': 'system', 'content': harness},
                                                    {'role': 'user', 'content': 'Problem %d-%d: a tank holds %d litres and drains %d a minute. How long until it is empty? Think step by step and show all of your reasoning.' % (i, k, 100 + k, 3 + i)}]}}))
    for j, a in enumerate(people):
        if rnd.random() < 0.5:
            continue
        t = t0 + k * 2400000 + rnd.randint(0, 2400000)
        events.append((t, {'request_id': 'p-%d-%d' % (j, k), 'timestamp': t, 'account_id': a,
                           'client_ip': '81.%d.%d.1' % (j % 250, j // 250), 'user_agent': 'Mozilla/5.0 (%d)' % (j % 7),
                           'request': {'model': 'm-large', 'messages': [{'role': 'user', 'content': 'question %d: what is a good name for a %s?' % (rnd.randint(0, 10**9), rnd.choice(['cat', 'boat', 'band']))}]}}))
events.sort(key=lambda e: (e[0], e[1]['request_id']))
mid = t0 + 30 * 2400000
with open(d + '/all.jsonl', 'w') as a, open(d + '/day1.jsonl', 'w') as b, open(d + '/day2.jsonl', 'w') as c:
    for t, e in events:
        line = json.dumps(e) + '\n'
        a.write(line)
        (b if t < mid else c).write(line)
EOF
[[ -s $tmp/all.jsonl ]] || fail "log not generated"

"$bin" scan --quiet --accounts "$tmp/accounts.jsonl" --out "$tmp/one" "$tmp/all.jsonl" || fail "scan"
for f in accounts.jsonl alerts.jsonl campaigns.json report.html stix-bundle.json; do
  [[ -s $tmp/one/$f ]] || fail "$f missing"
done

python3 - "$tmp/one" <<'EOF' || exit 1
import json, sys
d = sys.argv[1]
def fail(m):
    print('FAIL:', m); sys.exit(1)
camps = json.load(open(d + '/campaigns.json'))['campaigns']
if len(camps) != 1: fail('expected one campaign, got %d' % len(camps))
c = camps[0]
members = set(c['accounts'])
ops = {'ring%02d' % i for i in range(13)} | {'evil<b>"id"</b>'}
if members != ops: fail('campaign members %s' % sorted(members ^ ops))
for k in ('ips', 'ip_prefixes', 'payment_fingerprints', 'user_agents', 'system_prompt_hashes', 'template_signatures'):
    if k not in c['indicators']: fail('indicator kind %s missing' % k)
if '45.76.1.0/24' not in c['indicators']['ip_prefixes']: fail('prefix indicator missing')
if not c['evidence'] or not all(e['signal'] and e['detail'] for e in c['evidence']): fail('evidence missing')
acc = [json.loads(l) for l in open(d + '/accounts.jsonl')]
for a in acc:
    if a['account_id'] in ops:
        if a['campaign_id'] != c['campaign_id']: fail('member without campaign_id: ' + a['account_id'])
        if a['verdict'] == 'allow': fail('member allowed: ' + a['account_id'])
    elif a['campaign_id'] is not None or a['verdict'] != 'allow':
        fail('bystander flagged: ' + a['account_id'])
alerts = [json.loads(l) for l in open(d + '/alerts.jsonl')]
ca = [x for x in alerts if x['campaign_id'] == c['campaign_id']]
if not ca: fail('no alert carries the campaign id')
last = max(x['ts'] for x in alerts)
if min(x['ts'] for x in ca) >= c['last_seen']: fail('campaign alert only at the end')
b = json.load(open(d + '/stix-bundle.json'))
if b['type'] != 'bundle': fail('not a bundle')
names = [o.get('name') for o in b['objects'] if o['type'] == 'campaign']
if names != [c['campaign_id']]: fail('STIX campaign %s' % names)
EOF

# report.html: self-contained, and nothing from the log unescaped
r=$tmp/one/report.html
grep -q '<svg' "$r" || fail "report has no inline SVG"
! grep -Eq '(src|href)="(https?:)?//' "$r" || fail "report references external assets"
! grep -q '<script' "$r" || fail "report contains a script (unescaped log text?)"
! grep -q '<img' "$r" || fail "report contains an image tag (unescaped payment fingerprint?)"
! grep -q '<b>"id"' "$r" || fail "account id not escaped"
grep -q 'evil&lt;b&gt;&quot;id&quot;&lt;/b&gt;' "$r" || fail "escaped account id not shown"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$r" || fail "escaped system prompt not shown"

# store split: day 1 then day 2 end with the campaigns of one run
"$bin" scan --quiet --accounts "$tmp/accounts.jsonl" --store "$tmp/s.db" --out "$tmp/d1" "$tmp/day1.jsonl" || fail "scan day1"
"$bin" scan --quiet --accounts "$tmp/accounts.jsonl" --store "$tmp/s.db" --out "$tmp/d2" "$tmp/day2.jsonl" || fail "scan day2"
cmp -s "$tmp/one/campaigns.json" "$tmp/d2/campaigns.json" || fail "campaigns differ after a store split"
cmp -s "$tmp/one/accounts.jsonl" "$tmp/d2/accounts.jsonl" || fail "accounts differ after a store split"
# the campaign alerted on day 1 is not alerted again on day 2
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["campaigns"][0]["campaign_id"])' "$tmp/one/campaigns.json")
if grep -q "\"campaign_id\":\"$id\".*campaign $id:" "$tmp/d1/alerts.jsonl"; then
  ! grep -q "campaign $id: .*judged" "$tmp/d2/alerts.jsonl" || fail "campaign alerted again after reload"
fi
echo ok
