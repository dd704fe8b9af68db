/*
 * class_people.c -- individuals typing at the model: casual chat users,
 * developers in offices, students on a campus, and jailbreakers.
 *
 * These are the classes whose shared infrastructure most resembles a
 * coordinated campaign.  Office developers share an egress address, often a
 * corporate card, a company email domain and an onboarding date.  Students
 * were created the same week, sit behind a handful of NAT addresses, run the
 * course's pinned SDK on the same JupyterHub and paste identical homework,
 * often asking for step-by-step solutions.  Casual users on phones share
 * carrier-NAT addresses with strangers.  What they do not share is a harvest:
 * their questions repeat, wander, come in conversations and follow the day.
 */
#include <stdio.h>
#include <string.h>

#include "sim/actor.h"
#include "sim/clock.h"
#include "sim/pacing.h"
#include "sim/text.h"

enum { K_CHAT = 0, K_APP, K_HOMEWORK, K_JAILBREAK };

/* Rate around the scenario's mean, with a heavy tail of power users. */
static double person_rate(dws_rng *r, double mean)
{
    return mean * dws_rng_lognormal(r, 1.0, 0.8) / 1.377;  /* E[lognormal(0,.8)] = e^.32 */
}

static void emit_kind(dws_world *w, uint32_t acct, dws_rng *r, int64_t ts, uint64_t conv, int turn, void *ud)
{
    dws_event e = {.ts = ts, .conv = conv, .acct = acct, .turn = (uint16_t)turn,
                   .kind = (uint8_t)(ud ? *(int *)ud : K_CHAT)};
    e.item = (uint32_t)dws_rng_u64(r);
    dws_world_push(w, &e);
}

/* The conversation's language, model and system prompt are properties of the
 * conversation, so every turn of it re-derives them from the same seed. */
static int conv_lang(const dws_account *a, uint64_t conv)
{
    if (a->lang == DWS_L_EN) return DWS_L_EN;
    return dws_mix64(conv ^ 0x1A) % 10 < 6 ? a->lang : DWS_L_EN;
}

static void chat_messages(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q, int lang,
                          const char **ref, int *kind)
{
    dws_rng r;
    for (int t = 0; t <= e->turn && t < 6; t++) {
        int tt = e->turn > 5 ? e->turn - 5 + t : t;  /* last turns only */
        dws_rng_derive(&r, e->conv, 0x55, (uint64_t)tt);
        dw_buf *u = dws_req_msg(q, "user");
        if (tt == 0) *ref = dws_casual_prompt(w, &r, u, lang, 0.5, kind);
        else dws_text_followup(&r, u, lang);
        if (t < e->turn && tt < e->turn) {
            dws_rng_derive(&r, e->conv, 0xAA, (uint64_t)tt);
            dws_text_answer(&r, dws_req_msg(q, "assistant"), *kind, 240 + dws_rng_below(&r, 400), lang);
        }
    }
    if (e->turn > 0) *ref = NULL;
}

static void common_params(dws_rng *cr, dws_req *q)
{
    if (dws_rng_chance(cr, 0.5)) q->temperature = dws_rng_chance(cr, 0.6) ? 0.7 : 1.0;
    if (dws_rng_chance(cr, 0.4)) {
        static const int mt[] = {512, 1024, 2048, 4096};
        q->max_tokens = DWS_PICK(cr, mt);
    }
    q->stream = dws_rng_chance(cr, 0.3);
}

/* ---- casual chat -------------------------------------------------------------- */

static void casual_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    for (int i = 0; i < k->per_group; i++) {
        dws_account *a = dws_world_add_account(w, cls, 0, i);
        dws_rng r;
        dws_rng_seed(&r, a->seed);
        dws_acct_person(w, a, &r, -1);
        a->rate = person_rate(&r, k->rpd);
        a->active = 0.15 + 0.7 * dws_rng_unif(&r);
        /* families and couples sometimes pay with one card */
        if (i > 0 && dws_rng_chance(&r, 0.03)) memcpy(a->payment, w->acc[w->nacc - 2].payment, sizeof a->payment);
    }
}

static void casual_schedule(dws_world *w, uint32_t acct)
{
    static const dws_human_cfg cfg = {DWS_DIURNAL_CASUAL, 4, 60, 0.9, 2.2, 1.0};
    dws_human_schedule(w, acct, &cfg, 0, emit_kind, NULL);
}

static void system_prompt_for(const dws_account *a, dws_req *q, uint64_t conv)
{
    uint64_t h = dws_mix64(a->seed ^ 0x5157);
    unsigned style = (unsigned)(h % 100);
    /* the default system prompt of many chat front-ends, shared by strangers */
    if (style < 35) dw_buf_puts(&q->sys, "You are a helpful assistant.");
    else if (style < 45) dw_buf_printf(&q->sys, "You are a friendly assistant for %s. Keep answers short.",
                                       a->email);
    (void)conv;
}

static void casual_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r, cr;
    dws_rng_derive(&r, e->conv, 0xC0, e->turn);
    dws_rng_derive(&cr, e->conv, 0xC1, 0);
    int lang = conv_lang(a, e->conv);
    q->model = dws_pick_model(w, a, &cr, e->ts, DWS_PREF_CASUAL);
    common_params(&cr, q);
    system_prompt_for(a, q, e->conv);
    const char *ref = NULL;
    int kind = DWS_T_EXPLAIN;
    chat_messages(w, a, e, q, lang, &ref, &kind);
    dws_respond(w, &r, q, kind, lang, ref, 1.0);
    q->sdk = a->sdk;
    q->key = (int)(e->conv % (uint64_t)a->nkeys);
    dws_person_ip(w, a, e, &r, &q->ip);
}

const dws_class_impl dws_impl_casual = {casual_populate, casual_schedule, casual_compose};

/* ---- developers in offices ---------------------------------------------------- */

static void office_egress(uint64_t office_seed, int which, dws_ip *out)
{
    dws_rng r;
    dws_rng_derive(&r, office_seed, 0xE6, 0);
    int country = (int)dws_rng_below(&r, 8);  /* offices sit in the larger markets */
    int kind = dws_rng_chance(&r, 0.35) ? DWS_NET_CLOUD : DWS_NET_BUSINESS;
    dws_ip base;
    dws_ip_new(&r, country, kind, false, &base);
    if (which == 0) { *out = base; return; }
    dws_rng_derive(&r, office_seed, 0xE7, (uint64_t)which);
    if (which == 2) {
        dws_ip_new(&r, country, kind, true, out);  /* the office's IPv6 */
        if (out->v6) { memset(out->b + 6, 0, 9); out->b[15] = 1; }
        return;
    }
    dws_ip_sibling(&r, &base, out);
}

static void office_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    for (int g = 0; g < k->groups; g++) {
        uint64_t os = dws_seed_derive(w->seed, 0x0FF1CE, (uint64_t)g);
        dws_rng orng;
        dws_rng_seed(&orng, os);
        char domain[48], card[24];
        dws_email_company(&orng, domain, sizeof domain);
        dws_payment_new(&orng, card);
        dws_rng cr;
        dws_rng_derive(&cr, os, 0xE6, 0);
        int country = (int)dws_rng_below(&cr, 8);
        int tz = dws_country_tz(country, &orng);
        double onboard = dws_rng_lognormal(&orng, 200, 0.6);
        int size = (int)dws_rng_range(&orng, k->per_group / 2 + 1, k->per_group * 3 / 2 + 1);
        bool startup = dws_rng_chance(&orng, 0.3);
        for (int i = 0; i < size; i++) {
            dws_account *a = dws_world_add_account(w, cls, g, i);
            dws_rng r;
            dws_rng_seed(&r, a->seed);
            dws_acct_person(w, a, &r, country);
            a->tz_min = tz;
            snprintf(a->email, sizeof a->email, "%s", domain);
            if (dws_rng_chance(&r, 0.6)) memcpy(a->payment, card, sizeof card);
            a->program = startup ? "startup" : "standard";
            a->verified = dws_rng_chance(&r, 0.8);
            /* most of the team was onboarded together, later hires trickle in */
            dws_acct_created(w, a, dws_rng_chance(&r, 0.7) ? onboard - dws_rng_unif(&r) * 2
                                                          : dws_rng_unif(&r) * onboard);
            a->rate = person_rate(&r, k->rpd);
            a->active = 0.75;
            a->adopt_h = dws_rng_lognormal(&r, 20, 0.8);
            a->nkeys = 1 + (int)dws_rng_below(&r, 3);
        }
    }
}

static void office_schedule(dws_world *w, uint32_t acct)
{
    static const dws_human_cfg cfg = {DWS_DIURNAL_WORK, 6, 45, 0.9, 2.5, 0.08};
    int kinds[1] = {K_CHAT};
    dws_human_schedule(w, acct, &cfg, 0, emit_kind, kinds);
}

static void office_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r, cr;
    dws_rng_derive(&r, e->conv, 0x0C, e->turn);
    dws_rng_derive(&cr, e->conv, 0x0D, 0);
    uint64_t os = dws_seed_derive(w->seed, 0x0FF1CE, (uint64_t)a->group);
    q->model = dws_pick_model(w, a, &cr, e->ts, DWS_PREF_DEV);
    common_params(&cr, q);
    q->sdk = a->sdk;
    q->key = (int)(e->conv % (uint64_t)a->nkeys);
    if (dws_rng_chance(&cr, 0.3)) {
        /* testing the company's own product prompt */
        dws_rng orng;
        dws_rng_derive(&orng, os, 0xA99, 0);
        dw_buf_printf(&q->sys, "You are the support assistant for %s. Answer questions about %s politely, "
                               "cite the help center when possible, and never discuss pricing.",
                      a->email, dws_text_word(&orng));
        dws_text_casual(&r, dws_req_msg(q, "user"), dws_rng_chance(&r, 0.5) ? DWS_T_EXPLAIN : DWS_T_TRIVIA);
        dws_respond(w, &r, q, DWS_T_EXPLAIN, DWS_L_EN, NULL, 0.8);
    } else {
        const char *ref = NULL;
        int kind = DWS_T_CODING;
        dws_rng pr;
        dws_rng_derive(&pr, e->conv, 0x55, 0);
        if (dws_rng_chance(&pr, 0.5)) {
            dw_buf *u = dws_req_msg(q, "user");
            dws_text_casual(&pr, u, DWS_T_CODING);
            for (int t = 1; t <= e->turn && t < 4; t++) {
                dws_rng_derive(&pr, e->conv, 0xAA, (uint64_t)t);
                dws_text_answer(&pr, dws_req_msg(q, "assistant"), DWS_T_CODING, 300, DWS_L_EN);
                dws_text_followup(&pr, dws_req_msg(q, "user"), DWS_L_EN);
            }
        } else {
            chat_messages(w, a, e, q, DWS_L_EN, &ref, &kind);
        }
        dws_respond(w, &r, q, kind, DWS_L_EN, ref, 1.0);
    }
    /* At the office most of the day; from home in the evening. */
    int64_t local_h = ((e->ts + (int64_t)a->tz_min * 60000) % DWS_MS_PER_DAY) / DWS_MS_PER_HOUR;
    if (local_h >= 8 && local_h < 19 && dws_rng_chance(&r, 0.9))
        office_egress(os, dws_rng_chance(&r, 0.2) ? 2 : (int)dws_rng_below(&r, 2), &q->ip);
    else
        dws_person_ip(w, a, e, &r, &q->ip);
}

const dws_class_impl dws_impl_office = {office_populate, office_schedule, office_compose};

/* ---- a campus ----------------------------------------------------------------- */

static void campus_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    static const char *const ccodes[] = {"US", "GB", "DE", "US", "FR", "NL"};
    for (int g = 0; g < k->groups; g++) {
        uint64_t cs = dws_seed_derive(w->seed, 0xCA3905, (uint64_t)g);
        dws_rng crng;
        dws_rng_seed(&crng, cs);
        char domain[48];
        dws_email_campus(cs % 1000 + (uint64_t)g, domain, sizeof domain);
        int country = dws_country_by_code(ccodes[g % DWS_COUNT(ccodes)]);
        int tz = dws_country_tz(country, &crng);
        dws_sdk course_sdk;
        dws_sdk_family(&crng, DWS_SDK_PY, &course_sdk);
        course_sdk.os = 0;
        course_sdk.arch = 0;
        double term_start = 6 + dws_rng_unif(&crng) * 10;  /* days before the window */
        for (int i = 0; i < k->per_group; i++) {
            dws_account *a = dws_world_add_account(w, cls, g, i);
            dws_rng r;
            dws_rng_seed(&r, a->seed);
            dws_acct_person(w, a, &r, country);
            a->tz_min = tz;
            snprintf(a->email, sizeof a->email, "%s", domain);
            a->program = "education";
            a->verified = true;
            if (dws_rng_chance(&r, 0.7)) a->payment[0] = 0;  /* education credits, no card */
            dws_acct_created(w, a, term_start - dws_rng_unif(&r) * 4);
            a->rate = person_rate(&r, k->rpd);
            a->active = 0.45;
            /* half the class runs the notebook on the course JupyterHub */
            if (dws_rng_chance(&r, 0.5)) a->sdk = course_sdk;
            a->adopt_h = dws_rng_lognormal(&r, 48, 1.0);
        }
    }
}

static void campus_schedule(dws_world *w, uint32_t acct)
{
    static const dws_human_cfg cfg = {DWS_DIURNAL_STUDENT, 5, 90, 1.0, 2.0, 0.8};
    int kinds[1] = {K_HOMEWORK};
    dws_human_schedule(w, acct, &cfg, 0, emit_kind, kinds);
}

static void campus_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r, cr;
    dws_rng_derive(&r, e->conv, 0xCA, e->turn);
    dws_rng_derive(&cr, e->conv, 0xCB, 0);
    uint64_t cs = dws_seed_derive(w->seed, 0xCA3905, (uint64_t)a->group);
    q->model = dws_pick_model(w, a, &cr, e->ts, DWS_PREF_CASUAL);
    common_params(&cr, q);
    q->sdk = a->sdk;
    if (dws_rng_chance(&cr, 0.65)) {
        /* this week's problem set, pasted as is */
        int week = (int)((e->ts - w->t0) / (7 * DWS_MS_PER_DAY));
        dw_buf *u = dws_req_msg(q, "user");
        int style = (int)dws_rng_below(&cr, 4);
        if (style == 1) dw_buf_puts(u, "Solve this: ");
        dws_text_homework(cs, week, (int)dws_rng_below(&cr, 6), u);
        if (style >= 2) dw_buf_puts(u, style == 2 ? " Explain step by step." : "\nshow all steps please");
        for (int t = 1; t <= e->turn && t < 4; t++) {
            dws_rng pr;
            dws_rng_derive(&pr, e->conv, 0xAA, (uint64_t)t);
            dws_text_answer(&pr, dws_req_msg(q, "assistant"), DWS_T_MATH, 400, DWS_L_EN);
            dws_text_followup(&pr, dws_req_msg(q, "user"), DWS_L_EN);
        }
        dws_respond(w, &r, q, DWS_T_MATH, DWS_L_EN, NULL, 1.3);
    } else {
        const char *ref = NULL;
        int kind;
        chat_messages(w, a, e, q, DWS_L_EN, &ref, &kind);
        dws_respond(w, &r, q, kind, DWS_L_EN, ref, 1.0);
    }
    /* On campus (NAT) most of the time, dorm included; home on weekends. */
    int wd = dws_weekday(e->ts, a->tz_min);
    int nat = w->sc->cls[DWS_CAMPUS].size > 0 ? w->sc->cls[DWS_CAMPUS].size : 1;
    if (wd < 5 ? dws_rng_chance(&r, 0.85) : dws_rng_chance(&r, 0.5))
        dws_ip_campus(cs, (int)dws_rng_below(&r, (uint64_t)nat), dws_rng_chance(&r, 0.15), &q->ip);
    else
        dws_person_ip(w, a, e, &r, &q->ip);
}

const dws_class_impl dws_impl_campus = {campus_populate, campus_schedule, campus_compose};

/* ---- jailbreakers ------------------------------------------------------------- */

static void jb_populate(dws_world *w, int cls)
{
    const dws_class_cfg *k = &w->sc->cls[cls];
    for (int i = 0; i < k->per_group; i++) {
        dws_account *a = dws_world_add_account(w, cls, 0, i);
        dws_rng r;
        dws_rng_seed(&r, a->seed);
        dws_acct_person(w, a, &r, -1);
        a->rate = person_rate(&r, k->rpd);
        a->active = 0.35;
        a->verified = dws_rng_chance(&r, 0.2);
        if (dws_rng_chance(&r, 0.4)) dws_acct_created(w, a, dws_rng_unif(&r) * 10);
    }
}

static void jb_schedule(dws_world *w, uint32_t acct)
{
    static const dws_human_cfg cfg = {DWS_DIURNAL_STUDENT, 15, 25, 0.8, 3.0, 1.0};
    int kinds[1] = {K_JAILBREAK};
    dws_human_schedule(w, acct, &cfg, 0, emit_kind, kinds);
}

static void jb_compose(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q)
{
    dws_rng r, cr;
    dws_rng_derive(&r, e->conv, 0x1B, e->turn);
    dws_rng_derive(&cr, e->conv, 0x1C, 0);
    q->model = dws_pick_model(w, a, &cr, e->ts, DWS_PREF_CASUAL);
    common_params(&cr, q);
    q->sdk = a->sdk;
    dw_buf *u = dws_req_msg(q, "user");
    if (dws_rng_chance(&r, 0.75)) {
        const dws_qa *qa = dws_rng_chance(&r, 0.5) ? dws_corpus_get(w->corpus, DWS_POOL_JAILBREAK, dws_rng_u64(&r))
                                                   : NULL;
        if (qa) dw_buf_puts(u, qa->q);
        else dws_text_jailbreak(&r, u);
        double x = dws_rng_unif(&r);
        if (x < 0.7) {
            dws_text_refusal(&r, &q->answer);
            q->completion_tokens = 20 + (int)dws_rng_below(&r, 40);
        } else if (x < 0.82) {
            q->finish = "content_filter";
            q->completion_tokens = (int)dws_rng_below(&r, 30);
        } else {
            dws_respond(w, &r, q, DWS_T_WRITING, DWS_L_EN, qa ? qa->a : NULL, 1.0);
        }
    } else {
        int kind;
        const char *ref = dws_casual_prompt(w, &r, u, DWS_L_EN, 0.5, &kind);
        dws_respond(w, &r, q, kind, DWS_L_EN, ref, 1.0);
    }
    /* some try again from a VPN after a refusal */
    if (dws_rng_chance(&r, 0.3)) dws_ip_new(&r, a->country, DWS_NET_HOSTING, false, &q->ip);
    else dws_person_ip(w, a, e, &r, &q->ip);
}

const dws_class_impl dws_impl_jailbreaker = {jb_populate, jb_schedule, jb_compose};
