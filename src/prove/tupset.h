/*
 * tupset.h -- an exact set of fixed-length token-id tuples.
 *
 * The scoring tapes ("score each window+token once"), the prompt exclusion
 * and the k-gram filter all ask "have we seen this n-gram?".  The answer must
 * be exact: a hash-only set would, on a collision, silently skip a token and
 * bias the count that the p-value rests on.  So tuples are stored in full in
 * an arena and compared on hash match.
 */
#ifndef DW_PROVE_TUPSET_H
#define DW_PROVE_TUPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dw_tupset {
    uint32_t  len;        /* tuple length */
    uint32_t *arena;      /* tuples back to back */
    size_t    n, arena_cap;
    uint32_t *slots;      /* 1 + tuple index; 0 = empty */
    size_t    mask;       /* slots - 1 (power of two) */
} dw_tupset;

void dw_tupset_init(dw_tupset *s, uint32_t len);
void dw_tupset_free(dw_tupset *s);
void dw_tupset_clear(dw_tupset *s);
/* true when t was not in the set (and is now) */
bool dw_tupset_add(dw_tupset *s, const uint32_t *t);
bool dw_tupset_has(const dw_tupset *s, const uint32_t *t);

#endif
