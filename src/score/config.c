/*
 * config.c -- weights and thresholds: built-in defaults and the INI overlay.
 *
 * The defaults below are the documented ones (config/distillwatch.conf says
 * the same, and a test holds the two together).  The file format is INI,
 * read with inih: [verdict], [ingest], [state], [link], [campaign], [serve]
 * and one [signal.NAME] section per signal.  Unknown names are errors, so a
 * misspelt signal cannot silently keep its default.  [serve] holds words (a
 * header name, a hash name, a secret) and is read before the number parser;
 * everything else is a number or a boolean.
 */
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "score/score.h"
#include "link/link.h"
#include "campaign/campaign.h"

typedef struct sig_default {
    double weight, lo, hi;
    uint32_t min_requests;
} sig_default;

/* weight, lo, hi, min_requests -- see docs/signals.md for each */
static const sig_default defaults[S__COUNT] = {
    [S_VOLUME]                 = {0.5, 8, 128, 50},
    [S_TOKEN_VOLUME]           = {0.5, 8, 128, 50},
    [S_REGULAR_TIMING]         = {1.5, 0.6, 0.15, 30},
    [S_ROUND_THE_CLOCK]        = {1.5, 4, 0, 100},
    [S_CONCURRENCY]            = {1.0, 0.2, 0.7, 20},
    [S_REASONING]              = {3.0, 0.2, 0.7, 5},
    [S_MULTILINGUAL_REASONING] = {2.0, 2, 4, 10},
    [S_RUBRIC]                 = {2.0, 0.1, 0.5, 5},
    [S_DATASET]                = {2.5, 0.05, 0.3, 5},
    [S_LOGPROBS]               = {1.5, 0.2, 0.8, 10},
    [S_MAX_TOKENS]             = {1.0, 0.5, 0.95, 10},
    [S_SINGLE_TURN]            = {0.5, 0.9, 1.0, 30},
    [S_COVERAGE]               = {1.5, 5, 10, 50},
    [S_TEMPLATED]              = {0.75, 0.7, 0.95, 30},
    [S_MODEL_PIVOT]            = {1.0, 0.3, 0.7, 10},
    [S_IP_CHURN]               = {1.0, 0.1, 0.5, 10},
    [S_ASN_CHURN]              = {1.0, 2, 4, 10},
    [S_DATACENTER]             = {1.0, 0.3, 0.9, 5},
    [S_NEW_ACCOUNT]            = {0.5, 14, 1, 10},
    [S_JAILBREAK]              = {5.0, 0.05, 0.3, 3},
    [S_CENSOR]                 = {2.0, 0.05, 0.3, 3},
    [S_VERIFIED_PROGRAM]       = {-2.0, 0, 1, 1},
    [S_REPEATED_PROMPTS]       = {-3.0, 0.1, 0.4, 30},
    [S_END_USERS]              = {-1.0, 10, 50, 30},
    [S_CAMPAIGN]               = {4.0, 0.35, 0.7, 1},
    [S_COORDINATED]            = {1.0, 4, 32, 1},
    [S_DISGUISE]               = {3.0, 0.3, 0.8, 1},
};

dw_config *dw_config_new(void)
{
    dw_config *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    for (int i = 0; i < S__COUNT; i++) {
        c->sig[i].weight = defaults[i].weight;
        c->sig[i].lo = defaults[i].lo;
        c->sig[i].hi = defaults[i].hi;
        c->sig[i].min_requests = defaults[i].min_requests;
        c->sig[i].enabled = 1;
        c->sig[i].corroborates = 1;
    }
    c->review = 0.5;
    c->block = 0.75;
    c->half_points = 3.5;
    c->block_min_groups = 3;
    c->group_present = 0.5;
    c->confidence_requests = 10;
    c->trust_caps_block = 1;
    c->block_needs_concealment = 1;
    /* weak alone: developers, harnesses and batch jobs run in clouds, and
     * most API calls are one-shot; they add points but make no group */
    c->sig[S_DATACENTER].corroborates = 0;
    c->sig[S_SINGLE_TURN].corroborates = 0;
    c->reorder_window_s = 300;
    c->max_line_bytes = 16u << 20;
    c->max_buffered_events = 1u << 20;
    /* the link and campaign stages own their defaults; the config only exposes them */
    dw_link_params lp;
    dw_link_params_default(&lp);
    c->link_enabled = 1;
    c->link_kind_min = lp.kind_min;
    c->link_kind_cap = lp.kind_cap;
    c->link_edge_min = lp.edge_min;
    c->link_min_kinds = (int)lp.min_kinds;
    dw_campaign_params cp;
    dw_campaign_params_default(&cp);
    c->campaign_resolution = cp.resolution;
    c->campaign_min_accounts = (int)cp.min_accounts;
    snprintf(c->serve_account_header, sizeof c->serve_account_header, "x-account-id");
    c->serve_account_hash = DW_KEYHASH_NONE;
    /* ~1.4 KB per active account: about 1.4 GB, far above an ordinary day's
     * accounts, low enough that a flood of fresh ids cannot exhaust a host */
    c->max_accounts = 1000000;
    return c;
}

void dw_config_free(dw_config *cfg) { free(cfg); }

typedef struct load_ctx {
    dw_config *cfg;
    char *err;
    size_t errlen;
    int failed;
} load_ctx;

static int parse_num(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (errno || end == v || *end || !isfinite(d)) return -1;
    *out = d;
    return 0;
}

static int on_kv(void *user, const char *section, const char *name, const char *value)
{
    load_ctx *lc = user;
    dw_config *c = lc->cfg;
    double d;
#define FAIL(...) do { snprintf(lc->err, lc->errlen, __VA_ARGS__); lc->failed = 1; return 0; } while (0)
    /* [serve] holds words, not numbers */
    if (strcmp(section, "serve") == 0) {
        if (strcmp(name, "account_header") == 0) {
            if (!*value || strlen(value) >= sizeof c->serve_account_header) FAIL("[serve] account_header: empty or too long");
            snprintf(c->serve_account_header, sizeof c->serve_account_header, "%s", value);
        } else if (strcmp(name, "account_header_hash") == 0) {
            if (strcmp(value, "none") == 0) c->serve_account_hash = DW_KEYHASH_NONE;
            else if (strcmp(value, "hmac-sha256") == 0) c->serve_account_hash = DW_KEYHASH_HMAC_SHA256;
            else FAIL("[serve] account_header_hash must be none or hmac-sha256, not '%s'", value);
        } else if (strcmp(name, "key_secret") == 0) {
            if (strlen(value) >= sizeof c->serve_key_secret) FAIL("[serve] key_secret longer than %zu bytes", sizeof c->serve_key_secret - 1);
            snprintf(c->serve_key_secret, sizeof c->serve_key_secret, "%s", value);
        } else {
            FAIL("[serve] has no key '%s'", name);
        }
        return 1;
    }
    if ((strcmp(name, "enabled") == 0 || strcmp(name, "corroborates") == 0) &&
        (strncmp(section, "signal.", 7) == 0 || strcmp(section, "link") == 0)) {
        if (strcmp(value, "true") && strcmp(value, "false") && strcmp(value, "1") && strcmp(value, "0"))
            FAIL("[%s] %s must be true or false", section, name);
        d = (strcmp(value, "true") == 0 || strcmp(value, "1") == 0);
    } else if (parse_num(value, &d) < 0) {
        FAIL("[%s] %s: '%s' is not a number", section, name, value);
    }
    if (strcmp(section, "verdict") == 0) {
        if (strcmp(name, "review") == 0) c->review = d;
        else if (strcmp(name, "block") == 0) c->block = d;
        else if (strcmp(name, "half_points") == 0) c->half_points = d;
        else if (strcmp(name, "block_min_groups") == 0) c->block_min_groups = (int)d;
        else if (strcmp(name, "group_present") == 0) c->group_present = d;
        else if (strcmp(name, "confidence_requests") == 0) c->confidence_requests = d;
        else if (strcmp(name, "trust_caps_block") == 0) c->trust_caps_block = d != 0;
        else if (strcmp(name, "block_needs_concealment") == 0) c->block_needs_concealment = d != 0;
        else FAIL("[verdict] has no key '%s'", name);
        return 1;
    }
    if (strcmp(section, "ingest") == 0) {
        if (strcmp(name, "reorder_window") == 0) c->reorder_window_s = d;
        else if (strcmp(name, "max_line_bytes") == 0) c->max_line_bytes = (size_t)d;
        else if (strcmp(name, "max_buffered_events") == 0) c->max_buffered_events = (size_t)d;
        else FAIL("[ingest] has no key '%s'", name);
        return 1;
    }
    if (strcmp(section, "state") == 0) {
        if (strcmp(name, "max_accounts") == 0) {
            if (d < 0 || d > 4e9) FAIL("[state] max_accounts must be between 0 and 4000000000");
            c->max_accounts = (uint32_t)d;
        } else {
            FAIL("[state] has no key '%s'", name);
        }
        return 1;
    }
    if (strcmp(section, "link") == 0) {
        if (strcmp(name, "enabled") == 0) c->link_enabled = d != 0;
        else if (strcmp(name, "kind_min") == 0) c->link_kind_min = d;
        else if (strcmp(name, "kind_cap") == 0) c->link_kind_cap = d;
        else if (strcmp(name, "edge_min") == 0) c->link_edge_min = d;
        else if (strcmp(name, "min_kinds") == 0) c->link_min_kinds = (int)d;
        else FAIL("[link] has no key '%s'", name);
        return 1;
    }
    if (strcmp(section, "campaign") == 0) {
        if (strcmp(name, "resolution") == 0) c->campaign_resolution = d;
        else if (strcmp(name, "min_accounts") == 0) c->campaign_min_accounts = (int)d;
        else FAIL("[campaign] has no key '%s'", name);
        return 1;
    }
    if (strncmp(section, "signal.", 7) == 0) {
        int id = -1;
        for (int i = 0; i < S__COUNT; i++)
            if (strcmp(section + 7, dw_signal_name((dw_signal_id)i)) == 0) id = i;
        if (id < 0) FAIL("unknown signal [%s]", section);
        dw_signal_param *p = &c->sig[id];
        if (strcmp(name, "weight") == 0) p->weight = d;
        else if (strcmp(name, "lo") == 0) p->lo = d;
        else if (strcmp(name, "hi") == 0) p->hi = d;
        else if (strcmp(name, "min_requests") == 0) p->min_requests = d < 0 ? 0 : (uint32_t)d;
        else if (strcmp(name, "enabled") == 0) p->enabled = (int)d;
        else if (strcmp(name, "corroborates") == 0) p->corroborates = (int)d;
        else FAIL("[%s] has no key '%s' (weight, lo, hi, min_requests, enabled, corroborates)", section, name);
        return 1;
    }
    FAIL("unknown section [%s]", section);
#undef FAIL
}

int dw_config_load(dw_config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return -1; }
    load_ctx lc = {cfg, err, errlen, 0};
    char inner[256] = "";
    lc.err = inner;
    lc.errlen = sizeof inner;
    int rc = ini_parse_file(f, on_kv, &lc);
    fclose(f);
    if (lc.failed) { snprintf(err, errlen, "%s: %s", path, inner); return -1; }
    if (rc != 0) { snprintf(err, errlen, "%s: line %d: syntax error", path, rc); return -1; }
    if (!(cfg->review > 0 && cfg->review <= cfg->block && cfg->block <= 1)) {
        snprintf(err, errlen, "%s: need 0 < review <= block <= 1", path);
        return -1;
    }
    if (cfg->half_points <= 0) { snprintf(err, errlen, "%s: half_points must be > 0", path); return -1; }
    if (cfg->max_line_bytes < 4096) { snprintf(err, errlen, "%s: max_line_bytes must be >= 4096", path); return -1; }
    if (cfg->link_min_kinds < 1 || cfg->link_edge_min <= 0 || cfg->link_kind_cap <= 0) {
        snprintf(err, errlen, "%s: [link] needs min_kinds >= 1, edge_min > 0, kind_cap > 0", path);
        return -1;
    }
    if (cfg->campaign_min_accounts < 2 || cfg->campaign_resolution <= 0) {
        snprintf(err, errlen, "%s: [campaign] needs min_accounts >= 2 and resolution > 0", path);
        return -1;
    }
    return 0;
}
