/*
 * actor.c -- identities, model adoption, addresses and answers.
 *
 * Model adoption after a release is per account: each account has its own
 * delay (adopt_h) after which a share of its traffic moves to the new model.
 * Developers and reasoning-hungry users move within a day, consumers over
 * several days, pinned production jobs never.  That a campaign also moves
 * within a day is then one tell among many, as in the public record, and not
 * a unique one.
 */
#include "sim/actor.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/clock.h"
#include "sim/text.h"

void dws_acct_id(const dws_world *w, dws_account *a)
{
    char hex[17];
    dws_hex(hex, dws_mix64(a->seed ^ dws_mix64(w->seed)), 16);
    snprintf(a->id, sizeof a->id, "acct_%s", hex);
}

void dws_payment_new(dws_rng *r, char *out)
{
    char hex[17];
    dws_hex(hex, dws_rng_u64(r), 16);
    snprintf(out, 24, "pf_%s", hex);
}

void dws_acct_created(dws_world *w, dws_account *a, double days_before)
{
    a->created_ms = w->t0 - (int64_t)(days_before * (double)DWS_MS_PER_DAY);
}

void dws_acct_person(dws_world *w, dws_account *a, dws_rng *r, int country)
{
    a->country = country >= 0 ? country : dws_country_pick(r);
    a->tz_min = dws_country_tz(a->country, r);
    a->lang = dws_country_lang(a->country);
    snprintf(a->email, sizeof a->email, "%s", dws_email_consumer(r, a->country));
    dws_payment_new(r, a->payment);
    a->program = "standard";
    a->verified = dws_rng_chance(r, 0.45);
    a->nkeys = 1 + (dws_rng_chance(r, 0.25) ? 1 : 0);
    dws_sdk_pick(r, &a->sdk);
    a->v6 = dws_rng_chance(r, 0.35) ? dws_rng_unif(r) : 0.0;
    dws_ip_new(r, a->country, DWS_NET_HOME, false, &a->home);
    a->mobile = dws_rng_chance(r, 0.4) ? 0.1 + 0.5 * dws_rng_unif(r) : 0.0;
    /* Account age: most accounts are months old, a few signed up during the window. */
    double age = dws_rng_chance(r, 0.06) ? -dws_rng_unif(r) * w->sc->days : dws_rng_lognormal(r, 150, 1.0);
    dws_acct_created(w, a, age);
    a->adopt_h = dws_rng_lognormal(r, 60, 1.0);
    a->active = 0.5;
    a->rate = 5;
}

const char *dws_model_name(int m)
{
    static const char *const names[DWS_M_COUNT] = {"m-large-2", "m-mini-2", "m-reason-1", "m-large-3"};
    return m >= 0 && m < DWS_M_COUNT ? names[m] : "m-large-2";
}

int dws_pick_model(const dws_world *w, const dws_account *a, dws_rng *r, int64_t ts, int pref)
{
    int base;
    switch (pref) {
    case DWS_PREF_DEV: {
        static const double wt[3] = {0.55, 0.3, 0.15};
        base = (int)dws_rng_weighted(r, wt, 3);
        break;
    }
    case DWS_PREF_REASON: base = dws_rng_chance(r, 0.75) ? DWS_M_REASON : DWS_M_LARGE; break;
    case DWS_PREF_PINNED: return DWS_M_LARGE;
    default: {
        static const double wt[3] = {0.6, 0.3, 0.1};
        base = (int)dws_rng_weighted(r, wt, 3);
    }
    }
    if (ts >= w->release_ms + (int64_t)(a->adopt_h * DWS_MS_PER_HOUR)) {
        double share = pref == DWS_PREF_REASON ? 0.6 : pref == DWS_PREF_DEV ? 0.45 : 0.35;
        if (dws_rng_chance(r, share)) return DWS_M_NEW;
    }
    return base;
}

void dws_person_ip(const dws_world *w, const dws_account *a, const dws_event *e, dws_rng *r, dws_ip *out)
{
    (void)w;
    int64_t day = e->ts / DWS_MS_PER_DAY;
    dws_rng s;
    if (a->mobile > 0 && dws_rng_chance(r, a->mobile)) {
        dws_rng_derive(&s, a->seed, 0x30B, (uint64_t)e->conv);
        dws_ip_new(&s, a->country, DWS_NET_MOBILE, dws_rng_chance(r, a->v6), out);
        return;
    }
    /* Home IPv4 is renumbered every ~4 days by most ISPs; IPv6 privacy
     * addresses change daily inside a stable /64. */
    bool v6 = dws_rng_chance(r, a->v6);
    if (v6) {
        dws_rng_derive(&s, a->seed, 0x60E, 0);
        dws_ip net6;
        dws_ip_new(&s, a->country, DWS_NET_HOME, true, &net6);
        if (net6.v6) {
            dws_rng_derive(&s, a->seed, 0x60F, (uint64_t)day);
            uint64_t x = dws_rng_u64(&s);
            for (int i = 8; i < 16; i++) net6.b[i] = (uint8_t)(x >> (8 * (i - 8)));
            *out = net6;
            return;
        }
    }
    int64_t epoch = (day + (int64_t)(a->seed % 4)) / 4;
    if (epoch == (w->t0 / DWS_MS_PER_DAY + (int64_t)(a->seed % 4)) / 4) { *out = a->home; return; }
    dws_rng_derive(&s, a->seed, 0x4E0, (uint64_t)epoch);
    dws_ip_new(&s, a->country, DWS_NET_HOME, false, out);
}

int dws_gen_tokens(const dws_world *w, dws_rng *r, int code, double scale)
{
    uint32_t t = dws_corpus_gen_tokens(w->corpus, code, dws_rng_u64(r));
    double v;
    if (t) v = t;
    else v = code ? dws_rng_lognormal(r, 13, 1.1) : dws_rng_lognormal(r, 129, 0.85);
    v *= scale;
    if (v < 1) v = 1;
    if (v > 16000) v = 16000;
    return (int)v;
}

/* Logged bodies are capped: gateways truncate what they store, and the
 * simulator's output must stay a size a laptop can scan. */
#define ANSWER_CAP 900
#define REASON_CAP 500

static void put_capped(dw_buf *b, const char *s, size_t cap)
{
    size_t n = strlen(s);
    if (n > cap) {
        n = cap;
        /* do not split a UTF-8 sequence */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    dw_buf_put(b, s, n);
}

void dws_respond(const dws_world *w, dws_rng *r, dws_req *q, int kind, int lang, const char *ref, double scale)
{
    int toks = dws_gen_tokens(w, r, kind == DWS_T_CODING && dws_rng_chance(r, 0.3), scale);
    if (ref && *ref) {
        put_capped(&q->answer, ref, ANSWER_CAP);
        int approx = (int)(strlen(ref) / 4);
        if (approx > toks) toks = approx;
    } else {
        size_t chars = (size_t)toks * 4;
        if (chars > ANSWER_CAP) chars = ANSWER_CAP;
        if (chars < 8) chars = 8;
        dws_text_answer(r, &q->answer, kind, chars, lang);
    }
    if (dws_model_reasons(q->model)) {
        int rt = (int)dws_rng_lognormal(r, 700, 0.7);
        size_t chars = (size_t)rt * 4;
        if (chars > REASON_CAP) chars = REASON_CAP;
        dws_text_reasoning(r, &q->reasoning, chars, lang);
        toks += rt;
    }
    q->completion_tokens = toks;
    if (q->max_tokens && q->completion_tokens >= q->max_tokens) {
        q->completion_tokens = q->max_tokens;
        q->finish = "length";
    } else {
        q->finish = "stop";
    }
}

const char *dws_casual_prompt(const dws_world *w, dws_rng *r, dw_buf *out, int lang, double p_corpus, int *kind)
{
    *kind = DWS_T_EXPLAIN;
    if (lang == DWS_L_EN && w->corpus && dws_rng_chance(r, p_corpus)) {
        int pool = dws_rng_chance(r, 0.2) ? DWS_POOL_CODE : DWS_POOL_CHAT;
        const dws_qa *qa = dws_corpus_get(w->corpus, pool, dws_rng_u64(r));
        if (qa) {
            dw_buf_puts(out, qa->q);
            if (pool == DWS_POOL_CODE) *kind = DWS_T_CODING;
            return qa->a;
        }
    }
    if (lang == DWS_L_EN) {
        static const double wt[DWS_T_COUNT] = {0.22, 0.16, 0.2, 0.16, 0.08, 0.08, 0.1};
        *kind = (int)dws_rng_weighted(r, wt, DWS_T_COUNT);
        dws_text_casual(r, out, *kind);
    } else {
        dws_text_casual_lang(r, out, lang);
    }
    return NULL;
}
