/*
 * lineage_eval.h -- check a lineage tree against lineage that is known from
 * the models' public model cards.
 */
#ifndef DW_PROVE_LINEAGE_EVAL_H
#define DW_PROVE_LINEAGE_EVAL_H

#include "prove/lineage.h"

#define DW_LINEAGE_FAMILIES 4

typedef struct dw_lineage_family_score {
    const char *family;
    int members;          /* family members present in the profiles */
    int pairs;            /* within-family pairs */
    int pairs_recovered;  /* pairs whose smallest common clade holds only the family */
    int nn_in_family;     /* members whose most similar model is in the family */
    int clade_size;       /* size of the smallest clade holding every member */
} dw_lineage_family_score;

typedef struct dw_lineage_report {
    dw_lineage_family_score fam[DW_LINEAGE_FAMILIES];
    int pairs, pairs_recovered;
} dw_lineage_report;

/* Family of a model name per the known-lineage table, or NULL. */
const char *dw_lineage_known_family(const char *model);

void dw_lineage_check(const dw_lineage *l, const dw_tree_node *nodes, dw_lineage_report *r);

/* Leaves of the smallest clade containing model i and at least one other
 * model: writes indices to out (capacity n), returns the count. */
int dw_lineage_sibling_clade(const dw_tree_node *nodes, int n, int i, int *out);

/* The most similar other model. */
int dw_lineage_nearest(const dw_lineage *l, int i);

#endif
