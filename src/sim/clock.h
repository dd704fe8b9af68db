/*
 * clock.h -- civil time without the C library's time zone machinery.
 *
 * The simulator writes RFC 3339 UTC timestamps with milliseconds and reasons
 * in each simulated user's local time; the evaluator reads timestamps in any
 * of the forms DESIGN.md allows.  gmtime()/strftime() depend on TZ and locale
 * and mktime() on the host's zone database, so both directions are done here
 * with Howard Hinnant's days-from-civil arithmetic on int64 milliseconds.
 */
#ifndef DW_SIM_CLOCK_H
#define DW_SIM_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DWS_MS_PER_DAY 86400000LL
#define DWS_MS_PER_HOUR 3600000LL

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t dws_days_from_civil(int64_t y, unsigned m, unsigned d);
void dws_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (at least 32 bytes). */
void dws_time_format(int64_t ms, char *out);

/* Parse RFC 3339 ("2026-06-01T12:00:00Z", fractional seconds and +hh:mm
 * offsets allowed, 't'/' ' separator tolerated) into milliseconds since the
 * epoch.  Returns false on anything else. */
bool dws_time_parse(const char *s, size_t len, int64_t *ms);

/* Day of week of a UTC millisecond instant shifted by offset minutes:
 * 0 = Monday .. 6 = Sunday. */
int dws_weekday(int64_t ms, int offset_min);

#endif
