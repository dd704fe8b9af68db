/*
 * stix.c -- stix-bundle.json: the campaigns in STIX 2.1, for sharing.
 *
 * Another provider's tools (a TAXII server, a SIEM, MISP) read STIX, so the
 * campaigns leave in it: one identity (this DistillWatch deployment, which
 * produced everything), one campaign object per campaign judged suspicious,
 * indicators with STIX patterns for what another provider can match on its
 * own traffic -- the campaign's accounts (user-account, meaningful to the
 * provider that owns them), addresses and /24-/48 prefixes (ipv4-addr /
 * ipv6-addr, prefixes with ISSUBSET), user agents (the HTTP request
 * extension of network-traffic), payment fingerprints (a custom object
 * type, x-distillwatch-payment) -- each tied to its campaign by an
 * "indicates" relationship, and a sighting per indicator saying how much
 * traffic it matched and when.
 *
 * Deterministic: ids are UUIDv5-shaped hashes of what the object stands for
 * (the campaign id, the indicator's values), and "created"/"modified" are
 * event times from the log, not the wall clock -- two runs over the same
 * data write the same bytes, and a campaign keeps its STIX id across runs.
 * Strings in patterns are quoted as the STIX patterning grammar requires
 * (backslash and single quote escaped); the JSON writer escapes the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/engine_int.h"
#include "common/buf.h"
#include "common/util.h"

#define PER_INDICATOR 50        /* values OR-ed into one indicator pattern */
#define MAX_VALUES 200          /* values per kind and campaign */

/* "type--uuid" from a stable name: 128 hashed bits, version 5, RFC 4122 variant. */
static void stix_id(const char *type, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    uint64_t h1 = dw_hash_seed(name, n, 0x5717A001ULL ^ dw_hash(type, strlen(type)));
    uint64_t h2 = dw_hash_seed(name, n, 0x5717A002ULL);
    uint8_t u[16];
    for (int i = 0; i < 8; i++) { u[i] = (uint8_t)(h1 >> (56 - 8 * i)); u[8 + i] = (uint8_t)(h2 >> (56 - 8 * i)); }
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x50);
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
    snprintf(out, cap, "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", type, u[0], u[1], u[2], u[3],
             u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* A quoted STIX pattern string literal: '...' with \ and ' escaped. */
static void pattern_str(dw_buf *b, const char *s)
{
    dw_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\\' || *s == '\'') dw_buf_putc(b, '\\');
        dw_buf_putc(b, *s);
    }
    dw_buf_putc(b, '\'');
}

static void common(dw_jw *w, const char *type, const char *id, const char *identity, const char *ts)
{
    dw_jw_key(w, "type"); dw_jw_str(w, type);
    dw_jw_key(w, "spec_version"); dw_jw_str(w, "2.1");
    dw_jw_key(w, "id"); dw_jw_str(w, id);
    if (identity) { dw_jw_key(w, "created_by_ref"); dw_jw_str(w, identity); }
    dw_jw_key(w, "created"); dw_jw_str(w, ts);
    dw_jw_key(w, "modified"); dw_jw_str(w, ts);
}

typedef struct ctx {
    dw_jw *w;
    const char *identity;
    const dw_campaign *c;
    const char *campaign_id;    /* STIX id of c */
    char first[40], last[40];
} ctx;

/* One indicator over values[0..n) of one kind, its relationship and its sighting. */
static void indicator(ctx *x, const char *what, int part, const char *const *values, size_t n,
                      void (*term)(dw_buf *, const char *))
{
    dw_buf pat = {0}, name = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) dw_buf_puts(&pat, " OR ");
        dw_buf_putc(&pat, '[');
        term(&pat, values[i]);
        dw_buf_putc(&pat, ']');
    }
    dw_buf_printf(&name, "%s %s %d", x->c->id, what, part);
    char id[96], rel[96], sig[96];
    stix_id("indicator", dw_buf_cstr(&pat), id, sizeof id);
    dw_jw *w = x->w;
    dw_jw_obj_begin(w);
    common(w, "indicator", id, x->identity, x->last);
    dw_jw_key(w, "name"); dw_jw_str(w, dw_buf_cstr(&name));
    char desc[160];
    snprintf(desc, sizeof desc, "%s of DistillWatch campaign %s (%u accounts)", what, x->c->id, x->c->n);
    dw_jw_key(w, "description"); dw_jw_str(w, desc);
    dw_jw_key(w, "indicator_types");
    dw_jw_arr_begin(w); dw_jw_str(w, "malicious-activity"); dw_jw_arr_end(w);
    dw_jw_key(w, "pattern"); dw_jw_str(w, dw_buf_cstr(&pat));
    dw_jw_key(w, "pattern_type"); dw_jw_str(w, "stix");
    dw_jw_key(w, "pattern_version"); dw_jw_str(w, "2.1");
    dw_jw_key(w, "valid_from"); dw_jw_str(w, x->first);
    dw_jw_key(w, "confidence"); dw_jw_int(w, (int64_t)(x->c->score * 100 + 0.5));
    dw_jw_obj_end(w);
    /* indicator -- indicates --> campaign */
    dw_buf rn = {0};
    dw_buf_printf(&rn, "%s|indicates|%s", id, x->campaign_id);
    stix_id("relationship", dw_buf_cstr(&rn), rel, sizeof rel);
    dw_jw_obj_begin(w);
    common(w, "relationship", rel, x->identity, x->last);
    dw_jw_key(w, "relationship_type"); dw_jw_str(w, "indicates");
    dw_jw_key(w, "source_ref"); dw_jw_str(w, id);
    dw_jw_key(w, "target_ref"); dw_jw_str(w, x->campaign_id);
    dw_jw_obj_end(w);
    /* where and how much it was seen: here, over the campaign's traffic */
    dw_buf_reset(&rn);
    dw_buf_printf(&rn, "%s|sighting", id);
    stix_id("sighting", dw_buf_cstr(&rn), sig, sizeof sig);
    dw_jw_obj_begin(w);
    common(w, "sighting", sig, x->identity, x->last);
    dw_jw_key(w, "sighting_of_ref"); dw_jw_str(w, id);
    dw_jw_key(w, "where_sighted_refs");
    dw_jw_arr_begin(w); dw_jw_str(w, x->identity); dw_jw_arr_end(w);
    dw_jw_key(w, "first_seen"); dw_jw_str(w, x->first);
    dw_jw_key(w, "last_seen"); dw_jw_str(w, x->last);
    dw_jw_key(w, "count"); dw_jw_uint(w, x->c->requests > 999999999 ? 999999999 : x->c->requests);
    dw_jw_obj_end(w);
    dw_buf_free(&rn);
    dw_buf_free(&pat);
    dw_buf_free(&name);
}

static void term_account(dw_buf *b, const char *v) { dw_buf_puts(b, "user-account:user_id = "); pattern_str(b, v); }
static void term_ip(dw_buf *b, const char *v)
{
    dw_buf_puts(b, strchr(v, ':') ? "ipv6-addr:value = " : "ipv4-addr:value = ");
    pattern_str(b, v);
}
static void term_prefix(dw_buf *b, const char *v)
{
    dw_buf_puts(b, strchr(v, ':') ? "ipv6-addr:value ISSUBSET " : "ipv4-addr:value ISSUBSET ");
    pattern_str(b, v);
}
static void term_ua(dw_buf *b, const char *v)
{
    dw_buf_puts(b, "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = ");
    pattern_str(b, v);
}
static void term_payment(dw_buf *b, const char *v) { dw_buf_puts(b, "x-distillwatch-payment:fingerprint = "); pattern_str(b, v); }

static void indicators(ctx *x, const char *what, const char *const *values, size_t n, void (*term)(dw_buf *, const char *))
{
    for (size_t i = 0, part = 1; i < n; i += PER_INDICATOR, part++)
        indicator(x, what, (int)part, values + i, n - i < PER_INDICATOR ? n - i : PER_INDICATOR, term);
}

int dw_write_stix(dw_engine *e, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return -1; }
    dw_campaign_env env;
    dw_engine_campaign_env(e, &env);
    const dw_campaign **list;
    size_t nc = dw_campaigns_list(e->camps, &list);
    int64_t newest = DW_TS_NONE;
    for (uint32_t i = 0; i < e->accts.n; i++)
        if (e->accts.v[i].requests && e->accts.v[i].last_ms > newest) newest = e->accts.v[i].last_ms;
    char now[40];
    dw_format_ts(newest == DW_TS_NONE ? 0 : newest, now, sizeof now);

    dw_buf b = {0};
    dw_jw w;
    dw_jw_init(&w, &b);
    char identity[96], bundle[96];
    stix_id("identity", "distillwatch", identity, sizeof identity);
    dw_buf ids = {0};
    for (size_t i = 0; i < nc; i++)
        if (list[i]->verdict >= DW_REVIEW) dw_buf_printf(&ids, "%s,", list[i]->id);
    stix_id("bundle", ids.len ? dw_buf_cstr(&ids) : "empty", bundle, sizeof bundle);
    dw_buf_free(&ids);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "type"); dw_jw_str(&w, "bundle");
    dw_jw_key(&w, "id"); dw_jw_str(&w, bundle);
    dw_jw_key(&w, "objects");
    dw_jw_arr_begin(&w);
    dw_jw_obj_begin(&w);
    common(&w, "identity", identity, NULL, now);
    dw_jw_key(&w, "name"); dw_jw_str(&w, "DistillWatch");
    dw_jw_key(&w, "description"); dw_jw_str(&w, "Distillation-campaign detection over this provider's API request logs");
    dw_jw_key(&w, "identity_class"); dw_jw_str(&w, "system");
    dw_jw_obj_end(&w);

    dw_indicator *ind = malloc(MAX_VALUES * sizeof *ind);
    const char **vals = malloc(MAX_VALUES * sizeof *vals);
    if (!ind || !vals) { free(ind); free(vals); free(list); fclose(f); snprintf(err, errlen, "out of memory"); return -1; }
    for (size_t i = 0; i < nc; i++) {
        const dw_campaign *c = list[i];
        if (c->verdict < DW_REVIEW) continue;
        ctx x = {&w, identity, c, NULL, "", ""};
        char cid[96];
        stix_id("campaign", c->id, cid, sizeof cid);
        x.campaign_id = cid;
        dw_format_ts(c->first_ms, x.first, sizeof x.first);
        dw_format_ts(c->last_ms, x.last, sizeof x.last);
        dw_jw_obj_begin(&w);
        common(&w, "campaign", cid, identity, x.last);
        dw_jw_key(&w, "name"); dw_jw_str(&w, c->id);
        char desc[900];
        snprintf(desc, sizeof desc, "%u accounts judged %.2f (%s) as one operation: %s", c->n, c->score,
                 dw_verdict_name(c->verdict), c->summary);
        dw_jw_key(&w, "description"); dw_jw_str(&w, desc);
        dw_jw_key(&w, "objective"); dw_jw_str(&w, "unauthorized distillation: harvesting a language model's answers to train another model");
        dw_jw_key(&w, "first_seen"); dw_jw_str(&w, x.first);
        dw_jw_key(&w, "last_seen"); dw_jw_str(&w, x.last);
        dw_jw_key(&w, "confidence"); dw_jw_int(&w, (int64_t)(c->score * 100 + 0.5));
        dw_jw_obj_end(&w);

        /* accounts, by id */
        const char **members = dw_campaign_member_ids(c, &e->accts);
        indicators(&x, "accounts", members, c->n, term_account);
        free(members);
        static const struct { dw_indicator_kind k; const char *what; void (*term)(dw_buf *, const char *); } kinds[] = {
            {DW_IND_IP, "addresses", term_ip},
            {DW_IND_PREFIX, "network prefixes", term_prefix},
            {DW_IND_UA, "user agents", term_ua},
            {DW_IND_PAYMENT, "payment fingerprints", term_payment},
        };
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
            int n = dw_campaign_indicators(c, &env, kinds[k].k, ind, MAX_VALUES);
            for (int j = 0; j < n; j++) vals[j] = ind[j].value;
            if (n) indicators(&x, kinds[k].what, vals, (size_t)n, kinds[k].term);
        }
        if (b.len > (1u << 20)) { dw_buf_write(&b, f); dw_buf_reset(&b); }
    }
    free(ind);
    free(vals);
    free(list);
    dw_jw_arr_end(&w);
    dw_jw_obj_end(&w);
    dw_buf_putc(&b, '\n');
    dw_buf_write(&b, f);
    dw_buf_free(&b);
    if (ferror(f) | (fclose(f) != 0)) { snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno)); return -1; }
    return 0;
}
