/*
 * class_workload.c -- legitimate heavy users: enterprise batch jobs,
 * evaluation harnesses, a researcher collecting reasoning, and resellers.
 *
 * Each of these sends more than a whole campaign account does, from cloud
 * addresses, with templates, often at machine pace, some of them asking for
 * step-by-step reasoning or rubric grading, and the evaluation harnesses
 * rerun everything on a new model within hours of its release.  They are
 * here so that volume, templating, "think step by step", datacenter ASNs and
 * a fast pivot each have a legitimate owner.  What differs is organisation:
 * one account (or one reseller with many end users), one card, items that
 * repeat (benchmarks are rerun, a researcher samples each item several
 * times), and no effort spent looking like many small users.
 */
#include <stdio.h>
#include <string.h>

#include "sim/actor.h"
#include "sim/clock.h"
#include "sim/pacing.h"
#include "sim/text.h"

/* Public benchmarks are the same for every lab that runs them. */
#define BENCH_SEED 0xBE7C4A11ULL
enum { B_MC = 0, B_MATH, B_HARD, B_JUDGE };

static void business_identity(dws_world *w, dws_account *a, dws_rng *r, const char *program)
{
    static const char *const cc[] = {"US", "US", "US", "GB", "DE", "FR", "CA", "NL", "JP", "SG"};
    dws_acct_person(w, a, r, dws_country_by_code(DWS_PICK(r, cc)));
    dws_email_company(r, a->email, sizeof a->email);
    a->program = program;
    a->verified = true;
    dws_acct_created(w, a, dws_rng_lognormal(r, 300, 0.5));
    a->nkeys = 2 + (int)dws_rng_below(r, 3);
    a->mobile = 0;
    a->v6 = 0;
}

/* A few egress addresses of a company's cloud account (NAT gateways). */
static void cloud_egress(const dws_account *a, int which, dws_ip *out)
{
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0xC10D, 0);
    dws_ip base;
    dws_ip_new(&r, a->country, DWS_NET_CLOUD, false, &base);
    if (!which) { *out = base; return; }
    dws_rng_derive(&r, a->seed, 0xC10E, (uint64_t)which);
    dws_ip_new(&r, a->country, DWS_NET_CLOUD, false, out);
    out->asn = base.asn;
    memcpy(out->b, base.b, 2);  /* same provider block */
}

static void push(dws_world *w, uint32_t acct, int64_t ts, uint32_t item, uint8_t kind, uint8_t model, uint64_t conv,
                 uint16_t turn)
{
    dws_event e = {.ts = ts, .conv = conv, .acct = acct, .item = item, .turn = turn, .kind = kind, .model = model};
    dws_world_push(w, &e);
}

/* ---- enterprise batch jobs ---------------------------------------------------- */

static void batch_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    for (int i = 0; i < k->per_group; i++) {
        dws_account *a = dws_world_add_account(w, cls, 0, i);
        dws_rng r;
        dws_rng_seed(&r, a->seed);
        business_identity(w, a, &r, "standard");
        dws_sdk_family(&r, DWS_SDK_PY, &a->sdk);
        a->sdk.async_ = 1;
        a->sdk.os = 0;
    }
}

static void batch_schedule(dws_world *w, uint32_t acct)
{
    const dws_account *a = &w->acc[acct];
    const dws_class_cfg *k = &w->sc->cls[DWS_BATCH];
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0xBA7C, 0);
    int jobs = 1 + (int)dws_rng_poisson(&r, w->sc->days / 5.0);
    int model = dws_rng_chance(&r, 0.5) ? DWS_M_MINI : DWS_M_LARGE;
    for (int j = 0; j < jobs; j++) {
        int d = (int)dws_rng_below(&r, (uint64_t)w->sc->days);
        /* nightly runs or business hours */
        int64_t start = dws_local_midnight(w, d, a->tz_min) +
                        (int64_t)((dws_rng_chance(&r, 0.6) ? 1 + dws_rng_unif(&r) * 3 : 9 + dws_rng_unif(&r) * 7) *
                                  DWS_MS_PER_HOUR);
        uint32_t n = (uint32_t)(k->size * dws_rng_lognormal(&r, 1.0, 0.4));
        double rate = 4 + dws_rng_unif(&r) * 12;  /* requests per second */
        int64_t t = start;
        uint32_t first = (uint32_t)dws_rng_below(&r, 1u << 30);
        for (uint32_t i = 0; i < n; i++) {
            push(w, acct, t, first + i, 0, (uint8_t)model, dws_mix64(a->seed + j), 0);
            t += (int64_t)(dws_rng_exp(&r, 1000.0 / rate)) + 1;
        }
    }
}

static void batch_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0xBA7D, e->item);
    int job = (int)(a->seed % DWS_BATCH_JOBS);
    q->model = e->model;
    q->temperature = 0;
    q->max_tokens = 256;
    q->json_mode = job == 1;
    dw_buf_puts(&q->sys, dws_text_batch_instruction(job));
    dws_text_batch_record(&r, job, dws_req_msg(q, "user"));
    dws_text_batch_answer(&r, job, &q->answer);
    q->completion_tokens = (int)(q->answer.len / 4) + 2;
    q->sdk = a->sdk;
    q->key = 1;
    if (dws_rng_chance(&r, 0.02)) q->status = 429;
    cloud_egress(a, (int)(e->item % 2), &q->ip);
}

const dws_class_impl dws_impl_batch = {batch_populate, batch_schedule, batch_compose};

/* ---- evaluation harnesses ----------------------------------------------------- */

static void eval_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    for (int i = 0; i < k->per_group; i++) {
        dws_account *a = dws_world_add_account(w, cls, 0, i);
        dws_rng r;
        dws_rng_seed(&r, a->seed);
        business_identity(w, a, &r, dws_rng_chance(&r, 0.5) ? "research" : "startup");
        dws_sdk_family(&r, DWS_SDK_PY, &a->sdk);
        a->sdk.async_ = 1;
        a->sdk.os = 0;
        a->sdk.arch = 0;
    }
}

static void eval_run(dws_world *w, uint32_t acct, dws_rng *r, int64_t start, int model, int size)
{
    /* A suite: multiple choice, math word problems, and hard open prompts
     * each followed by an LLM-as-judge grading call. */
    double conc = 16 + dws_rng_below(r, 112);
    double rate = conc / 9.0;  /* requests per second at ~9 s latency */
    int64_t t = start;
    uint64_t run = dws_rng_u64(r);
    int n_mc = size * 2 / 5, n_math = size * 2 / 5, n_hard = size - n_mc - n_math;
    for (int i = 0; i < n_mc; i++, t += (int64_t)dws_rng_exp(r, 1000.0 / rate) + 1)
        push(w, acct, t, (uint32_t)i, B_MC, (uint8_t)model, run, 0);
    for (int i = 0; i < n_math; i++, t += (int64_t)dws_rng_exp(r, 1000.0 / rate) + 1)
        push(w, acct, t, (uint32_t)i, B_MATH, (uint8_t)model, run, 0);
    for (int i = 0; i < n_hard; i++, t += (int64_t)dws_rng_exp(r, 1000.0 / rate) + 1)
        push(w, acct, t, (uint32_t)i, B_HARD, (uint8_t)model, run, 0);
    t += 60000;
    for (int i = 0; i < n_hard; i++, t += (int64_t)dws_rng_exp(r, 1000.0 / rate) + 1)
        push(w, acct, t, (uint32_t)i, B_JUDGE, DWS_M_LARGE, run, 0);
}

static void eval_schedule(dws_world *w, uint32_t acct)
{
    const dws_account *a = &w->acc[acct];
    int size = w->sc->cls[DWS_EVAL].size;
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0xE7A1, 0);
    for (int d = 0; d < w->sc->days; d++) {
        if (!dws_rng_chance(&r, 0.35)) continue;
        int64_t start = dws_local_midnight(w, d, a->tz_min) + (int64_t)((1.5 + dws_rng_unif(&r)) * DWS_MS_PER_HOUR);
        int model = start >= w->release_ms ? DWS_M_NEW : (dws_rng_chance(&r, 0.5) ? DWS_M_LARGE : DWS_M_REASON);
        eval_run(w, acct, &r, start, model, size);
    }
    if (w->release_ms < w->t1) {
        /* the day-of-release rerun, within hours */
        int64_t start = w->release_ms + (int64_t)(dws_rng_lognormal(&r, 3, 0.6) * DWS_MS_PER_HOUR);
        eval_run(w, acct, &r, start, DWS_M_NEW, size);
    }
}

static const char few_shot[] =
    "Question: There are 15 trees in the grove. Grove workers will plant trees in the grove today. After they are "
    "done, there will be 21 trees. How many trees did the grove workers plant today?\nAnswer: Let's think step by "
    "step. There are 15 trees originally. Then there were 21 trees after some more were planted. So there must have "
    "been 21 - 15 = 6. The answer is 6.\n\n"
    "Question: If there are 3 cars in the parking lot and 2 more cars arrive, how many cars are in the parking lot?\n"
    "Answer: Let's think step by step. There are originally 3 cars. 2 more cars arrive. 3 + 2 = 5. The answer is 5.\n\n";

static void bench_prompt(const dws_world *w, int kind, uint32_t item, dw_buf *u, const char **ref)
{
    *ref = NULL;
    if (kind == B_MC) {
        dws_text_mc_item(BENCH_SEED, item, u);
        dw_buf_puts(u, "\nThink step by step and then finish your answer with \"the answer is (X)\" where X is the "
                       "correct letter choice.\nAnswer: Let's think step by step.");
    } else if (kind == B_MATH) {
        dw_buf_puts(u, few_shot);
        const dws_qa *qa = dws_corpus_get(w->corpus, DWS_POOL_MATH_TEST, item);
        dw_buf_puts(u, "Question: ");
        if (qa) { dw_buf_puts(u, qa->q); *ref = qa->a; }
        else dws_text_bank_item(BENCH_SEED + 1, item, u, DWS_L_EN);
        dw_buf_puts(u, "\nAnswer: Let's think step by step.");
    } else {
        const dws_qa *qa = dws_corpus_get(w->corpus, item % 5 ? DWS_POOL_HARD : DWS_POOL_MTBENCH, item);
        if (qa) { dw_buf_puts(u, qa->q); *ref = qa->a; }
        else dws_text_bank_item(BENCH_SEED + 2, item, u, DWS_L_EN);
    }
}

static void eval_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r;
    dws_rng_derive(&r, e->conv, 0xE7A2, ((uint64_t)e->kind << 32) | e->item);
    q->model = e->model;
    q->temperature = 0;
    q->max_tokens = e->kind == B_MC ? 2048 : 4096;
    q->n = 1;
    q->sdk = a->sdk;
    q->key = (int)(a->seed % (uint64_t)a->nkeys);
    const char *ref = NULL;
    if (e->kind == B_JUDGE) {
        dw_buf_puts(&q->sys, "You are a helpful assistant.");
        dw_buf *u = dws_req_msg(q, "user");
        dw_buf_puts(u, "[Instruction]\nPlease act as an impartial judge and evaluate the quality of the response "
                       "provided by an AI assistant to the user question displayed below. Your evaluation should "
                       "consider factors such as the helpfulness, relevance, accuracy, depth, creativity, and level "
                       "of detail of the response. Begin your evaluation by providing a short explanation. Be as "
                       "objective as possible. After providing your explanation, you must rate the response on a "
                       "scale of 1 to 10 by strictly following this format: \"[[rating]]\".\n\n[Question]\n");
        dw_buf tmp = {0};
        bench_prompt(w, B_HARD, e->item, &tmp, &ref);
        dw_buf_put(u, tmp.p, tmp.len);
        dw_buf_puts(u, "\n\n[The Start of Assistant's Answer]\n");
        dws_text_answer(&r, u, DWS_T_EXPLAIN, 500, DWS_L_EN);
        dw_buf_puts(u, "\n[The End of Assistant's Answer]");
        dw_buf_free(&tmp);
        dw_buf_printf(&q->answer, "The response is relevant and mostly accurate. ");
        dws_text_paragraph(&r, &q->answer, 3);
        dw_buf_printf(&q->answer, " Rating: [[%d]]", (int)dws_rng_range(&r, 3, 9));
        q->completion_tokens = (int)(q->answer.len / 4);
    } else {
        bench_prompt(w, e->kind, e->item, dws_req_msg(q, "user"), &ref);
        dws_respond(w, &r, q, e->kind == B_MATH ? DWS_T_MATH : DWS_T_EXPLAIN, DWS_L_EN, ref, 2.0);
    }
    if (dws_rng_chance(&r, 0.03)) q->status = 429;
    cloud_egress(a, (int)(e->item % 3), &q->ip);
}

const dws_class_impl dws_impl_eval = {eval_populate, eval_schedule, eval_compose};

/* ---- a researcher collecting reasoning ----------------------------------------- */

static void researcher_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    static const char *const cc[] = {"US", "GB", "DE", "NL"};
    for (int i = 0; i < k->per_group; i++) {
        dws_account *a = dws_world_add_account(w, cls, 0, i);
        dws_rng r;
        dws_rng_seed(&r, a->seed);
        dws_acct_person(w, a, &r, dws_country_by_code(cc[i % 4]));
        dws_email_campus(a->seed % 97, a->email, sizeof a->email);
        a->program = "education";
        a->verified = true;
        dws_sdk_family(&r, DWS_SDK_PY, &a->sdk);
        a->rate = k->rpd;
        a->adopt_h = 6;
        a->mobile = 0;  /* the collection script runs on a workstation, not a phone */
    }
}

static void researcher_schedule(dws_world *w, uint32_t acct)
{
    /* A collection script started by hand: a few runs a day, sequential with
     * 2-4 workers, each item sampled several times. */
    const dws_account *a = &w->acc[acct];
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0x4E5E, 0);
    uint32_t item = 0;
    for (int d = 0; d < w->sc->days; d++) {
        int64_t mid = dws_local_midnight(w, d, a->tz_min);
        int wd = dws_weekday(mid + 12 * DWS_MS_PER_HOUR, a->tz_min);
        if (!dws_rng_chance(&r, wd >= 5 ? 0.4 : 0.85)) continue;
        uint32_t todo = dws_rng_poisson(&r, a->rate);
        int runs = 1 + (int)dws_rng_below(&r, 3);
        for (int k = 0; k < runs; k++) {
            int64_t t = dws_pick_time(&r, mid, DWS_DIURNAL_WORK, wd);
            int workers = 2 + (int)dws_rng_below(&r, 3);
            uint32_t n = todo / (uint32_t)runs;
            for (uint32_t i = 0; i < n; i++) {
                /* samples per item: 4 */
                push(w, acct, t, item / 4, 0, 0, dws_mix64(a->seed ^ item), (uint16_t)(item % 4));
                item++;
                t += (int64_t)(dws_rng_lognormal(&r, 12000, 0.5) / workers);
            }
        }
    }
}

static void researcher_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r;
    dws_rng_derive(&r, e->conv, 0x4E5F, e->turn);
    q->model = dws_pick_model(w, a, &r, e->ts, DWS_PREF_REASON);
    q->temperature = 0.7;
    q->max_tokens = 8192;
    q->logprobs = true;
    q->top_logprobs = 5;
    q->sdk = a->sdk;
    dws_text_variant(DWS_V_RESEARCH, (unsigned)(a->seed & 1), &q->sys);
    dw_buf *u = dws_req_msg(q, "user");
    const dws_qa *qa = NULL;
    if (w->corpus) qa = dws_corpus_get(w->corpus, e->item % 3 ? DWS_POOL_MATH_TRAIN : DWS_POOL_HARD, e->item);
    if (qa) dw_buf_puts(u, qa->q);
    else dws_text_bank_item(a->seed, e->item, u, DWS_L_EN);
    dws_respond(w, &r, q, DWS_T_MATH, DWS_L_EN, NULL, 2.5);
    /* the university network by day, home in the evening */
    int64_t local_h = ((e->ts + (int64_t)a->tz_min * 60000) % DWS_MS_PER_DAY) / DWS_MS_PER_HOUR;
    if (local_h >= 8 && local_h < 19) dws_ip_campus(a->seed % 97 + 1000, 0, false, &q->ip);
    else dws_person_ip(w, a, e, &r, &q->ip);
}

const dws_class_impl dws_impl_researcher = {researcher_populate, researcher_schedule, researcher_compose};

/* ---- resellers / routers ------------------------------------------------------- */

static void reseller_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    for (int i = 0; i < k->per_group; i++) {
        dws_account *a = dws_world_add_account(w, cls, 0, i);
        dws_rng r;
        dws_rng_seed(&r, a->seed);
        business_identity(w, a, &r, "startup");
        dws_sdk_family(&r, dws_rng_chance(&r, 0.5) ? DWS_SDK_JS : DWS_SDK_HTTPX, &a->sdk);
        a->rate = k->rpd;
    }
}

static void reseller_schedule(dws_world *w, uint32_t acct)
{
    const dws_account *a = &w->acc[acct];
    int users = w->sc->cls[DWS_RESELLER].size > 0 ? w->sc->cls[DWS_RESELLER].size : 1;
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0x4E51, 0);
    for (int d = -1; d <= w->sc->days; d++) {
        int64_t mid = dws_local_midnight(w, d, 0);
        int wd = dws_weekday(mid + 12 * DWS_MS_PER_HOUR, 0);
        uint32_t n = dws_rng_poisson(&r, a->rate);
        for (uint32_t i = 0; i < n; i++) {
            /* end users follow a Zipf-like law: a few heavy users, a long tail */
            double u = dws_rng_unif(&r);
            uint32_t eu = (uint32_t)((double)users * u * u * u);
            int64_t t = dws_pick_time(&r, mid, DWS_DIURNAL_GLOBAL, wd);
            push(w, acct, t, eu, 0, 0, dws_rng_u64(&r), 0);
        }
    }
}

static void reseller_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r, ur;
    dws_rng_derive(&r, e->conv, 0x4E52, 0);
    dws_rng_derive(&ur, a->seed, 0xE0, e->item);
    char hex[17];
    dws_hex(hex, dws_mix64(a->seed ^ e->item), 12);
    dw_buf_printf(&q->end_user, "user_%s", hex);
    /* each end user has a language and habits of their own */
    int country = dws_country_pick(&ur);
    int lang = dws_rng_chance(&ur, 0.5) ? dws_country_lang(country) : DWS_L_EN;
    bool reasoner = dws_rng_chance(&ur, 0.1);
    dws_account eu = *a;
    eu.adopt_h = dws_rng_lognormal(&ur, 24, 1.0);
    q->model = dws_pick_model(w, &eu, &r, e->ts, reasoner ? DWS_PREF_REASON : DWS_PREF_CASUAL);
    q->stream = dws_rng_chance(&r, 0.7);
    if (dws_rng_chance(&ur, 0.5)) q->temperature = 0.7;
    q->sdk = a->sdk;
    int kind = DWS_T_EXPLAIN;
    const char *ref = NULL;
    if (dws_rng_chance(&ur, 0.3)) dws_text_variant(DWS_V_HARNESS, (unsigned)dws_rng_below(&ur, 50), &q->sys);
    dw_buf *u = dws_req_msg(q, "user");
    if (reasoner && dws_rng_chance(&r, 0.5)) {
        dws_text_bank_item(dws_mix64(a->seed ^ e->item), dws_rng_below(&r, 40), u, lang);
        dw_buf_puts(u, "\n\n");
        dws_text_cot_demand(lang, (unsigned)dws_rng_below(&r, 8), u);
        kind = DWS_T_MATH;
    } else {
        ref = dws_casual_prompt(w, &r, u, lang, 0.5, &kind);
    }
    dws_respond(w, &r, q, kind, lang, ref, 1.0);
    if (dws_rng_chance(&r, 0.01)) q->status = 429;
    /* a handful of servers behind a load balancer */
    dws_rng ir;
    dws_rng_derive(&ir, a->seed, 0x5E4, e->conv % 4);
    dws_ip_new(&ir, a->country, (a->seed & 1) ? DWS_NET_CLOUD : DWS_NET_HOSTING, false, &q->ip);
}

const dws_class_impl dws_impl_reseller = {reseller_populate, reseller_schedule, reseller_compose};
