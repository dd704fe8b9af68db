/*
 * evidence.c -- judging one pair of accounts (see link.h for the method).
 *
 * Every exact-value weight is log(N / n): N the accounts the index holds,
 * n those that have this value.  A value both accounts hold is held by at
 * least two, so n >= 2.  Times weigh how far their neighbourhood exceeds the
 * background rate (time_weight).  Kinds never add up inside themselves: the
 * strongest of exact prompt, paraphrase family and tools schema, and of the
 * three timing facts, is the kind's weight.
 *
 * Values must be *dominant* in both accounts to count (slot counts of at
 * least 2, 3 for templates): an account that once used a shared proxy or
 * once pasted a popular system prompt has not adopted it.
 *
 * Synchronized activity is judged against chance: if two accounts are
 * active in a and b of the H hours both rings cover, independent schedules
 * would share about ab/H of them.  The weight grows with how far the
 * observed overlap (Jaccard) exceeds the overlap chance predicts, and is
 * zero for round-the-clock accounts (nothing to synchronize: every busy
 * scheduler "overlaps" every other) and for accounts seen in too few hours.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "link/link_int.h"

/* N is every account the index holds, not only those with a value of this
 * sort: when few accounts send a system prompt at all, two that send the
 * same one share something rare. */
static double idf_n(const dw_link *L, int tag, double n)
{
    double N = L->registered > L->tag_n[tag] ? L->registered : L->tag_n[tag];
    if (n < 2) n = 2;
    double w = log((N + 1) / (n + 0.5));
    return w > 0 ? w : 0;
}

static double idf(const dw_link *L, int tag, uint64_t v)
{
    return idf_n(L, tag, dw_lk_count(&L->idx, dw_link_key(tag, v)));
}

/* Two times within the window are evidence only inside a burst: many more
 * accounts near that time than the background rate predicts.  A chance
 * coincidence of two sign-ups among thousands spread over years is common
 * (the birthday problem); twenty sign-ups in one afternoon are not.  The
 * weight is log(observed / expected) around the pair, with at least three
 * accounts making a burst; the background is the tag's count spread evenly
 * over the range of times registered. */
static double time_weight(const dw_link *L, int tag, int64_t hx, int64_t hy, int window_h)
{
    if (llabs(hx - hy) > window_h) return 0;
    uint32_t nx = dw_link_near_count(L, tag, hx, 1), ny = dw_link_near_count(L, tag, hy, 1);
    double near = nx < ny ? nx : ny;
    if (near < 3) return 0;
    double span = L->bmax[tag] >= L->bmin[tag] ? (double)(L->bmax[tag] - L->bmin[tag] + 1) : 3;
    if (span < 3) span = 3;
    double expect = L->tag_n[tag] * 3.0 / span;
    if (expect < 0.5) expect = 0.5;
    double w = log(near / expect);
    return w > 0 ? w : 0;
}

static double activity_weight(const dw_link_fp *x, const dw_link_fp *y, int64_t since_ms)
{
    int both, either, ax, ay;
    int32_t since = since_ms == DW_TS_NONE ? INT32_MIN : (int32_t)dw_link_hour(since_ms);
    int hours = dw_link_activity_overlap(x, y, since, &both, &either, &ax, &ay);
    if (hours < 24 || ax < 8 || ay < 8 || !either) return 0;
    double px = (double)ax / hours, py = (double)ay / hours;
    if (px > 0.75 || py > 0.75) return 0;  /* round the clock: nothing to synchronize */
    double j = (double)both / either;
    double j0 = px * py / (px + py - px * py);
    if (j < 0.7 || j <= j0) return 0;
    return 2.0 * log(j / j0);
}

static double share(uint32_t k, uint32_t n) { return n ? (double)k / n : 0; }

static double pivot_share(const dw_link_fp *f) { return share(f->pivot_new, f->pivot_all); }

int dw_link_compare(dw_link *L, const dw_account_table *t, uint32_t xi, uint32_t yi, dw_link_pair *out)
{
    memset(out, 0, sizeof *out);
    const dw_link_fp *x = dw_link_fp_at(L, xi), *y = dw_link_fp_at(L, yi);
    if (!x || !y || xi == yi) return 0;
    const dw_account *a = &t->v[xi], *b = &t->v[yi];
    double w[DW_LK__COUNT] = {0};

    if (a->payment && b->payment && strcmp(a->payment, b->payment) == 0)
        w[DW_LK_PAYMENT] = idf(L, DW_TAG_PAY, dw_hash(a->payment, strlen(a->payment)) | 1);

    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            if (x->ip_c[i] >= 2 && y->ip_c[j] >= 2) {
                uint64_t kx = dw_link_prefix_key(x->ip[i]);
                if (kx && kx == dw_link_prefix_key(y->ip[j])) {
                    double v = idf(L, DW_TAG_PFX, kx);
                    if (v > w[DW_LK_NETWORK]) w[DW_LK_NETWORK] = v;
                }
            }
            if (x->sys_c[i] >= 2 && y->sys_c[j] >= 2) {
                double v = 0;
                if (x->sys[i] == y->sys[j]) v = idf(L, DW_TAG_SYS, x->sys[i]);
                uint32_t fx = dw_link_family_of(L, x->sys[i]);
                if (fx && fx == dw_link_family_of(L, y->sys[j])) {
                    /* people who share a prompt copy it verbatim ("You are a
                     * helpful assistant."); a family of many paraphrases of one
                     * long prompt, each wording used by a few accounts, is
                     * what an operator who disguises its accounts writes.  So
                     * a family weighs its rarity plus the log of its wordings */
                    double fam = idf(L, DW_TAG_FAM, fx - 1) + log((double)dw_link_family_size(L, fx));
                    if (fam > v) v = fam;
                }
                if (v > w[DW_LK_SYSTEM]) w[DW_LK_SYSTEM] = v;
            }
            if (x->tpl_c[i] >= 3 && y->tpl_c[j] >= 3 && x->tpl[i] == y->tpl[j]) {
                double v = idf(L, DW_TAG_TPL, x->tpl[i]);
                if (v > w[DW_LK_TEMPLATE]) w[DW_LK_TEMPLATE] = v;
            }
        }
    /* Not evidence: the ASN and the e-mail domain.  Both follow geography --
     * two Korean users share naver.com and KT without sharing an operator --
     * so they would add a second "independent" kind to every chance match
     * between compatriots.  (They still appear in campaign descriptions.) */
    /* a client build is what everybody on that SDK release sends; one
     * operator's accounts share it only about half the time (m = 0.5) */
    if (x->client && x->client == y->client && x->client_c >= 2 && y->client_c >= 2)
        w[DW_LK_CLIENT] = idf(L, DW_TAG_CLIENT, x->client) - M_LN2;
    /* a tools schema is part of the same harness as the system prompt --
     * every user of a popular agent sends both -- so it is the same kind of
     * evidence, not a second one */
    if (x->tools && x->tools == y->tools && x->tools_c >= 2 && y->tools_c >= 2) {
        double v = idf(L, DW_TAG_TOOLS, x->tools);
        if (v > w[DW_LK_SYSTEM]) w[DW_LK_SYSTEM] = v;
    }

    /* an operator creates its accounts over days, not all in the same
     * three hours: two of them fall in one window a quarter of the time at
     * best (m = 1/4) */
    if (a->created_ms != DW_TS_NONE && b->created_ms != DW_TS_NONE)
        w[DW_LK_SIGNUP] = time_weight(L, DW_TAG_CREATED, dw_link_hour(a->created_ms), dw_link_hour(b->created_ms),
                                      DW_CREATED_WINDOW_H) - log(4.0);

    double tw = 0;
    if (a->first_ms != DW_TS_NONE && b->first_ms != DW_TS_NONE)
        tw = time_weight(L, DW_TAG_FIRST, dw_link_hour(a->first_ms), dw_link_hour(b->first_ms), DW_FIRST_WINDOW_H);
    if (x->pivot_min != DW_LINK_NO_TIME && y->pivot_min != DW_LINK_NO_TIME && x->pivot_all >= 3 && y->pivot_all >= 3 &&
        pivot_share(x) >= 0.3 && pivot_share(y) >= 0.3) {
        double v = time_weight(L, DW_TAG_PIVOT, x->pivot_min / 60, y->pivot_min / 60, DW_PIVOT_WINDOW_H);
        if (v > tw) tw = v;
    }
    /* hours before either account existed say nothing about synchrony */
    int64_t since = a->first_ms == DW_TS_NONE || b->first_ms == DW_TS_NONE ? DW_TS_NONE
                    : a->first_ms > b->first_ms ? a->first_ms : b->first_ms;
    double av = activity_weight(x, y, since);
    if (av > tw) tw = av;
    w[DW_LK_TIMING] = tw;

    double px[DW_BANK_DIMS], py[DW_BANK_DIMS];
    uint32_t nx = dw_link_bank_profile(x, a, px), ny = nx ? dw_link_bank_profile(y, b, py) : 0;
    if (nx && ny && dw_link_bank_close(px, nx, py, ny)) {
        /* rarity of a profile this close: the denser of the two neighbourhoods */
        uint32_t near = x->bank_near > y->bank_near ? x->bank_near : y->bank_near;
        w[DW_LK_BANK] = idf_n(L, DW_TAG_BANK, near ? near : dw_lk_count(&L->idx, dw_link_key(DW_TAG_BANK, dw_link_bank_cell(x, a))));
    }

    for (int k = 0; k < DW_LK__COUNT; k++) {
        double v = w[k] > L->p.kind_cap ? L->p.kind_cap : w[k] < 0 ? 0 : w[k];
        out->w[k] = (float)v;
        out->total += (float)v;
        out->kinds += v >= L->p.kind_min;
    }
    return out->kinds >= L->p.min_kinds && out->total >= L->p.edge_min;
}
