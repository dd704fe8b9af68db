/*
 * clock.c -- RFC 3339 formatting and parsing on int64 milliseconds.
 *
 * Integer arithmetic only, so the same instant renders to the same bytes on
 * every host; see clock.h for why the libc calls are avoided.
 */
#include "sim/clock.h"
#include "common/util.h"

/* The simulator and the scanner must agree on every instant, so these are the
 * library's own conversions (src/common/util.c) under the simulator's names. */

int64_t dws_days_from_civil(int64_t y, unsigned m, unsigned d) { return dw_days_from_civil(y, m, d); }

void dws_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) { dw_civil_from_days(z, y, m, d); }

void dws_time_format(int64_t ms, char *out) { dw_format_ts(ms, out, 32); }

bool dws_time_parse(const char *s, size_t len, int64_t *ms) { return dw_parse_rfc3339(s, len, ms); }

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

int dws_weekday(int64_t ms, int offset_min)
{
    int64_t days = floor_div(ms + (int64_t)offset_min * 60000, DWS_MS_PER_DAY);
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}
