/*
 * lineage.h -- a family tree of models from their over-used words and
 * phrases (slop-forensics profiles).
 *
 * Fine-tunes inherit their base model's verbal tics, and models trained on
 * another's outputs inherit the teacher's.  Given one profile per model (its
 * most over-represented words, bigrams and trigrams), we measure how much two
 * models share those tics and cluster them into a tree.  A tic that every
 * model has says nothing about lineage, so features are weighted by their
 * rarity across models (inverse document frequency); the values are
 * log-damped so that one runaway word ("elara") cannot dominate.
 */
#ifndef DW_PROVE_LINEAGE_H
#define DW_PROVE_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct dw_lineage dw_lineage;

/* Parse slop_profile_results.json ({model: {top_repetitive_words: [{word,
 * score}], top_bigrams: [{ngram, frequency}], top_trigrams: [...]}}).
 * NULL with "offset N: why" on malformed input. */
dw_lineage *dw_lineage_load(const char *json, size_t n, char *err, size_t errlen);
void dw_lineage_free(dw_lineage *l);

int dw_lineage_count(const dw_lineage *l);
const char *dw_lineage_name(const dw_lineage *l, int i);

/* Similarity in [0, 1] (cosine of IDF-weighted, log-damped profiles,
 * averaged over words and bigrams; see lineage.c). */
double dw_lineage_similarity(const dw_lineage *l, int a, int b);

/* Build the tree (average linkage on 1 - similarity).  Nodes 0..n-1 are
 * the models; node n+k is the k-th merge, with children and height. */
typedef struct dw_tree_node { int left, right; double height; int size; } dw_tree_node;
int dw_lineage_tree(const dw_lineage *l, dw_tree_node *nodes /* 2n-1 */);

/* Newick text of the tree rooted at `root`. */
void dw_lineage_newick(const dw_lineage *l, const dw_tree_node *nodes, int root, char **out, size_t *len);

/* Members of the smallest clade containing both a and b (count). */
int dw_lineage_lca_size(const dw_tree_node *nodes, int n, int a, int b);

#endif
