/*
 * test_prove_input.c -- the inputs of `wm score` and the scoring rules.
 *
 * Parsing: JSONL vs plain text, field paths, errors with file:line:col,
 * filter window lists.  Scoring rules, checked on hand-made id sequences
 * where the right count can be worked out by hand: the three tapes, prompt
 * exclusion, the filter, and where scoring starts for each scheme.
 */
#include "testutil.h"

#include "distillwatch.h"
#include "prove/greenlist.h"
#include "prove/tupset.h"
#include "prove/wm_input.h"
#include "prove/wm_score.h"

typedef struct got { int n; char last[64]; char prompt[64]; uint64_t line; } got;

static int on_text(void *ud, const dw_wm_text *t)
{
    got *g = ud;
    g->n++;
    snprintf(g->last, sizeof g->last, "%.*s", (int)t->len, t->text);
    snprintf(g->prompt, sizeof g->prompt, "%.*s", t->prompt ? (int)t->plen : 0, t->prompt ? t->prompt : "");
    g->line = t->line;
    return 0;
}

static void test_jsonl_and_plain(void **state)
{
    (void)state;
    char err[256];
    got g = {0};
    const char *j = "\n{\"text\": \"a\\u00e9\", \"p\": {\"q\": \"ctx\"}}\n\n{\"text\": \"second\", \"p\": {\"q\": \"x\"}}\n";
    assert_int_equal(dw_wm_input_scan("f", j, strlen(j), "text", "p.q", on_text, &g, err, sizeof err), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.last, "second");
    assert_string_equal(g.prompt, "x");
    assert_int_equal(g.line, 4);
    memset(&g, 0, sizeof g);
    const char *plain = "  just text\n{not json}\n";
    assert_int_equal(dw_wm_input_scan("f", plain, strlen(plain), "text", NULL, on_text, &g, err, sizeof err), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(strncmp(g.last, "  just text", 11), 0);
    /* errors carry the location */
    const char *bad = "{\"text\": \"ok\"}\n{\"text\": \"unterminated}\n";
    assert_int_equal(dw_wm_input_scan("in.jsonl", bad, strlen(bad), "text", NULL, on_text, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "in.jsonl:2:"));
    const char *nofield = "{\"other\": 1}\n";
    assert_int_equal(dw_wm_input_scan("in.jsonl", nofield, strlen(nofield), "text", NULL, on_text, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "in.jsonl:1:1: no string at field \"text\""));
    const char *arr = "{\"text\": \"a\"}\n[1]\n";
    assert_int_equal(dw_wm_input_scan("in.jsonl", arr, strlen(arr), "text", NULL, on_text, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "in.jsonl:2:1: not a JSON object"));
}

typedef struct wins { int n; uint32_t last[4]; } wins;
static void on_win(void *ud, const uint32_t *w)
{
    wins *s = ud;
    s->n++;
    memcpy(s->last, w, 2 * sizeof *w);
}

static void test_windows(void **state)
{
    (void)state;
    char err[256];
    wins s = {0};
    const char *ok = "# comment\n12 34\n[5, 6]  # trailing\n\n7,8\n";
    assert_int_equal(dw_wm_parse_windows("w", ok, strlen(ok), 2, on_win, &s, err, sizeof err), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.last[0], 7);
    assert_int_equal(s.last[1], 8);
    const char *bad[] = {"1 2 3\n", "1\n", "1 x\n", "99999999999 1\n"};
    const char *where[] = {"w:1:5", "w:1:1", "w:1:3", "w:1:1"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(dw_wm_parse_windows("w", bad[i], strlen(bad[i]), 2, on_win, &s, err, sizeof err), -1);
        if (!strstr(err, where[i])) fail_msg("case %d: \"%s\" lacks %s", i, err, where[i]);
    }
}

static void test_tupset(void **state)
{
    (void)state;
    dw_tupset s;
    dw_tupset_init(&s, 3);
    uint32_t t[3];
    for (uint32_t i = 0; i < 5000; i++) {
        t[0] = i; t[1] = i * 7; t[2] = i % 13;
        assert_true(dw_tupset_add(&s, t));
    }
    for (uint32_t i = 0; i < 5000; i++) {
        t[0] = i; t[1] = i * 7; t[2] = i % 13;
        assert_false(dw_tupset_add(&s, t));
        t[2]++;
        assert_false(dw_tupset_has(&s, t));
    }
    dw_tupset_clear(&s);
    t[0] = 0; t[1] = 0; t[2] = 0;
    assert_false(dw_tupset_has(&s, t));
    dw_tupset_free(&s);
}

static dw_wm *wm_for(dw_wm_seeding sch, uint32_t ngram)
{
    dw_wm_params p;
    dw_wm_params_default(&p, sch, 100);
    p.ngram = ngram;
    char err[64];
    return dw_wm_new(&p, err, sizeof err);
}

static dw_wm_tally run(dw_wm *w, dw_wm_tape tape, const uint32_t *ids, size_t n)
{
    dw_wm_scorer *s = dw_wm_scorer_new(w, tape);
    dw_wm_tally t = {0};
    dw_wm_scorer_run(s, ids, n, &t, NULL, NULL);
    dw_wm_scorer_free(s);
    return t;
}

static void test_tapes(void **state)
{
    (void)state;
    /* 1 2 3 1 2 3 1 2 4 : with h = 2 windows (1,2) (2,3) (3,1) repeat */
    const uint32_t ids[] = {1, 2, 3, 1, 2, 3, 1, 2, 4};
    dw_wm *w = wm_for(DW_WM_LEFTHASH, 2);   /* Kirchenbauer: scoring starts at position h */
    dw_wm_scorer *s0 = dw_wm_scorer_new(w, DW_TAPE_NONE);
    assert_int_equal(dw_wm_scorer_first_pos(s0), 2);
    dw_wm_scorer_free(s0);
    dw_wm_tally t = run(w, DW_TAPE_NONE, ids, 9);
    assert_int_equal(t.positions, 7);
    assert_int_equal(t.scored, 7);
    t = run(w, DW_TAPE_V1, ids, 9);          /* unique windows: (1,2) (2,3) (3,1) */
    assert_int_equal(t.scored, 3);
    t = run(w, DW_TAPE_V2, ids, 9);          /* unique window+token: 123 231 312 124 */
    assert_int_equal(t.scored, 4);
    dw_wm_free(w);
    /* the radioactive `hash` detector starts one position later */
    w = wm_for(DW_WM_HASH, 2);
    t = run(w, DW_TAPE_NONE, ids, 9);
    assert_int_equal(t.positions, 6);
    /* prompt exclusion: windows before each prompt token */
    dw_wm_scorer *s = dw_wm_scorer_new(w, DW_TAPE_V2);
    const uint32_t prompt[] = {9, 3, 1, 2};   /* windows (9,3) (3,1); (1,2) ends the prompt: not a window */
    dw_wm_scorer_set_prompt(s, prompt, 4);
    dw_wm_tally t2 = {0};
    dw_wm_scorer_run(s, ids, 9, &t2, NULL, NULL);
    /* positions 3..8 have windows (2,3)(3,1)(1,2)(2,3)(3,1)(1,2) with tokens
     * 1,2,3,1,2,4: (3,1) is excluded; unique (window,token) left: 231 123 124 */
    assert_int_equal(t2.scored, 3);
    /* filter: only window (1,2) */
    dw_wm_scorer_set_prompt(s, NULL, 0);
    dw_wm_scorer_forget(s);
    uint32_t only[2] = {1, 2};
    dw_wm_scorer_filter_add(s, only);
    dw_wm_tally t3 = {0};
    dw_wm_scorer_run(s, ids, 9, &t3, NULL, NULL);
    assert_int_equal(t3.scored, 2);          /* 123 and 124 */
    dw_wm_scorer_free(s);
    /* a filter that is on but empty scores nothing */
    s = dw_wm_scorer_new(w, DW_TAPE_V2);
    dw_wm_scorer_filter_on(s);
    dw_wm_tally t4 = {0};
    dw_wm_scorer_run(s, ids, 9, &t4, NULL, NULL);
    assert_int_equal(t4.scored, 0);
    assert_int_equal(t4.positions, 6);
    dw_wm_scorer_free(s);
    dw_wm_free(w);
    /* selfhash: context h-1 = 3, scoring starts at position 3 */
    w = wm_for(DW_WM_SELFHASH, 4);
    t = run(w, DW_TAPE_NONE, ids, 9);
    assert_int_equal(t.positions, 6);
    dw_wm_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_and_plain),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_tupset),
        cmocka_unit_test(test_tapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
