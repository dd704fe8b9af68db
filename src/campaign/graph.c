/* graph.c -- edge set, threaded adjacency, union-find with member circles (see graph.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "campaign/graph.h"
#include "common/util.h"

#define NONE UINT32_MAX

void dw_graph_init(dw_graph *g)
{
    memset(g, 0, sizeof *g);
    g->emap_cap = 1024;
    g->emap = dw_xcalloc(g->emap_cap, sizeof *g->emap);
}

void dw_graph_free(dw_graph *g)
{
    free(g->e);
    free(g->emap);
    free(g->head);
    free(g->parent);
    free(g->size);
    free(g->ring);
    memset(g, 0, sizeof *g);
}

void dw_graph_clear(dw_graph *g)
{
    dw_graph_free(g);
    dw_graph_init(g);
}

void dw_graph_reserve(dw_graph *g, uint32_t n)
{
    if (n > g->vcap) {
        uint32_t nc = g->vcap ? g->vcap : 1024;
        while (nc < n) nc *= 2;
        g->head = dw_xrealloc(g->head, nc * sizeof *g->head);
        g->parent = dw_xrealloc(g->parent, nc * sizeof *g->parent);
        g->size = dw_xrealloc(g->size, nc * sizeof *g->size);
        g->ring = dw_xrealloc(g->ring, nc * sizeof *g->ring);
        g->vcap = nc;
    }
    for (uint32_t v = g->n; v < n; v++) {
        g->head[v] = NONE;
        g->parent[v] = v;
        g->size[v] = 1;
        g->ring[v] = v;
    }
    if (n > g->n) g->n = n;
}

static inline uint64_t pair_key(uint32_t a, uint32_t b) { return ((uint64_t)a << 32) | b; }

static inline uint32_t pair_slot(const dw_graph *g, uint64_t k)
{
    k ^= k >> 29; k *= 0xbf58476d1ce4e5b9ULL; k ^= k >> 32;
    return (uint32_t)k & (g->emap_cap - 1);
}

static uint32_t find_edge(const dw_graph *g, uint32_t a, uint32_t b)
{
    uint64_t k = pair_key(a, b);
    for (uint32_t i = pair_slot(g, k);; i = (i + 1) & (g->emap_cap - 1)) {
        uint32_t r = g->emap[i];
        if (!r) return NONE;
        if (pair_key(g->e[r - 1].a, g->e[r - 1].b) == k) return r - 1;
    }
}

static void put_edge(dw_graph *g, uint32_t idx)
{
    uint32_t i = pair_slot(g, pair_key(g->e[idx].a, g->e[idx].b));
    while (g->emap[i]) i = (i + 1) & (g->emap_cap - 1);
    g->emap[i] = idx + 1;
}

uint32_t dw_graph_find(dw_graph *g, uint32_t v)
{
    while (g->parent[v] != v) {
        g->parent[v] = g->parent[g->parent[v]];
        v = g->parent[v];
    }
    return v;
}

int dw_graph_add(dw_graph *g, uint32_t a, uint32_t b, float w, uint16_t mask, int *merged)
{
    *merged = 0;
    if (a == b) return 0;
    if (a > b) { uint32_t t = a; a = b; b = t; }
    dw_graph_reserve(g, b + 1);
    uint32_t have = find_edge(g, a, b);
    if (have != NONE) {
        if (w > g->e[have].w) g->e[have].w = w;
        g->e[have].mask |= mask;
        return 0;
    }
    if ((g->ne + 1) * 2 > g->emap_cap) {
        free(g->emap);
        g->emap_cap *= 2;
        g->emap = dw_xcalloc(g->emap_cap, sizeof *g->emap);
        for (uint32_t i = 0; i < g->ne; i++) put_edge(g, i);
    }
    if (g->ne == g->ecap) {
        g->ecap = g->ecap ? g->ecap * 2 : 1024;
        g->e = dw_xrealloc(g->e, g->ecap * sizeof *g->e);
    }
    uint32_t idx = g->ne++;
    dw_gedge *e = &g->e[idx];
    e->a = a;
    e->b = b;
    e->w = w;
    e->mask = mask;
    e->pad_ = 0;
    e->next_a = g->head[a];
    e->next_b = g->head[b];
    g->head[a] = g->head[b] = idx;
    put_edge(g, idx);
    uint32_t ra = dw_graph_find(g, a), rb = dw_graph_find(g, b);
    if (ra != rb) {
        /* union by size; the smaller index wins ties so results are order-free */
        if (g->size[ra] < g->size[rb] || (g->size[ra] == g->size[rb] && rb < ra)) { uint32_t t = ra; ra = rb; rb = t; }
        g->parent[rb] = ra;
        g->size[ra] += g->size[rb];
        uint32_t t = g->ring[ra];
        g->ring[ra] = g->ring[rb];
        g->ring[rb] = t;
        *merged = 1;
    }
    return 1;
}

uint32_t dw_graph_degree(const dw_graph *g, uint32_t v, double *strength)
{
    uint32_t d = 0;
    double s = 0;
    if (v < g->n)
        for (uint32_t i = g->head[v]; i != NONE; i = g->e[i].a == v ? g->e[i].next_a : g->e[i].next_b) {
            d++;
            s += g->e[i].w;
        }
    if (strength) *strength = s;
    return d;
}

size_t dw_graph_memory(const dw_graph *g)
{
    return (size_t)g->ecap * sizeof *g->e + (size_t)g->emap_cap * sizeof *g->emap +
           (size_t)g->vcap * 4 * sizeof(uint32_t);
}
