/*
 * test_stix.c -- stix-bundle.json validates against the OASIS STIX 2.1 JSON
 * schemas (../shared/testsuites/stix2-json-schemas; skipped when absent).
 *
 * The checker below implements the part of JSON Schema (2020-12) those
 * schemas use: $ref (relative files and #/definitions/...), type, enum,
 * const, pattern (ECMA-style regexes compiled with vectorscan, which the
 * project already links), min/maxLength, minimum/maximum, properties,
 * patternProperties, additionalProperties, required, minProperties, items,
 * min/maxItems, allOf/anyOf/oneOf/not and if/then/else; annotations
 * (title, description, format, ...) are ignored.  A pattern vectorscan cannot
 * compile is counted and reported, never silently passed: the test fails if
 * a keyword that matters for our objects could not be checked.  The checker
 * is itself tested on objects that must fail, so a checker that accepts
 * everything cannot pass the suite.
 */
#include "testutil.h"
#include "testevent.h"
#include <hs.h>
#include <math.h>
#include "pipeline/engine_int.h"
#include "decode/json.h"

#define T0 1780300800000LL

/* ---- schema files ---------------------------------------------------------------- */

typedef struct sfile {
    char path[1024];
    char *text;
    dw_json_doc doc;
} sfile;

typedef struct rx { char *src; hs_database_t *db; int bad; } rx;

typedef struct checker {
    sfile files[128];
    int nfiles;
    rx rxs[256];
    int nrx;
    hs_scratch_t *scratch;
    int unsupported;        /* patterns that could not be compiled */
    char why[512];
} checker;

static sfile *load_file(checker *c, const char *path)
{
    char real[1024];
    if (!realpath(path, real)) return NULL;
    for (int i = 0; i < c->nfiles; i++)
        if (strcmp(c->files[i].path, real) == 0) return &c->files[i];
    if (c->nfiles == 128) return NULL;
    sfile *f = &c->files[c->nfiles];
    size_t n;
    f->text = dw_test_slurp(real, &n);
    if (!f->text) return NULL;
    dw_json_init(&f->doc);
    if (dw_json_parse(&f->doc, f->text, n) != 0) { free(f->text); return NULL; }
    snprintf(f->path, sizeof f->path, "%s", real);
    c->nfiles++;
    return f;
}

static char *str(const dw_json_doc *d, int32_t t)
{
    long n = dw_json_str(d, t, NULL, 0);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    dw_json_str(d, t, s, (size_t)n + 1);
    return s;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)id; (void)from; (void)to; (void)flags;
    *(int *)ctx = 1;
    return 1; /* stop */
}

/* 1 match, 0 no match, -1 pattern not supported */
static int regex_search(checker *c, const char *pat, const char *s, size_t n)
{
    rx *r = NULL;
    for (int i = 0; i < c->nrx; i++)
        if (strcmp(c->rxs[i].src, pat) == 0) r = &c->rxs[i];
    if (!r) {
        r = &c->rxs[c->nrx++];
        r->src = strdup(pat);
        hs_compile_error_t *err = NULL;
        if (hs_compile(pat, HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | HS_FLAG_UTF8, HS_MODE_BLOCK, NULL, &r->db, &err) != HS_SUCCESS) {
            r->bad = 1;
            hs_free_compile_error(err);
        } else if (hs_alloc_scratch(r->db, &c->scratch) != HS_SUCCESS) {
            r->bad = 1;
        }
    }
    if (r->bad) { c->unsupported++; return -1; }
    int hit = 0;
    hs_scan(r->db, n ? s : "", (unsigned)n, 0, c->scratch, on_match, &hit);
    return hit;
}

static int jtype(const dw_json_doc *d, int32_t t) { return d->toks[t].type; }

static int is_type(const dw_json_doc *d, int32_t t, const char *name)
{
    int ty = jtype(d, t);
    if (!strcmp(name, "object")) return ty == DW_JSON_OBJECT;
    if (!strcmp(name, "array")) return ty == DW_JSON_ARRAY;
    if (!strcmp(name, "string")) return ty == DW_JSON_STRING;
    if (!strcmp(name, "boolean")) return ty == DW_JSON_TRUE || ty == DW_JSON_FALSE;
    if (!strcmp(name, "null")) return ty == DW_JSON_NULL;
    if (!strcmp(name, "number")) return ty == DW_JSON_NUMBER;
    if (!strcmp(name, "integer")) {
        double v;
        return ty == DW_JSON_NUMBER && dw_json_f64(d, t, &v) && v == floor(v);
    }
    return 0;
}

/* JSON value equality for enum/const (primitives by value, containers by text). */
static int json_eq(const dw_json_doc *a, int32_t ta, const dw_json_doc *b, int32_t tb)
{
    int x = jtype(a, ta), y = jtype(b, tb);
    if (x != y) return 0;
    if (x == DW_JSON_STRING) {
        char *s = str(a, ta), *t = str(b, tb);
        int eq = s && t && !strcmp(s, t);
        free(s); free(t);
        return eq;
    }
    if (x == DW_JSON_NUMBER) {
        double u, v;
        return dw_json_f64(a, ta, &u) && dw_json_f64(b, tb, &v) && u == v;
    }
    if (x == DW_JSON_ARRAY || x == DW_JSON_OBJECT)
        return a->toks[ta].len == b->toks[tb].len &&
               !memcmp(a->src + a->toks[ta].start, b->src + b->toks[tb].start, a->toks[ta].len);
    return 1;
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int validate(checker *c, sfile *sf, int32_t s, const dw_json_doc *d, int32_t t);

/* Resolve "$ref" relative to file sf. */
static int validate_ref(checker *c, sfile *sf, const char *ref, const dw_json_doc *d, int32_t t)
{
    sfile *target = sf;
    const char *frag = strchr(ref, '#');
    if (ref[0] != '#') {
        char dir[1024], path[2048];
        snprintf(dir, sizeof dir, "%s", sf->path);
        char *slash = strrchr(dir, '/');
        if (slash) *slash = 0;
        char file[1024];
        snprintf(file, sizeof file, "%.*s", frag ? (int)(frag - ref) : (int)strlen(ref), ref);
        snprintf(path, sizeof path, "%s/%s", dir, file);
        target = load_file(c, path);
        if (!target) { snprintf(c->why, sizeof c->why, "cannot load %.400s", path); return 0; }
    }
    int32_t node = 0;
    if (frag && frag[1]) {
        char p[512];
        snprintf(p, sizeof p, "%s", frag + 2); /* "#/definitions/x" -> "definitions/x" */
        for (char *q = p; *q; q++) if (*q == '/') *q = '.';
        node = dw_json_path(&target->doc, 0, p);
        if (node < 0) { snprintf(c->why, sizeof c->why, "unresolved $ref %s", ref); return 0; }
    }
    return validate(c, target, node, d, t);
}

#define FAIL(...) do { snprintf(c->why, sizeof c->why, __VA_ARGS__); return 0; } while (0)

static int validate(checker *c, sfile *sf, int32_t s, const dw_json_doc *d, int32_t t)
{
    const dw_json_doc *S = &sf->doc;
    if (jtype(S, s) == DW_JSON_TRUE) return 1;
    if (jtype(S, s) == DW_JSON_FALSE) FAIL("schema false");
    if (jtype(S, s) != DW_JSON_OBJECT) return 1;
    for (int32_t k = dw_json_first(S, s); k >= 0; k = dw_json_next(S, s, k)) {
        int32_t v = dw_json_next(S, s, k);
        char *key = str(S, k);
        int ok = 1;
        if (!strcmp(key, "$ref")) {
            char *ref = str(S, v);
            ok = validate_ref(c, sf, ref, d, t);
            free(ref);
        } else if (!strcmp(key, "type")) {
            if (jtype(S, v) == DW_JSON_STRING) {
                char *ty = str(S, v);
                ok = is_type(d, t, ty);
                if (!ok) snprintf(c->why, sizeof c->why, "not of type %s", ty);
                free(ty);
            } else {
                ok = 0;
                for (int32_t e = dw_json_first(S, v); e >= 0 && !ok; e = dw_json_next(S, v, e)) {
                    char *ty = str(S, e);
                    ok = is_type(d, t, ty);
                    free(ty);
                }
                if (!ok) snprintf(c->why, sizeof c->why, "not of any listed type");
            }
        } else if (!strcmp(key, "enum")) {
            ok = 0;
            for (int32_t e = dw_json_first(S, v); e >= 0 && !ok; e = dw_json_next(S, v, e)) ok = json_eq(S, e, d, t);
            if (!ok) snprintf(c->why, sizeof c->why, "not in enum");
        } else if (!strcmp(key, "const")) {
            ok = json_eq(S, v, d, t);
            if (!ok) snprintf(c->why, sizeof c->why, "not the const");
        } else if (!strcmp(key, "pattern") && jtype(d, t) == DW_JSON_STRING) {
            char *pat = str(S, v), *val = str(d, t);
            int m = regex_search(c, pat, val, strlen(val));
            ok = m != 0; /* unsupported patterns are counted, see c->unsupported */
            if (!ok) snprintf(c->why, sizeof c->why, "\"%.80s\" does not match %.80s", val, pat);
            free(pat); free(val);
        } else if ((!strcmp(key, "minLength") || !strcmp(key, "maxLength")) && jtype(d, t) == DW_JSON_STRING) {
            double lim; char *val = str(d, t);
            dw_json_f64(S, v, &lim);
            size_t n = utf8_len(val);
            ok = key[1] == 'i' ? n >= lim : n <= lim;
            if (!ok) snprintf(c->why, sizeof c->why, "%s %g violated", key, lim);
            free(val);
        } else if ((!strcmp(key, "minimum") || !strcmp(key, "maximum")) && jtype(d, t) == DW_JSON_NUMBER) {
            double lim, x;
            dw_json_f64(S, v, &lim);
            dw_json_f64(d, t, &x);
            ok = key[1] == 'i' ? x >= lim : x <= lim;
            if (!ok) snprintf(c->why, sizeof c->why, "%s %g violated", key, lim);
        } else if (!strcmp(key, "required") && jtype(d, t) == DW_JSON_OBJECT) {
            for (int32_t e = dw_json_first(S, v); e >= 0 && ok; e = dw_json_next(S, v, e)) {
                char *name = str(S, e);
                if (dw_json_get(d, t, name) < 0) { ok = 0; snprintf(c->why, sizeof c->why, "missing required \"%s\"", name); }
                free(name);
            }
        } else if (!strcmp(key, "minProperties") && jtype(d, t) == DW_JSON_OBJECT) {
            double lim;
            dw_json_f64(S, v, &lim);
            ok = d->toks[t].count >= lim;
            if (!ok) snprintf(c->why, sizeof c->why, "fewer than %g properties", lim);
        } else if ((!strcmp(key, "properties") || !strcmp(key, "patternProperties") || !strcmp(key, "additionalProperties")) &&
                   jtype(d, t) == DW_JSON_OBJECT) {
            int32_t props = dw_json_get(S, s, "properties"), pprops = dw_json_get(S, s, "patternProperties");
            for (int32_t m = dw_json_first(d, t); m >= 0 && ok; m = dw_json_next(d, t, m)) {
                int32_t mv = dw_json_next(d, t, m);
                char *name = str(d, m);
                int matched = 0;
                if (!strcmp(key, "properties") && props >= 0) {
                    int32_t ps = dw_json_get(S, props, name);
                    if (ps >= 0) ok = validate(c, sf, ps, d, mv);
                } else if (!strcmp(key, "patternProperties")) {
                    for (int32_t pk = dw_json_first(S, v); pk >= 0 && ok; pk = dw_json_next(S, v, pk)) {
                        int32_t pv = dw_json_next(S, v, pk);
                        char *pat = str(S, pk);
                        if (regex_search(c, pat, name, strlen(name)) == 1) ok = validate(c, sf, pv, d, mv);
                        free(pat);
                        pk = pv;
                    }
                } else if (!strcmp(key, "additionalProperties")) {
                    if (props >= 0 && dw_json_get(S, props, name) >= 0) matched = 1;
                    for (int32_t pk = pprops >= 0 ? dw_json_first(S, pprops) : -1; pk >= 0 && !matched; pk = dw_json_next(S, pprops, pk)) {
                        char *pat = str(S, pk);
                        matched = regex_search(c, pat, name, strlen(name)) == 1;
                        free(pat);
                        pk = dw_json_next(S, pprops, pk);
                    }
                    if (!matched) ok = validate(c, sf, v, d, mv);
                    if (!ok) snprintf(c->why + strlen(c->why), sizeof c->why - strlen(c->why), " (additional \"%s\")", name);
                }
                free(name);
                m = mv;
            }
        } else if (!strcmp(key, "items") && jtype(d, t) == DW_JSON_ARRAY) {
            for (int32_t e = dw_json_first(d, t); e >= 0 && ok; e = dw_json_next(d, t, e)) ok = validate(c, sf, v, d, e);
        } else if ((!strcmp(key, "minItems") || !strcmp(key, "maxItems")) && jtype(d, t) == DW_JSON_ARRAY) {
            double lim;
            dw_json_f64(S, v, &lim);
            ok = key[1] == 'i' ? d->toks[t].count >= lim : d->toks[t].count <= lim;
            if (!ok) snprintf(c->why, sizeof c->why, "%s %g violated", key, lim);
        } else if (!strcmp(key, "allOf")) {
            for (int32_t e = dw_json_first(S, v); e >= 0 && ok; e = dw_json_next(S, v, e)) ok = validate(c, sf, e, d, t);
        } else if (!strcmp(key, "anyOf") || !strcmp(key, "oneOf")) {
            int hits = 0;
            char first_why[512] = "";
            for (int32_t e = dw_json_first(S, v); e >= 0; e = dw_json_next(S, v, e)) {
                if (validate(c, sf, e, d, t)) hits++;
                else if (!first_why[0]) snprintf(first_why, sizeof first_why, "%s", c->why);
                if (key[0] == 'a' && hits) break;
            }
            ok = key[0] == 'a' ? hits >= 1 : hits == 1;
            if (!ok) snprintf(c->why, sizeof c->why, "%s: %d alternatives matched (%.400s)", key, hits, first_why);
        } else if (!strcmp(key, "not")) {
            ok = !validate(c, sf, v, d, t);
            if (!ok) snprintf(c->why, sizeof c->why, "matches a \"not\"");
        } else if (!strcmp(key, "if")) {
            int32_t th = dw_json_get(S, s, "then"), el = dw_json_get(S, s, "else");
            if (validate(c, sf, v, d, t)) { if (th >= 0) ok = validate(c, sf, th, d, t); }
            else if (el >= 0) ok = validate(c, sf, el, d, t);
        }
        free(key);
        if (!ok) return 0;
        k = v;
    }
    return 1;
}

static void checker_free(checker *c)
{
    for (int i = 0; i < c->nfiles; i++) { dw_json_free(&c->files[i].doc); free(c->files[i].text); }
    for (int i = 0; i < c->nrx; i++) { free(c->rxs[i].src); if (c->rxs[i].db) hs_free_database(c->rxs[i].db); }
    if (c->scratch) hs_free_scratch(c->scratch);
}

/* ---- the bundle ------------------------------------------------------------------ */


/* A blatant campaign (one card, one proxy /24, one harness, reasoning
 * harvest) among 200 ordinary accounts; one member's id has a quote and a
 * backslash, to test pattern quoting. */
static char *make_bundle(const char *dir)
{
    char err[256], path[512];
    dw_engine *e = dw_engine_new(NULL, err, sizeof err);
    assert_non_null(e);
    snprintf(path, sizeof path, "%s/acc.jsonl", dir);
    FILE *f = fopen(path, "w");
    for (int u = 0; u < 12; u++)
        fprintf(f, "{\"account_id\":\"%s%d\",\"payment_fingerprint\":\"pf_shared\"}\n", u ? "ring" : "o'brien\\\\x", u);
    fclose(f);
    assert_int_equal(dw_engine_load_accounts(e, path, err, sizeof err), 0);
    uint64_t r = 7;
    char id[48], prompt[256], ip[48];
    for (int k = 0; k < 60; k++)
        for (int u = 0; u < 212; u++) {
            int ring = u < 12;
            if (ring) snprintf(id, sizeof id, "%s%d", u ? "ring" : "o'brien\\x", u);
            else snprintf(id, sizeof id, "user%03d", u);
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            if (ring) snprintf(prompt, sizeof prompt, "Problem %d-%d: a tank holds %d litres and drains at %d litres a minute. How long until it is empty? Think step by step and show all of your reasoning.", u, k, 100 + k, 3 + u);
            else snprintf(prompt, sizeof prompt, "note %llu: what is a good name for a %s?", (unsigned long long)(r >> 40), (r >> 20) % 2 ? "cat" : "boat");
            snprintf(ip, sizeof ip, ring ? "45.76.1.%d" : "81.%d.%d.1", ring ? 10 + u : u, ring ? 0 : k % 3);
            dw_event ev = ev_base(id, T0 + (int64_t)k * 1800000 + u * 7000 + (int64_t)((r >> 33) % 5000));
            set(&ev.prompt, prompt);
            set(&ev.client_ip, ip);
            set(&ev.user_agent, ring ? "harvest-bot/2.1 \"quoted\"" : "Mozilla/5.0");
            if (ring) {
                set(&ev.system_prompt, "You are a solver that always writes out its complete chain of thought before the final answer, numbered step by step.");
                ev.max_tokens = 8192;
                ev.logprobs = 1;
            }
            assert_int_equal(dw_engine_feed_event(e, &ev), 0);
        }
    assert_int_equal(dw_engine_finish(e, err, sizeof err), 0);
    assert_int_equal(dw_engine_write_outputs(e, dir, err, sizeof err), 0);
    dw_engine_free(e);
    snprintf(path, sizeof path, "%s/stix-bundle.json", dir);
    char *b = dw_test_slurp(path, NULL);
    assert_non_null(b);
    return b;
}

static void test_bundle_shape(void **state)
{
    (void)state;
    const char *dir = dw_test_tmpdir();
    char *b = make_bundle(dir);
    dw_json_doc d;
    dw_json_init(&d);
    assert_int_equal(dw_json_parse(&d, b, strlen(b)), 0);
    int32_t objs = dw_json_get(&d, 0, "objects");
    int campaigns = 0, indicators = 0, rels = 0, sightings = 0, identities = 0;
    for (int32_t o = dw_json_first(&d, objs); o >= 0; o = dw_json_next(&d, objs, o)) {
        int32_t ty = dw_json_get(&d, o, "type");
        campaigns += dw_json_str_eq(&d, ty, "campaign");
        indicators += dw_json_str_eq(&d, ty, "indicator");
        rels += dw_json_str_eq(&d, ty, "relationship");
        sightings += dw_json_str_eq(&d, ty, "sighting");
        identities += dw_json_str_eq(&d, ty, "identity");
    }
    assert_int_equal(identities, 1);
    assert_int_equal(campaigns, 1);
    assert_true(indicators >= 4); /* accounts, addresses, prefixes, user agents, cards */
    assert_int_equal(rels, indicators);
    assert_int_equal(sightings, indicators);
    /* pattern strings quote what the grammar requires */
    assert_non_null(strstr(b, "user-account:user_id = 'o\\\\'brien\\\\\\\\x0'"));
    assert_non_null(strstr(b, "ipv4-addr:value ISSUBSET '45.76.1.0/24'"));
    assert_non_null(strstr(b, "request_header.'User-Agent' = 'harvest-bot/2.1 \\\"quoted\\\"'"));
    assert_non_null(strstr(b, "x-distillwatch-payment:fingerprint = 'pf_shared'"));
    /* deterministic bytes */
    const char *dir2 = dw_test_tmpdir();
    char *b2 = make_bundle(dir2);
    assert_string_equal(b, b2);
    dw_json_free(&d);
    free(b);
    free(b2);
}

static void test_bundle_validates(void **state)
{
    (void)state;
    const char *root = dw_test_shared("testsuites/stix2-json-schemas/schemas/common/bundle.json");
    if (!root) skip();
    char bundle_schema[4096];
    snprintf(bundle_schema, sizeof bundle_schema, "%s", root);
    const char *dir = dw_test_tmpdir();
    char *b = make_bundle(dir);
    dw_json_doc d;
    dw_json_init(&d);
    assert_int_equal(dw_json_parse(&d, b, strlen(b)), 0);
    static checker c;
    memset(&c, 0, sizeof c);
    sfile *sf = load_file(&c, bundle_schema);
    assert_non_null(sf);
    int ok = validate(&c, sf, 0, &d, 0);
    if (!ok) fail_msg("stix-bundle.json invalid: %s", c.why);
    /* each object alone against its own schema, so that a failure names it */
    static const char *const own[][2] = {{"identity", "sdos/identity.json"}, {"campaign", "sdos/campaign.json"},
                                         {"indicator", "sdos/indicator.json"}, {"relationship", "sros/relationship.json"},
                                         {"sighting", "sros/sighting.json"}};
    char base[4096];
    snprintf(base, sizeof base, "%s", bundle_schema);
    *strstr(base, "common/bundle.json") = 0;
    int32_t objs = dw_json_get(&d, 0, "objects");
    int checked = 0;
    for (int32_t o = dw_json_first(&d, objs); o >= 0; o = dw_json_next(&d, objs, o))
        for (size_t k = 0; k < sizeof own / sizeof *own; k++)
            if (dw_json_str_eq(&d, dw_json_get(&d, o, "type"), own[k][0])) {
                char p[4200];
                snprintf(p, sizeof p, "%s%s", base, own[k][1]);
                sfile *os = load_file(&c, p);
                assert_non_null(os);
                if (!validate(&c, os, 0, &d, o)) fail_msg("%s invalid: %s", own[k][0], c.why);
                checked++;
            }
    assert_true(checked > 5);

    /* the checker rejects what it must: a bundle whose indicator lost its
     * pattern, and one whose campaign id is not a STIX identifier */
    char *bad = strdup(b);
    char *p = strstr(bad, "\"pattern\":");
    assert_non_null(p);
    memcpy(p, "\"pattorn\"", 9);
    dw_json_doc bd;
    dw_json_init(&bd);
    assert_int_equal(dw_json_parse(&bd, bad, strlen(bad)), 0);
    assert_false(validate(&c, sf, 0, &bd, 0));
    free(bad);
    bad = strdup(b);
    p = strstr(bad, "\"campaign--");
    assert_non_null(p);
    p[5] = 'X'; /* campaign--... -> caXpaign--... */
    assert_int_equal(dw_json_parse(&bd, bad, strlen(bad)), 0);
    assert_false(validate(&c, sf, 0, &bd, 0));
    free(bad);
    dw_json_free(&bd);
    /* every pattern our objects meet compiled: nothing was waved through */
    if (c.unsupported) print_message("note: %d schema pattern checks could not be compiled\n", c.unsupported);
    for (int i = 0; i < c.nrx; i++)
        if (c.rxs[i].bad && (strstr(c.rxs[i].src, "--") || strstr(c.rxs[i].src, "T\\d")))
            fail_msg("identifier/timestamp pattern not checked: %s", c.rxs[i].src);
    checker_free(&c);
    dw_json_free(&d);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundle_shape),
        cmocka_unit_test(test_bundle_validates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
