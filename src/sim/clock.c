/*
 * clock.c -- RFC 3339 formatting and parsing on int64 milliseconds.
 *
 * Integer arithmetic only, so the same instant renders to the same bytes on
 * every host; see clock.h for why the libc calls are avoided.
 */
#include "sim/clock.h"

#include <stdio.h>

int64_t dws_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void dws_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

void dws_time_format(int64_t ms, char *out)
{
    int64_t days = floor_div(ms, DWS_MS_PER_DAY);
    int64_t rem = ms - days * DWS_MS_PER_DAY;
    int64_t y;
    unsigned m, d;
    dws_civil_from_days(days, &y, &m, &d);
    unsigned h = (unsigned)(rem / 3600000), mi = (unsigned)(rem / 60000 % 60);
    unsigned s = (unsigned)(rem / 1000 % 60), f = (unsigned)(rem % 1000);
    snprintf(out, 32, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, d, h, mi, s, f);
}

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

bool dws_time_parse(const char *s, size_t len, int64_t *ms)
{
    unsigned y, mo, d, h, mi, se;
    if (len < 19) return false;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
    if (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
    size_t i = 19;
    int64_t frac_ms = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t start = i;
        int64_t scale = 100;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            frac_ms += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start) return false;
    }
    int64_t off_min = 0;
    if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        unsigned oh, om;
        if (len - i < 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, &om))
            return false;
        if (oh > 23 || om > 59) return false;
        off_min = (int64_t)oh * 60 + om;
        if (s[i] == '-') off_min = -off_min;
        i += 6;
    } else {
        return false;
    }
    if (i != len) return false;
    int64_t days = dws_days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + (se > 59 ? 59 : se);
    *ms = (secs - off_min * 60) * 1000 + frac_ms;
    return true;
}

int dws_weekday(int64_t ms, int offset_min)
{
    int64_t days = floor_div(ms + (int64_t)offset_min * 60000, DWS_MS_PER_DAY);
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}
