/*
 * test_prove_attr.c -- output fingerprints and the lineage tree.
 *
 * Synthetic checks first (they need nothing from ../shared and pin the
 * behaviour): two "models" with different habits are told apart, a
 * calibrated temperature makes confidence track accuracy, and a lineage
 * built from hand-made profiles groups the models that share tics.  Then the
 * measurements on the real data, as floors well below what we measured
 * (docs/provenance.md) but well above chance.
 */
#include <math.h>

#include "testutil.h"

#include "prove/attr_eval.h"
#include "prove/fingerprint.h"
#include "prove/lineage.h"
#include "prove/lineage_eval.h"
#include "prove/ngram_lm.h"
#include "prove/wm_input.h"

/* A synthetic answer: common words plus a model's habits at a given rate. */
static void synth(char *out, size_t cap, dw_rng *r, const char *const *habits, int nh, double rate)
{
    static const char *common[] = {"the", "a", "to", "of", "and", "is", "in", "that", "it", "for", "you", "this",
                                   "with", "on", "are", "be", "can", "as", "data", "function", "value", "example"};
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < 120 && n + 32 < cap; i++) {
        const char *w = dw_rng_unif(r) < rate ? habits[dw_rng_next(r) % (uint64_t)nh]
                                              : common[dw_rng_next(r) % (sizeof common / sizeof common[0])];
        n += (size_t)snprintf(out + n, cap - n, "%s ", w);
    }
}

static void test_synthetic_attribution(void **state)
{
    (void)state;
    static const char *ha[] = {"delve", "tapestry", "Certainly!", "crucial"};
    static const char *hb[] = {"basically", "gonna", "stuff", "kinda"};
    static const char *hc[] = {"moreover", "henceforth", "notwithstanding", "whereas"};
    const char *const *habits[3] = {ha, hb, hc};
    dw_rng r;
    dw_rng_seed(&r, 5);
    static char texts[600][1200];
    dw_attr_doc docs[600];
    for (int i = 0; i < 600; i++) {
        int m = i % 3;
        synth(texts[i], sizeof texts[i], &r, habits[m], 4, 0.03);
        docs[i] = (dw_attr_doc){m, i / 3, texts[i], strlen(texts[i])};
    }
    const char *names[3] = {"a", "b", "c"};
    dw_attr_report rep;
    assert_int_equal(dw_attr_evaluate(docs, 600, 3, names, 5, &rep), 0);
    assert_int_equal(rep.ntest, 300);
    double acc = (double)rep.correct / rep.ntest;
    print_message("synthetic: accuracy %.3f, confidence %.3f, ECE %.3f, groups %.3f\n", acc, rep.mean_confidence,
                  rep.ece, (double)rep.groups_correct / rep.ngroups);
    assert_true(acc > 0.8);
    assert_true(fabs(rep.mean_confidence - acc) < 0.1);     /* calibrated */
    assert_true(rep.groups_correct >= rep.ngroups * 0.95);
    int diag = 0;
    for (int m = 0; m < 3; m++) diag += rep.confusion[m][m];
    assert_int_equal(diag, rep.correct);
}

static void test_fingerprint_explains(void **state)
{
    (void)state;
    dw_fp *f = dw_fp_new();
    for (int i = 0; i < 30; i++) {
        dw_fp_add(f, "x", "let us delve into the rich tapestry of ideas", 44);
        dw_fp_add(f, "y", "ok so basically the stuff is kinda simple", 41);
    }
    char buf[8][64];
    char *out[8];
    for (int i = 0; i < 8; i++) out[i] = buf[i];
    int n = dw_fp_top_features(f, 0, 8, out, 64);
    assert_int_equal(n, 8);
    /* every explanation is one of x's own words or bigrams, none of y's */
    const char *xs = " let us delve into the rich tapestry of ideas ";
    for (int i = 0; i < n; i++) {
        char pat[600];
        snprintf(pat, sizeof pat, " %s ", buf[i]);
        if (!strstr(xs, pat)) fail_msg("feature \"%s\" is not x's", buf[i]);
    }
    dw_fp_doc d = {0};
    dw_fp_doc_build(&d, "we delve into a tapestry", 24);
    double s[2];
    dw_fp_score(f, &d, s);
    assert_true(s[0] > s[1]);
    double p[2];
    dw_fp_probs(s, 2, 1.0, p);
    assert_true(fabs(p[0] + p[1] - 1) < 1e-12);
    dw_fp_doc_free(&d);
    dw_fp_free(f);
}

static void test_lineage_synthetic(void **state)
{
    (void)state;
    const char *json =
        "{\"base\": {\"top_repetitive_words\": [{\"word\": \"elara\", \"score\": 90}, {\"word\": \"whisper\", \"score\": 40}],"
        "            \"top_bigrams\": [{\"ngram\": \"voice barely\", \"frequency\": 9}]},"
        " \"finetune\": {\"top_repetitive_words\": [{\"word\": \"elara\", \"score\": 70}, {\"word\": \"whisper\", \"score\": 50}, {\"word\": \"grin\", \"score\": 5}],"
        "            \"top_bigrams\": [{\"ngram\": \"voice barely\", \"frequency\": 7}]},"
        " \"other\": {\"top_repetitive_words\": [{\"word\": \"delve\", \"score\": 80}, {\"word\": \"tapestry\", \"score\": 60}],"
        "            \"top_bigrams\": [{\"ngram\": \"rich tapestry\", \"frequency\": 5}]},"
        " \"cousin\": {\"top_repetitive_words\": [{\"word\": \"delve\", \"score\": 60}, {\"word\": \"crucial\", \"score\": 30}],"
        "            \"top_bigrams\": [{\"ngram\": \"rich tapestry\", \"frequency\": 2}]}}";
    char err[256];
    dw_lineage *l = dw_lineage_load(json, strlen(json), err, sizeof err);
    assert_non_null(l);
    assert_int_equal(dw_lineage_count(l), 4);
    dw_tree_node nodes[7];
    int root = dw_lineage_tree(l, nodes);
    assert_int_equal(nodes[root].size, 4);
    assert_int_equal(dw_lineage_lca_size(nodes, 4, 0, 1), 2);   /* base + finetune first */
    assert_int_equal(dw_lineage_lca_size(nodes, 4, 2, 3), 2);
    assert_int_equal(dw_lineage_nearest(l, 0), 1);
    char *nw;
    size_t nl;
    dw_lineage_newick(l, nodes, root, &nw, &nl);
    assert_non_null(strstr(nw, "'finetune'"));
    free(nw);
    dw_lineage_free(l);
    /* malformed profiles are refused with an offset */
    const char *bad[] = {"[]", "{\"m\": 3}", "{\"m\": {\"top_bigrams\": [{\"ngram\": 1}]}}", "{\"m\": {"};
    for (size_t i = 0; i < 4; i++) {
        l = dw_lineage_load(bad[i], strlen(bad[i]), err, sizeof err);
        assert_null(l);
        assert_non_null(strstr(err, "offset"));
    }
}

static void test_lineage_real(void **state)
{
    (void)state;
    const char *p = dw_test_shared("provenance/slop-forensics/slop_profile_results.json");
    if (!p) skip();
    size_t n = 0;
    char *buf = dw_test_slurp(p, &n);
    char err[256];
    dw_lineage *l = dw_lineage_load(buf, n, err, sizeof err);
    free(buf);
    assert_non_null(l);
    int m = dw_lineage_count(l);
    assert_int_equal(m, 38);
    dw_tree_node *nodes = calloc((size_t)(2 * m), sizeof *nodes);
    dw_lineage_tree(l, nodes);
    dw_lineage_report r;
    dw_lineage_check(l, nodes, &r);
    print_message("known pairs recovered: %d of %d\n", r.pairs_recovered, r.pairs);
    assert_int_equal(r.pairs, 59);
    assert_true(r.pairs_recovered >= 12);
    /* the Llama 3.x sizes form their own clade; two thirds of the family
     * members' nearest neighbours are in their family (measured: 17 of 23) */
    int nn = 0, members = 0;
    for (int f = 0; f < DW_LINEAGE_FAMILIES; f++) {
        if (!strcmp(r.fam[f].family, "llama3")) assert_int_equal(r.fam[f].clade_size, r.fam[f].members);
        nn += r.fam[f].nn_in_family;
        members += r.fam[f].members;
    }
    assert_true(nn * 3 >= members * 2);
    free(nodes);
    dw_lineage_free(l);
}

typedef struct arena_ctx { dw_attr_doc *docs; size_t n; int model; } arena_ctx;

static int arena_text(void *ud, const dw_wm_text *t)
{
    arena_ctx *c = ud;
    char *copy = malloc(t->len + 1);
    memcpy(copy, t->text, t->len);
    c->docs[c->n] = (dw_attr_doc){c->model, (int)(t->line - 1), copy, t->len};
    c->n++;
    return 0;
}

/* Held-out attribution on arena-hard (answers are in the same prompt order
 * in the three files, so the line number is the prompt index). */
static void test_arena_attribution(void **state)
{
    (void)state;
    const char *models[3] = {"gpt-3.5-turbo-0125", "gpt-4-0314", "gpt-4-0613"};
    arena_ctx c = {calloc(1500, sizeof(dw_attr_doc)), 0, 0};
    for (int m = 0; m < 3; m++) {
        char rel[256];
        snprintf(rel, sizeof rel, "corpora/arena-hard-v0.1/model_answer/%s.jsonl", models[m]);
        const char *p = dw_test_shared(rel);
        if (!p) { for (size_t i = 0; i < c.n; i++) free((char *)c.docs[i].text); free(c.docs); skip(); }
        size_t n = 0;
        char *buf = dw_test_slurp(p, &n);
        char err[256];
        c.model = m;
        assert_int_equal(dw_wm_input_scan(p, buf, n, "messages.1.content.answer", NULL, arena_text, &c, err, sizeof err), 0);
        free(buf);
    }
    assert_int_equal(c.n, 1500);
    dw_attr_report r;
    dw_attr_evaluate(c.docs, c.n, 3, models, 5, &r);
    double acc = (double)r.correct / r.ntest;
    print_message("arena-hard held-out: accuracy %.3f (chance 0.333), ECE %.3f, groups of 5: %.3f\n", acc, r.ece,
                  (double)r.groups_correct / r.ngroups);
    assert_int_equal(r.ntest, 750);
    assert_true(acc > 0.45);
    assert_true(r.ece < 0.1);
    assert_true(r.groups_correct > r.ngroups * 0.6);
    for (size_t i = 0; i < c.n; i++) free((char *)c.docs[i].text);
    free(c.docs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synthetic_attribution),
        cmocka_unit_test(test_fingerprint_explains),
        cmocka_unit_test(test_lineage_synthetic),
        cmocka_unit_test(test_lineage_real),
        cmocka_unit_test(test_arena_attribution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
