/*
 * fuzz_link.c -- the link and campaign stages on arbitrary events.
 *
 * The input is read as a stream of small records that become events for a
 * handful of accounts, so that values collide often (shared system prompts,
 * addresses, clients, templates) and the index, the paraphrase registry, the
 * account graph, Leiden and consolidation all run on adversarial shapes:
 *
 *   byte 0        account (mod 24)
 *   byte 1        time step in minutes
 *   byte 2        which of the free fields follow (bit mask)
 *   then up to four length-prefixed strings: system prompt, prompt, client
 *   address, user agent
 *
 * The outputs are written (to a temporary directory): every writer must cope
 * with every string, and the campaigns must be a partition of accounts.
 * MinHash is also fed the raw input, whose bytes need not be UTF-8.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pipeline/engine_int.h"
#include "link/minhash.h"
#include "../tests/testevent.h" /* ev_base(): the engine tests' blank event */

static size_t take(const uint8_t *d, size_t n, size_t *at, const char **s)
{
    if (*at >= n) { *s = NULL; return 0; }
    size_t len = d[(*at)++] & 63;
    if (*at + len > n) len = n - *at;
    *s = (const char *)d + *at;
    *at += len;
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static dw_config *cfg;
    static char dir[64];
    char err[256];
    if (!cfg) {
        cfg = dw_config_new();
        cfg->campaign_min_accounts = 2; /* campaigns form from little input */
        cfg->link_edge_min = 1;
        snprintf(dir, sizeof dir, "/tmp/fuzz_link.XXXXXX");
        if (!mkdtemp(dir)) abort();
    }
    if (size > (1u << 16)) return 0;
    dw_minhash mh;
    dw_minhash_text((const char *)data, size, &mh);
    assert(dw_minhash_jaccard(&mh, &mh) == (dw_minhash_empty(&mh) ? 0 : 1));

    dw_engine *e = dw_engine_new(cfg, err, sizeof err);
    assert(e);
    int64_t t = 1780300800000LL;
    size_t at = 0;
    char acct[16];
    while (at + 3 <= size) {
        snprintf(acct, sizeof acct, "a%02u", data[at] % 24);
        t += (int64_t)data[at + 1] * 60000;
        unsigned mask = data[at + 2];
        at += 3;
        dw_event ev = ev_base(acct, t);
        const char *s;
        size_t n;
        if (mask & 1) { n = take(data, size, &at, &s); ev.system_prompt.p = s; ev.system_prompt.n = (uint32_t)n; }
        if (mask & 2) { n = take(data, size, &at, &s); ev.prompt.p = s; ev.prompt.n = (uint32_t)n; }
        if (mask & 4) { n = take(data, size, &at, &s); ev.client_ip.p = s; ev.client_ip.n = (uint32_t)n; }
        if (mask & 8) { n = take(data, size, &at, &s); ev.user_agent.p = s; ev.user_agent.n = (uint32_t)n; }
        if (mask & 16) ev.tools_fp = 0x70015ULL;
        if (mask & 32) ev.asn = 64512;
        dw_engine_feed_event(e, &ev);
    }
    assert(dw_engine_finish(e, err, sizeof err) == 0);
    assert(dw_engine_write_outputs(e, dir, err, sizeof err) == 0);
    /* campaigns are disjoint: no account in two */
    const dw_campaign **list;
    size_t nc = dw_campaigns_list(e->camps, &list);
    uint8_t seen[24] = {0};
    for (size_t i = 0; i < nc; i++)
        for (uint32_t k = 0; k < list[i]->n; k++) {
            uint32_t a = list[i]->members[k];
            assert(a < e->accts.n);
            int idx = atoi(e->accts.v[a].id + 1);
            assert(!seen[idx]);
            seen[idx] = 1;
        }
    free(list);
    dw_engine_free(e);
    return 0;
}
