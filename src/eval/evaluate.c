/*
 * evaluate.c -- reading truth, scan outputs and the request log, and turning
 * them into the figures of eval.h.
 *
 * Everything is keyed by account id through one sorted array, so the result
 * is independent of the order of lines in any input.  Inputs are read with
 * the project's strict JSON reader; a line of the scan's output that does
 * not parse is an error (the scan must honour its contract), while the
 * request log is read leniently (lines without a timestamp or account are
 * counted and skipped) because it may have come from anywhere.
 *
 * Timestamps use the same parser as the scan (common/util.h), so "before the
 * first alert" compares like with like.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "decode/json.h"
#include "eval/eval.h"

enum { L_BENIGN = 0, L_ABUSE, L_CAMPAIGN };
enum { V_ALLOW = 0, V_REVIEW, V_BLOCK };

typedef struct acct {
    char id[80];
    int label;
    int cls;          /* index into class names */
    int camp;         /* truth campaign index, -1 */
    int verdict;
    double score;
    bool in_scan;
    int pred;         /* predicted campaign index, -1 */
    int64_t first_alert;
    long requests, answers, answers_before;
} acct;

typedef struct strtab { char **s; size_t n, cap; } strtab;

static int strtab_index(strtab *t, const char *s)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->s[i], s)) return (int)i;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->s = dw_xrealloc(t->s, t->cap * sizeof *t->s);
    }
    t->s[t->n] = strdup(s);
    if (!t->s[t->n]) abort();
    return (int)t->n++;
}

static void strtab_free(strtab *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->s[i]);
    free(t->s);
}

typedef struct ctx {
    acct *a;
    size_t n, cap;
    strtab classes, camps, preds;
    uint32_t **pred_members;
    size_t *pred_n, *pred_capm, pred_cap;
    uint64_t *cover;   /* sorted hashes of cover request ids */
    size_t ncover;
    dw_json_doc doc;
} ctx;

static int cmp_acct(const void *x, const void *y) { return strcmp(((const acct *)x)->id, ((const acct *)y)->id); }

static acct *find(ctx *c, const char *id)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = strcmp(c->a[mid].id, id);
        if (!r) return &c->a[mid];
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

typedef int (*line_fn)(ctx *c, const char *path, long lineno, char *err, size_t errlen);

/* Call fn for each non-blank line parsed into c->doc. */
static int each_line(ctx *c, const char *path, line_fn fn, bool strict, long *skipped, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        size_t i = 0;
        while (i < (size_t)len && (line[i] == ' ' || line[i] == '\t')) i++;
        if (i == (size_t)len) continue;
        if (dw_json_parse(&c->doc, line, (size_t)len) != 0 || c->doc.toks[0].type != DW_JSON_OBJECT) {
            if (strict) {
                snprintf(err, errlen, "%s:%ld: not a JSON object (%s)", path, lineno,
                         c->doc.err_msg ? c->doc.err_msg : "wrong type");
                rc = -1;
                break;
            }
            if (skipped) (*skipped)++;
            continue;
        }
        if (fn(c, path, lineno, err, errlen) != 0) {
            rc = -1;
            break;
        }
    }
    free(line);
    fclose(f);
    return rc;
}

static bool get_str(ctx *c, int32_t obj, const char *key, char *out, size_t cap)
{
    int32_t t = dw_json_get(&c->doc, obj, key);
    if (dw_json_type_of(&c->doc, t) != DW_JSON_STRING) return false;
    dw_json_str(&c->doc, t, out, cap);
    return true;
}

static bool get_ts(ctx *c, int32_t obj, const char *key, int64_t *ms)
{
    int32_t t = dw_json_get(&c->doc, obj, key);
    int ty = dw_json_type_of(&c->doc, t);
    if (ty == DW_JSON_STRING) {
        const dw_json_tok *tk = &c->doc.toks[t];
        return dw_parse_rfc3339(c->doc.src + tk->start, tk->len, ms);
    }
    double v;
    if (ty == DW_JSON_NUMBER && dw_json_f64(&c->doc, t, &v)) {
        *ms = dw_epoch_to_ms(v);
        return true;
    }
    return false;
}

/* ---- truth ------------------------------------------------------------------- */

static int on_truth(ctx *c, const char *path, long lineno, char *err, size_t errlen)
{
    acct a;
    memset(&a, 0, sizeof a);
    char label[32] = "", cls[64] = "unknown", camp[96] = "";
    if (!get_str(c, 0, "account_id", a.id, sizeof a.id) || !get_str(c, 0, "label", label, sizeof label)) {
        snprintf(err, errlen, "%s:%ld: truth needs account_id and label", path, lineno);
        return -1;
    }
    get_str(c, 0, "class", cls, sizeof cls);
    if (!strcmp(label, "campaign")) a.label = L_CAMPAIGN;
    else if (!strcmp(label, "abuse")) a.label = L_ABUSE;
    else if (!strcmp(label, "benign")) a.label = L_BENIGN;
    else {
        snprintf(err, errlen, "%s:%ld: label must be benign, abuse or campaign", path, lineno);
        return -1;
    }
    a.cls = strtab_index(&c->classes, cls);
    a.camp = get_str(c, 0, "campaign", camp, sizeof camp) && camp[0] ? strtab_index(&c->camps, camp) : -1;
    if (a.label == L_CAMPAIGN && a.camp < 0) a.camp = strtab_index(&c->camps, "(unnamed)");
    a.pred = -1;
    a.first_alert = INT64_MAX;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->a = dw_xrealloc(c->a, c->cap * sizeof *c->a);
    }
    c->a[c->n++] = a;
    return 0;
}

/* ---- scan outputs -------------------------------------------------------------- */

static long g_unknown;

static int on_scan_account(ctx *c, const char *path, long lineno, char *err, size_t errlen)
{
    char id[80], verdict[16] = "";
    if (!get_str(c, 0, "account_id", id, sizeof id)) {
        snprintf(err, errlen, "%s:%ld: account record without account_id", path, lineno);
        return -1;
    }
    acct *a = find(c, id);
    if (!a) { g_unknown++; return 0; }
    get_str(c, 0, "verdict", verdict, sizeof verdict);
    a->verdict = !strcmp(verdict, "block") ? V_BLOCK : !strcmp(verdict, "review") ? V_REVIEW : V_ALLOW;
    double s = 0;
    if (dw_json_f64(&c->doc, dw_json_get(&c->doc, 0, "score"), &s)) a->score = s;
    a->in_scan = true;
    char camp[96];
    if (get_str(c, 0, "campaign_id", camp, sizeof camp) && camp[0]) a->pred = strtab_index(&c->preds, camp);
    return 0;
}

static int on_alert(ctx *c, const char *path, long lineno, char *err, size_t errlen)
{
    char id[80];
    int64_t ts;
    if (!get_str(c, 0, "account_id", id, sizeof id) || !get_ts(c, 0, "ts", &ts)) {
        snprintf(err, errlen, "%s:%ld: alert needs account_id and ts", path, lineno);
        return -1;
    }
    acct *a = find(c, id);
    if (a && ts < a->first_alert) a->first_alert = ts;
    return 0;
}

static void add_member(ctx *c, size_t p, uint32_t idx)
{
    while (c->pred_cap <= p) {
        size_t nc = c->pred_cap ? c->pred_cap * 2 : 16;
        c->pred_members = dw_xrealloc(c->pred_members, nc * sizeof *c->pred_members);
        c->pred_n = dw_xrealloc(c->pred_n, nc * sizeof *c->pred_n);
        c->pred_capm = dw_xrealloc(c->pred_capm, nc * sizeof *c->pred_capm);
        for (size_t i = c->pred_cap; i < nc; i++) {
            c->pred_members[i] = NULL;
            c->pred_n[i] = 0;
            c->pred_capm[i] = 0;
        }
        c->pred_cap = nc;
    }
    if (c->pred_n[p] == c->pred_capm[p]) {
        c->pred_capm[p] = c->pred_capm[p] ? c->pred_capm[p] * 2 : 8;
        c->pred_members[p] = dw_xrealloc(c->pred_members[p], c->pred_capm[p] * sizeof(uint32_t));
    }
    c->pred_members[p][c->pred_n[p]++] = idx;
}

static int load_campaigns_json(ctx *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = dw_xmalloc((size_t)(n > 0 ? n : 1));
    size_t got = n > 0 ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (dw_json_parse(&c->doc, buf, got) != 0) {
        snprintf(err, errlen, "%s: not valid JSON (%s at byte %zu)", path, c->doc.err_msg, c->doc.err_off);
        free(buf);
        return -1;
    }
    /* campaigns.json replaces the grouping by accounts' campaign_id */
    strtab_free(&c->preds);
    memset(&c->preds, 0, sizeof c->preds);
    int32_t arr = dw_json_get(&c->doc, 0, "campaigns");
    char id[96], acc[80];
    for (int32_t it = dw_json_first(&c->doc, arr); it >= 0; it = dw_json_next(&c->doc, arr, it)) {
        if (!get_str(c, it, "campaign_id", id, sizeof id)) snprintf(id, sizeof id, "#%zu", c->preds.n);
        int p = strtab_index(&c->preds, id);
        int32_t members = dw_json_get(&c->doc, it, "accounts");
        for (int32_t m = dw_json_first(&c->doc, members); m >= 0; m = dw_json_next(&c->doc, members, m)) {
            if (dw_json_type_of(&c->doc, m) != DW_JSON_STRING) continue;
            dw_json_str(&c->doc, m, acc, sizeof acc);
            acct *a = find(c, acc);
            if (a) add_member(c, (size_t)p, (uint32_t)(a - c->a));
        }
    }
    free(buf);
    return 0;
}

/* ---- labels and requests ------------------------------------------------------- */

typedef struct reqrec { uint32_t acct; uint8_t harvest; int64_t ts; } reqrec;
static reqrec *g_req;
static size_t g_nreq, g_capreq;
static long g_req_skipped, g_req_unknown;

static int on_label(ctx *c, const char *path, long lineno, char *err, size_t errlen)
{
    char purpose[16], rid[96];
    if (!get_str(c, 0, "purpose", purpose, sizeof purpose) || !get_str(c, 0, "request_id", rid, sizeof rid)) return 0;
    if (strcmp(purpose, "cover") != 0) return 0;
    if (c->ncover % 4096 == 0) {
        c->cover = dw_xrealloc(c->cover, (c->ncover + 4096) * sizeof *c->cover);
    }
    c->cover[c->ncover++] = hash_str(rid, strlen(rid));
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static bool is_cover(const ctx *c, uint64_t h)
{
    return c->ncover && bsearch(&h, c->cover, c->ncover, sizeof h, cmp_u64) != NULL;
}

static int on_request(ctx *c, const char *path, long lineno, char *err, size_t errlen)
{
    char id[80];
    int64_t ts;
    if (!get_str(c, 0, "account_id", id, sizeof id) || !get_ts(c, 0, "timestamp", &ts)) {
        g_req_skipped++;
        return 0;
    }
    acct *a = find(c, id);
    if (!a) { g_req_unknown++; return 0; }
    uint8_t harvest = 0;
    if (a->label == L_CAMPAIGN) {
        harvest = 1;
        int32_t t = dw_json_get(&c->doc, 0, "request_id");
        if (c->ncover && dw_json_type_of(&c->doc, t) == DW_JSON_STRING) {
            const dw_json_tok *tk = &c->doc.toks[t];
            if (is_cover(c, hash_str(c->doc.src + tk->start, tk->len))) harvest = 0;
        }
    }
    if (g_nreq == g_capreq) {
        g_capreq = g_capreq ? g_capreq * 2 : 65536;
        g_req = dw_xrealloc(g_req, g_capreq * sizeof *g_req);
    }
    g_req[g_nreq++] = (reqrec){(uint32_t)(a - c->a), harvest, ts};
    return 0;
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static void sibling(const char *file, const char *name, char *out, size_t cap)
{
    const char *slash = strrchr(file, '/');
    if (!slash) snprintf(out, cap, "%s", name);
    else snprintf(out, cap, "%.*s/%s", (int)(slash - file), file, name);
}

static bool is_heavy_legit(const char *cls)
{
    static const char *const heavy[] = {"eval_harness", "batch_job", "campus_student", "reseller",
                                        "researcher", "coding_agent", "office_dev"};
    for (size_t i = 0; i < sizeof heavy / sizeof *heavy; i++)
        if (!strcmp(cls, heavy[i])) return true;
    return false;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static int label_rank(const char *l) { return !strcmp(l, "benign") ? 0 : !strcmp(l, "abuse") ? 1 : 2; }

static int cmp_class_row(const void *x, const void *y)
{
    const dwe_class_row *a = x, *b = y;
    int r = label_rank(a->label) - label_rank(b->label);
    return r ? r : strcmp(a->name, b->name);
}

static int cmp_camp_row(const void *x, const void *y)
{
    return strcmp(((const dwe_camp_row *)x)->id, ((const dwe_camp_row *)y)->id);
}

int dwe_evaluate(const dwe_inputs *in, dwe_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    ctx c;
    memset(&c, 0, sizeof c);
    dw_json_init(&c.doc);
    g_unknown = 0;
    g_req = NULL;
    g_nreq = g_capreq = 0;
    g_req_skipped = g_req_unknown = 0;
    int rc = -1;
    char path[4096], reqpath[4096], labpath[4096];

    if (each_line(&c, in->truth, on_truth, true, NULL, err, errlen) != 0) goto out;
    if (!c.n) {
        snprintf(err, errlen, "%s: no accounts", in->truth);
        goto out;
    }
    qsort(c.a, c.n, sizeof *c.a, cmp_acct);
    for (size_t i = 1; i < c.n; i++)
        if (!strcmp(c.a[i].id, c.a[i - 1].id)) {
            snprintf(err, errlen, "%s: account %s appears twice", in->truth, c.a[i].id);
            goto out;
        }

    snprintf(path, sizeof path, "%s/accounts.jsonl", in->scan);
    if (each_line(&c, path, on_scan_account, true, NULL, err, errlen) != 0) goto out;
    res->scan_unknown = g_unknown;
    snprintf(path, sizeof path, "%s/alerts.jsonl", in->scan);
    if (exists(path) && each_line(&c, path, on_alert, true, NULL, err, errlen) != 0) goto out;
    snprintf(path, sizeof path, "%s/campaigns.json", in->scan);
    int cj = load_campaigns_json(&c, path, err, errlen);
    if (cj < 0) goto out;
    res->have_campaigns_json = cj == 0;
    if (!res->have_campaigns_json)
        for (size_t i = 0; i < c.n; i++)
            if (c.a[i].pred >= 0) add_member(&c, (size_t)c.a[i].pred, (uint32_t)i);

    if (in->labels) snprintf(labpath, sizeof labpath, "%s", in->labels);
    else sibling(in->truth, "truth_requests.jsonl", labpath, sizeof labpath);
    if (exists(labpath)) {
        if (each_line(&c, labpath, on_label, false, NULL, err, errlen) != 0) goto out;
        if (c.ncover) qsort(c.cover, c.ncover, sizeof *c.cover, cmp_u64);
        res->have_truth_requests = true;
    }
    if (in->requests) snprintf(reqpath, sizeof reqpath, "%s", in->requests);
    else sibling(in->truth, "requests.jsonl", reqpath, sizeof reqpath);
    if (each_line(&c, reqpath, on_request, false, &g_req_skipped, err, errlen) != 0) goto out;

    /* per-account traffic, and what got through before the account's first alert */
    for (size_t i = 0; i < g_nreq; i++) {
        acct *a = &c.a[g_req[i].acct];
        a->requests++;
        if (g_req[i].harvest) {
            a->answers++;
            if (g_req[i].ts < a->first_alert) a->answers_before++;
        }
    }

    /* Accounts that sent nothing in this log are not part of the evaluation:
     * no detector can see them. */
    bool *actual = dw_xcalloc(c.n, sizeof *actual), *flag = dw_xcalloc(c.n, sizeof *flag);
    bool *blk = dw_xcalloc(c.n, sizeof *blk), *incl = dw_xcalloc(c.n, sizeof *incl);
    double *score = dw_xcalloc(c.n, sizeof *score);
    for (size_t i = 0; i < c.n; i++) {
        const acct *a = &c.a[i];
        if (!a->requests) continue;
        res->accounts++;
        res->requests += a->requests;
        if (!a->in_scan) res->scan_missing++;
        if (a->label == L_ABUSE) { res->abuse++; continue; }
        incl[i] = true;
        actual[i] = a->label == L_CAMPAIGN;
        flag[i] = a->verdict >= V_REVIEW;
        blk[i] = a->verdict == V_BLOCK;
        score[i] = a->score;
        res->positives += actual[i];
    }
    res->flag = dwe_confusion(actual, flag, incl, c.n);
    res->block = dwe_confusion(actual, blk, incl, c.n);
    res->pr = dw_xmalloc((c.n ? c.n : 1) * sizeof *res->pr);
    res->npr = dwe_pr_curve(score, actual, incl, c.n, res->pr, &res->ap);
    free(actual); free(flag); free(blk); free(incl); free(score);

    /* per class, in first-seen order of the truth file's class names */
    res->nclasses = c.classes.n;
    res->classes = dw_xcalloc(c.classes.n ? c.classes.n : 1, sizeof *res->classes);
    for (size_t k = 0; k < c.classes.n; k++) snprintf(res->classes[k].name, sizeof res->classes[k].name, "%s", c.classes.s[k]);
    for (size_t i = 0; i < c.n; i++) {
        const acct *a = &c.a[i];
        if (!a->requests) continue;
        dwe_class_row *row = &res->classes[a->cls];
        snprintf(row->label, sizeof row->label, "%s",
                 a->label == L_CAMPAIGN ? "campaign" : a->label == L_ABUSE ? "abuse" : "benign");
        row->accounts++;
        row->requests += a->requests;
        if (a->verdict == V_BLOCK) row->block++;
        else if (a->verdict == V_REVIEW) row->review++;
        else row->allow++;
        if (a->label == L_BENIGN && is_heavy_legit(c.classes.s[a->cls])) {
            res->heavy_accounts++;
            res->heavy_review += a->verdict == V_REVIEW;
            res->heavy_block += a->verdict == V_BLOCK;
        }
    }

    /* per true campaign */
    res->ncamps = c.camps.n;
    res->camps = dw_xcalloc(c.camps.n ? c.camps.n : 1, sizeof *res->camps);
    res->predicted_campaigns = (long)c.preds.n;
    uint32_t *members = dw_xmalloc((c.n ? c.n : 1) * sizeof *members);
    int64_t *ts = dw_xmalloc((g_nreq ? g_nreq : 1) * sizeof *ts);
    for (size_t p = 0; p < c.preds.n && p < c.pred_cap; p++)
        if (c.pred_n[p]) qsort(c.pred_members[p], c.pred_n[p], sizeof(uint32_t), cmp_u32);
    double sum_j = 0, sum_b = 0;
    long nb = 0;
    for (size_t k = 0; k < c.camps.n; k++) {
        dwe_camp_row *row = &res->camps[k];
        snprintf(row->id, sizeof row->id, "%s", c.camps.s[k]);
        size_t nm = 0;
        row->first_alert = INT64_MAX;
        for (size_t i = 0; i < c.n; i++) {
            const acct *a = &c.a[i];
            if (a->camp != (int)k || !a->requests) continue;
            members[nm++] = (uint32_t)i;
            snprintf(row->cls, sizeof row->cls, "%s", c.classes.s[a->cls]);
            row->accounts++;
            row->flagged += a->verdict >= V_REVIEW;
            row->blocked += a->verdict == V_BLOCK;
            row->answers += a->answers;
            row->answers_before += a->answers_before;
            if (a->first_alert < row->first_alert) row->first_alert = a->first_alert;
        }
        size_t nts = 0;
        for (size_t i = 0; i < g_nreq; i++)
            if (c.a[g_req[i].acct].camp == (int)k) ts[nts++] = g_req[i].ts;
        row->requests = (long)nts;
        row->before_share = dwe_share_before(ts, nts, row->first_alert);
        long best = -1;
        row->best_jaccard = dwe_best_jaccard(members, nm, (const uint32_t *const *)c.pred_members, c.pred_n,
                                             c.preds.n < c.pred_cap ? c.preds.n : c.pred_cap, &best);
        if (best >= 0) snprintf(row->best_pred, sizeof row->best_pred, "%s", c.preds.s[best]);
        row->cost = dwe_accounts_per_million(row->answers_before, row->accounts);
        row->cost_free = dwe_accounts_per_million(row->answers, row->accounts);
        sum_j += row->best_jaccard;
        if (!isnan(row->before_share)) { sum_b += row->before_share; nb++; }
        res->camp_accounts += row->accounts;
        res->answers += row->answers;
        res->answers_before += row->answers_before;
    }
    res->mean_jaccard = c.camps.n ? sum_j / (double)c.camps.n : NAN;
    /* stable, readable order: benign classes, abuse, campaigns; then by name */
    qsort(res->classes, res->nclasses, sizeof *res->classes, cmp_class_row);
    qsort(res->camps, res->ncamps, sizeof *res->camps, cmp_camp_row);
    res->mean_before = nb ? sum_b / (double)nb : NAN;
    res->cost = dwe_accounts_per_million(res->answers_before, res->camp_accounts);
    res->cost_free = dwe_accounts_per_million(res->answers, res->camp_accounts);
    free(members);
    free(ts);
    rc = 0;
out:
    free(c.a);
    strtab_free(&c.classes);
    strtab_free(&c.camps);
    strtab_free(&c.preds);
    for (size_t i = 0; i < c.pred_cap; i++) free(c.pred_members[i]);
    free(c.pred_members);
    free(c.pred_n);
    free(c.pred_capm);
    free(c.cover);
    free(g_req);
    g_req = NULL;
    dw_json_free(&c.doc);
    if (rc != 0) dwe_result_free(res);
    return rc;
}

void dwe_result_free(dwe_result *res)
{
    free(res->pr);
    free(res->classes);
    free(res->camps);
    res->pr = NULL;
    res->classes = NULL;
    res->camps = NULL;
}
