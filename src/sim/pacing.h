/*
 * pacing.h -- when people (and scripts pretending to be people) send requests.
 *
 * Human traffic has a daily rhythm in the sender's own time zone, weekly
 * rhythm, idle days, sessions separated by hours, and think time between
 * turns inside a session.  Scripts have none of that unless they are written
 * to fake it.  The campaign generators produce both a "robotic" schedule
 * (grid, 24/7, synchronised across accounts) and a "human" one and blend
 * them rank by rank with the scenario's pacing knob, so pacing is a
 * continuum an attacker can move along, not a switch.
 */
#ifndef DW_SIM_PACING_H
#define DW_SIM_PACING_H

#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"

enum { DWS_DIURNAL_CASUAL = 0, DWS_DIURNAL_WORK, DWS_DIURNAL_STUDENT, DWS_DIURNAL_FLAT,
       DWS_DIURNAL_GLOBAL };

/* Relative intensity (0..1) at local hour h (0..24) on weekday wd (0 = Mon). */
double dws_diurnal(int profile, double h, int wd);
/* A time during the local day starting at local midnight `day_start` (UTC ms
 * of that local midnight), distributed by the profile. */
int64_t dws_pick_time(dws_rng *r, int64_t day_start, int profile, int wd);
/* UTC ms of local midnight of day d (relative to the window start) for an
 * account at offset tz_min. */
int64_t dws_local_midnight(const dws_world *w, int d, int tz_min);

typedef struct dws_human_cfg {
    int profile;
    double per_session;   /* mean requests per session */
    double gap_s;         /* median think time between turns, seconds */
    double gap_sigma;
    double turns;         /* mean turns per conversation */
    double weekend;       /* activity factor on Sat/Sun */
} dws_human_cfg;

typedef void (*dws_emit_fn)(dws_world *w, uint32_t acct, dws_rng *r, int64_t ts, uint64_t conv, int turn,
                            void *ud);

/* Sessions over the whole window for one account, using its rate, active
 * probability and time zone.  `stream` separates independent uses. */
void dws_human_schedule(dws_world *w, uint32_t acct, const dws_human_cfg *cfg, uint64_t stream,
                        dws_emit_fn emit, void *ud);

/* n human-looking times over [from, to) for one account (sorted). */
void dws_human_times(dws_rng *r, const dws_world *w, int tz_min, int64_t from, int64_t to, size_t n,
                     double gap_s, int64_t *out);
/* Blend robotic and human schedules rank by rank: out[i] = (1-p)*rob[i] + p*hum[i].
 * Both inputs must be sorted and of length n; out is sorted. */
void dws_blend_times(const int64_t *rob, const int64_t *hum, size_t n, double p, int64_t *out);
void dws_sort_times(int64_t *t, size_t n);

#endif
