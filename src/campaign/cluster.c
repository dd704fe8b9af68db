/* cluster.c -- Leiden over one component (see cluster.h for the method). */
#include <igraph.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/cluster.h"
#include "common/util.h"

#define NONE UINT32_MAX
#define SEED 0x5eedu

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

typedef struct ledge { uint32_t i, j; double w; } ledge;

static int cmp_ledge(const void *x, const void *y)
{
    const ledge *a = x, *b = y;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return a->j < b->j ? -1 : a->j > b->j;
}

static uint32_t local_of(const uint32_t *m, size_t n, uint32_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && m[lo] == v ? (uint32_t)lo : NONE;
}

static void igraph_quiet(void)
{
    static int done;
    if (!done) {
        igraph_set_error_handler(igraph_error_handler_printignore);
        igraph_set_warning_handler(igraph_warning_handler_ignore);
        done = 1;
    }
}

size_t dw_cluster_component(dw_graph *g, uint32_t v, double resolution, uint32_t **members, uint32_t **labels,
                            uint32_t *ncomm)
{
    uint32_t root = dw_graph_find(g, v);
    size_t n = g->size[root];
    uint32_t *m = dw_xmalloc(n * sizeof *m);
    size_t k = 0;
    uint32_t x = root;
    do { m[k++] = x; x = g->ring[x]; } while (x != root && k < n);
    n = k;
    qsort(m, n, sizeof *m, cmp_u32);
    uint32_t *lab = dw_xmalloc(n * sizeof *lab);
    for (size_t i = 0; i < n; i++) lab[i] = 0;
    *members = m;
    *labels = lab;
    *ncomm = n ? 1 : 0;
    if (n < 4) return n;

    /* the component's edges, each once, in (i, j) order */
    size_t ne = 0, ecap = 64;
    ledge *es = dw_xmalloc(ecap * sizeof *es);
    for (size_t i = 0; i < n; i++) {
        uint32_t a = m[i];
        for (uint32_t ei = g->head[a]; ei != NONE; ei = g->e[ei].a == a ? g->e[ei].next_a : g->e[ei].next_b) {
            const dw_gedge *e = &g->e[ei];
            if (e->a != a) continue;
            uint32_t j = local_of(m, n, e->b);
            if (j == NONE) continue;
            if (ne == ecap) {
                ecap *= 2;
                es = dw_xrealloc(es, ecap * sizeof *es);
            }
            es[ne++] = (ledge){(uint32_t)i, j, e->w};
        }
    }
    qsort(es, ne, sizeof *es, cmp_ledge);

    igraph_quiet();
    igraph_t graph;
    igraph_vector_int_t ev;
    igraph_vector_t w, nw;
    igraph_vector_int_t memb;
    igraph_vector_int_init(&ev, (igraph_integer_t)(2 * ne));
    igraph_vector_init(&w, (igraph_integer_t)ne);
    igraph_vector_init(&nw, (igraph_integer_t)n);
    double twice_m = 0;
    for (size_t i = 0; i < ne; i++) {
        VECTOR(ev)[2 * i] = es[i].i;
        VECTOR(ev)[2 * i + 1] = es[i].j;
        VECTOR(w)[i] = es[i].w;
        VECTOR(nw)[es[i].i] += es[i].w;
        VECTOR(nw)[es[i].j] += es[i].w;
        twice_m += 2 * es[i].w;
    }
    free(es);
    igraph_vector_int_init(&memb, (igraph_integer_t)n);
    igraph_integer_t nb = 0;
    igraph_real_t quality = 0;
    int created = igraph_create(&graph, &ev, (igraph_integer_t)n, IGRAPH_UNDIRECTED) == IGRAPH_SUCCESS;
    int ok = created;
    if (ok && twice_m > 0) {
        igraph_rng_seed(igraph_rng_default(), SEED);
        /* modularity: node weights are strengths, resolution gamma / 2m */
        ok = igraph_community_leiden(&graph, &w, &nw, resolution / twice_m, 0.01, 0, -1, &memb, &nb, &quality) ==
             IGRAPH_SUCCESS;
    }
    if (ok && twice_m > 0) {
        /* renumber communities by their smallest member: labels do not
         * depend on igraph's internal numbering */
        uint32_t *map = dw_xmalloc((size_t)(nb > 0 ? nb : 1) * sizeof *map);
        for (igraph_integer_t c = 0; c < nb; c++) map[c] = NONE;
        uint32_t next = 0;
        for (size_t i = 0; i < n; i++) {
            igraph_integer_t c = VECTOR(memb)[i];
            if (c < 0 || c >= nb) c = 0;
            if (map[c] == NONE) map[c] = next++;
            lab[i] = map[c];
        }
        *ncomm = next;
        free(map);
    }
    if (created) igraph_destroy(&graph);
    igraph_vector_int_destroy(&ev);
    igraph_vector_destroy(&w);
    igraph_vector_destroy(&nw);
    igraph_vector_int_destroy(&memb);
    return n;
}
