/*
 * signals.c -- from account state to named, explained evidence.
 *
 * Every signal is a ratio or a count read off the account's fixed-size state;
 * none looks at raw text (that was enrich's job) and none needs another
 * account (that is the link stage's).  Each maps its value onto a strength
 * with a linear ramp between the configured `lo` and `hi` (hi < lo means
 * "smaller is more suspicious"), and is discounted by a confidence that
 * grows with the account's request count, so that three requests that all
 * happen to say "step by step" are not a campaign.
 *
 * The design rule for every signal: it must mean the same thing on traffic
 * we have never seen.  So they measure behaviour that the public reports
 * describe (reasoning-trace coercion, grading rubrics, dataset formats,
 * logprob harvesting, load-balanced timing, proxy churn, release pivots),
 * never an artefact of one log or one simulator.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "score/score.h"
#include "state/population.h"
#include "enrich/patterns.h"

static const char *const names[S__COUNT] = {
    [S_VOLUME] = "volume",
    [S_TOKEN_VOLUME] = "token_volume",
    [S_REGULAR_TIMING] = "regular_timing",
    [S_ROUND_THE_CLOCK] = "round_the_clock",
    [S_CONCURRENCY] = "concurrency",
    [S_REASONING] = "reasoning_elicitation",
    [S_MULTILINGUAL_REASONING] = "multilingual_reasoning",
    [S_RUBRIC] = "rubric_grading",
    [S_DATASET] = "dataset_format",
    [S_LOGPROBS] = "logprob_harvest",
    [S_MAX_TOKENS] = "max_token_saturation",
    [S_SINGLE_TURN] = "single_turn",
    [S_COVERAGE] = "coverage_breadth",
    [S_TEMPLATED] = "templated_prompts",
    [S_MODEL_PIVOT] = "model_pivot",
    [S_IP_CHURN] = "ip_churn",
    [S_ASN_CHURN] = "asn_churn",
    [S_DATACENTER] = "datacenter_egress",
    [S_NEW_ACCOUNT] = "new_account",
    [S_JAILBREAK] = "jailbreak",
    [S_CENSOR] = "censorship_rewrite",
    [S_VERIFIED_PROGRAM] = "verified_program",
    [S_REPEATED_PROMPTS] = "repeated_prompts",
    [S_END_USERS] = "end_users",
    [S_CAMPAIGN] = "campaign_member",
    [S_COORDINATED] = "coordinated_accounts",
    [S_DISGUISE] = "disguised_coordination",
};

static const dw_group groups[S__COUNT] = {
    [S_VOLUME] = DW_G_VOLUME, [S_TOKEN_VOLUME] = DW_G_VOLUME,
    [S_REGULAR_TIMING] = DW_G_AUTOMATION, [S_ROUND_THE_CLOCK] = DW_G_AUTOMATION,
    [S_CONCURRENCY] = DW_G_AUTOMATION,
    [S_REASONING] = DW_G_ELICIT, [S_MULTILINGUAL_REASONING] = DW_G_ELICIT,
    [S_RUBRIC] = DW_G_ELICIT, [S_DATASET] = DW_G_ELICIT,
    [S_LOGPROBS] = DW_G_HARVEST, [S_MAX_TOKENS] = DW_G_HARVEST, [S_SINGLE_TURN] = DW_G_HARVEST,
    [S_COVERAGE] = DW_G_HARVEST, [S_TEMPLATED] = DW_G_HARVEST,
    [S_MODEL_PIVOT] = DW_G_PIVOT,
    [S_IP_CHURN] = DW_G_CONCEAL, [S_ASN_CHURN] = DW_G_CONCEAL, [S_DATACENTER] = DW_G_CONCEAL,
    [S_NEW_ACCOUNT] = DW_G_CONCEAL,
    [S_JAILBREAK] = DW_G_ABUSE, [S_CENSOR] = DW_G_ABUSE,
    [S_VERIFIED_PROGRAM] = DW_G_TRUST, [S_REPEATED_PROMPTS] = DW_G_TRUST, [S_END_USERS] = DW_G_TRUST,
    [S_CAMPAIGN] = DW_G_COORD, [S_COORDINATED] = DW_G_COORD, [S_DISGUISE] = DW_G_COORD,
};

static const char *const group_names[DW_G__COUNT] = {
    "elicitation", "harvesting", "automation", "concealment", "volume", "abuse", "pivot", "coordination", "trust"};

const char *dw_signal_name(dw_signal_id s) { return (unsigned)s < S__COUNT ? names[s] : "?"; }
dw_group dw_signal_group(dw_signal_id s) { return groups[s]; }
const char *dw_group_name(dw_group g) { return (unsigned)g < DW_G__COUNT ? group_names[g] : "?"; }

const char *dw_verdict_name(dw_verdict v)
{
    return v == DW_BLOCK ? "block" : v == DW_REVIEW ? "review" : "allow";
}

/* Median of a population histogram, at quarter-octave resolution (>= 1). */
static double histogram_median(const uint32_t *h)
{
    uint64_t total = 0, acc = 0;
    for (unsigned b = 0; b < DW_POP_BUCKETS; b++) total += h[b];
    for (unsigned b = 0; b < DW_POP_BUCKETS && total; b++) {
        acc += h[b];
        if (acc * 2 >= total) return dw_pop_bucket_floor(b) > 1 ? dw_pop_bucket_floor(b) : 1;
    }
    return 1;
}

double dw_population_median_requests(const dw_population *p) { return histogram_median(p->req); }
double dw_population_median_tokens(const dw_population *p) { return histogram_median(p->tok); }

static double ramp(double v, double lo, double hi)
{
    if (lo == hi) return v >= hi ? 1 : 0;
    double s = (v - lo) / (hi - lo);
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

static double share(uint32_t k, uint32_t n) { return n ? (double)k / n : 0; }

/* Longest circular run of hours holding < 1% of the account's requests. */
static int longest_quiet_run(const dw_account *a)
{
    uint64_t total = 0;
    for (int h = 0; h < 24; h++) total += a->hours[h];
    if (!total) return 24;
    int best = 0, run = 0;
    for (int i = 0; i < 48; i++) {
        int quiet = a->hours[i % 24] * 100 < total;
        run = quiet ? run + 1 : 0;
        if (run > best) best = run;
    }
    return best > 24 ? 24 : best;
}

static double templated_value(const dw_account *a)
{
    double prompts = dw_hll_count(&a->prompts);
    double p = dw_hll16_count(&a->prefix_sigs), s = dw_hll16_count(&a->suffix_sigs);
    double t = p < s ? p : s;
    if (prompts < 1) return 0;
    double v = 1.0 - t / prompts;
    return v < 0 ? 0 : v;
}

/* Measure signal s; returns false when it does not apply to this account. */
static bool measure(dw_signal_id s, const dw_account *a, const dw_population *pop, const dw_config *cfg,
                    const dw_campaign_ctx *camp, double *v)
{
    uint32_t n = a->requests;
    switch (s) {
    case S_VOLUME: *v = n / dw_population_median_requests(pop); return true;
    case S_TOKEN_VOLUME:
        if (!a->completion_tokens) return false;
        *v = (double)a->completion_tokens / dw_population_median_tokens(pop);
        return true;
    case S_REGULAR_TIMING:
        if (a->gaps < 20 || a->gap_mean <= 0) return false;
        /* float rounding can leave M2 a hair below zero for perfectly regular gaps */
        *v = sqrt(fmax(0.0, a->gap_m2) / (a->gaps - 1)) / a->gap_mean;
        return true;
    case S_ROUND_THE_CLOCK:
        if (a->days_active < 3) return false;
        *v = longest_quiet_run(a);
        return true;
    case S_CONCURRENCY: {
        uint32_t k = a->overlapped > a->bursts ? a->overlapped : a->bursts;
        *v = share(k, n);
        return true;
    }
    case S_REASONING: *v = share(a->cot, n); return true;
    case S_MULTILINGUAL_REASONING: *v = __builtin_popcount(a->cot_langs); return a->cot > 0;
    case S_RUBRIC: *v = share(a->rubric, n); return true;
    case S_DATASET: *v = share(a->dataset, n); return true;
    case S_LOGPROBS: *v = share(a->logprobs > a->multi_n ? a->logprobs : a->multi_n, n); return true;
    case S_MAX_TOKENS: {
        double x = share(a->budget_large, n), y = share(a->budget_filled, n);
        *v = x > y ? x : y;
        return true;
    }
    case S_SINGLE_TURN: *v = share(a->single_turn, n); return a->prompts_seen > 0;
    case S_COVERAGE: *v = __builtin_popcountll(a->topics_twice); return true;
    case S_TEMPLATED: if (a->prompts_seen < 2) return false; *v = templated_value(a); return true;
    case S_MODEL_PIVOT: if (a->post_release < 10) return false; *v = share(a->pivot_early, a->post_release); return true;
    case S_IP_CHURN: {
        double pfx = dw_hll_count(&a->prefixes);
        if (pfx < 1) return false;
        *v = pfx / n;
        if (*v > 1) *v = 1;
        return pfx >= 3;
    }
    case S_ASN_CHURN: if (!a->asns[0]) return false; *v = dw_account_distinct_asns(a); return true;
    case S_DATACENTER: *v = share(a->hosting, n); return true;
    case S_NEW_ACCOUNT:
        if (a->created_ms == DW_TS_NONE || a->first_ms == DW_TS_NONE) return false;
        *v = (double)(a->first_ms - a->created_ms) / 86400000.0;
        if (*v < 0) *v = 0;
        return true;
    case S_JAILBREAK: *v = share(a->jailbreak, n); return true;
    case S_CENSOR: *v = share(a->censor, n); return true;
    case S_VERIFIED_PROGRAM:
        *v = (a->verified == 1 && (a->program == DW_PROG_EDUCATION || a->program == DW_PROG_RESEARCH)) ? 1 : 0;
        return *v > 0;
    case S_REPEATED_PROMPTS: {
        /* evaluation harnesses rerun the same items on every model; a
         * harvester pays for every answer and never asks twice */
        if (a->prompts_seen < 2) return false;
        *v = dw_account_repeat_share(a);
        return true;
    }
    case S_END_USERS: {
        double u = dw_hll_count(&a->end_users);
        if (u < 1) return false;
        *v = u;
        return true;
    }
    case S_CAMPAIGN:
        /* the campaign judged as one account: its suspicion is the member's */
        if (!camp || !camp->id || camp->pooled) return false;
        *v = camp->score;
        return true;
    case S_COORDINATED:
        /* how many accounts one suspicious operation spreads over; a benign
         * group (an office, a campus) lends its members nothing */
        if (!camp || !camp->id || camp->pooled || camp->score < cfg->review) return false;
        *v = camp->members;
        return true;
    case S_DISGUISE:
        /* a campaign whose accounts are tied only by what they do -- a
         * harness prompt and its paraphrases, a question bank, a client
         * build, the hour they moved to a new model -- and never by who they
         * are (a card, a network, a sign-up burst) is hiding its operator:
         * each account was made to look like a different person */
        if (!camp || !camp->pooled) return false;
        *v = camp->disguise;
        return true;
    default: return false;
    }
}

static bool log_scaled(dw_signal_id s) { return s == S_VOLUME || s == S_TOKEN_VOLUME || s == S_COORDINATED; }

/* Confidence of the coordination signals: how firmly the account is tied
 * to its campaign -- in nats of its edges to other members, full at two
 * edges' worth, and against the campaign's median member, full from 30% of
 * it (a bystander that one chance coincidence attached to a campaign has
 * a twentieth of the ties its members have) -- and, for membership, how
 * many accounts make the campaign (full at ten: three accounts sharing a
 * card are a family more often than an operation). */
static double campaign_confidence(dw_signal_id s, const dw_config *cfg, const dw_campaign_ctx *camp)
{
    double full = 2 * (cfg->link_edge_min > 0 ? cfg->link_edge_min : 1);
    double link = camp->link / full;
    if (link > 1) link = 1;
    if (camp->link_median > 0) {
        double rel = (camp->link / camp->link_median - 0.05) / 0.25;
        link *= rel < 0 ? 0 : rel > 1 ? 1 : rel;
    }
    if (s == S_COORDINATED) return link;
    double size = camp->members > 1 ? (camp->members - 1) / 9.0 : 0;
    if (s == S_DISGUISE) {
        /* disguise is a matter of many accounts: full from 20 */
        size = camp->members > 2 ? (camp->members - 2) / 18.0 : 0;
        return size > 1 ? 1 : size;
    }
    return link * (size > 1 ? 1 : size);
}

void dw_assess(const dw_config *cfg, const dw_account *a, const dw_population *pop, dw_assessment *out)
{
    dw_assess_ctx(cfg, a, pop, NULL, out);
}

void dw_assess_ctx(const dw_config *cfg, const dw_account *a, const dw_population *pop, const dw_campaign_ctx *camp,
                   dw_assessment *out)
{
    memset(out, 0, sizeof *out);
    if (camp && camp->id) out->camp = *camp;
    double group_best[DW_G__COUNT] = {0};
    double trust = 0;
    double conf = a->requests / (a->requests + cfg->confidence_requests);
    for (int i = 0; i < S__COUNT; i++) {
        const dw_signal_param *p = &cfg->sig[i];
        dw_signal_result *r = &out->sig[i];
        if (!p->enabled || a->requests < p->min_requests) continue;
        double v;
        if (!measure((dw_signal_id)i, a, pop, cfg, camp, &v) || !isfinite(v)) continue;
        r->evaluated = 1;
        r->value = v;
        if (log_scaled((dw_signal_id)i))
            r->strength = ramp(log2(v > 1e-9 ? v : 1e-9), log2(p->lo), log2(p->hi));
        else
            r->strength = ramp(v, p->lo, p->hi);
        r->confidence = (i == S_VERIFIED_PROGRAM) ? 1.0
                        : (i == S_CAMPAIGN || i == S_COORDINATED || i == S_DISGUISE) ? campaign_confidence((dw_signal_id)i, cfg, camp)
                                                                  : conf;
        r->points = p->weight * r->strength * r->confidence;
        out->points += r->points;
        dw_group g = groups[i];
        double e = r->strength * r->confidence;
        if (p->weight > 0 && p->corroborates && e > group_best[g]) group_best[g] = e;
        if (g == DW_G_TRUST && e > trust) trust = e;
    }
    if (out->points < 0) out->points = 0;
    out->score = 1.0 - exp2(-out->points / cfg->half_points);
    for (int g = 0; g < DW_G__COUNT; g++)
        if (g != DW_G_TRUST && group_best[g] >= cfg->group_present) out->groups++;
    out->trusted = trust >= cfg->group_present;
    /* DESIGN.md: volume separates nothing; coordination and concealment do
     * (the link stage's coordination evidence must count here as well) */
    int concealed = group_best[DW_G_CONCEAL] >= cfg->group_present || group_best[DW_G_COORD] >= cfg->group_present;
    if (out->score >= cfg->block && out->groups >= cfg->block_min_groups &&
        !(out->trusted && cfg->trust_caps_block) && (concealed || !cfg->block_needs_concealment))
        out->verdict = DW_BLOCK;
    else if (out->score >= cfg->review && out->groups >= 1) out->verdict = DW_REVIEW;
    else out->verdict = DW_ALLOW;
}

static void lang_list(uint16_t langs, char *out, size_t cap)
{
    size_t k = 0;
    out[0] = 0;
    for (unsigned l = 0; l < DW_LANG__COUNT && k + 4 < cap; l++)
        if (langs & (1u << l)) k += (size_t)snprintf(out + k, cap - k, "%s%s", k ? ", " : "", dw_lang_name(l));
}

void dw_signal_reason(dw_signal_id s, const dw_account *a, const dw_signal_result *r, char *out, size_t cap)
{
    double pct = r->value * 100.0;
    char langs[96];
    switch (s) {
    case S_VOLUME: snprintf(out, cap, "%u requests, %.0fx the median account", a->requests, r->value); break;
    case S_TOKEN_VOLUME: snprintf(out, cap, "%llu completion tokens, %.0fx the median account", (unsigned long long)a->completion_tokens, r->value); break;
    case S_REGULAR_TIMING: snprintf(out, cap, "machine-regular pacing: gaps between requests vary by only %.0f%% (humans: >100%%)", pct); break;
    case S_ROUND_THE_CLOCK: snprintf(out, cap, "active around the clock over %u days (longest quiet stretch %.0f h; people sleep)", a->days_active, r->value); break;
    case S_CONCURRENCY: snprintf(out, cap, "%.0f%% of requests sent while another was still in flight or within a second", pct); break;
    case S_REASONING:
        lang_list(a->cot_langs, langs, sizeof langs);
        snprintf(out, cap, "%.0f%% of prompts demand the full step-by-step reasoning (%s)", pct, langs);
        break;
    case S_MULTILINGUAL_REASONING:
        lang_list(a->cot_langs, langs, sizeof langs);
        snprintf(out, cap, "coerces reasoning traces in %.0f languages: %s", r->value, langs);
        break;
    case S_RUBRIC: snprintf(out, cap, "%.0f%% of prompts are rubric or grading requests", pct); break;
    case S_DATASET: snprintf(out, cap, "%.0f%% of requests ask for training-data formats (\"for a dataset\", JSONL, Q/A pairs)", pct); break;
    case S_LOGPROBS: snprintf(out, cap, "%.0f%% of requests harvest token probabilities or several samples (logprobs, n>1)", pct); break;
    case S_MAX_TOKENS: snprintf(out, cap, "%.0f%% of requests ask for the largest answers (max_tokens >= 4000 or budget filled)", pct); break;
    case S_SINGLE_TURN: snprintf(out, cap, "%.0f%% of requests are one-shot, never a conversation", pct); break;
    case S_COVERAGE: snprintf(out, cap, "prompts sweep %.0f distinct subject areas", r->value); break;
    case S_TEMPLATED: snprintf(out, cap, "%.0f%% of distinct prompts are fills of a few templates", pct); break;
    case S_MODEL_PIVOT: snprintf(out, cap, "moved %.0f%% of its traffic to a newly released model within 24 h", pct); break;
    case S_IP_CHURN: snprintf(out, cap, "rotates network addresses: ~%.0f distinct /24 (or /48) prefixes for %u requests", r->value * a->requests, a->requests); break;
    case S_ASN_CHURN: snprintf(out, cap, "traffic from %.0f different networks (ASNs)", r->value); break;
    case S_DATACENTER: snprintf(out, cap, "%.0f%% of requests come from hosting/datacenter networks", pct); break;
    case S_NEW_ACCOUNT: snprintf(out, cap, "heavy use began %.1f days after the account was created", r->value); break;
    case S_JAILBREAK: snprintf(out, cap, "%.0f%% of prompts carry jailbreak markers", pct); break;
    case S_CENSOR: snprintf(out, cap, "%.0f%% of prompts ask for censorship-safe rewrites", pct); break;
    case S_VERIFIED_PROGRAM: snprintf(out, cap, "verified education/research account (counts against suspicion; capped at review)"); break;
    case S_REPEATED_PROMPTS: snprintf(out, cap, "%.0f%% of requests repeat an earlier prompt, as benchmark reruns do (counts against suspicion; capped at review)", pct); break;
    case S_END_USERS: snprintf(out, cap, "serves ~%.0f distinct end users, like a reseller or router (capped at review)", r->value); break;
    case S_CAMPAIGN: snprintf(out, cap, "member of a campaign judged %.2f as one account", r->value); break;
    case S_COORDINATED: snprintf(out, cap, "one of %.0f accounts run as one operation", r->value); break;
    case S_DISGUISE: snprintf(out, cap, "%.0f%% of the ties between its accounts are behaviour alone (shared harness prompts, question bank, client, timing) with no shared card, network or sign-up: each account made to look like a different person", pct); break;
    default: snprintf(out, cap, "%s = %g", dw_signal_name(s), r->value); break;
    }
}

int dw_assessment_order(const dw_assessment *as, int order[S__COUNT])
{
    int n = 0;
    for (int i = 0; i < S__COUNT; i++)
        if (fabs(as->sig[i].points) > 0.05) order[n++] = i;
    /* evidence for suspicion first, strongest first; trust evidence last
     * (insertion sort: n is tiny) */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && as->sig[order[j]].points > as->sig[order[j - 1]].points; j--) {
            int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    return n;
}

void dw_assessment_signal_reason(const dw_assessment *as, dw_signal_id s, const dw_account *a, char *out, size_t cap)
{
    const dw_campaign_ctx *c = &as->camp;
    if (s == S_CAMPAIGN && c->id && c->reason && c->reason[0]) {
        /* The campaign's own summary goes in brackets: it is a list of
         * reasons too, and the account's own follow it ("...; 34% of
         * requests ask for training-data formats; 26% of requests ask for
         * training-data formats" read as one list, the campaign's figure
         * then the account's).  A summary too long for `out` is cut at a
         * character boundary and the bracket still closed. */
        int k = snprintf(out, cap, "member of campaign %s (%u accounts, %.2f judged as one) [", c->id, c->members, c->score);
        size_t n = strlen(c->reason), room = k > 0 && (size_t)k + 2 < cap ? cap - (size_t)k - 2 : 0;
        if (n > room)
            for (n = room; n > 0 && ((unsigned char)c->reason[n] & 0xC0) == 0x80; n--) {}
        if (room) snprintf(out + k, cap - (size_t)k, "%.*s]", (int)n, c->reason);
    } else if (s == S_CAMPAIGN && c->id)
        snprintf(out, cap, "member of campaign %s (%u accounts, %.2f judged as one)", c->id, c->members, c->score);
    else if (s == S_COORDINATED && c->id)
        snprintf(out, cap, "one of %u accounts run as one operation (campaign %s)", c->members, c->id);
    else
        dw_signal_reason(s, a, &as->sig[s], out, cap);
}

void dw_assessment_reasons(const dw_assessment *as, const dw_account *a, int max, char *out, size_t cap)
{
    int order[S__COUNT];
    int n = dw_assessment_order(as, order);
    size_t k = 0;
    out[0] = 0;
    if (max > 0 && n > max) n = max;
    for (int i = 0; i < n && k + 8 < cap; i++) {
        char one[512];
        dw_assessment_signal_reason(as, (dw_signal_id)order[i], a, one, sizeof one);
        k += (size_t)snprintf(out + k, cap - k, "%s%s", k ? "; " : "", one);
        if (k >= cap) { k = cap - 1; break; }
    }
}
