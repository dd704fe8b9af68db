/*
 * scenario.c -- built-in scenarios, the INI reader and `--set` overrides.
 *
 * Keys are named the way a reader of the scenario thinks about each class
 * ("offices", "accounts_per_campus", "suite_items") but land in the same few
 * generic fields, so the traffic generators read one struct and the sweep
 * can move any knob with one string.  Unknown sections, keys and malformed
 * values are errors with the file and line: a typo in a scenario silently
 * falling back to a default would make an evaluation lie.
 */
#include "sim/scenario.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "sim/clock.h"

static const char *const class_names[DWS_CLASS_COUNT] = {
    "casual_chat", "office_dev", "coding_agent", "batch_job", "eval_harness", "researcher",
    "campus_student", "reseller", "jailbreaker",
    "campaign_roundrobin", "campaign_hydra", "campaign_agentic", "campaign_multilingual",
};

/* Per-class names of the generic fields; NULL where the field means nothing
 * for that class. */
static const struct {
    const char *groups, *per_group, *size;
} key_names[DWS_CLASS_COUNT] = {
    [DWS_CASUAL] = {NULL, "accounts", NULL},
    [DWS_OFFICE] = {"offices", "accounts_per_office", NULL},
    [DWS_CODING_AGENT] = {NULL, "accounts", NULL},
    [DWS_BATCH] = {NULL, "accounts", "job_requests"},
    [DWS_EVAL] = {NULL, "accounts", "suite_items"},
    [DWS_RESEARCHER] = {NULL, "accounts", NULL},
    [DWS_CAMPUS] = {"campuses", "accounts_per_campus", "nat_addresses"},
    [DWS_RESELLER] = {NULL, "accounts", "end_users"},
    [DWS_JAILBREAKER] = {NULL, "accounts", NULL},
    [DWS_RR] = {"campaigns", "accounts_per_campaign", NULL},
    [DWS_HYDRA] = {"campaigns", "accounts_per_campaign", NULL},
    [DWS_AGENTIC] = {"campaigns", "accounts_per_campaign", NULL},
    [DWS_MULTILINGUAL] = {"campaigns", "accounts_per_campaign", NULL},
};

const char *dws_class_name(int cls)
{
    return cls >= 0 && cls < DWS_CLASS_COUNT ? class_names[cls] : "unknown";
}

int dws_class_from_name(const char *name)
{
    for (int i = 0; i < DWS_CLASS_COUNT; i++)
        if (strcmp(name, class_names[i]) == 0) return i;
    /* short campaign names are accepted for --target convenience */
    for (int i = DWS_FIRST_CAMPAIGN; i < DWS_CLASS_COUNT; i++)
        if (strcmp(name, class_names[i] + strlen("campaign_")) == 0) return i;
    return -1;
}

const char *dws_class_label(int cls)
{
    if (cls == DWS_JAILBREAKER) return "abuse";
    return dws_class_is_campaign(cls) ? "campaign" : "benign";
}

static const char *const rot_names[] = {"per_request", "session", "day", "never"};

const char *dws_rotation_name(int rot) { return rot >= 0 && rot < 4 ? rot_names[rot] : "never"; }

int dws_rotation_from_name(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, rot_names[i]) == 0) return i;
    return -1;
}

static void set_cls(dws_scenario *sc, int c, int groups, int per_group, double rpd, int size)
{
    sc->cls[c].groups = groups;
    sc->cls[c].per_group = per_group;
    sc->cls[c].rpd = rpd;
    sc->cls[c].size = size;
}

static void set_knobs(dws_scenario *sc, int c, double cover, int para, int rot, double pacing)
{
    sc->cls[c].cover_share = cover;
    sc->cls[c].paraphrases = para;
    sc->cls[c].rotation = rot;
    sc->cls[c].pacing = pacing;
}

static void builtin_default(dws_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    snprintf(sc->name, sizeof sc->name, "default");
    sc->days = 7;
    sc->start_ms = dws_days_from_civil(2026, 6, 1) * DWS_MS_PER_DAY;
    sc->release_day = 3.6;
    set_cls(sc, DWS_CASUAL, 1, 1600, 7, 0);
    set_cls(sc, DWS_OFFICE, 14, 9, 25, 0);
    set_cls(sc, DWS_CODING_AGENT, 1, 220, 30, 0);
    set_cls(sc, DWS_BATCH, 1, 4, 0, 6000);
    set_cls(sc, DWS_EVAL, 1, 5, 0, 1000);
    set_cls(sc, DWS_RESEARCHER, 1, 3, 600, 0);
    set_cls(sc, DWS_CAMPUS, 2, 110, 8, 3);
    set_cls(sc, DWS_RESELLER, 1, 2, 2500, 600);
    set_cls(sc, DWS_JAILBREAKER, 1, 15, 40, 0);
    set_cls(sc, DWS_RR, 1, 80, 90, 0);
    set_knobs(sc, DWS_RR, 0.0, 2, DWS_ROT_PER_REQUEST, 0.0);
    set_cls(sc, DWS_HYDRA, 1, 300, 22, 0);
    set_knobs(sc, DWS_HYDRA, 0.3, 24, DWS_ROT_NEVER, 1.0);
    set_cls(sc, DWS_AGENTIC, 1, 30, 60, 0);
    set_knobs(sc, DWS_AGENTIC, 0.0, 1, DWS_ROT_NEVER, 0.1);
    set_cls(sc, DWS_MULTILINGUAL, 1, 60, 50, 0);
    set_knobs(sc, DWS_MULTILINGUAL, 0.1, 9, DWS_ROT_SESSION, 0.6);
}

static void builtin_demo(dws_scenario *sc)
{
    builtin_default(sc);
    snprintf(sc->name, sizeof sc->name, "demo");
    sc->days = 2;
    sc->release_day = 1.2;
    set_cls(sc, DWS_CASUAL, 1, 300, 7, 0);
    set_cls(sc, DWS_OFFICE, 4, 8, 25, 0);
    set_cls(sc, DWS_CODING_AGENT, 1, 50, 30, 0);
    set_cls(sc, DWS_BATCH, 1, 1, 0, 3000);
    set_cls(sc, DWS_EVAL, 1, 2, 0, 400);
    set_cls(sc, DWS_RESEARCHER, 1, 1, 500, 0);
    set_cls(sc, DWS_CAMPUS, 1, 60, 8, 3);
    set_cls(sc, DWS_RESELLER, 1, 1, 1500, 200);
    set_cls(sc, DWS_JAILBREAKER, 1, 4, 40, 0);
    set_cls(sc, DWS_RR, 1, 30, 80, 0);
    set_cls(sc, DWS_HYDRA, 1, 80, 20, 0);
    set_cls(sc, DWS_AGENTIC, 1, 12, 50, 0);
    set_cls(sc, DWS_MULTILINGUAL, 1, 20, 40, 0);
}

bool dws_scenario_builtin(const char *name, dws_scenario *out)
{
    if (strcmp(name, "default") == 0) { builtin_default(out); return true; }
    if (strcmp(name, "demo") == 0) { builtin_demo(out); return true; }
    return false;
}

/* ---- parsing one key ---------------------------------------------------- */

static bool parse_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    if (errno || end == v || *end || x < lo || x > hi) return false;
    *out = (int)x;
    return true;
}

static bool parse_dbl(const char *v, double lo, double hi, double *out)
{
    /* strtod honours LC_NUMERIC; we never call setlocale, so "C" applies. */
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    bool pct = false;
    while (*end == ' ' || *end == '\t') end++;
    if (*end == '%') { pct = true; end++; }
    if (errno || end == v || *end || !isfinite(x)) return false;
    if (pct) x /= 100.0;
    if (x < lo || x > hi) return false;
    *out = x;
    return true;
}

static bool set_scenario_key(dws_scenario *sc, const char *key, const char *v, char *err, size_t el)
{
    if (strcmp(key, "name") == 0) {
        snprintf(sc->name, sizeof sc->name, "%s", v);
        return true;
    }
    if (strcmp(key, "days") == 0) {
        if (parse_int(v, 1, 366, &sc->days)) return true;
        snprintf(err, el, "days must be an integer 1..366, got '%s'", v);
        return false;
    }
    if (strcmp(key, "start") == 0) {
        if (dws_time_parse(v, strlen(v), &sc->start_ms)) return true;
        snprintf(err, el, "start must be an RFC 3339 time, got '%s'", v);
        return false;
    }
    if (strcmp(key, "release_day") == 0) {
        if (strcmp(v, "none") == 0) { sc->release_day = -1; return true; }
        if (parse_dbl(v, -1, 366, &sc->release_day)) return true;
        snprintf(err, el, "release_day must be a number of days (or none), got '%s'", v);
        return false;
    }
    snprintf(err, el, "unknown key '%s' in [scenario]", key);
    return false;
}

static bool set_class_key(dws_scenario *sc, int c, const char *key, const char *v, char *err, size_t el)
{
    dws_class_cfg *k = &sc->cls[c];
    const char *cn = class_names[c];
    bool camp = dws_class_is_campaign(c);
    if (strcmp(key, "groups") == 0 || (key_names[c].groups && strcmp(key, key_names[c].groups) == 0)) {
        if (parse_int(v, 0, 1000, &k->groups)) return true;
        snprintf(err, el, "%s.%s must be an integer 0..1000, got '%s'", cn, key, v);
        return false;
    }
    if (strcmp(key, "per_group") == 0 || strcmp(key, key_names[c].per_group) == 0) {
        if (parse_int(v, 0, 200000, &k->per_group)) return true;
        snprintf(err, el, "%s.%s must be an integer 0..200000, got '%s'", cn, key, v);
        return false;
    }
    if (strcmp(key, "requests_per_account_per_day") == 0) {
        if (parse_dbl(v, 0, 100000, &k->rpd)) return true;
        snprintf(err, el, "%s.%s must be a number 0..100000, got '%s'", cn, key, v);
        return false;
    }
    if (strcmp(key, "size") == 0 || (key_names[c].size && strcmp(key, key_names[c].size) == 0)) {
        if (parse_int(v, 0, 10000000, &k->size)) return true;
        snprintf(err, el, "%s.%s must be an integer, got '%s'", cn, key, v);
        return false;
    }
    if (camp && strcmp(key, "cover_share") == 0) {
        if (parse_dbl(v, 0, 0.99, &k->cover_share)) return true;
        snprintf(err, el, "%s.cover_share must be 0..0.99 (or 0%%..99%%), got '%s'", cn, v);
        return false;
    }
    if (camp && strcmp(key, "template_paraphrases") == 0) {
        if (parse_int(v, 1, 100000, &k->paraphrases)) return true;
        snprintf(err, el, "%s.template_paraphrases must be an integer >= 1, got '%s'", cn, v);
        return false;
    }
    if (camp && strcmp(key, "ip_rotation") == 0) {
        int r = dws_rotation_from_name(v);
        if (r >= 0) { k->rotation = r; return true; }
        snprintf(err, el, "%s.ip_rotation must be per_request, session, day or never, got '%s'", cn, v);
        return false;
    }
    if (camp && strcmp(key, "pacing") == 0) {
        if (strcmp(v, "robotic") == 0) { k->pacing = 0; return true; }
        if (strcmp(v, "human") == 0) { k->pacing = 1; return true; }
        if (parse_dbl(v, 0, 1, &k->pacing)) return true;
        snprintf(err, el, "%s.pacing must be robotic, human or a number 0..1, got '%s'", cn, v);
        return false;
    }
    snprintf(err, el, "unknown key '%s' in [%s]", key, cn);
    return false;
}

static bool set_key(dws_scenario *sc, const char *section, const char *key, const char *v, char *err,
                    size_t el)
{
    if (strcmp(section, "scenario") == 0) return set_scenario_key(sc, key, v, err, el);
    int c = dws_class_from_name(section);
    if (c < 0) {
        snprintf(err, el, "unknown section [%s]", section);
        return false;
    }
    return set_class_key(sc, c, key, v, err, el);
}

typedef struct load_ctx {
    dws_scenario *sc;
    char *err;
    size_t errlen;
    bool failed;
} load_ctx;

static int on_ini_key(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *lc = user;
    if (lc->failed) return 0;
    if (!set_key(lc->sc, section, name, value, lc->err, lc->errlen)) {
        lc->failed = true;
        return 0;
    }
    return 1;
}

bool dws_scenario_load(const char *path, dws_scenario *out, char *err, size_t errlen)
{
    builtin_default(out);
    char inner[256] = "";
    load_ctx lc = {out, inner, sizeof inner, false};
    int rc = ini_parse(path, on_ini_key, &lc);
    if (rc == -1) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    if (rc != 0) {
        if (lc.failed)
            snprintf(err, errlen, "%s:%d: %s", path, rc, inner);
        else
            snprintf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)", path, rc);
        return false;
    }
    return true;
}

bool dws_scenario_set(dws_scenario *sc, const char *assignment, char *err, size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        snprintf(err, errlen, "expected key=value or section.key=value, got '%s'", assignment);
        return false;
    }
    char lhs[128];
    size_t n = (size_t)(eq - assignment);
    if (n >= sizeof lhs) n = sizeof lhs - 1;
    memcpy(lhs, assignment, n);
    lhs[n] = 0;
    const char *v = eq + 1;
    char *dot = strchr(lhs, '.');
    if (dot) {
        *dot = 0;
        return set_key(sc, lhs, dot + 1, v, err, errlen);
    }
    if (strcmp(lhs, "days") == 0 || strcmp(lhs, "start") == 0 || strcmp(lhs, "release_day") == 0 ||
        strcmp(lhs, "name") == 0)
        return set_scenario_key(sc, lhs, v, err, errlen);
    /* A bare knob moves every campaign class at once: that is what an
     * adaptive attacker population looks like in a sweep. */
    for (int c = DWS_FIRST_CAMPAIGN; c < DWS_CLASS_COUNT; c++)
        if (!set_class_key(sc, c, lhs, v, err, errlen)) return false;
    return true;
}

char *dws_scenario_to_ini(const dws_scenario *sc)
{
    dw_buf b = {0};
    char ts[32];
    dws_time_format(sc->start_ms, ts);
    dw_buf_printf(&b, "[scenario]\nname = %s\ndays = %d\nstart = %s\n", sc->name, sc->days, ts);
    if (sc->release_day < 0)
        dw_buf_printf(&b, "release_day = none\n");
    else
        dw_buf_printf(&b, "release_day = %g\n", sc->release_day);
    for (int c = 0; c < DWS_CLASS_COUNT; c++) {
        const dws_class_cfg *k = &sc->cls[c];
        dw_buf_printf(&b, "\n[%s]\n", class_names[c]);
        if (key_names[c].groups) dw_buf_printf(&b, "%s = %d\n", key_names[c].groups, k->groups);
        dw_buf_printf(&b, "%s = %d\n", key_names[c].per_group, k->per_group);
        if (c != DWS_BATCH && c != DWS_EVAL)
            dw_buf_printf(&b, "requests_per_account_per_day = %g\n", k->rpd);
        if (key_names[c].size) dw_buf_printf(&b, "%s = %d\n", key_names[c].size, k->size);
        if (dws_class_is_campaign(c)) {
            dw_buf_printf(&b, "cover_share = %g\ntemplate_paraphrases = %d\nip_rotation = %s\npacing = %g\n",
                          k->cover_share, k->paraphrases, dws_rotation_name(k->rotation), k->pacing);
        }
    }
    dw_buf_cstr(&b);
    return b.p;
}

long dws_scenario_accounts(const dws_scenario *sc)
{
    long n = 0;
    for (int c = 0; c < DWS_CLASS_COUNT; c++) {
        int g = key_names[c].groups ? sc->cls[c].groups : 1;
        n += (long)g * sc->cls[c].per_group;
    }
    return n;
}
