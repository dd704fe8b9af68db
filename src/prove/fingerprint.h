/*
 * fingerprint.h -- black-box output fingerprints: which model wrote these
 * answers?
 *
 * A model's habits show in its word choice ("delve", "Certainly!"), its
 * phrasing (word bigrams) and its formatting and spelling (character
 * n-grams: "**", ":\n\n1.", "colour").  A fingerprint is a count profile of
 * those three feature families over reference answers of one candidate
 * model; an unknown text is scored by how likely its features are under
 * each profile, relative to the pooled background of all candidates -- i.e.
 * what the text over-uses is compared with what each candidate over-uses.
 *
 * The likelihoods are those of a multinomial model with a Dirichlet prior
 * centred on the background (a candidate with little data falls back to
 * the average style, not to uniform noise).  Raw log-likelihood differences
 * grow with text length and are overconfident; a temperature fitted on held-
 * out answers (dw_fp_calibrate) turns them into calibrated probabilities.
 *
 * Features are hashed into 2^DW_FP_BITS buckets per family: collisions blur
 * a fingerprint slightly but keep memory fixed whatever the vocabulary.
 */
#ifndef DW_PROVE_FINGERPRINT_H
#define DW_PROVE_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define DW_FP_BITS 18
#define DW_FP_FAMILIES 3          /* words, word bigrams, character 4-grams */
#define DW_FP_MAX_MODELS 64

typedef struct dw_fp dw_fp;

dw_fp *dw_fp_new(void);
void dw_fp_free(dw_fp *f);

/* Add reference text for candidate `name` (created on first use).  Returns
 * the candidate index, or -1 when there are already DW_FP_MAX_MODELS. */
int dw_fp_add(dw_fp *f, const char *name, const char *text, size_t n);
int dw_fp_count(const dw_fp *f);
const char *dw_fp_name(const dw_fp *f, int i);

/* A text's features, reusable across calls. */
typedef struct dw_fp_doc {
    uint32_t *bucket;      /* family << DW_FP_BITS | bucket */
    uint32_t *count;
    size_t    n, cap;
} dw_fp_doc;
void dw_fp_doc_build(dw_fp_doc *d, const char *text, size_t n);   /* replaces content */
void dw_fp_doc_add(dw_fp_doc *d, const char *text, size_t n);     /* accumulates */
void dw_fp_doc_free(dw_fp_doc *d);

/* Per-candidate log-likelihood ratios against the background, into
 * llr[0 .. count).  Must be called after all dw_fp_add() calls. */
void dw_fp_score(dw_fp *f, const dw_fp_doc *d, double *llr);

/* Probabilities from scores with temperature T: softmax(llr / T). */
void dw_fp_probs(const double *llr, int n, double T, double *prob);

/* Fit T on labelled held-out documents by minimising the negative log-
 * likelihood of the true labels (golden-section search on log T). */
double dw_fp_calibrate(const double *llr, const int *label, int ndocs, int nmodels);

/* The features of candidate i most over-represented against the background
 * (for explanations): writes up to k human-readable strings. */
int dw_fp_top_features(dw_fp *f, int i, int k, char **out, size_t outcap);

#endif
