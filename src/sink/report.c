/*
 * report.c -- report.html: one self-contained page a reviewer can act on.
 *
 * A reviewer opens one file, offline, possibly attached to a ticket: so no
 * script, no external asset, no font or stylesheet to fetch -- inline CSS
 * and inline SVG only.  The page answers, in order, what a reviewer asks:
 * which campaigns (ranked as in campaigns.json), why (the evidence in
 * words), since when and how fast (a timeline per campaign: members
 * joining, members active per hour, the first alert), how the accounts hang
 * together (the account graph of the top campaigns), what they send (the
 * system prompts and templates campaign members use most), and which
 * single accounts stand out.  Every value that comes from the logs -- ids,
 * prompts, user agents, payment fingerprints -- is untrusted and goes
 * through the HTML escaper, including inside SVG titles.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/engine_int.h"
#include "common/buf.h"
#include "common/util.h"

#define TOP_CAMPAIGNS_GRAPH 6
#define GRAPH_MAX_NODES 400
#define GRAPH_MAX_EDGES 1500
#define TOP_ACCOUNTS 50

static void esc(dw_buf *b, const char *s) { if (s) dw_buf_html_escaped(b, s, strlen(s)); }

static void ts_text(int64_t ms, char *out, size_t cap)
{
    char t[40];
    dw_format_ts(ms, t, sizeof t);
    snprintf(out, cap, "%.10s %.5s", t, t + 11);
}

static const char *verdict_color(int v) { return v == DW_BLOCK ? "#c0392b" : v == DW_REVIEW ? "#e67e22" : "#95a5a6"; }

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 6px}table{border-collapse:collapse;width:100%;margin:6px 0}"
    "th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}th{background:#f6f6f6}"
    ".v{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:12px}"
    ".block{background:#c0392b}.review{background:#e67e22}.allow{background:#95a5a6}"
    ".muted{color:#777}.card{border:1px solid #e3e3e3;border-radius:6px;padding:10px 14px;margin:12px 0}"
    "code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}"
    "ul{margin:4px 0 4px 18px;padding:0}li{margin:2px 0}svg{display:block;margin:6px 0}"
    ".kpi{display:inline-block;margin:0 18px 6px 0}.kpi b{font-size:18px}";

static void verdict_badge(dw_buf *b, int v)
{
    dw_buf_printf(b, "<span class=\"v %s\">%s</span>", dw_verdict_name((dw_verdict)v), dw_verdict_name((dw_verdict)v));
}

/* earliest alert of a campaign (or of any of its members), DW_TS_NONE if none */
static int64_t first_alert(const dw_engine *e, const dw_campaign *c)
{
    int64_t best = DW_TS_NONE;
    for (size_t i = 0; i < e->nalerts; i++) {
        const dw_alert *al = &e->alerts[i];
        int hit = al->campaign_id && strcmp(al->campaign_id, c->id) == 0;
        if (!hit) {
            uint32_t lo = 0, hi = c->n;
            while (lo < hi) {
                uint32_t mid = (lo + hi) / 2;
                if (c->members[mid] < al->account) lo = mid + 1;
                else hi = mid;
            }
            hit = lo < c->n && c->members[lo] == al->account;
        }
        if (hit && (best == DW_TS_NONE || al->ts_ms < best)) best = al->ts_ms;
    }
    return best;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

/* Timeline: members joining (cumulative line), members active per hour
 * (bars, the last 128 hours each fingerprint remembers), first alert. */
static void timeline(dw_buf *b, const dw_engine *e, const dw_campaign *c)
{
    const double W = 1000, H = 130, L = 40, R = 10, T = 10, B = 22;
    int64_t t0 = c->first_ms, t1 = c->last_ms;
    if (t1 <= t0) t1 = t0 + 3600000;
    double span = (double)(t1 - t0);
    int64_t *first = malloc((c->n ? c->n : 1) * sizeof *first);
    if (!first) return;
    for (uint32_t i = 0; i < c->n; i++) first[i] = e->accts.v[c->members[i]].first_ms;
    qsort(first, c->n, sizeof *first, cmp_i64);
    /* active members per hour */
    int64_t h0 = t0 / 3600000, h1 = t1 / 3600000;
    size_t nh = (size_t)(h1 - h0 + 1);
    if (nh > 24 * 400) nh = 24 * 400;
    uint32_t *act = calloc(nh, sizeof *act), amax = 1;
    for (uint32_t i = 0; act && i < c->n; i++) {
        const dw_link_fp *f = dw_link_fp_of(e->link, c->members[i]);
        if (!f || f->act_hour == DW_LINK_NO_TIME) continue;
        for (int32_t h = f->act_hour - 127; h <= f->act_hour; h++) {
            unsigned bit = (unsigned)(h & 127);
            if (!((f->act[bit >> 6] >> (bit & 63)) & 1)) continue;
            if (h < h0 || h - h0 >= (int64_t)nh) continue;
            if (++act[h - h0] > amax) amax = act[h - h0];
        }
    }
    dw_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\"><title>timeline of ", W, H);
    esc(b, c->id);
    dw_buf_puts(b, "</title>");
    dw_buf_printf(b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#ddd\"/>", L, T,
                  W - L - R, H - T - B);
    double bw = (W - L - R) / (double)(nh ? nh : 1);
    for (size_t h = 0; act && h < nh; h++) {
        if (!act[h]) continue;
        double x = L + (double)h * bw, y = (H - B) - (H - T - B) * act[h] / amax;
        dw_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"#9ec5e8\"/>", x, y,
                      bw > 1 ? bw - 0.3 : bw, (H - B) - y);
    }
    dw_buf_puts(b, "<polyline fill=\"none\" stroke=\"#2c3e50\" stroke-width=\"1.5\" points=\"");
    for (uint32_t i = 0; i < c->n; i++) {
        double x = L + (W - L - R) * (double)(first[i] - t0) / span;
        double y = (H - B) - (H - T - B) * (double)(i + 1) / c->n;
        dw_buf_printf(b, "%.1f,%.1f ", x < L ? L : x, y);
    }
    dw_buf_printf(b, "%.1f,%.1f\"/>", W - R, T);
    int64_t fa = first_alert(e, c);
    if (fa != DW_TS_NONE) {
        double x = L + (W - L - R) * (double)(fa - t0) / span;
        if (x < L) x = L;
        dw_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#c0392b\" stroke-width=\"2\"/>"
                         "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" fill=\"#c0392b\">first alert</text>",
                      x, x, T, H - B, x + 3, T + 11);
    }
    char a[32], z[32];
    ts_text(t0, a, sizeof a);
    ts_text(t1, z, sizeof z);
    dw_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\">%s</text>", L, H - 6, a);
    dw_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"end\">%s</text>", W - R, H - 6, z);
    dw_buf_printf(b, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">%u</text><text x=\"4\" y=\"%.0f\" font-size=\"11\">0</text>",
                  T + 10, c->n, H - B);
    dw_buf_puts(b, "</svg><div class=\"muted\">line: accounts that have started (of all members); bars: members active in "
                   "each hour (the last 128 hours each account remembers); red: first alert</div>");
    free(first);
    free(act);
}

/* The account graph of the top campaigns: one cluster per campaign, members
 * on a sunflower spiral (most firmly tied at the centre), edges between
 * members as judged by the link stage. */
static void graph(dw_buf *b, const dw_engine *e, const dw_campaign **list, size_t n)
{
    const dw_graph *g = dw_campaigns_graph(e->camps);
    size_t k = 0;
    for (size_t i = 0; i < n && k < TOP_CAMPAIGNS_GRAPH; i++) k += list[i]->verdict >= DW_REVIEW;
    if (!k) { dw_buf_puts(b, "<p class=\"muted\">No campaign to draw.</p>"); return; }
    const double cell = 330;
    size_t cols = k < 3 ? k : 3, rows = (k + cols - 1) / cols;
    dw_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\"><title>account graph</title>", cell * (double)cols,
                  cell * (double)rows);
    size_t slot = 0;
    for (size_t i = 0; i < n && slot < k; i++) {
        const dw_campaign *c = list[i];
        if (c->verdict < DW_REVIEW) continue;
        double cx = cell * (double)(slot % cols) + cell / 2, cy = cell * (double)(slot / cols) + cell / 2 - 8;
        slot++;
        uint32_t nn = c->n < GRAPH_MAX_NODES ? c->n : GRAPH_MAX_NODES;
        /* order members by tie strength, strongest first (insertion sort on a copy) */
        uint32_t *ord = malloc(nn * sizeof *ord + 4);
        double *px = malloc(nn * sizeof *px + 8), *py = malloc(nn * sizeof *py + 8);
        if (!ord || !px || !py) { free(ord); free(px); free(py); continue; }
        for (uint32_t j = 0; j < nn; j++) {
            uint32_t q = j;
            while (q > 0 && c->link[ord[q - 1]] < c->link[j]) { ord[q] = ord[q - 1]; q--; }
            ord[q] = j;
        }
        double rmax = cell / 2 - 26;
        for (uint32_t r = 0; r < nn; r++) {
            double rad = rmax * sqrt((r + 0.5) / nn), ang = r * 2.39996323;
            px[ord[r]] = cx + rad * cos(ang);
            py[ord[r]] = cy + rad * sin(ang);
        }
        /* edges between drawn members (members are sorted: binary search) */
        size_t drawn = 0;
        dw_buf_puts(b, "<g stroke=\"#7f8c8d\" stroke-opacity=\"0.25\" stroke-width=\"0.6\">");
        for (uint32_t j = 0; j < nn && drawn < GRAPH_MAX_EDGES; j++) {
            uint32_t a = c->members[j];
            if (a >= g->n) continue;
            for (uint32_t ei = g->head[a]; ei != UINT32_MAX && drawn < GRAPH_MAX_EDGES;
                 ei = g->e[ei].a == a ? g->e[ei].next_a : g->e[ei].next_b) {
                const dw_gedge *ed = &g->e[ei];
                if (ed->a != a) continue;
                uint32_t lo = 0, hi = nn;
                while (lo < hi) {
                    uint32_t mid = (lo + hi) / 2;
                    if (c->members[mid] < ed->b) lo = mid + 1;
                    else hi = mid;
                }
                if (lo >= nn || c->members[lo] != ed->b) continue;
                dw_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", px[j], py[j], px[lo], py[lo]);
                drawn++;
            }
        }
        dw_buf_puts(b, "</g>");
        for (uint32_t j = 0; j < nn; j++) {
            const dw_account *a = &e->accts.v[c->members[j]];
            dw_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>", px[j], py[j], verdict_color(a->verdict));
            esc(b, a->id);
            dw_buf_puts(b, "</title></circle>");
        }
        dw_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\">", cx, cy + cell / 2 - 4);
        esc(b, c->id);
        dw_buf_printf(b, " (%u accounts%s)</text>", c->n, c->n > nn ? ", first 400 drawn" : "");
        free(ord);
        free(px);
        free(py);
    }
    dw_buf_puts(b, "</svg><div class=\"muted\">dots: accounts (red block, orange review, grey allow); lines: pairs the link "
                   "stage judged to be one operator</div>");
}

typedef struct tval { uint64_t key; uint32_t accounts; const char *campaign; int kind; } tval;

static int cmp_tval(const void *x, const void *y)
{
    const tval *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return a->kind - b->kind;
}

static int by_accounts(const void *x, const void *y)
{
    const tval *a = x, *b = y;
    if (a->accounts != b->accounts) return a->accounts > b->accounts ? -1 : 1;
    return a->key < b->key ? -1 : a->key > b->key;
}

/* The system prompts and template ends campaign members use most. */
static void templates(dw_buf *b, const dw_engine *e, const dw_campaign **list, size_t n)
{
    size_t cap = 0, k = 0;
    for (size_t i = 0; i < n; i++) if (list[i]->verdict >= DW_REVIEW) cap += 4 * (size_t)list[i]->n;
    tval *v = malloc((cap ? cap : 1) * sizeof *v);
    if (!v) return;
    for (size_t i = 0; i < n; i++) {
        const dw_campaign *c = list[i];
        if (c->verdict < DW_REVIEW) continue;
        for (uint32_t j = 0; j < c->n; j++) {
            const dw_link_fp *f = dw_link_fp_of(e->link, c->members[j]);
            for (int s = 0; f && s < 2; s++) {
                if (f->sys_c[s] >= 2) v[k++] = (tval){f->sys[s], 1, c->id, 0};
                if (f->tpl_c[s] >= 3) v[k++] = (tval){f->tpl[s], 1, c->id, 1};
            }
        }
    }
    qsort(v, k, sizeof *v, cmp_tval);
    size_t m = 0;
    for (size_t i = 0; i < k;) {
        size_t j = i;
        while (j < k && v[j].key == v[i].key && v[j].kind == v[i].kind) j++;
        v[m] = v[i];
        v[m].accounts = (uint32_t)(j - i);
        m++;
        i = j;
    }
    qsort(v, m, sizeof *v, by_accounts);
    const dw_texts *tx = dw_link_texts(e->link);
    dw_buf_puts(b, "<table><tr><th>accounts</th><th>kind</th><th>text</th><th>campaign</th></tr>");
    size_t shown = 0;
    for (size_t i = 0; i < m && shown < 20; i++) {
        const char *t = dw_texts_get(tx, v[i].key);
        if (!t || v[i].accounts < 2) continue;
        dw_buf_printf(b, "<tr><td>%u</td><td>%s</td><td class=\"mono\">", v[i].accounts,
                      v[i].kind ? "prompt template end" : "system prompt");
        esc(b, t);
        dw_buf_puts(b, "</td><td class=\"mono\">");
        esc(b, v[i].campaign);
        dw_buf_puts(b, "</td></tr>");
        shown++;
    }
    dw_buf_puts(b, "</table>");
    if (!shown) dw_buf_puts(b, "<p class=\"muted\">No shared text among campaign members.</p>");
    free(v);
}

static const dw_engine *sort_engine;
static int by_score(const void *x, const void *y)
{
    const dw_account *a = &sort_engine->accts.v[*(const uint32_t *)x], *b = &sort_engine->accts.v[*(const uint32_t *)y];
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void campaign_section(dw_buf *b, const dw_engine *e, const dw_campaign_env *env, const dw_campaign *c,
                             dw_indicator *ind)
{
    dw_buf_puts(b, "<div class=\"card\"><h3 id=\"");
    esc(b, c->id);
    dw_buf_puts(b, "\">");
    verdict_badge(b, c->verdict);
    dw_buf_puts(b, " ");
    esc(b, c->id);
    char a[32], z[32];
    ts_text(c->first_ms, a, sizeof a);
    ts_text(c->last_ms, z, sizeof z);
    dw_buf_printf(b, "</h3><div class=\"muted\">%u accounts, %llu requests, %s to %s UTC, judged %.2f as one account",
                  c->n, (unsigned long long)c->requests, a, z, c->score);
    if (c->merged > 1) dw_buf_printf(b, "; consolidated from %u groups that run one harness", c->merged);
    dw_buf_puts(b, "</div><ul>");
    dw_evidence ev[DW_LK__COUNT + 2];
    int ne = dw_campaign_evidence(c, env, ev, (int)(sizeof ev / sizeof *ev));
    for (int i = 0; i < ne; i++) {
        dw_buf_puts(b, "<li><b>");
        esc(b, ev[i].signal);
        dw_buf_puts(b, "</b>: ");
        esc(b, ev[i].detail);
        dw_buf_puts(b, "</li>");
    }
    dw_buf_puts(b, "</ul>");
    timeline(b, e, c);
    dw_buf_puts(b, "<table><tr><th>indicator</th><th>values (accounts holding it)</th></tr>");
    for (int k = 0; k < DW_IND__COUNT; k++) {
        int n = dw_campaign_indicators(c, env, (dw_indicator_kind)k, ind, 8);
        if (!n) continue;
        dw_buf_puts(b, "<tr><td>");
        esc(b, dw_indicator_kind_name((dw_indicator_kind)k));
        dw_buf_puts(b, "</td><td class=\"mono\">");
        for (int j = 0; j < n; j++) {
            if (j) dw_buf_puts(b, ", ");
            esc(b, ind[j].value);
            dw_buf_printf(b, " (%u)", ind[j].accounts);
        }
        dw_buf_puts(b, "</td></tr>");
    }
    dw_buf_puts(b, "</table>");
    dw_buf_printf(b, "<details><summary>%u accounts</summary><p class=\"mono\">", c->n);
    for (uint32_t i = 0; i < c->n; i++) {
        if (i) dw_buf_puts(b, " ");
        esc(b, e->accts.v[c->members[i]].id);
    }
    dw_buf_puts(b, "</p></details></div>");
}

int dw_write_report(dw_engine *e, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return -1; }
    dw_campaign_env env;
    dw_engine_campaign_env(e, &env);
    const dw_campaign **list;
    size_t nc = dw_campaigns_list(e->camps, &list);
    size_t suspicious = 0, benign_groups = 0;
    for (size_t i = 0; i < nc; i++) {
        if (list[i]->verdict >= DW_REVIEW) suspicious++;
        else benign_groups++;
    }
    dw_stats st = dw_engine_stats(e);
    dw_buf b = {0};
    dw_buf_puts(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>DistillWatch report</title><style>");
    dw_buf_puts(&b, css);
    dw_buf_puts(&b, "</style></head><body><h1>DistillWatch report</h1>");
    int64_t t0 = DW_TS_NONE, t1 = DW_TS_NONE;
    for (uint32_t i = 0; i < e->accts.n; i++) {
        const dw_account *a = &e->accts.v[i];
        if (!a->requests) continue;
        if (t0 == DW_TS_NONE || a->first_ms < t0) t0 = a->first_ms;
        if (t1 == DW_TS_NONE || a->last_ms > t1) t1 = a->last_ms;
    }
    char a0[32] = "-", a1[32] = "-";
    if (t0 != DW_TS_NONE) { ts_text(t0, a0, sizeof a0); ts_text(t1, a1, sizeof a1); }
    dw_buf_printf(&b, "<div class=\"muted\">traffic from %s to %s UTC</div><p>", a0, a1);
    dw_buf_printf(&b, "<span class=\"kpi\"><b>%zu</b> campaigns</span>", suspicious);
    dw_buf_printf(&b, "<span class=\"kpi\"><b>%llu</b> accounts</span>", (unsigned long long)st.accounts);
    dw_buf_printf(&b, "<span class=\"kpi\"><b>%llu</b> requests</span>", (unsigned long long)st.events);
    dw_buf_printf(&b, "<span class=\"kpi\"><b>%llu</b> block</span><span class=\"kpi\"><b>%llu</b> review</span>",
                  (unsigned long long)st.verdicts[DW_BLOCK], (unsigned long long)st.verdicts[DW_REVIEW]);
    dw_buf_printf(&b, "<span class=\"kpi\"><b>%llu</b> alerts</span></p>", (unsigned long long)st.alerts);
    if (benign_groups)
        dw_buf_printf(&b, "<p class=\"muted\">The link stage also found %zu groups of accounts run by one operator whose "
                          "traffic is ordinary (offices, campuses, users of one app); they are not campaigns and are not "
                          "listed.</p>", benign_groups);

    dw_buf_puts(&b, "<h2>Campaigns</h2>");
    if (!suspicious) dw_buf_puts(&b, "<p>No campaign found.</p>");
    else {
        dw_buf_puts(&b, "<table><tr><th>campaign</th><th>verdict</th><th>score</th><th>accounts</th><th>requests</th>"
                        "<th>first seen</th><th>last seen</th></tr>");
        for (size_t i = 0; i < nc; i++) {
            const dw_campaign *c = list[i];
            if (c->verdict < DW_REVIEW) continue;
            char a[32], z[32];
            ts_text(c->first_ms, a, sizeof a);
            ts_text(c->last_ms, z, sizeof z);
            dw_buf_puts(&b, "<tr><td class=\"mono\"><a href=\"#");
            esc(&b, c->id);
            dw_buf_puts(&b, "\">");
            esc(&b, c->id);
            dw_buf_puts(&b, "</a></td><td>");
            verdict_badge(&b, c->verdict);
            dw_buf_printf(&b, "</td><td>%.2f</td><td>%u</td><td>%llu</td><td>%s</td><td>%s</td></tr>", c->score, c->n,
                          (unsigned long long)c->requests, a, z);
        }
        dw_buf_puts(&b, "</table>");
        dw_buf_puts(&b, "<h2>Account graph</h2>");
        graph(&b, e, list, nc);
        dw_indicator *ind = malloc(8 * sizeof *ind);
        if (ind) {
            for (size_t i = 0; i < nc; i++)
                if (list[i]->verdict >= DW_REVIEW) {
                    campaign_section(&b, e, &env, list[i], ind);
                    if (b.len > (1u << 20)) { dw_buf_write(&b, f); dw_buf_reset(&b); }
                }
            free(ind);
        }
        dw_buf_puts(&b, "<h2>Top templates</h2>");
        templates(&b, e, list, nc);
    }

    dw_buf_puts(&b, "<h2>Flagged accounts</h2>");
    uint32_t *order = malloc((e->accts.n + 1) * sizeof *order);
    uint32_t n = 0;
    for (uint32_t i = 0; order && i < e->accts.n; i++)
        if (e->accts.v[i].requests && e->accts.v[i].verdict != DW_ALLOW) order[n++] = i;
    sort_engine = e;
    if (order) qsort(order, n, sizeof *order, by_score);
    if (!n) dw_buf_puts(&b, "<p>No account flagged.</p>");
    else {
        dw_buf_puts(&b, "<table><tr><th>account</th><th>verdict</th><th>score</th><th>requests</th><th>campaign</th><th>reasons</th></tr>");
        for (uint32_t i = 0; i < n && i < TOP_ACCOUNTS; i++) {
            const dw_account *a = &e->accts.v[order[i]];
            dw_assessment as;
            dw_engine_assess(e, a, &as);
            char reasons[1536];
            dw_assessment_reasons(&as, a, 3, reasons, sizeof reasons);
            dw_buf_puts(&b, "<tr><td class=\"mono\">");
            esc(&b, a->id);
            dw_buf_puts(&b, "</td><td>");
            verdict_badge(&b, as.verdict);
            dw_buf_printf(&b, "</td><td>%.2f</td><td>%u</td><td class=\"mono\">", as.score, a->requests);
            if (as.camp.id && as.camp.score >= e->cfg.review) esc(&b, as.camp.id);
            dw_buf_puts(&b, "</td><td>");
            esc(&b, reasons);
            dw_buf_puts(&b, "</td></tr>");
        }
        dw_buf_puts(&b, "</table>");
        if (n > TOP_ACCOUNTS) dw_buf_printf(&b, "<p class=\"muted\">... and %u more in accounts.jsonl</p>", n - TOP_ACCOUNTS);
    }
    free(order);
    free(list);
    dw_buf_puts(&b, "<p class=\"muted\">DistillWatch " DW_VERSION ". Campaign evidence is in campaigns.json, per-account "
                    "reasons in accounts.jsonl, indicators for sharing in stix-bundle.json.</p></body></html>\n");
    dw_buf_write(&b, f);
    dw_buf_free(&b);
    if (ferror(f) | (fclose(f) != 0)) { snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno)); return -1; }
    return 0;
}
