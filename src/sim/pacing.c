/*
 * pacing.c -- diurnal curves, sessions and the robotic/human blend.
 *
 * Curves are piecewise-linear tables per hour rather than formulas: they are
 * easy to read against what usage dashboards of chat products show (a trough
 * at 3-6am, a work-day plateau, an evening peak for consumers, late nights
 * for students) and easy to change without touching code that uses them.
 */
#include "sim/pacing.h"

#include <math.h>
#include <stdlib.h>

#include "sim/clock.h"

static const double curve[5][24] = {
    /* casual: evening peak, some lunch time, low nights */
    {0.15, 0.08, 0.05, 0.03, 0.03, 0.05, 0.12, 0.25, 0.4, 0.5, 0.55, 0.6,
     0.65, 0.6, 0.55, 0.55, 0.6, 0.65, 0.75, 0.85, 0.95, 1.0, 0.8, 0.4},
    /* work: 9 to 6 with a lunch dip */
    {0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.05, 0.2, 0.6, 0.95, 1.0, 0.95,
     0.6, 0.85, 1.0, 0.95, 0.85, 0.6, 0.3, 0.15, 0.1, 0.08, 0.05, 0.02},
    /* student: wake late, work late */
    {0.6, 0.4, 0.2, 0.08, 0.03, 0.02, 0.03, 0.08, 0.2, 0.35, 0.5, 0.55,
     0.5, 0.55, 0.65, 0.7, 0.7, 0.65, 0.6, 0.7, 0.85, 1.0, 0.95, 0.8},
    /* flat: machines */
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    /* global: a service with users everywhere, mild swell */
    {0.7, 0.65, 0.6, 0.6, 0.62, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95,
     1.0, 1.0, 1.0, 0.98, 0.95, 0.92, 0.9, 0.88, 0.85, 0.8, 0.78, 0.75},
};

double dws_diurnal(int profile, double h, int wd)
{
    if (profile < 0 || profile > 4) profile = 0;
    while (h < 0) h += 24;
    while (h >= 24) h -= 24;
    int i = (int)h;
    double f = h - i;
    double v = curve[profile][i] * (1 - f) + curve[profile][(i + 1) % 24] * f;
    if (wd >= 5) {
        if (profile == DWS_DIURNAL_WORK) v *= 0.08;
        else if (profile == DWS_DIURNAL_CASUAL) v *= (h > 9 ? 1.1 : 0.9);
    }
    return v;
}

int64_t dws_pick_time(dws_rng *r, int64_t day_start, int profile, int wd)
{
    for (int tries = 0; tries < 200; tries++) {
        double h = dws_rng_unif(r) * 24.0;
        if (dws_rng_unif(r) * 1.1 < dws_diurnal(profile, h, wd))
            return day_start + (int64_t)(h * DWS_MS_PER_HOUR);
    }
    return day_start + (int64_t)(dws_rng_unif(r) * DWS_MS_PER_DAY);
}

int64_t dws_local_midnight(const dws_world *w, int d, int tz_min)
{
    /* The window starts at a UTC midnight; a user east of UTC had their local
     * midnight tz hours earlier. */
    return w->t0 + (int64_t)d * DWS_MS_PER_DAY - (int64_t)tz_min * 60000;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void dws_sort_times(int64_t *t, size_t n) { qsort(t, n, sizeof *t, cmp_i64); }

void dws_human_schedule(dws_world *w, uint32_t acct, const dws_human_cfg *cfg, uint64_t stream,
                        dws_emit_fn emit, void *ud)
{
    const dws_account *a = &w->acc[acct];
    dws_rng r;
    for (int d = -1; d <= w->sc->days; d++) {
        dws_rng_derive(&r, a->seed, 0x5E55 + stream, (uint64_t)(d + 1));
        int64_t mid = dws_local_midnight(w, d, a->tz_min);
        int wd = dws_weekday(mid + 12 * DWS_MS_PER_HOUR, a->tz_min);
        double p = a->active * (wd >= 5 ? cfg->weekend : 1.0);
        if (!dws_rng_chance(&r, p)) continue;
        if (mid + DWS_MS_PER_DAY < a->created_ms) continue;
        /* Day-to-day volume varies a lot for one person. */
        uint32_t n = dws_rng_poisson(&r, a->rate * dws_rng_lognormal(&r, 1.0, 0.6));
        if (!n) continue;
        uint32_t sessions = 1 + dws_rng_poisson(&r, (n - 1) / (cfg->per_session > 1 ? cfg->per_session : 1));
        if (sessions > n) sessions = n;
        uint32_t left = n;
        for (uint32_t s = 0; s < sessions; s++) {
            uint32_t k = s + 1 == sessions ? left : (uint32_t)(left / (sessions - s));
            if (s + 1 < sessions && k > 1) k = (uint32_t)dws_rng_range(&r, 1, 2 * (int64_t)k - 1);
            if (k > left) k = left;
            left -= k;
            int64_t t = dws_pick_time(&r, mid, cfg->profile, wd);
            uint64_t conv = dws_rng_u64(&r);
            int turn = 0;
            int turns = 1 + (int)dws_rng_poisson(&r, cfg->turns > 1 ? cfg->turns - 1 : 0);
            for (uint32_t i = 0; i < k; i++) {
                if (t < a->created_ms) t = a->created_ms + (int64_t)dws_rng_below(&r, 600000);
                emit(w, acct, &r, t, conv, turn, ud);
                turn++;
                double gap = dws_rng_lognormal(&r, cfg->gap_s, cfg->gap_sigma);
                if (turn >= turns) {
                    conv = dws_rng_u64(&r);
                    turn = 0;
                    turns = 1 + (int)dws_rng_poisson(&r, cfg->turns > 1 ? cfg->turns - 1 : 0);
                    gap *= 2.5;
                }
                t += (int64_t)(gap * 1000.0) + 300;
            }
        }
    }
}

void dws_human_times(dws_rng *r, const dws_world *w, int tz_min, int64_t from, int64_t to, size_t n,
                     double gap_s, int64_t *out)
{
    /* Sessions of a few requests each, placed by the casual curve in the
     * account's zone, with think time inside a session. */
    size_t i = 0;
    int64_t span = to - from;
    if (span <= 0) span = 1;
    while (i < n) {
        int64_t t0 = from + (int64_t)(dws_rng_unif(r) * (double)span);
        int64_t mid = t0 - ((t0 + (int64_t)tz_min * 60000) % DWS_MS_PER_DAY);
        int wd = dws_weekday(mid + 12 * DWS_MS_PER_HOUR, tz_min);
        int64_t t = dws_pick_time(r, mid, DWS_DIURNAL_CASUAL, wd);
        if (t < from || t >= to) continue;
        size_t k = 1 + dws_rng_poisson(r, 3.0);
        for (size_t j = 0; j < k && i < n; j++) {
            out[i++] = t < to ? t : to - 1;
            t += (int64_t)(dws_rng_lognormal(r, gap_s, 0.8) * 1000.0) + 500;
        }
    }
    dws_sort_times(out, n);
}

void dws_blend_times(const int64_t *rob, const int64_t *hum, size_t n, double p, int64_t *out)
{
    for (size_t i = 0; i < n; i++) out[i] = (int64_t)llround((1.0 - p) * (double)rob[i] + p * (double)hum[i]);
    /* Both inputs are sorted, so a convex combination by rank is sorted too. */
}
