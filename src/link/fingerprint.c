/*
 * fingerprint.c -- folding one request into an account's link fingerprint.
 *
 * Every update is O(1) and touches only the account's own fingerprint.
 * Misra-Gries counters are 16 bits; when one would overflow, all counters of
 * that summary are halved, which keeps their ratios (what "dominant" means)
 * and the guarantee that a frequent value stays in its slot.
 *
 * The model pivot is recorded as the time of the account's first request to
 * a model that appeared after traffic began, and only for an account that
 * was already active before the model appeared: an account created after a
 * release that uses the new model from its first request did not pivot.
 * How much of the account moved is counted over the next 24 hours, so that
 * one curious request does not make a pivot.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "link/fingerprint.h"
#include "common/util.h"

void dw_link_fp_init(dw_link_fp *fp)
{
    memset(fp, 0, sizeof *fp);
    fp->act_hour = DW_LINK_NO_TIME;
    fp->pivot_min = DW_LINK_NO_TIME;
}

static inline void sat16(uint16_t *c) { if (*c != UINT16_MAX) (*c)++; }

/* Misra-Gries with two slots. */
static void mg2(uint64_t v[2], uint16_t c[2], uint64_t x)
{
    if (!x) return;
    for (int i = 0; i < 2; i++)
        if (c[i] && v[i] == x) {
            if (c[i] == UINT16_MAX) { c[0] >>= 1; c[1] >>= 1; }
            c[i]++;
            return;
        }
    for (int i = 0; i < 2; i++)
        if (!c[i]) { v[i] = x; c[i] = 1; return; }
    c[0]--;
    c[1]--;
}

/* Misra-Gries with one slot (Boyer-Moore majority). */
static void mg1(uint64_t *v, uint16_t *c, uint64_t x)
{
    if (!x) return;
    if (*c && *v == x) { if (*c < UINT16_MAX) (*c)++; return; }
    if (!*c) { *v = x; *c = 1; return; }
    (*c)--;
}

uint64_t dw_link_prefix_key(const uint8_t ip[16])
{
    static const uint8_t zero[16] = {0};
    if (memcmp(ip, zero, 16) == 0) return 0;
    uint8_t key[7];
    if (dw_link_ip_is_v4(ip)) { key[0] = 4; memcpy(key + 1, ip + 12, 3); return dw_hash(key, 4) | 1; }
    key[0] = 6;
    memcpy(key + 1, ip, 6);
    return dw_hash(key, 7) | 1;
}

void dw_link_ip_text(const uint8_t ip[16], char *out, size_t cap)
{
    char tmp[64] = "";
    if (dw_link_ip_is_v4(ip)) inet_ntop(AF_INET, ip + 12, tmp, sizeof tmp);
    else inet_ntop(AF_INET6, ip, tmp, sizeof tmp);
    snprintf(out, cap, "%s", tmp);
}

void dw_link_prefix_text(const uint8_t ip[16], char *out, size_t cap)
{
    uint8_t p[16] = {0};
    char tmp[64] = "";
    if (dw_link_ip_is_v4(ip)) {
        memcpy(p, ip + 12, 3);
        inet_ntop(AF_INET, p, tmp, sizeof tmp);
        snprintf(out, cap, "%s/24", tmp);
    } else {
        memcpy(p, ip, 6);
        inet_ntop(AF_INET6, p, tmp, sizeof tmp);
        snprintf(out, cap, "%s/48", tmp);
    }
}

/* Misra-Gries over prefixes, keeping the latest full address per slot. */
static void mg_ip(dw_link_fp *fp, const uint8_t ip[16])
{
    uint64_t k = dw_link_prefix_key(ip);
    if (!k) return;
    for (int i = 0; i < 2; i++)
        if (fp->ip_c[i] && dw_link_prefix_key(fp->ip[i]) == k) {
            memcpy(fp->ip[i], ip, 16);
            if (fp->ip_c[i] == UINT16_MAX) { fp->ip_c[0] >>= 1; fp->ip_c[1] >>= 1; }
            fp->ip_c[i]++;
            return;
        }
    for (int i = 0; i < 2; i++)
        if (!fp->ip_c[i]) { memcpy(fp->ip[i], ip, 16); fp->ip_c[i] = 1; return; }
    fp->ip_c[0]--;
    fp->ip_c[1]--;
}

static void mark_hour(dw_link_fp *fp, int32_t h)
{
    if (fp->act_hour == DW_LINK_NO_TIME) {
        fp->act[0] = fp->act[1] = 0;
        fp->act_hour = h;
    } else if (h > fp->act_hour) {
        /* clear the hours skipped since the newest bit */
        int32_t gap = h - fp->act_hour;
        if (gap >= 128) fp->act[0] = fp->act[1] = 0;
        else
            for (int32_t k = fp->act_hour + 1; k <= h; k++) {
                unsigned b = (unsigned)(k & 127);
                fp->act[b >> 6] &= ~(1ULL << (b & 63));
            }
        fp->act_hour = h;
    } else if (fp->act_hour - h >= 128) {
        return; /* older than the ring */
    }
    unsigned b = (unsigned)(h & 127);
    fp->act[b >> 6] |= 1ULL << (b & 63);
}

static uint32_t log2x8(uint32_t n)
{
    uint32_t v = n + 1;
    unsigned msb = 31u - (unsigned)__builtin_clz(v);
    uint32_t frac = msb >= 3 ? (v >> (msb - 3)) & 7 : (v << (3 - msb)) & 7;
    return msb * 8 + frac;
}

void dw_link_fp_observe(dw_link_fp *fp, const dw_account *a, const dw_obs *o, const dw_link_ctx *ctx)
{
    const dw_features *f = &o->f;
    mg2(fp->sys, fp->sys_c, f->system_hash);
    if (f->prompt_hash) {
        /* a template's fixed text is at one end or the other: both ends
         * compete for the two slots, and a fixed end recurs in every fill */
        mg2(fp->tpl, fp->tpl_c, f->prefix_sig);
        mg2(fp->tpl, fp->tpl_c, f->suffix_sig);
        sat16(&fp->prompts);
        if (f->prompt_shape & DW_SHAPE_DIGITS) sat16(&fp->digits);
        if (f->prompt_shape & DW_SHAPE_QUESTION) sat16(&fp->questions);
        if (f->prompt_shape & DW_SHAPE_LINES) sat16(&fp->lines);
        if (fp->prompts < UINT16_MAX) fp->len_log += log2x8(f->prompt_chars);
    }
    mg1(&fp->client, &fp->client_c, f->client_fp);
    mg1(&fp->tools, &fp->tools_c, f->tools_fp);
    mg_ip(fp, f->ip);
    if (o->ts_ms >= 0) mark_hour(fp, (int32_t)(o->ts_ms / 3600000));
    /* pivot: the first request of an established account to a new release */
    int64_t minute = o->ts_ms / 60000;
    if (fp->pivot_min == DW_LINK_NO_TIME) {
        if (ctx->model_is_release && a->first_ms != DW_TS_NONE && a->first_ms < ctx->model_first_seen &&
            minute > INT32_MIN && minute < INT32_MAX) {
            fp->pivot_min = (int32_t)minute;
            fp->pivot_all = fp->pivot_new = 1;
        }
    } else if (minute - fp->pivot_min < 24 * 60) {
        sat16(&fp->pivot_all);
        if (ctx->model_is_release) sat16(&fp->pivot_new);
    }
}

static double share(uint32_t k, uint32_t n) { return n ? (double)k / n : 0; }

uint32_t dw_link_bank_profile(const dw_link_fp *fp, const dw_account *a, double out[DW_BANK_DIMS])
{
    if (fp->prompts < 16 || fp->prompts == UINT16_MAX || !a->requests) return 0;
    /* a bank is drawn without repeats: nearly every prompt distinct */
    if (dw_account_repeat_share(a) > 0.34) return 0;
    uint32_t n = fp->prompts, r = a->requests;
    double len = (double)fp->len_log / n / 8.0 / 12.0;
    out[0] = share(a->single_turn, r);
    out[1] = share(fp->digits, n);
    out[2] = share(fp->questions, n);
    out[3] = share(a->cot, r);
    out[4] = share(a->with_system, r);
    out[5] = share(a->budget_large, r);
    out[6] = len > 1 ? 1 : len;
    return n;
}

uint32_t dw_link_bank_cell(const dw_link_fp *fp, const dw_account *a)
{
    double p[DW_BANK_DIMS];
    if (!dw_link_bank_profile(fp, a, p)) return 0;
    /* coarse on purpose: the cell only brings candidates together, the
     * profiles are compared dimension by dimension */
    uint64_t key = 0x42414e4bULL;
    key = key * 131 + (p[0] >= 0.9);
    key = key * 131 + (unsigned)(p[1] * 2.999);
    key = key * 131 + (unsigned)(p[6] * 12 + 0.5);
    return (uint32_t)(dw_mix64(key) | 1);
}

int dw_link_bank_close(const double x[DW_BANK_DIMS], uint32_t nx, const double y[DW_BANK_DIMS], uint32_t ny)
{
    if (!nx || !ny) return 0;
    for (int d = 0; d < DW_BANK_DIMS; d++) {
        double diff = fabs(x[d] - y[d]);
        if (d == DW_BANK_DIMS - 1) { if (diff > 0.03) return 0; continue; } /* length: +-0.36 bits */
        /* within 2.5 standard errors of a binomial share, and never more than 0.2 apart */
        double p = (x[d] * nx + y[d] * ny) / (nx + ny);
        double tol = 0.04 + 2.5 * sqrt(p * (1 - p) * (1.0 / nx + 1.0 / ny));
        if (tol > 0.2) tol = 0.2;
        if (diff > tol) return 0;
    }
    return 1;
}

int dw_link_activity_overlap(const dw_link_fp *x, const dw_link_fp *y, int32_t since, int *both, int *either, int *active_x,
                             int *active_y)
{
    *both = *either = *active_x = *active_y = 0;
    if (x->act_hour == DW_LINK_NO_TIME || y->act_hour == DW_LINK_NO_TIME) return 0;
    int32_t hi = x->act_hour < y->act_hour ? x->act_hour : y->act_hour;
    int32_t lo = (x->act_hour > y->act_hour ? x->act_hour : y->act_hour) - 127;
    if (since > lo) lo = since;
    if (hi < lo) return 0;
    for (int32_t h = lo; h <= hi; h++) {
        unsigned b = (unsigned)(h & 127);
        int bx = (int)((x->act[b >> 6] >> (b & 63)) & 1), by = (int)((y->act[b >> 6] >> (b & 63)) & 1);
        *both += bx & by;
        *either += bx | by;
        *active_x += bx;
        *active_y += by;
    }
    return (int)(hi - lo + 1);
}
