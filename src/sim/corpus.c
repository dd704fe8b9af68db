/*
 * corpus.c -- reading the public data sets with the project's strict JSON
 * reader.
 *
 * Each file is read whole and parsed line by line (JSONL) or as one document
 * (JailbreakBench).  A line that does not parse is skipped: these are
 * unmodified upstream copies and the simulator should not refuse to run over
 * one odd record, but nothing is invented in its place either.  Answers are
 * joined to arena prompts by uid through a sorted index, so the result does
 * not depend on the order of the answer files.
 */
#include "sim/corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode/json.h"
#include "sim/rng.h"
#include "common/util.h"

struct dws_corpus {
    dws_qa *pool[DWS_POOL_COUNT];
    size_t n[DWS_POOL_COUNT], cap[DWS_POOL_COUNT];
    uint32_t *gen[2];
    size_t ngen[2];
    double *gaps;
    size_t ngaps;
    char **strs;
    size_t nstrs, capstrs;
};

static char *slurp(const char *dir, const char *rel, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); fclose(f); return NULL; }
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

static const char *keep(dws_corpus *c, const dw_json_doc *d, int32_t tok)
{
    if (dw_json_type_of(d, tok) != DW_JSON_STRING) return NULL;
    char probe[1];
    long n = dw_json_str(d, tok, probe, sizeof probe);
    if (n <= 0) return NULL;
    char *s = dw_xmalloc((size_t)n + 1);
    dw_json_str(d, tok, s, (size_t)n + 1);
    if (c->nstrs == c->capstrs) {
        c->capstrs = c->capstrs ? c->capstrs * 2 : 1024;
        c->strs = dw_xrealloc(c->strs, c->capstrs * sizeof *c->strs);
    }
    c->strs[c->nstrs++] = s;
    return s;
}

static void add(dws_corpus *c, int pool, const char *q, const char *a, const char *q2)
{
    if (!q) return;
    if (c->n[pool] == c->cap[pool]) {
        c->cap[pool] = c->cap[pool] ? c->cap[pool] * 2 : 256;
        c->pool[pool] = dw_xrealloc(c->pool[pool], c->cap[pool] * sizeof(dws_qa));
    }
    c->pool[pool][c->n[pool]++] = (dws_qa){q, a, q2};
}

typedef void (*line_fn)(dws_corpus *c, const dw_json_doc *d, void *ud);

static int each_line(dws_corpus *c, const char *dir, const char *rel, line_fn fn, void *ud)
{
    size_t len;
    char *buf = slurp(dir, rel, &len);
    if (!buf) return 0;
    dw_json_doc d;
    dw_json_init(&d);
    int lines = 0;
    char *p = buf, *end = buf + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > 1 && dw_json_parse(&d, p, n) == 0 && d.toks[0].type == DW_JSON_OBJECT) {
            fn(c, &d, ud);
            lines++;
        }
        p += n + 1;
    }
    dw_json_free(&d);
    free(buf);
    return lines;
}

/* ---- arena answers joined by uid ------------------------------------------ */

typedef struct uid_ans { const char *uid, *ans; } uid_ans;
typedef struct ans_index { uid_ans *v; size_t n, cap; } ans_index;

static void on_answer(dws_corpus *c, const dw_json_doc *d, void *ud)
{
    ans_index *ix = ud;
    const char *uid = keep(c, d, dw_json_get(d, 0, "uid"));
    int32_t t = dw_json_path(d, 0, "messages.1.content.answer");
    if (t < 0) t = dw_json_path(d, 0, "messages.1.content");
    const char *a = keep(c, d, t);
    if (!uid || !a) return;
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 512;
        ix->v = dw_xrealloc(ix->v, ix->cap * sizeof *ix->v);
    }
    ix->v[ix->n++] = (uid_ans){uid, a};
}

static int cmp_uid(const void *a, const void *b)
{
    const uid_ans *x = a, *y = b;
    int r = strcmp(x->uid, y->uid);
    return r ? r : strcmp(x->ans, y->ans);
}

static const char *find_answer(const ans_index *ix, const char *uid)
{
    if (!uid || !ix->n) return NULL;
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(ix->v[mid].uid, uid) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo < ix->n && strcmp(ix->v[lo].uid, uid) == 0 ? ix->v[lo].ans : NULL;
}

typedef struct arena_ctx { ans_index *ix; int v2; } arena_ctx;

static void on_arena(dws_corpus *c, const dw_json_doc *d, void *ud)
{
    arena_ctx *ac = ud;
    const char *q = keep(c, d, dw_json_get(d, 0, "prompt"));
    char uid[64] = "";
    dw_json_str(d, dw_json_get(d, 0, "uid"), uid, sizeof uid);
    const char *a = find_answer(ac->ix, uid);
    if (!ac->v2) {
        add(c, DWS_POOL_CHAT, q, a, NULL);
        return;
    }
    add(c, DWS_POOL_HARD, q, a, NULL);
    if (dw_json_str_eq(d, dw_json_get(d, 0, "subcategory"), "coding")) add(c, DWS_POOL_CODE, q, a, NULL);
}

static void on_gsm(dws_corpus *c, const dw_json_doc *d, void *ud)
{
    add(c, *(int *)ud, keep(c, d, dw_json_get(d, 0, "question")), keep(c, d, dw_json_get(d, 0, "answer")), NULL);
}

static void on_mtbench(dws_corpus *c, const dw_json_doc *d, void *ud)
{
    int32_t t = dw_json_get(d, 0, "turns");
    add(c, DWS_POOL_MTBENCH, keep(c, d, dw_json_at(d, t, 0)), NULL, keep(c, d, dw_json_at(d, t, 1)));
}

static void on_alpaca(dws_corpus *c, const dw_json_doc *d, void *ud)
{
    const char *in = keep(c, d, dw_json_get(d, 0, "instruction"));
    int32_t inst = dw_json_at(d, dw_json_get(d, 0, "instances"), 0);
    const char *input = keep(c, d, dw_json_get(d, inst, "input"));
    const char *out = keep(c, d, dw_json_get(d, inst, "output"));
    if (in && input && *input) {
        size_t n = strlen(in) + strlen(input) + 3;
        char *s = dw_xmalloc(n);
        snprintf(s, n, "%s\n\n%s", in, input);
        if (c->nstrs == c->capstrs) {
            c->capstrs *= 2;
            c->strs = dw_xrealloc(c->strs, c->capstrs * sizeof *c->strs);
        }
        c->strs[c->nstrs++] = s;
        in = s;
    }
    add(c, DWS_POOL_CHAT, in, out, NULL);
}

static void on_wizard(dws_corpus *c, const dw_json_doc *d, void *ud)
{
    add(c, DWS_POOL_CHAT, keep(c, d, dw_json_get(d, 0, "Instruction")), NULL, NULL);
}

static int load_jbb(dws_corpus *c, const char *dir, const char *rel)
{
    size_t len;
    char *buf = slurp(dir, rel, &len);
    if (!buf) return 0;
    dw_json_doc d;
    dw_json_init(&d);
    int n = 0;
    if (dw_json_parse(&d, buf, len) == 0) {
        int32_t arr = dw_json_get(&d, 0, "jailbreaks");
        for (int32_t it = dw_json_first(&d, arr); it >= 0; it = dw_json_next(&d, arr, it)) {
            const char *q = keep(c, &d, dw_json_get(&d, it, "prompt"));
            if (!q) continue;
            add(c, DWS_POOL_JAILBREAK, q, keep(c, &d, dw_json_get(&d, it, "response")), NULL);
            n++;
        }
    }
    dw_json_free(&d);
    free(buf);
    return n;
}

static size_t load_trace(dws_corpus *c, const char *dir, const char *rel, int code)
{
    size_t len;
    char *buf = slurp(dir, rel, &len);
    if (!buf) return 0;
    size_t cap = 1024, n = 0;
    uint32_t *gen = dw_xmalloc(cap * sizeof *gen);
    double prev = -1;
    char *p = buf, *end = buf + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        *nl = 0;
        /* "2023-11-16 18:17:03.9799600,4808,10": seconds within the hour and tokens */
        unsigned hh, mm;
        double ss;
        unsigned long ctx, g;
        if (sscanf(p, "%*d-%*d-%*d %u:%u:%lf,%lu,%lu", &hh, &mm, &ss, &ctx, &g) == 5) {
            if (n == cap) {
                cap *= 2;
                gen = dw_xrealloc(gen, cap * sizeof *gen);
            }
            gen[n++] = (uint32_t)g;
            double t = hh * 3600.0 + mm * 60.0 + ss;
            if (!code && prev >= 0 && t >= prev) {
                if (c->ngaps % 1024 == 0) {
                    c->gaps = dw_xrealloc(c->gaps, (c->ngaps + 1024) * sizeof *c->gaps);
                }
                c->gaps[c->ngaps++] = t - prev;
            }
            prev = t;
        }
        p = nl + 1;
    }
    free(buf);
    c->gen[code] = gen;
    c->ngen[code] = n;
    return n;
}

dws_corpus *dws_corpus_load(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "--corpus %s: not a directory", dir);
        return NULL;
    }
    dws_corpus *c = dw_xcalloc(1, sizeof *c);
    c->capstrs = 1024;
    c->strs = dw_xmalloc(c->capstrs * sizeof *c->strs);

    ans_index ix1 = {0}, ix2 = {0};
    static const char *const v01_answers[] = {"arena-hard-v0.1/model_answer/gpt-4-0314.jsonl",
                                              "arena-hard-v0.1/model_answer/gpt-4-0613.jsonl",
                                              "arena-hard-v0.1/model_answer/gpt-3.5-turbo-0125.jsonl"};
    for (size_t i = 0; i < 3; i++) each_line(c, dir, v01_answers[i], on_answer, &ix1);
    each_line(c, dir, "arena-hard-v2.0/model_answer/o3-mini-2025-01-31.jsonl", on_answer, &ix2);
    if (ix1.n) qsort(ix1.v, ix1.n, sizeof *ix1.v, cmp_uid);
    if (ix2.n) qsort(ix2.v, ix2.n, sizeof *ix2.v, cmp_uid);
    arena_ctx a1 = {&ix1, 0}, a2 = {&ix2, 1};
    int found = 0;
    found += each_line(c, dir, "arena-hard-v0.1/question.jsonl", on_arena, &a1);
    found += each_line(c, dir, "arena-hard-v2.0/question.jsonl", on_arena, &a2);
    free(ix1.v);
    free(ix2.v);
    int ptrain = DWS_POOL_MATH_TRAIN, ptest = DWS_POOL_MATH_TEST;
    found += each_line(c, dir, "gsm8k/train.jsonl", on_gsm, &ptrain);
    found += each_line(c, dir, "gsm8k/test.jsonl", on_gsm, &ptest);
    found += each_line(c, dir, "mt-bench/question.jsonl", on_mtbench, NULL);
    found += each_line(c, dir, "alpaca/seed_tasks.jsonl", on_alpaca, NULL);
    found += each_line(c, dir, "wizardlm/WizardLM_testset.jsonl", on_wizard, NULL);
    found += load_jbb(c, dir, "jailbreakbench/JBC-manual-gpt-3.5-turbo-1106.json");
    found += load_jbb(c, dir, "jailbreakbench/PAIR-gpt-4-0125-preview.json");
    found += load_jbb(c, dir, "jailbreakbench/random-search-gpt-4-0125-preview.json");
    found += (int)load_trace(c, dir, "azure-llm-trace/AzureLLMInferenceTrace_conv.csv", 0);
    found += (int)load_trace(c, dir, "azure-llm-trace/AzureLLMInferenceTrace_code.csv", 1);
    if (!found) {
        snprintf(err, errlen, "--corpus %s: none of the expected data sets found (see shared/corpora/SOURCES.md)",
                 dir);
        dws_corpus_free(c);
        return NULL;
    }
    return c;
}

void dws_corpus_free(dws_corpus *c)
{
    if (!c) return;
    for (int i = 0; i < DWS_POOL_COUNT; i++) free(c->pool[i]);
    for (size_t i = 0; i < c->nstrs; i++) free(c->strs[i]);
    free(c->strs);
    free(c->gen[0]);
    free(c->gen[1]);
    free(c->gaps);
    free(c);
}

size_t dws_corpus_size(const dws_corpus *c, int pool) { return c ? c->n[pool] : 0; }

const dws_qa *dws_corpus_get(const dws_corpus *c, int pool, uint64_t idx)
{
    if (!c || !c->n[pool]) return NULL;
    return &c->pool[pool][idx % c->n[pool]];
}

uint32_t dws_corpus_gen_tokens(const dws_corpus *c, int code, uint64_t draw)
{
    code = code ? 1 : 0;
    if (!c || !c->ngen[code]) return 0;
    return c->gen[code][dws_mix64(draw) % c->ngen[code]];
}

double dws_corpus_gap(const dws_corpus *c, uint64_t draw)
{
    if (!c || !c->ngaps) return -1;
    return c->gaps[dws_mix64(draw) % c->ngaps];
}

void dws_corpus_describe(const dws_corpus *c, char *out, size_t cap)
{
    snprintf(out, cap, "chat %zu, code %zu, hard %zu, gsm8k %zu+%zu, mt-bench %zu, jailbreak %zu, trace %zu+%zu",
             c->n[DWS_POOL_CHAT], c->n[DWS_POOL_CODE], c->n[DWS_POOL_HARD], c->n[DWS_POOL_MATH_TRAIN],
             c->n[DWS_POOL_MATH_TEST], c->n[DWS_POOL_MTBENCH], c->n[DWS_POOL_JAILBREAK], c->ngen[0], c->ngen[1]);
}
