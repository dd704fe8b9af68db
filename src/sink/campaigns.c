/*
 * campaigns.c -- campaigns.json (DESIGN.md): the campaigns a reviewer acts on.
 *
 * Only campaigns judged suspicious as one account (verdict review or block)
 * are listed; groups the link stage found but that send ordinary traffic (an
 * office, a campus behind its NAT) are one operator without being a
 * campaign, and listing them would bury the ones that matter.  Campaigns are
 * ranked as everywhere else (verdict, score, id), members by account id, so
 * two runs over the same data write the same bytes.  Indicators are capped
 * per kind (most shared first); every string goes through the escaping
 * JSON writer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/engine_int.h"
#include "common/buf.h"
#include "common/util.h"

#define MAX_INDICATORS 200

int dw_write_campaigns(dw_engine *e, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return -1; }
    dw_campaign_env env;
    dw_engine_campaign_env(e, &env);
    const dw_campaign **list;
    size_t n = dw_campaigns_list(e->camps, &list);
    dw_indicator *ind = malloc(MAX_INDICATORS * sizeof *ind);
    if (!ind) { fclose(f); free(list); snprintf(err, errlen, "out of memory"); return -1; }
    dw_buf b = {0};
    dw_jw w;
    dw_jw_init(&w, &b);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "campaigns");
    dw_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
        const dw_campaign *c = list[i];
        if (c->verdict < DW_REVIEW) continue;
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "campaign_id"); dw_jw_str(&w, c->id);
        dw_jw_key(&w, "accounts");
        dw_jw_arr_begin(&w);
        const char **ids = dw_campaign_member_ids(c, &e->accts);
        for (uint32_t k = 0; k < c->n; k++) dw_jw_str(&w, ids[k]);
        free(ids);
        dw_jw_arr_end(&w);
        dw_jw_key(&w, "verdict"); dw_jw_str(&w, dw_verdict_name(c->verdict));
        dw_jw_key(&w, "score"); dw_jw_fixed(&w, c->score, 4);
        dw_jw_key(&w, "requests"); dw_jw_uint(&w, c->requests);
        char ts[40];
        dw_format_ts(c->first_ms, ts, sizeof ts);
        dw_jw_key(&w, "first_seen"); dw_jw_str(&w, ts);
        dw_format_ts(c->last_ms, ts, sizeof ts);
        dw_jw_key(&w, "last_seen"); dw_jw_str(&w, ts);
        dw_jw_key(&w, "indicators");
        dw_jw_obj_begin(&w);
        for (int k = 0; k < DW_IND__COUNT; k++) {
            dw_jw_key(&w, dw_indicator_kind_name((dw_indicator_kind)k));
            dw_jw_arr_begin(&w);
            int ni = dw_campaign_indicators(c, &env, (dw_indicator_kind)k, ind, MAX_INDICATORS);
            for (int j = 0; j < ni; j++) dw_jw_str(&w, ind[j].value);
            dw_jw_arr_end(&w);
        }
        dw_jw_obj_end(&w);
        dw_jw_key(&w, "evidence");
        dw_jw_arr_begin(&w);
        dw_evidence ev[DW_LK__COUNT + 2];
        int ne = dw_campaign_evidence(c, &env, ev, (int)(sizeof ev / sizeof *ev));
        for (int j = 0; j < ne; j++) {
            dw_jw_obj_begin(&w);
            dw_jw_key(&w, "signal"); dw_jw_str(&w, ev[j].signal);
            dw_jw_key(&w, "detail"); dw_jw_str(&w, ev[j].detail);
            dw_jw_obj_end(&w);
        }
        dw_jw_arr_end(&w);
        dw_jw_key(&w, "linked_by");
        dw_jw_obj_begin(&w);
        for (int k = 0; k < DW_LK__COUNT; k++)
            if (c->kind_edges[k]) { dw_jw_key(&w, dw_link_kind_name((dw_link_kind)k)); dw_jw_uint(&w, c->kind_edges[k]); }
        dw_jw_obj_end(&w);
        dw_jw_obj_end(&w);
        if (b.len > (1u << 20)) { dw_buf_write(&b, f); dw_buf_reset(&b); }
    }
    dw_jw_arr_end(&w);
    dw_jw_obj_end(&w);
    dw_buf_putc(&b, '\n');
    dw_buf_write(&b, f);
    dw_buf_free(&b);
    free(ind);
    free(list);
    if (ferror(f) | (fclose(f) != 0)) { snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno)); return -1; }
    return 0;
}
