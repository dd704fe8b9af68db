/*
 * class_campaign.c -- distillation campaigns, after the public record.
 *
 * Four flavours share one engine, because the six evasion knobs of the
 * scenario (cover share, accounts per campaign, requests per account per day,
 * template paraphrases, IP rotation, pacing) must mean the same thing for
 * each of them, or a sweep would measure the flavours rather than the knob:
 *
 *   roundrobin    a dispatcher hands reasoning-harvest and rubric-grading
 *                 jobs to accounts in turn, over a shared datacenter proxy
 *                 pool, paying with a handful of cards;
 *   hydra         hundreds of aged accounts, one card and one sticky home
 *                 address each, human pacing in each proxy's time zone,
 *                 paraphrased prompts, a question bank split so no item ever
 *                 repeats, cover traffic, and a fast pivot to a new model;
 *   agentic       a private tool harness run in synchronised waves from
 *                 cloud VMs, harvesting multi-turn tool-use trajectories;
 *   multilingual  reasoning-trace coercion in many languages over rotating
 *                 residential proxies.
 *
 * Schedules are built twice, robotic and human, and blended by the pacing
 * knob (pacing.h).  Nothing here marks a request as campaign traffic: ids,
 * emails, SDKs and models come from the same helpers as everyone else's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/actor.h"
#include "sim/clock.h"
#include "sim/pacing.h"
#include "sim/text.h"
#include "common/util.h"

enum { C_COVER = 0, C_HARVEST, C_RUBRIC, C_REWRITE };

static const dws_campaign *camp_of(const dws_world *w, const dws_account *a) { return &w->camp[a->campaign]; }

/* ---- identities ---------------------------------------------------------------- */

static void shared_card(const dws_campaign *c, int member, int per_card, char *out)
{
    dws_rng r;
    dws_rng_derive(&r, c->seed, 0xCA4D, (uint64_t)(member / (per_card > 0 ? per_card : 1)));
    dws_payment_new(&r, out);
}

static void populate_one(dws_world *w, int cls, int g, dws_campaign *c, int m, dws_account *a)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    dws_rng r, cr;
    dws_rng_seed(&r, a->seed);
    dws_rng_derive(&cr, c->seed, 0x1D, 0);
    static const char *const rr_cc[] = {"US", "SG", "NL", "DE", "GB", "JP"};
    static const char *const ml_cc[] = {"JP", "KR", "BR", "ES", "FR", "DE", "RU", "AE", "SG", "TW", "MX", "EG"};
    a->rate = k->rpd;
    a->active = 1;
    switch (cls) {
    case DWS_RR: {
        dws_acct_person(w, a, &r, dws_country_by_code(DWS_PICK(&r, rr_cc)));
        if (dws_rng_chance(&r, 0.5)) {
            /* a couple of throwaway company-looking domains */
            dws_rng dr;
            dws_rng_derive(&dr, c->seed, 0xD0, dws_rng_below(&r, 2));
            dws_email_company(&dr, a->email, sizeof a->email);
        }
        shared_card(c, m, 20, a->payment);
        a->verified = dws_rng_chance(&r, 0.2);
        /* a sign-up burst shortly before the harvest */
        dws_acct_created(w, a, 4 + dws_rng_unif(&cr) * 10 + dws_rng_unif(&r) * 3);
        dws_sdk_family(&cr, DWS_SDK_PY, &a->sdk);  /* one harness image for all */
        break;
    }
    case DWS_HYDRA:
        dws_acct_person(w, a, &r, -1);
        dws_acct_created(w, a, 10 + dws_rng_unif(&r) * 110);
        a->v6 = 0.2;
        break;
    case DWS_AGENTIC: {
        dws_acct_person(w, a, &r, dws_country_by_code(DWS_PICK(&r, rr_cc)));
        dws_rng dr;
        dws_rng_derive(&dr, c->seed, 0xD1, dws_rng_below(&r, 3));
        dws_email_company(&dr, a->email, sizeof a->email);
        shared_card(c, m, 8, a->payment);
        a->program = dws_rng_chance(&r, 0.6) ? "startup" : "standard";
        a->verified = dws_rng_chance(&r, 0.5);
        dws_acct_created(w, a, 15 + dws_rng_unif(&cr) * 20 + dws_rng_unif(&r) * 5);
        dws_sdk_family(&cr, DWS_SDK_PY, &a->sdk);
        a->sdk.async_ = 1;
        dws_ip_new(&r, a->country, DWS_NET_CLOUD, false, &a->home);  /* one VM each */
        break;
    }
    default: /* multilingual */
        dws_acct_person(w, a, &r, dws_country_by_code(DWS_PICK(&r, ml_cc)));
        shared_card(c, m, 6, a->payment);
        a->verified = dws_rng_chance(&r, 0.3);
        dws_acct_created(w, a, 20 + dws_rng_unif(&r) * 20);
        a->sdk.family = dws_rng_chance(&cr, 0.5) ? DWS_SDK_PY : DWS_SDK_JS;
        dws_sdk_family(&cr, a->sdk.family, &a->sdk);
        break;
    }
    a->mobile = 0;
    (void)g;
}

static void campaign_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    for (int g = 0; g < k->groups; g++) {
        if (k->per_group <= 0) continue;
        int first = (int)w->nacc;
        for (int m = 0; m < k->per_group; m++) dws_world_add_account(w, cls, g, m);
        dws_campaign *c = dws_world_add_campaign(w, cls, first, k->per_group);
        snprintf(c->id, sizeof c->id, "%s-%d", dws_class_name(cls) + strlen("campaign_"), g + 1);
        for (int m = 0; m < k->per_group; m++) {
            dws_account *a = &w->acc[first + m];
            a->campaign = (int)w->ncamp - 1;
            populate_one(w, cls, g, c, m, a);
        }
    }
}

/* ---- schedules ------------------------------------------------------------------ */

static int64_t campaign_release_pivot(const dws_world *w, int cls)
{
    static const double hours[] = {[DWS_RR] = 3, [DWS_HYDRA] = 6, [DWS_AGENTIC] = 12, [DWS_MULTILINGUAL] = 8};
    return w->release_ms + (int64_t)(hours[cls] * DWS_MS_PER_HOUR);
}

static void campaign_schedule(dws_world *w, uint32_t acct)
{
    const dws_account *a = &w->acc[acct];
    const dws_campaign *c = camp_of(w, a);
    const dws_class_cfg *k = &w->sc->cls[a->cls];
    double p = k->pacing;
    int N = c->naccts, m = a->member;
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0xC5C4, 0);
    size_t cap = 0;
    int64_t *rob = NULL, *hum = NULL, *t = NULL;
    uint32_t harvested = 0, traj_item = 0;
    uint64_t conv = dws_rng_u64(&r);
    int64_t last = 0;
    int turn = 0, run = 0;
    for (int d = 0; d < w->sc->days; d++) {
        int64_t day0 = w->t0 + (int64_t)d * DWS_MS_PER_DAY;
        if (day0 + DWS_MS_PER_DAY <= a->created_ms) continue;
        /* human operators leave accounts idle on some days; scripts do not */
        if (p > 0 && dws_rng_chance(&r, 0.15 * p)) continue;
        size_t n = p < 0.05 ? (size_t)(k->rpd + 0.5) : dws_rng_poisson(&r, k->rpd);
        if (!n) continue;
        if (n > cap) {
            cap = n;
            rob = dw_xrealloc(rob, cap * sizeof *rob);
            hum = dw_xrealloc(hum, cap * sizeof *hum);
            t = dw_xrealloc(t, cap * sizeof *t);
        }
        if (a->cls == DWS_AGENTIC) {
            /* waves every 4 hours at the same minute for every account, each
             * a burst of multi-turn trajectories a few seconds per turn */
            int64_t wave0 = (int64_t)(c->seed % 3600000);
            for (size_t i = 0; i < n; i++) {
                size_t wave = i * 6 / n, in = i - (wave * n + 5) / 6;
                rob[i] = day0 + wave0 + (int64_t)wave * 4 * DWS_MS_PER_HOUR + (int64_t)in * 7000 +
                         (int64_t)dws_rng_below(&r, 1500);
            }
        } else {
            /* a dispatcher's grid: account m of N takes every N-th slot */
            double delta = (double)DWS_MS_PER_DAY / (double)n;
            double phase = delta * (double)m / (double)(N > 0 ? N : 1);
            for (size_t i = 0; i < n; i++)
                rob[i] = day0 + (int64_t)(phase + delta * (double)i) + (int64_t)dws_rng_below(&r, 400);
        }
        dws_sort_times(rob, n);
        if (p > 0) {
            dws_human_times(&r, w, a->tz_min, day0, day0 + DWS_MS_PER_DAY, n, 40, hum);
            dws_blend_times(rob, hum, n, p, t);
        } else {
            memcpy(t, rob, n * sizeof *t);
        }
        for (size_t i = 0; i < n; i++) {
            dws_event e = {.ts = t[i], .acct = acct};
            /* sessions: a gap of 20 minutes, or 40 requests, starts a new one */
            if (t[i] - last > 20 * 60000 || ++run >= 40) {
                conv = dws_rng_u64(&r);
                run = 0;
                turn = 0;
            }
            last = t[i];
            if (a->cls == DWS_AGENTIC) {
                /* trajectories of 4 turns inside a session */
                if (turn >= 4) { conv = dws_rng_u64(&r); turn = 0; }
                e.turn = (uint16_t)turn++;
            }
            e.conv = conv;
            if (dws_rng_chance(&r, k->cover_share)) {
                e.kind = C_COVER;
                e.item = (uint32_t)dws_rng_u64(&r);
            } else {
                double x = dws_rng_unif(&r);
                e.kind = a->cls == DWS_RR ? (x < 0.7 ? C_HARVEST : x < 0.95 ? C_RUBRIC : C_REWRITE) : C_HARVEST;
                /* the bank is split between accounts: slice m of N, no repeats */
                e.item = (uint32_t)m + (uint32_t)N * harvested++;
                /* one task per trajectory: later turns continue the same item */
                if (a->cls == DWS_AGENTIC) {
                    if (e.turn == 0) traj_item = e.item;
                    else { e.item = traj_item; harvested--; }
                }
                if (a->cls == DWS_RR && e.kind == C_RUBRIC && harvested > 2)
                    e.item = (uint32_t)m + (uint32_t)N * (uint32_t)dws_rng_below(&r, harvested - 1);
            }
            int64_t pivot = campaign_release_pivot(w, a->cls);
            double y = dws_rng_unif(&r);
            e.model = (uint8_t)(t[i] >= pivot ? (y < 0.5 ? DWS_M_NEW : y < 0.8 ? DWS_M_REASON : DWS_M_LARGE)
                                              : (y < 0.65 ? DWS_M_REASON : DWS_M_LARGE));
            dws_world_push(w, &e);
        }
    }
    free(rob);
    free(hum);
    free(t);
}

/* ---- addresses ---------------------------------------------------------------- */

static void proxy_pool_ip(const dws_campaign *c, uint64_t idx, dws_ip *out)
{
    /* datacenter proxies bought in a few /24 blocks */
    dws_rng r;
    dws_rng_derive(&r, c->seed, 0x9B0C, idx % 4);
    dws_ip block;
    dws_ip_new(&r, 0, DWS_NET_HOSTING, false, &block);
    dws_rng_derive(&r, c->seed, 0x9B0D, idx);
    dws_ip_sibling(&r, &block, out);
}

static void campaign_ip(const dws_world *w, const dws_account *a, const dws_event *e, dws_ip *out)
{
    const dws_campaign *c = camp_of(w, a);
    int rot = w->sc->cls[a->cls].rotation;
    uint64_t key;
    switch (rot) {
    case DWS_ROT_PER_REQUEST: key = dws_mix64((uint64_t)e->ts ^ ((uint64_t)e->item << 20) ^ e->conv); break;
    case DWS_ROT_SESSION: key = e->conv; break;
    case DWS_ROT_DAY: key = (uint64_t)((e->ts - w->t0) / DWS_MS_PER_DAY) + 1; break;
    default: key = 0;
    }
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0x1F, key);
    if (a->cls == DWS_RR) {
        uint64_t pool = (uint64_t)(c->naccts / 3 > 6 ? c->naccts / 3 : 6);
        uint64_t idx = rot == DWS_ROT_NEVER ? (uint64_t)a->member % pool : dws_rng_below(&r, pool);
        proxy_pool_ip(c, idx, out);
        return;
    }
    if (rot == DWS_ROT_NEVER) { *out = a->home; return; }
    if (a->cls == DWS_AGENTIC) dws_ip_new(&r, a->country, DWS_NET_CLOUD, false, out);
    else dws_ip_new(&r, a->country, DWS_NET_HOME, dws_rng_chance(&r, a->v6), out);
}

/* ---- content -------------------------------------------------------------------- */

static const char private_tools[] =
    "[{\"type\":\"function\",\"function\":{\"name\":\"python_exec\",\"description\":\"Execute Python code in a "
    "sandbox and return stdout.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"}},"
    "\"required\":[\"code\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"web_fetch\",\"description\":\"Fetch a URL and return its text.\","
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"url\":{\"type\":\"string\"}},\"required\":[\"url\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"notes\",\"description\":\"Store an intermediate note.\","
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}}},"
    "{\"type\":\"function\",\"function\":{\"name\":\"submit_answer\",\"description\":\"Submit the final answer "
    "with a complete explanation.\",\"parameters\":{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":"
    "\"string\"},\"explanation\":{\"type\":\"string\"}},\"required\":[\"answer\",\"explanation\"]}}}]";

/* Question bank: the public data sets first (what a distiller would seed
 * with), then the built-in generator, which never repeats an item. */
static const char *bank_question(const dws_world *w, const dws_campaign *c, uint32_t item, int lang, dw_buf *u)
{
    if (w->corpus && lang == DWS_L_EN) {
        static const int pools[] = {DWS_POOL_MATH_TRAIN, DWS_POOL_HARD, DWS_POOL_CHAT, DWS_POOL_CODE};
        uint64_t i = item;
        for (size_t p = 0; p < DWS_COUNT(pools); p++) {
            size_t n = dws_corpus_size(w->corpus, pools[p]);
            if (i < n) {
                const dws_qa *qa = dws_corpus_get(w->corpus, pools[p], i);
                dw_buf_puts(u, qa->q);
                return qa->a;
            }
            i -= n;
        }
        dws_text_bank_item(c->seed, i, u, lang);
        return NULL;
    }
    dws_text_bank_item(c->seed, item, u, lang);
    return NULL;
}

static void cover_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q, dws_rng *r)
{
    int kind;
    int lang = a->lang != DWS_L_EN && dws_rng_chance(r, 0.5) ? a->lang : DWS_L_EN;
    q->model = dws_pick_model(w, a, r, e->ts, DWS_PREF_CASUAL);
    if (dws_rng_chance(r, 0.3)) dw_buf_puts(&q->sys, "You are a helpful assistant.");
    const char *ref = dws_casual_prompt(w, r, dws_req_msg(q, "user"), lang, 0.5, &kind);
    if (dws_rng_chance(r, 0.5)) q->temperature = 0.7;
    dws_respond(w, r, q, kind, lang, ref, 1.0);
}

static void campaign_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    const dws_campaign *c = camp_of(w, a);
    const dws_class_cfg *k = &w->sc->cls[a->cls];
    unsigned K = (unsigned)(k->paraphrases > 0 ? k->paraphrases : 1);
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0xC0C0, ((uint64_t)e->ts << 8) ^ e->item ^ ((uint64_t)e->turn << 40));
    q->sdk = a->sdk;
    q->key = 0;
    campaign_ip(w, a, e, &q->ip);
    if (e->kind == C_COVER) { cover_compose(w, a, e, q, &r); return; }
    q->model = e->model;
    /* the account's own wording of the harness (a hydra gives each account a
     * persona), and a per-request wording of the instruction */
    unsigned acct_para = (unsigned)a->member % K;
    unsigned req_para = (unsigned)dws_rng_below(&r, K);
    const char *ref = NULL;
    switch (a->cls) {
    case DWS_RR: {
        q->temperature = 0.6;
        q->max_tokens = 8192;
        q->logprobs = (c->seed & 1) != 0;
        q->top_logprobs = q->logprobs ? 5 : 0;
        if (e->kind == C_RUBRIC) {
            dws_text_variant(DWS_V_RUBRIC, acct_para, &q->sys);
            dw_buf *u = dws_req_msg(q, "user");
            dw_buf_puts(u, "Question:\n");
            bank_question(w, c, e->item, DWS_L_EN, u);
            dw_buf_puts(u, "\n\nCandidate response:\n");
            dws_text_answer(&r, u, DWS_T_MATH, 500, DWS_L_EN);
            dw_buf_puts(u, "\n\nReturn JSON: {\"score\": <1-10>, \"justification\": \"...\"}");
            q->json_mode = true;
            dw_buf_printf(&q->answer, "{\"score\": %d, \"justification\": \"", (int)dws_rng_range(&r, 2, 9));
            dws_text_paragraph(&r, &q->answer, 3);
            dw_buf_puts(&q->answer, "\"}");
            q->completion_tokens = (int)(q->answer.len / 4);
            if (dws_model_reasons(q->model)) dws_text_reasoning(&r, &q->reasoning, 600, DWS_L_EN);
            return;
        }
        dws_text_variant(DWS_V_HARNESS, acct_para, &q->sys);
        dw_buf *u = dws_req_msg(q, "user");
        if (e->kind == C_REWRITE) {
            dw_buf_puts(u, "Rewrite the following answer so that it is safe to publish under strict content rules: "
                           "remove politically sensitive statements but keep every reasoning step intact.\n\n");
            dws_text_answer(&r, u, DWS_T_EXPLAIN, 600, DWS_L_EN);
            dws_respond(w, &r, q, DWS_T_EXPLAIN, DWS_L_EN, NULL, 2.0);
            return;
        }
        /* the wrapper around the question is part of the template too */
        static const char *const wrap[] = {"Problem:\n", "Question: ", "", "Solve the following.\n\n", "Task:\n",
                                           "Q: "};
        dw_buf_puts(u, wrap[req_para % DWS_COUNT(wrap)]);
        ref = bank_question(w, c, e->item, DWS_L_EN, u);
        dw_buf_puts(u, "\n\n");
        dws_text_cot_demand(DWS_L_EN, req_para, u);
        dws_respond(w, &r, q, DWS_T_MATH, DWS_L_EN, ref, 3.0);
        return;
    }
    case DWS_HYDRA: {
        if (dws_rng_chance(&r, 0.5)) q->temperature = 0.7;
        if (dws_rng_chance(&r, 0.3)) q->max_tokens = 4096;
        bool explicit_ask = dws_rng_chance(&r, 0.6);
        if (explicit_ask && dws_rng_chance(&r, 0.5)) dws_text_variant(DWS_V_HARNESS, acct_para * 7 + 3, &q->sys);
        dw_buf *u = dws_req_msg(q, "user");
        ref = bank_question(w, c, e->item, DWS_L_EN, u);
        if (explicit_ask && !q->sys.len) {
            dw_buf_puts(u, dws_rng_chance(&r, 0.5) ? "\n\n" : " ");
            dws_text_cot_demand(DWS_L_EN, req_para, u);
        }
        dws_respond(w, &r, q, DWS_T_MATH, DWS_L_EN, ref, 2.5);
        return;
    }
    case DWS_AGENTIC: {
        q->temperature = 0.2;
        q->max_tokens = 8192;
        dws_text_variant(DWS_V_AGENT, acct_para, &q->sys);
        dw_buf_puts(&q->tools, private_tools);
        dws_rng tr;
        dws_rng_derive(&tr, e->conv, 0x7A5C, 0);
        dw_buf *u = dws_req_msg(q, "user");
        dw_buf_puts(u, "Task: ");
        bank_question(w, c, e->item, DWS_L_EN, u);
        static const char *const tl[] = {"python_exec", "web_fetch", "notes"};
        for (int t = 0; t < e->turn; t++) {
            dws_rng hr;
            dws_rng_derive(&hr, e->conv, 0x7A5D, (uint64_t)t);
            char hex[17];
            dws_hex(hex, dws_rng_u64(&hr), 12);
            dws_req_msg(q, "assistant");
            dws_msg *m = &q->msgs[q->nmsg - 1];
            dws_text_reasoning(&hr, &m->text, 200, DWS_L_EN);
            dw_buf_printf(&m->tool_calls, "[{\"id\":\"call_%s\",\"type\":\"function\",\"function\":{\"name\":\"%s\","
                                          "\"arguments\":\"{\\\"code\\\":\\\"print(%d)\\\"}\"}}]",
                          hex, DWS_PICK(&hr, tl), (int)dws_rng_below(&hr, 1000));
            dw_buf *res = dws_req_msg(q, "tool");
            snprintf(q->msgs[q->nmsg - 1].tool_call_id, sizeof q->msgs[0].tool_call_id, "call_%s", hex);
            dws_text_tool_output(&hr, res);
        }
        char hex[17];
        dws_hex(hex, dws_rng_u64(&r), 12);
        const char *tool = e->turn >= 3 ? "submit_answer" : DWS_PICK(&r, tl);
        dw_buf_printf(&q->resp_tool_calls, "[{\"id\":\"call_%s\",\"type\":\"function\",\"function\":{\"name\":\"%s\","
                                           "\"arguments\":\"{\\\"answer\\\":\\\"%d\\\"}\"}}]",
                      hex, tool, (int)dws_rng_below(&r, 1000));
        dws_text_reasoning(&r, &q->answer, 400, DWS_L_EN);
        q->finish = "tool_calls";
        q->completion_tokens = dws_gen_tokens(w, &r, 0, 3.0);
        if (dws_model_reasons(q->model)) dws_text_reasoning(&r, &q->reasoning, 800, DWS_L_EN);
        return;
    }
    default: { /* multilingual */
        static const int langs[] = {DWS_L_ZH, DWS_L_ES, DWS_L_FR, DWS_L_DE, DWS_L_RU,
                                    DWS_L_JA, DWS_L_KO, DWS_L_PT, DWS_L_AR};
        int lang = langs[(a->member + (int)dws_rng_below(&r, 2)) % (int)DWS_COUNT(langs)];
        if (dws_rng_chance(&r, 0.6)) q->temperature = 0.8;
        q->max_tokens = 8192;
        if (dws_rng_chance(&r, 0.3)) dws_text_cot_demand(lang, acct_para, &q->sys);
        dw_buf *u = dws_req_msg(q, "user");
        if (dws_rng_chance(&r, 0.6)) bank_question(w, c, e->item, lang, u);
        else ref = bank_question(w, c, e->item, DWS_L_EN, u);
        dw_buf_puts(u, "\n\n");
        dws_text_cot_demand(lang, req_para, u);
        dws_respond(w, &r, q, DWS_T_MATH, lang, NULL, 2.5);
        (void)ref;
        return;
    }
    }
}

const dws_class_impl dws_impl_rr = {campaign_populate, campaign_schedule, campaign_compose};
const dws_class_impl dws_impl_hydra = {campaign_populate, campaign_schedule, campaign_compose};
const dws_class_impl dws_impl_agentic = {campaign_populate, campaign_schedule, campaign_compose};
const dws_class_impl dws_impl_multilingual = {campaign_populate, campaign_schedule, campaign_compose};
