/*
 * lineage.c -- profiles, similarity and average-linkage clustering.
 *
 * Average linkage (UPGMA) rather than single linkage: single linkage chains
 * unrelated models through one shared cliche; average linkage asks that two
 * groups be alike on the whole, which is what "same family" means.  With 38
 * models the O(n^3) textbook algorithm is instant.
 */
#include "prove/lineage.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "decode/json.h"

#define FAMS 3
/* Trigrams are parsed (and validated) but left out of the similarity: the
 * profiles' trigram lists are short and dominated by story topics ("heart
 * pounding chest"); measured on the 38 profiles, words + bigrams recover 16
 * of the 59 known pairs, adding trigrams 12. */
#define SIM_FAMS 2

typedef struct feat { uint64_t h; double v; } feat;

typedef struct profile {
    char *name;
    feat *f[FAMS];
    size_t n[FAMS];
    double norm[FAMS];
} profile;

struct dw_lineage {
    profile *p;
    int      n;
    double  *sim;     /* n x n */
};

static const char *FAM_KEY[FAMS] = {"top_repetitive_words", "top_bigrams", "top_trigrams"};
static const char *FAM_STR[FAMS] = {"word", "ngram", "ngram"};
static const char *FAM_VAL[FAMS] = {"score", "frequency", "frequency"};

static int cmp_feat(const void *a, const void *b)
{
    uint64_t x = ((const feat *)a)->h, y = ((const feat *)b)->h;
    return x < y ? -1 : x > y;
}

void dw_lineage_free(dw_lineage *l)
{
    if (!l) return;
    for (int i = 0; i < l->n; i++) {
        free(l->p[i].name);
        for (int k = 0; k < FAMS; k++) free(l->p[i].f[k]);
    }
    free(l->p);
    free(l->sim);
    free(l);
}

int dw_lineage_count(const dw_lineage *l) { return l->n; }
const char *dw_lineage_name(const dw_lineage *l, int i) { return l->p[i].name; }
double dw_lineage_similarity(const dw_lineage *l, int a, int b) { return l->sim[(size_t)a * l->n + b]; }

static int load_family(const dw_json_doc *d, int32_t arr, int k, profile *p, char *err, size_t errlen)
{
    uint32_t cnt = d->toks[arr].count;
    p->f[k] = dw_xcalloc(cnt ? cnt : 1, sizeof(feat));
    char buf[512];
    for (uint32_t i = 0; i < cnt; i++) {
        int32_t e = dw_json_at(d, arr, i);
        int32_t s = dw_json_get(d, e, FAM_STR[k]), v = dw_json_get(d, e, FAM_VAL[k]);
        double x;
        long len = s >= 0 ? dw_json_str(d, s, buf, sizeof buf) : -1;
        if (len < 0 || !dw_json_f64(d, v, &x) || !(x >= 0) || !isfinite(x)) {
            snprintf(err, errlen, "offset %u: %s entry needs a string \"%s\" and a non-negative \"%s\"",
                     d->toks[e].start, FAM_KEY[k], FAM_STR[k], FAM_VAL[k]);
            return -1;
        }
        if ((size_t)len >= sizeof buf) len = sizeof buf - 1;
        p->f[k][p->n[k]++] = (feat){dw_hash(buf, (size_t)len), x};
    }
    qsort(p->f[k], p->n[k], sizeof(feat), cmp_feat);
    /* merge duplicate keys (hash collisions or repeated entries) */
    size_t j = 0;
    for (size_t i = 0; i < p->n[k]; i++) {
        if (j && p->f[k][j - 1].h == p->f[k][i].h) p->f[k][j - 1].v += p->f[k][i].v;
        else p->f[k][j++] = p->f[k][i];
    }
    p->n[k] = j;
    return 0;
}

/* document frequency of a key across profiles, via binary search */
static int df(const dw_lineage *l, int k, uint64_t h)
{
    int c = 0;
    for (int i = 0; i < l->n; i++) {
        const profile *p = &l->p[i];
        size_t lo = 0, hi = p->n[k];
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (p->f[k][mid].h < h) lo = mid + 1;
            else hi = mid;
        }
        c += lo < p->n[k] && p->f[k][lo].h == h;
    }
    return c;
}

static void weigh(dw_lineage *l)
{
    for (int k = 0; k < FAMS; k++) {
        for (int i = 0; i < l->n; i++) {
            profile *p = &l->p[i];
            /* log-damped values scaled to the profile's own maximum, so a
             * model's loudest tic counts as much as another's */
            double mx = 0;
            for (size_t j = 0; j < p->n[k]; j++) mx = fmax(mx, p->f[k][j].v);
            double ss = 0;
            for (size_t j = 0; j < p->n[k]; j++) {
                double v = log1p(100.0 * p->f[k][j].v / (mx > 0 ? mx : 1));
                v *= log((double)(l->n + 1) / (double)df(l, k, p->f[k][j].h));
                p->f[k][j].v = v;
                ss += v * v;
            }
            p->norm[k] = sqrt(ss);
        }
    }
    l->sim = dw_xcalloc((size_t)l->n * l->n, sizeof(double));
    for (int a = 0; a < l->n; a++)
        for (int b = a; b < l->n; b++) {
            double s = 0;
            int fams = 0;
            for (int k = 0; k < SIM_FAMS; k++) {
                const profile *pa = &l->p[a], *pb = &l->p[b];
                if (pa->norm[k] == 0 || pb->norm[k] == 0) continue;
                double dot = 0;
                size_t i = 0, j = 0;
                while (i < pa->n[k] && j < pb->n[k]) {
                    if (pa->f[k][i].h < pb->f[k][j].h) i++;
                    else if (pa->f[k][i].h > pb->f[k][j].h) j++;
                    else { dot += pa->f[k][i].v * pb->f[k][j].v; i++; j++; }
                }
                s += dot / (pa->norm[k] * pb->norm[k]);
                fams++;
            }
            double v = fams ? s / fams : 0;
            l->sim[(size_t)a * l->n + b] = l->sim[(size_t)b * l->n + a] = v;
        }
}

dw_lineage *dw_lineage_load(const char *json, size_t n, char *err, size_t errlen)
{
    dw_json_doc d;
    dw_json_init(&d);
    d.max_tokens = 1u << 23;
    if (dw_json_parse(&d, json, n) != 0) {
        snprintf(err, errlen, "offset %zu: %s", d.err_off, d.err_msg);
        dw_json_free(&d);
        return NULL;
    }
    if (dw_json_type_of(&d, 0) != DW_JSON_OBJECT || d.toks[0].count == 0) {
        snprintf(err, errlen, "offset 0: expected an object of model profiles");
        dw_json_free(&d);
        return NULL;
    }
    dw_lineage *l = dw_xcalloc(1, sizeof *l);
    l->p = dw_xcalloc(d.toks[0].count, sizeof(profile));
    for (int32_t k = dw_json_first(&d, 0); k >= 0; k = dw_json_next(&d, 0, dw_json_next(&d, 0, k))) {
        int32_t v = dw_json_next(&d, 0, k);
        profile *p = &l->p[l->n];
        long len = dw_json_str(&d, k, (char[1]){0}, 0);
        p->name = dw_xmalloc((size_t)len + 1);
        dw_json_str(&d, k, p->name, (size_t)len + 1);
        l->n++;
        if (dw_json_type_of(&d, v) != DW_JSON_OBJECT) {
            snprintf(err, errlen, "offset %u: profile of \"%s\" is not an object", d.toks[v].start, p->name);
            goto fail;
        }
        for (int f = 0; f < FAMS; f++) {
            int32_t arr = dw_json_get(&d, v, FAM_KEY[f]);
            if (arr < 0) continue;
            if (dw_json_type_of(&d, arr) != DW_JSON_ARRAY) {
                snprintf(err, errlen, "offset %u: \"%s\" is not an array", d.toks[arr].start, FAM_KEY[f]);
                goto fail;
            }
            if (load_family(&d, arr, f, p, err, errlen)) goto fail;
        }
    }
    dw_json_free(&d);
    weigh(l);
    return l;
fail:
    dw_json_free(&d);
    dw_lineage_free(l);
    return NULL;
}

int dw_lineage_tree(const dw_lineage *l, dw_tree_node *nodes)
{
    int n = l->n;
    /* cluster distances, UPGMA: d(A u B, C) = (|A| d(A,C) + |B| d(B,C)) / (|A| + |B|) */
    int total = 2 * n - 1;
    double *dist = dw_xmalloc((size_t)total * total * sizeof *dist);
    bool *alive = dw_xcalloc((size_t)total, sizeof *alive);
    for (int i = 0; i < n; i++) {
        nodes[i] = (dw_tree_node){-1, -1, 0, 1};
        alive[i] = true;
        for (int j = 0; j < n; j++) dist[(size_t)i * total + j] = 1 - l->sim[(size_t)i * n + j];
    }
    int next = n;
    for (; next < total; next++) {
        int ba = -1, bb = -1;
        double best = INFINITY;
        for (int a = 0; a < next; a++) {
            if (!alive[a]) continue;
            for (int b = a + 1; b < next; b++)
                if (alive[b] && dist[(size_t)a * total + b] < best) { best = dist[(size_t)a * total + b]; ba = a; bb = b; }
        }
        if (ba < 0) break;
        nodes[next] = (dw_tree_node){ba, bb, best, nodes[ba].size + nodes[bb].size};
        alive[ba] = alive[bb] = false;
        alive[next] = true;
        for (int c = 0; c < next; c++) {
            if (!alive[c]) continue;
            double v = (nodes[ba].size * dist[(size_t)ba * total + c] + nodes[bb].size * dist[(size_t)bb * total + c]) /
                       (nodes[ba].size + nodes[bb].size);
            dist[(size_t)next * total + c] = dist[(size_t)c * total + next] = v;
        }
    }
    free(dist);
    free(alive);
    return next - 1;   /* root */
}

static void newick_rec(const dw_lineage *l, const dw_tree_node *nodes, int i, FILE *f)
{
    if (nodes[i].left < 0) {
        fputc('\'', f);
        for (const char *s = l->p[i].name; *s; s++) fputc(*s == '\'' ? '"' : *s, f);
        fputc('\'', f);
        return;
    }
    fputc('(', f);
    newick_rec(l, nodes, nodes[i].left, f);
    fputc(',', f);
    newick_rec(l, nodes, nodes[i].right, f);
    fprintf(f, "):%.3f", nodes[i].height);
}

void dw_lineage_newick(const dw_lineage *l, const dw_tree_node *nodes, int root, char **out, size_t *len)
{
    FILE *f = open_memstream(out, len);
    if (!f) abort();
    newick_rec(l, nodes, root, f);
    fputc(';', f);
    fclose(f);
}

/* does the subtree of node i contain leaf x? */
static bool contains(const dw_tree_node *nodes, int i, int x)
{
    if (i == x) return true;
    if (nodes[i].left < 0) return false;
    return contains(nodes, nodes[i].left, x) || contains(nodes, nodes[i].right, x);
}

int dw_lineage_lca_size(const dw_tree_node *nodes, int n, int a, int b)
{
    /* merges are in increasing order, so the first that holds both is the LCA */
    for (int k = n; k < 2 * n - 1; k++)
        if (contains(nodes, k, a) && contains(nodes, k, b)) return nodes[k].size;
    return a == b ? 1 : 0;
}
