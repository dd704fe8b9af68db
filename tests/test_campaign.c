/*
 * test_campaign.c -- the campaign stage: Leiden cuts bridges but keeps a
 * randomly-sampled campaign whole, pooling merges states correctly, a
 * synthetic hydra (own card, own address, own client per account; paraphrased
 * harness prompts; a question bank split between them) is found as one
 * campaign that alerts while it runs, a benign office is linked but is no
 * campaign, ids and bytes are reproducible, and the configuration file
 * carries the link and campaign keys.
 */
#include "testutil.h"
#include "testevent.h"
#include <math.h>
#include "pipeline/engine_int.h"
#include "campaign/cluster.h"
#include "campaign/pool.h"

#define T0 1780300800000LL /* 2026-06-01T00:00:00Z */

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t rnd(void) { return dw_test_xorshift(&rng); }

/* ---- clustering --------------------------------------------------------------- */

static void add(dw_graph *g, uint32_t a, uint32_t b, float w)
{
    int merged;
    dw_graph_add(g, a, b, w, 1, &merged);
}

static void test_leiden_cuts_bridge_keeps_random_campaign(void **state)
{
    (void)state;
    dw_graph g;
    dw_graph_init(&g);
    /* two campaigns of 60, each member tied to 8 random others of its own
     * campaign (the shape sampling gives), and one stray edge between them */
    for (uint32_t grp = 0; grp < 2; grp++)
        for (uint32_t i = 0; i < 60; i++)
            for (int k = 0; k < 8; k++) {
                uint32_t j = (uint32_t)(rnd() % 60);
                if (j != i) add(&g, grp * 60 + i, grp * 60 + j, 6.0f + (float)(rnd() % 4));
            }
    add(&g, 5, 65, 7.0f);
    uint32_t *m, *lab, nc;
    size_t n = dw_cluster_component(&g, 0, 0.25, &m, &lab, &nc);
    assert_int_equal(n, 120);
    assert_int_equal(nc, 2);
    for (size_t i = 0; i < n; i++) assert_int_equal(lab[i], m[i] < 60 ? lab[0] : lab[60]);
    assert_int_not_equal(lab[0], lab[60]);
    /* deterministic: the same graph clusters the same way */
    uint32_t *m2, *lab2, nc2;
    dw_cluster_component(&g, 77, 0.25, &m2, &lab2, &nc2);
    assert_int_equal(nc2, nc);
    assert_memory_equal(lab, lab2, n * sizeof *lab);
    free(m); free(lab); free(m2); free(lab2);
    dw_graph_free(&g);
}

/* ---- pooling ------------------------------------------------------------------------ */

static void test_pool_merges_exactly(void **state)
{
    (void)state;
    dw_account a, b;
    dw_account_init(&a);
    dw_account_init(&b);
    /* gap statistics of two accounts, and of their union computed directly */
    double ga[] = {3, 5, 7, 9}, gb[] = {20, 22, 30};
    double sum = 0, sq = 0;
    for (int i = 0; i < 4; i++) { a.gaps++; double d = ga[i] - a.gap_mean; a.gap_mean += (float)(d / a.gaps); a.gap_m2 += (float)(d * (ga[i] - a.gap_mean)); sum += ga[i]; }
    for (int i = 0; i < 3; i++) { b.gaps++; double d = gb[i] - b.gap_mean; b.gap_mean += (float)(d / b.gaps); b.gap_m2 += (float)(d * (gb[i] - b.gap_mean)); sum += gb[i]; }
    double mean = sum / 7;
    for (int i = 0; i < 4; i++) sq += (ga[i] - mean) * (ga[i] - mean);
    for (int i = 0; i < 3; i++) sq += (gb[i] - mean) * (gb[i] - mean);
    a.requests = 40; b.requests = 60;
    a.cot = 10; b.cot = 30;
    a.first_ms = T0 + 1000; a.last_ms = T0 + 5000;
    b.first_ms = T0; b.last_ms = T0 + 9000;
    for (int i = 0; i < 100; i++) dw_hll_add(&a.prompts, dw_mix64((uint64_t)i));
    for (int i = 50; i < 200; i++) dw_hll_add(&b.prompts, dw_mix64((uint64_t)i));
    /* the same prompt in both: a repeat of the campaign, not of either account */
    a.rep_fp[0] = b.rep_fp[0] = 0x0000abcdu; a.rep_cnt[0] = b.rep_cnt[0] = 1; a.rep_n = b.rep_n = 1;
    a.rep_level = b.rep_level = 0;
    dw_pool p;
    dw_pool_init(&p);
    dw_pool_add(&p, &a);
    dw_pool_add(&p, &b);
    dw_pool_done(&p);
    assert_int_equal(p.acc.requests, 100);
    assert_int_equal(p.acc.cot, 40);
    assert_int_equal(p.acc.gaps, 7);
    assert_true(fabs(p.acc.gap_mean - mean) < 1e-4);
    assert_true(fabs(p.acc.gap_m2 - sq) < 1e-2);
    assert_true(p.acc.first_ms == T0 && p.acc.last_ms == T0 + 9000);
    double u = dw_hll_count(&p.acc.prompts);
    assert_true(u > 170 && u < 235); /* the union is ~200 */
    assert_true(dw_account_repeat_share(&a) == 0 && dw_account_repeat_share(&p.acc) > 0.4);
    /* a heavy member is scaled to the campaign, not the other way round */
    dw_pool q;
    dw_pool_init(&q);
    dw_pool_add_scaled(&q, &a, 0.5);
    dw_pool_done(&q);
    assert_int_equal(q.acc.requests, 20);
    assert_int_equal(q.acc.cot, 5);
}

/* ---- a synthetic hydra through the engine --------------------------------------------- */


static const char *const harness[] = {
    "You are a meticulous reasoning assistant. Always show your complete chain of thought before the final answer. "
    "Finish with a line 'Final answer: <answer>'.",
    "You are a careful analytical thinker. Always show your complete chain of thought before the final answer. "
    "Finish with a line 'Final answer: <answer>'.",
    "You are a careful analytical thinker. Always show your complete chain of thought before the final answer. "
    "Wrap the reasoning in <think></think> tags.",
};

static void bank_item(char *out, size_t cap, uint64_t item)
{
    static const char *const who[] = {"Mara", "Olu", "Keiko", "Dmitri", "Ana", "Tomas", "Ines", "Ravi"};
    static const char *const thing[] = {"apples", "tickets", "bricks", "stamps", "coins", "marbles", "books"};
    static const char *const how[] = {"How many does she have left?", "What is the total cost in dollars?",
                                      "How many are there after a week?", "What fraction remains?"};
    snprintf(out, cap, "%s buys %llu %s at %llu dollars each and sells %llu of them to a neighbour for %llu dollars. "
                       "Later the price rises by %llu percent. %s",
             who[item % 8], (unsigned long long)(12 + item % 91), thing[(item / 8) % 7],
             (unsigned long long)(2 + item % 17), (unsigned long long)(1 + item % 9),
             (unsigned long long)(30 + item % 50), (unsigned long long)(5 + item % 20), how[(item / 56) % 4]);
}

static void person_prompt(char *out, size_t cap)
{
    static const char *const w[] = {"how", "do", "I", "fix", "my", "garden", "recipe", "email", "for", "the", "weekend",
                                    "trip", "budget", "letter", "cat", "printer", "bread", "poem", "about", "rain", "why",
                                    "is", "sky", "blue", "best", "way", "to", "learn", "guitar", "quickly", "tell"};
    size_t k = 0;
    int n = 4 + (int)(rnd() % 9);
    for (int i = 0; i < n && k + 16 < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s", i ? " " : "", w[rnd() % (sizeof w / sizeof *w)]);
    snprintf(out + k, cap - k, "?");
}

#define HYDRA 36
#define PEOPLE 600
#define ROUNDS 40

typedef struct pending { int64_t ts; int who; int r; } pending;
static int by_ts(const void *x, const void *y)
{
    const pending *a = x, *b = y;
    if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
    return a->who - b->who;
}

/* Feed a hydra of HYDRA accounts among PEOPLE ordinary users over 3 days.
 * Returns the last event time. */
static int64_t feed_world(dw_engine *e)
{
    size_t n = (size_t)(HYDRA + PEOPLE) * ROUNDS, k = 0;
    pending *p = malloc(n * sizeof *p);
    assert_non_null(p);
    for (int who = 0; who < HYDRA + PEOPLE; who++) {
        int64_t t = T0 + (int64_t)(rnd() % 43200000);
        for (int r = 0; r < ROUNDS; r++) {
            t += 300000 + (int64_t)(rnd() % 9000000);
            p[k++] = (pending){t, who, r};
        }
    }
    qsort(p, k, sizeof *p, by_ts);
    char id[32], prompt[512], ip[48], ua[64], rid[48];
    for (size_t i = 0; i < k; i++) {
        int who = p[i].who;
        int hydra = who < HYDRA;
        snprintf(id, sizeof id, hydra ? "h%03d" : "p%03d", who);
        snprintf(rid, sizeof rid, "r-%d-%d", who, p[i].r);
        dw_event ev = ev_base(id, p[i].ts);
        set(&ev.request_id, rid);
        /* everyone has an own address and an own client build */
        snprintf(ip, sizeof ip, "%d.%d.%d.%d", 20 + who % 150, who / 150 + 1, who % 251, 10 + who % 5);
        snprintf(ua, sizeof ua, "OpenAI/Python 1.%d.%d", 30 + who % 25, who % 7);
        set(&ev.client_ip, ip);
        set(&ev.user_agent, ua);
        if (hydra) {
            /* the bank is split: account m takes items m, m+N, m+2N, ... */
            bank_item(prompt, sizeof prompt, (uint64_t)who + HYDRA * (uint64_t)p[i].r);
            if (p[i].r % 5 < 2) strcat(prompt, " Show your reasoning step by step.");
            if (p[i].r % 3 == 0) set(&ev.system_prompt, harness[who % 3]);
        } else {
            person_prompt(prompt, sizeof prompt);
            if (who % 4 == 0) set(&ev.system_prompt, "You are a helpful assistant.");
            ev.user_turns = (uint16_t)(1 + p[i].r % 3);
            ev.assistant_turns = (uint16_t)(p[i].r % 3);
        }
        set(&ev.prompt, prompt);
        assert_int_equal(dw_engine_feed_event(e, &ev), 0);
    }
    int64_t last = p[k - 1].ts;
    free(p);
    return last;
}

static dw_engine *new_engine(void)
{
    char err[256];
    dw_engine *e = dw_engine_new(NULL, err, sizeof err);
    assert_non_null(e);
    return e;
}

static void test_hydra_found_and_alerted(void **state)
{
    (void)state;
    rng = 0x2545F4914F6CDD1DULL;
    dw_engine *e = new_engine();
    int64_t last = feed_world(e);
    char err[256];
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    const dw_campaign **list;
    size_t n = dw_campaigns_list(e->camps, &list);
    const dw_campaign *hydra = NULL;
    for (size_t i = 0; i < n; i++)
        if (list[i]->verdict >= DW_REVIEW) { assert_null(hydra); hydra = list[i]; }
    assert_non_null(hydra);
    /* one campaign: (nearly) the whole hydra and nobody else */
    uint32_t members = 0;
    for (uint32_t i = 0; i < hydra->n; i++) {
        assert_int_equal(e->accts.v[hydra->members[i]].id[0], 'h');
        members++;
    }
    assert_true(members >= HYDRA * 9 / 10);
    /* no account shares a card, network or client: the ties are behaviour */
    assert_true(hydra->covert_edges * 10 >= hydra->edges * 9);
    free(list);
    /* members are flagged with the campaign's reason; people are not */
    const char *dir = dw_test_tmpdir();
    assert_int_equal(dw_engine_write_outputs(e, dir, err, sizeof err), 0);
    int flagged = 0;
    for (int who = 0; who < HYDRA + PEOPLE; who++) {
        char id[16];
        snprintf(id, sizeof id, who < HYDRA ? "h%03d" : "p%03d", who);
        dw_verdict v;
        double s;
        assert_int_equal(dw_engine_lookup(e, id, &v, &s), 0);
        if (who < HYDRA) flagged += v >= DW_REVIEW;
        else assert_int_equal(v, DW_ALLOW);
    }
    assert_true(flagged >= HYDRA * 8 / 10);
    char path[512];
    snprintf(path, sizeof path, "%s/accounts.jsonl", dir);
    char *acc = dw_test_slurp(path, NULL);
    assert_non_null(acc);
    assert_non_null(strstr(acc, "\"campaign_id\":\"cmp-"));
    const char *member = strstr(acc, "member of campaign cmp-");
    assert_non_null(member);
    /* the campaign's summary is bracketed, apart from the account's own reasons */
    const char *open = strstr(member, "judged as one) [");
    assert_non_null(open);
    assert_true(open < strchr(member, '\n'));
    assert_non_null(strchr(open, ']'));
    free(acc);
    /* the campaign alert fires while the campaign runs, with its id */
    snprintf(path, sizeof path, "%s/alerts.jsonl", dir);
    char *al = dw_test_slurp(path, NULL);
    assert_non_null(al);
    char *hit = strstr(al, "\"campaign_id\":\"cmp-");
    assert_non_null(hit);
    int64_t first_campaign_alert = INT64_MAX;
    for (size_t i = 0; i < e->nalerts; i++)
        if (e->alerts[i].is_campaign && e->alerts[i].ts_ms < first_campaign_alert) first_campaign_alert = e->alerts[i].ts_ms;
    assert_true(first_campaign_alert < T0 + (last - T0) / 2);
    free(al);
    /* campaigns.json says why, in words */
    snprintf(path, sizeof path, "%s/campaigns.json", dir);
    char *cj = dw_test_slurp(path, NULL);
    assert_non_null(cj);
    assert_non_null(strstr(cj, "paraphrases, not copies"));
    assert_non_null(strstr(cj, "\"signal\":\"question_bank\""));
    assert_non_null(strstr(cj, "\"payment_fingerprints\":[]"));
    free(cj);
    dw_engine_free(e);
}

/* Same input, same bytes: ids and order do not depend on anything but the data. */
static void test_reproducible(void **state)
{
    (void)state;
    char *out[2];
    for (int run = 0; run < 2; run++) {
        rng = 0x2545F4914F6CDD1DULL;
        dw_engine *e = new_engine();
        feed_world(e);
        char err[256];
        assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
        const char *dir = dw_test_tmpdir();
        assert_int_equal(dw_engine_write_outputs(e, dir, err, sizeof err), 0);
        char path[512];
        snprintf(path, sizeof path, "%s/campaigns.json", dir);
        out[run] = dw_test_slurp(path, NULL);
        assert_non_null(out[run]);
        dw_engine_free(e);
    }
    assert_string_equal(out[0], out[1]);
    free(out[0]);
    free(out[1]);
}

/* An office: ten colleagues, one company card, one office address, one
 * support-bot system prompt, ordinary questions.  One operator -- and no
 * campaign. */
static void test_office_is_no_campaign(void **state)
{
    (void)state;
    rng = 0x1234567ULL;
    char err[256];
    dw_engine *e = new_engine();
    const char *dir = dw_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/acc.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int u = 0; u < 60; u++)
        fprintf(f, "{\"account_id\":\"%s%02d\",\"payment_fingerprint\":\"%s%02d\"}\n", u < 10 ? "office" : "other", u,
                u < 10 ? "pf_corp" : "pf_own", u < 10 ? 0 : u);
    fclose(f);
    assert_int_equal(dw_engine_load_accounts(e, path, err, sizeof err), 0);
    char id[32], prompt[256], ip[32];
    for (int r = 0; r < 40; r++)
        for (int u = 0; u < 60; u++) {
            snprintf(id, sizeof id, "%s%02d", u < 10 ? "office" : "other", u);
            person_prompt(prompt, sizeof prompt);
            snprintf(ip, sizeof ip, u < 10 ? "203.0.113.%d" : "77.%d.0.1", u < 10 ? 9 : u);
            dw_event ev = ev_base(id, T0 + (int64_t)r * 2700000 + (int64_t)(rnd() % 2000000));
            set(&ev.prompt, prompt);
            set(&ev.client_ip, ip);
            if (u < 10) set(&ev.system_prompt, "You are the internal support assistant of Northwind Traders. Answer questions about "
                                                "our products, orders and shipping politely and briefly.");
            ev.user_turns = (uint16_t)(1 + r % 2);
            ev.assistant_turns = (uint16_t)(r % 2);
            assert_int_equal(dw_engine_feed_event(e, &ev), 0);
        }
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    /* linked: one operator */
    assert_true(dw_campaigns_graph(e->camps)->ne >= 9);
    const dw_campaign **list;
    size_t n = dw_campaigns_list(e->camps, &list);
    assert_true(n >= 1);
    for (size_t i = 0; i < n; i++) assert_int_equal(list[i]->verdict, DW_ALLOW);
    free(list);
    assert_int_equal(dw_engine_write_outputs(e, dir, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/campaigns.json", dir);
    char *cj = dw_test_slurp(path, NULL);
    assert_non_null(cj);
    assert_string_equal(cj, "{\"campaigns\":[]}\n");
    free(cj);
    for (int u = 0; u < 10; u++) {
        snprintf(id, sizeof id, "office%02d", u);
        dw_verdict v;
        assert_int_equal(dw_engine_lookup(e, id, &v, NULL), 0);
        assert_int_equal(v, DW_ALLOW);
    }
    dw_engine_free(e);
}

static void test_config_keys(void **state)
{
    (void)state;
    if (access("config/distillwatch.conf", R_OK) != 0) skip();
    dw_config *def = dw_config_new(), *file = dw_config_new();
    file->link_enabled = 0;
    file->link_kind_min = file->link_kind_cap = file->link_edge_min = -1;
    file->link_min_kinds = -1;
    file->campaign_resolution = -1;
    file->campaign_min_accounts = -1;
    char err[256];
    assert_int_equal(dw_config_load(file, "config/distillwatch.conf", err, sizeof err), 0);
    assert_true(file->link_enabled == def->link_enabled && file->link_kind_min == def->link_kind_min);
    assert_true(file->link_kind_cap == def->link_kind_cap && file->link_edge_min == def->link_edge_min);
    assert_true(file->link_min_kinds == def->link_min_kinds && file->campaign_resolution == def->campaign_resolution);
    assert_true(file->campaign_min_accounts == def->campaign_min_accounts);
    static const dw_signal_id coord[] = {S_CAMPAIGN, S_COORDINATED, S_DISGUISE};
    for (size_t i = 0; i < 3; i++) assert_int_equal(dw_signal_group(coord[i]), DW_G_COORD);
    /* a typo in the new sections is an error, not a silent default */
    const char *dir = dw_test_tmpdir();
    assert_int_equal(dw_config_load(def, dw_test_write(dir, "link.conf", "[link]\nedge_mni = 3\n"), err, sizeof err), -1);
    assert_int_equal(dw_config_load(def, dw_test_write(dir, "link.conf", "[campaign]\nmin_accounts = 1\n"), err, sizeof err),
                     -1);
    dw_config_free(def);
    dw_config_free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leiden_cuts_bridge_keeps_random_campaign),
        cmocka_unit_test(test_pool_merges_exactly),
        cmocka_unit_test(test_hydra_found_and_alerted),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_office_is_no_campaign),
        cmocka_unit_test(test_config_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
