/*
 * graph.h -- the weighted account graph the link stage builds.
 *
 * Edges arrive one at a time (a pair judged to be one operator, with its
 * weight in nats); the same pair may be judged again later with more
 * evidence, so an edge keeps its largest weight.  Components are tracked
 * with union-find as edges arrive, and each component's members are kept on
 * a circular list (splicing two circles is O(1)), so the campaign stage can
 * enumerate one component without scanning every account.  Adjacency is
 * threaded through the edges themselves (two next-pointers per edge), which
 * costs no per-account allocation.
 */
#ifndef DW_CAMPAIGN_GRAPH_H
#define DW_CAMPAIGN_GRAPH_H

#include <stddef.h>
#include <stdint.h>

typedef struct dw_gedge {
    uint32_t a, b;          /* a < b */
    float w;
    uint16_t mask;          /* link kinds that counted */
    uint16_t pad_;
    uint32_t next_a, next_b; /* next edge at a / at b (UINT32_MAX ends) */
} dw_gedge;

typedef struct dw_graph {
    dw_gedge *e;
    uint32_t ne, ecap;
    uint32_t *emap;         /* open addressing: pair -> edge index + 1 */
    uint32_t emap_cap;
    uint32_t n;             /* vertices (accounts) covered */
    uint32_t *head;         /* first edge per vertex */
    uint32_t *parent, *size, *ring;  /* union-find; ring = next member in the component circle */
    uint32_t vcap;
} dw_graph;

void dw_graph_init(dw_graph *g);
void dw_graph_free(dw_graph *g);
void dw_graph_clear(dw_graph *g);
/* Make sure vertices 0..n-1 exist. */
void dw_graph_reserve(dw_graph *g, uint32_t n);
/* Add or strengthen edge (a, b).  Returns 1 when the edge is new, and sets
 * *merged when it joined two components. */
int dw_graph_add(dw_graph *g, uint32_t a, uint32_t b, float w, uint16_t mask, int *merged);
uint32_t dw_graph_find(dw_graph *g, uint32_t v);
/* Degree-like facts about vertex v: edges, total weight. */
uint32_t dw_graph_degree(const dw_graph *g, uint32_t v, double *strength);
size_t dw_graph_memory(const dw_graph *g);

#endif
