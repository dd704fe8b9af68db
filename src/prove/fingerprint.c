/*
 * fingerprint.c -- count profiles, Dirichlet-smoothed likelihood ratios and
 * temperature calibration (see fingerprint.h for the why).
 */
#include "prove/fingerprint.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define NB (1u << DW_FP_BITS)
#define PRIOR_MASS 20000.0   /* pseudo-counts of background per family */

typedef struct fp_model {
    char   *name;
    float  *c[DW_FP_FAMILIES];
    double  total[DW_FP_FAMILIES];
} fp_model;

struct dw_fp {
    fp_model m[DW_FP_MAX_MODELS];
    int      n;
    char   **label[2];              /* a word / bigram seen in each bucket (explanations) */
    dw_fp_doc scratch;
};

dw_fp *dw_fp_new(void)
{
    dw_fp *f = dw_xcalloc(1, sizeof *f);
    for (int k = 0; k < 2; k++) {
        f->label[k] = dw_xcalloc(NB, sizeof(char *));
    }
    return f;
}

void dw_fp_free(dw_fp *f)
{
    if (!f) return;
    for (int i = 0; i < f->n; i++) {
        free(f->m[i].name);
        for (int k = 0; k < DW_FP_FAMILIES; k++) free(f->m[i].c[k]);
    }
    for (int k = 0; k < 2; k++) {
        for (uint32_t b = 0; b < NB; b++) free(f->label[k][b]);
        free(f->label[k]);
    }
    dw_fp_doc_free(&f->scratch);
    free(f);
}

int dw_fp_count(const dw_fp *f) { return f->n; }
const char *dw_fp_name(const dw_fp *f, int i) { return f->m[i].name; }

/* --- features ------------------------------------------------------------ */

static void doc_push(dw_fp_doc *d, uint32_t key)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1024;
        d->bucket = dw_xrealloc(d->bucket, d->cap * sizeof *d->bucket);
        d->count = dw_xrealloc(d->count, d->cap * sizeof *d->count);
    }
    d->bucket[d->n] = key;
    d->count[d->n++] = 1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort the keys and merge duplicates into counts. */
static void doc_compact(dw_fp_doc *d)
{
    qsort(d->bucket, d->n, sizeof *d->bucket, cmp_u32);
    size_t j = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (j && d->bucket[j - 1] == d->bucket[i]) d->count[j - 1]++;
        else { d->bucket[j] = d->bucket[i]; d->count[j] = 1; j++; }
    }
    d->n = j;
}

static bool word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 || c == '\'';
}

typedef void (*label_fn)(void *ud, int fam, uint32_t bucket, const char *s, size_t n);

/* Walk the features of text; the keys go into d (unsorted, count 1 each). */
static void features(const char *text, size_t n, dw_fp_doc *d, label_fn lf, void *ud)
{
    const unsigned char *s = (const unsigned char *)text;
    char prev[64], cur[64];
    size_t plen = 0;
    for (size_t i = 0; i < n;) {
        if (!word_byte(s[i])) { i++; continue; }
        size_t len = 0;
        while (i < n && word_byte(s[i])) {
            unsigned char c = s[i++];
            if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
            if (len < sizeof cur) cur[len++] = (char)c;
        }
        uint32_t b = (uint32_t)dw_hash(cur, len) & (NB - 1);
        doc_push(d, (0u << DW_FP_BITS) | b);
        if (lf) lf(ud, 0, b, cur, len);
        if (plen) {
            char bg[130];
            memcpy(bg, prev, plen);
            bg[plen] = ' ';
            memcpy(bg + plen + 1, cur, len);
            uint32_t b2 = (uint32_t)dw_hash(bg, plen + 1 + len) & (NB - 1);
            doc_push(d, (1u << DW_FP_BITS) | b2);
            if (lf) lf(ud, 1, b2, bg, plen + 1 + len);
        }
        memcpy(prev, cur, len);
        plen = len;
    }
    /* character 4-grams over the raw bytes: case, punctuation, markdown */
    for (size_t i = 0; i + 4 <= n; i++) {
        uint32_t v;
        memcpy(&v, s + i, 4);
        doc_push(d, (2u << DW_FP_BITS) | ((uint32_t)dw_mix64(v) & (NB - 1)));
    }
}

void dw_fp_doc_add(dw_fp_doc *d, const char *text, size_t n)
{
    features(text, n, d, NULL, NULL);
    doc_compact(d);
}

void dw_fp_doc_build(dw_fp_doc *d, const char *text, size_t n)
{
    d->n = 0;
    dw_fp_doc_add(d, text, n);
}

void dw_fp_doc_free(dw_fp_doc *d)
{
    free(d->bucket);
    free(d->count);
    memset(d, 0, sizeof *d);
}

/* --- profiles -------------------------------------------------------------- */

static void remember_label(void *ud, int fam, uint32_t b, const char *s, size_t n)
{
    dw_fp *f = ud;
    if (f->label[fam][b]) return;
    char *p = dw_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    f->label[fam][b] = p;
}

int dw_fp_add(dw_fp *f, const char *name, const char *text, size_t n)
{
    int i;
    for (i = 0; i < f->n; i++)
        if (!strcmp(f->m[i].name, name)) break;
    if (i == f->n) {
        if (f->n == DW_FP_MAX_MODELS) return -1;
        fp_model *m = &f->m[f->n++];
        m->name = strdup(name);
        if (!m->name) abort();
        for (int k = 0; k < DW_FP_FAMILIES; k++) {
            m->c[k] = dw_xcalloc(NB, sizeof(float));
        }
    }
    dw_fp_doc *d = &f->scratch;
    d->n = 0;
    features(text, n, d, remember_label, f);
    fp_model *m = &f->m[i];
    for (size_t j = 0; j < d->n; j++) {
        uint32_t fam = d->bucket[j] >> DW_FP_BITS, b = d->bucket[j] & (NB - 1);
        m->c[fam][b] += 1;
        m->total[fam] += 1;
    }
    return i;
}

/* Background probability of bucket b in family fam (add-half smoothing). */
static double background(const dw_fp *f, int fam, uint32_t b, double *tot)
{
    double c = 0, t = 0;
    for (int i = 0; i < f->n; i++) {
        c += f->m[i].c[fam][b];
        t += f->m[i].total[fam];
    }
    *tot = t;
    return (c + 0.5) / (t + 0.5 * NB);
}

void dw_fp_score(dw_fp *f, const dw_fp_doc *d, double *llr)
{
    for (int i = 0; i < f->n; i++) llr[i] = 0;
    for (size_t j = 0; j < d->n; j++) {
        int fam = (int)(d->bucket[j] >> DW_FP_BITS);
        uint32_t b = d->bucket[j] & (NB - 1);
        double tot;
        double bg = background(f, fam, b, &tot);
        double lbg = log(bg);
        for (int i = 0; i < f->n; i++) {
            const fp_model *m = &f->m[i];
            double p = (m->c[fam][b] + PRIOR_MASS * bg) / (m->total[fam] + PRIOR_MASS);
            llr[i] += d->count[j] * (log(p) - lbg);
        }
    }
}

void dw_fp_probs(const double *llr, int n, double T, double *prob)
{
    double mx = -INFINITY, z = 0;
    for (int i = 0; i < n; i++) mx = fmax(mx, llr[i] / T);
    for (int i = 0; i < n; i++) z += (prob[i] = exp(llr[i] / T - mx));
    for (int i = 0; i < n; i++) prob[i] /= z;
}

static double nll(const double *llr, const int *label, int nd, int nm, double T)
{
    double s = 0, p[DW_FP_MAX_MODELS];
    for (int d = 0; d < nd; d++) {
        dw_fp_probs(llr + (size_t)d * nm, nm, T, p);
        s -= log(fmax(p[label[d]], 1e-300));
    }
    return s;
}

double dw_fp_calibrate(const double *llr, const int *label, int ndocs, int nmodels)
{
    /* NLL is unimodal in log T for a softmax family: golden-section search */
    double a = log(1e-3), b = log(1e5);
    const double g = 0.6180339887498949;
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = nll(llr, label, ndocs, nmodels, exp(x1)), f2 = nll(llr, label, ndocs, nmodels, exp(x2));
    for (int it = 0; it < 80; it++) {
        if (f1 < f2) { b = x2; x2 = x1; f2 = f1; x1 = b - g * (b - a); f1 = nll(llr, label, ndocs, nmodels, exp(x1)); }
        else { a = x1; x1 = x2; f1 = f2; x2 = a + g * (b - a); f2 = nll(llr, label, ndocs, nmodels, exp(x2)); }
    }
    return exp(0.5 * (a + b));
}

typedef struct scored { double s; uint32_t key; } scored;
static int cmp_scored(const void *a, const void *b)
{
    double x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return x > y ? -1 : x < y;
}

int dw_fp_top_features(dw_fp *f, int i, int k, char **out, size_t outcap)
{
    /* rank words and bigrams by their contribution to the candidate's
     * log-likelihood ratio per occurrence, weighted by how often it uses them:
     * c_i(b) * log(p_i(b) / bg(b)) -- over-used AND frequent */
    size_t cap = 2 * (size_t)NB;
    scored *v = dw_xmalloc(cap * sizeof *v);
    size_t n = 0;
    const fp_model *m = &f->m[i];
    for (int fam = 0; fam < 2; fam++)
        for (uint32_t b = 0; b < NB; b++) {
            if (m->c[fam][b] < 5 || !f->label[fam][b]) continue;
            double tot;
            double bg = background(f, fam, b, &tot);
            double p = (m->c[fam][b] + PRIOR_MASS * bg) / (m->total[fam] + PRIOR_MASS);
            v[n++] = (scored){m->c[fam][b] * log(p / bg), ((uint32_t)fam << DW_FP_BITS) | b};
        }
    qsort(v, n, sizeof *v, cmp_scored);
    int w = 0;
    for (size_t j = 0; j < n && w < k; j++) {
        if (v[j].s <= 0) break;
        uint32_t fam = v[j].key >> DW_FP_BITS, b = v[j].key & (NB - 1);
        snprintf(out[w], outcap, "%s", f->label[fam][b]);
        w++;
    }
    free(v);
    return w;
}
