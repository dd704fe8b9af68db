/* util.c -- timestamps, IP prefixes and HyperLogLog estimates (see util.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <sys/stat.h>
#include "common/util.h"

int64_t dw_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil, written out from the published algorithm. */
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
    if (at + k > n) return 0;
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        unsigned c = (unsigned char)s[at + i] - '0';
        if (c > 9) return 0;
        v = v * 10 + (int)c;
    }
    *out = v;
    return 1;
}

/* The date and hour, "YYYY-MM-DDThh" (s[0..12]), as ms since the epoch. */
static bool rfc3339_head(const char *s, size_t n, int64_t *hour_ms)
{
    int Y, M, D, h;
    if (!digits(s, n, 0, 4, &Y) || n < 19 || s[4] != '-' || !digits(s, n, 5, 2, &M) || s[7] != '-' ||
        !digits(s, n, 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, n, 11, 2, &h))
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23) return false;
    if (M == 2 && D == 29 && !((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0)) return false;
    *hour_ms = (dw_days_from_civil(Y, (unsigned)M, (unsigned)D) * 24 + h) * 3600000;
    return true;
}

/* The rest, ":mm:ss[.frac](Z|+hh:mm|-hh:mm)" from s[13], as ms into the
 * hour, the offset taken off. */
static bool rfc3339_tail(const char *s, size_t n, int64_t *ms)
{
    int mi, sec;
    if (n < 19 || s[13] != ':' || !digits(s, n, 14, 2, &mi) || s[16] != ':' || !digits(s, n, 17, 2, &sec) ||
        mi > 59 || sec > 60)
        return false;
    size_t i = 19;
    int frac_ms = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t start = i;
        static const int place[3] = {100, 10, 1}; /* digits past the third are read, not kept */
        for (; i < n && (unsigned)(s[i] - '0') <= 9; i++)
            if (i - start < 3) frac_ms += (s[i] - '0') * place[i - start];
        if (i == start) return false;
    }
    int offset_min = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (!digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' || !digits(s, n, i + 4, 2, &om) ||
            oh > 23 || om > 59)
            return false;
        offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return false; /* RFC 3339 requires an offset */
    }
    if (i != n) return false;
    if (sec == 60) sec = 59; /* leap second: clamp, never reject a real log line */
    *ms = ((int64_t)mi * 60 + sec - (int64_t)offset_min * 60) * 1000 + frac_ms;
    return true;
}

const char *dw_account_id_fault(const char *id, size_t n)
{
    if (!id || n == 0) return "missing account_id";
    if (n > DW_ACCOUNT_ID_MAX) return "account_id longer than 512 bytes";
    if (memchr(id, 0, n)) return "account_id contains a NUL character (\\u0000)";
    return NULL;
}

bool dw_parse_rfc3339(const char *s, size_t n, int64_t *ms)
{
    int64_t hour_ms, rest;
    if (!rfc3339_head(s, n, &hour_ms) || !rfc3339_tail(s, n, &rest)) return false;
    *ms = hour_ms + rest;
    return true;
}

bool dw_parse_rfc3339_memo(const char *s, size_t n, int64_t *ms, dw_ts_memo *m)
{
    int64_t rest;
    if (n >= sizeof m->head && m->valid && memcmp(s, m->head, sizeof m->head) == 0) {
        if (!rfc3339_tail(s, n, &rest)) return false;
        *ms = m->hour_ms + rest;
        return true;
    }
    int64_t hour_ms;
    if (!rfc3339_head(s, n, &hour_ms) || !rfc3339_tail(s, n, &rest)) return false;
    memcpy(m->head, s, sizeof m->head);
    m->hour_ms = hour_ms;
    m->valid = true;
    *ms = hour_ms + rest;
    return true;
}

int64_t dw_epoch_to_ms(double v)
{
    double a = fabs(v);
    if (!isfinite(v)) return DW_TS_NONE;
    if (a < 1e11) return (int64_t)llround(v * 1000.0);   /* seconds (until year 5138) */
    if (a < 1e14) return (int64_t)llround(v);            /* milliseconds */
    if (a < 1e17) return (int64_t)llround(v / 1000.0);   /* microseconds */
    if (a < 1e20) return (int64_t)llround(v / 1e6);      /* nanoseconds */
    return DW_TS_NONE;                                   /* beyond any unit: not a time */
}

void dw_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    /* Howard Hinnant's civil_from_days, written out from the published algorithm */
    int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void out_of_memory(void)
{
    fputs("distillwatch: out of memory\n", stderr);
    abort();
}

void *dw_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q && n) out_of_memory();
    return q;
}

void *dw_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory();
    return p;
}

void *dw_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) out_of_memory();
    return p;
}

void dw_format_ts(int64_t ms, char *out, size_t cap)
{
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int msec = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    dw_civil_from_days(days, &y, &m, &d);
    int hh = (int)(rem / 3600), mi = (int)(rem % 3600 / 60), ss = (int)(rem % 60);
    if (y < 0 || y > 9999 || cap < 25) {
        snprintf(out, cap, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d, hh, mi, ss, msec);
        return;
    }
    /* Digits by hand: outputs write two timestamps per account and one per
     * alert, and snprintf with eight conversions cost ~5,000 instructions a
     * call, more than the rest of an account's JSON. */
    static const char tmpl[] = "0000-00-00T00:00:00.000Z";
    memcpy(out, tmpl, sizeof tmpl);
    out[0] = (char)('0' + y / 1000); out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10); out[3] = (char)('0' + y % 10);
    out[5] = (char)('0' + m / 10); out[6] = (char)('0' + m % 10);
    out[8] = (char)('0' + d / 10); out[9] = (char)('0' + d % 10);
    out[11] = (char)('0' + hh / 10); out[12] = (char)('0' + hh % 10);
    out[14] = (char)('0' + mi / 10); out[15] = (char)('0' + mi % 10);
    out[17] = (char)('0' + ss / 10); out[18] = (char)('0' + ss % 10);
    out[20] = (char)('0' + msec / 100); out[21] = (char)('0' + msec / 10 % 10); out[22] = (char)('0' + msec % 10);
}

/* A dotted quad exactly as inet_pton(AF_INET) takes it: four decimal
 * octets of at most 255, no leading zeros, nothing else.  Nearly every log
 * line carries one, and the copy, strchr and libc call around inet_pton were
 * 2-3% of a small-event scan.  Anything this refuses goes the general way. */
static inline unsigned dec_digit(const char *p, const char *e) { return p < e ? (unsigned)(*p - '0') : 10u; }

static int ipv4_quad(const char *s, size_t n, uint8_t q[4])
{
    const char *p = s, *e = s + n;
    for (int part = 0; part < 4; part++) {
        if (part && (p >= e || *p++ != '.')) return 0;
        /* one to three digits, unrolled: a loop with a digit counter and a
         * range test per byte cost twice as much on every log line */
        unsigned v = dec_digit(p, e), d;
        if (v > 9) return 0;
        p++;
        if ((d = dec_digit(p, e)) <= 9) {
            if (v == 0) return 0; /* leading zero */
            v = v * 10 + d;
            p++;
            if ((d = dec_digit(p, e)) <= 9) {
                v = v * 10 + d;
                p++;
                if (v > 255 || dec_digit(p, e) <= 9) return 0;
            }
        }
        q[part] = (uint8_t)v;
    }
    return p == e;
}

int dw_ip_parse(const char *ip, size_t n, uint8_t out[16])
{
    uint8_t q[4];
    if (ip && n >= 7 && n <= 15 && ipv4_quad(ip, n, q)) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, q, 4);
        return 1;
    }
    char tmp[64];
    if (!ip || n == 0 || n >= sizeof tmp) return 0;
    memcpy(tmp, ip, n);
    tmp[n] = 0;
    /* strip an IPv6 zone */
    char *pct = strchr(tmp, '%');
    if (pct) *pct = 0;
    unsigned char a[16];
    if (inet_pton(AF_INET, tmp, a) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, a, 4);
        return 1;
    }
    if (inet_pton(AF_INET6, tmp, a) == 1) {
        memcpy(out, a, 16);
        return 1;
    }
    return 0;
}

uint64_t dw_ip_prefix_hash_of(const uint8_t a[16])
{
    /* IPv4 (and IPv4-mapped IPv6) by /24, IPv6 by /48 */
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, mapped, 12) == 0) {
        unsigned char key[4] = {4, a[12], a[13], a[14]};
        return dw_hash(key, sizeof key) | 1;
    }
    unsigned char key[7] = {6, a[0], a[1], a[2], a[3], a[4], a[5]};
    return dw_hash(key, sizeof key) | 1;
}

uint64_t dw_ip_prefix_hash(const char *ip, size_t n)
{
    uint8_t a[16];
    return dw_ip_parse(ip, n, a) ? dw_ip_prefix_hash_of(a) : 0;
}

/* HyperLogLog estimate over m four-bit registers read by get().  2^-r comes
 * from a table: a register holds 0..15, and ldexp() per register was 6% of a
 * small-event scan (every assessment estimates three sketches). */
static const double hll_pow2_neg[16] = {
    1.0, 0x1p-1, 0x1p-2, 0x1p-3, 0x1p-4, 0x1p-5, 0x1p-6, 0x1p-7,
    0x1p-8, 0x1p-9, 0x1p-10, 0x1p-11, 0x1p-12, 0x1p-13, 0x1p-14, 0x1p-15,
};

static double hll_estimate(unsigned m, unsigned (*get)(const void *, unsigned), const void *h)
{
    double sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < m; i++) {
        unsigned r = get(h, i);
        sum += hll_pow2_neg[r];
        zeros += r == 0;
    }
    if (zeros == m) return 0;
    double alpha = m == 16 ? 0.673 : m == 32 ? 0.697 : m == 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    double e = alpha * m * m / sum;
    if (e <= 2.5 * m && zeros) e = m * log((double)m / zeros); /* linear counting for small sets */
    return e;
}

static unsigned get64(const void *h, unsigned i) { return dw_hll_get(h, i); }
static unsigned get16(const void *h, unsigned i) { return dw_hll16_get(h, i); }
double dw_hll_count(const dw_hll *h) { return hll_estimate(DW_HLL_REGS, get64, h); }
double dw_hll16_count(const dw_hll16 *h) { return hll_estimate(DW_HLL16_REGS, get16, h); }

int dw_mkdir_p(const char *dir)
{
    char tmp[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof tmp) { errno = ENAMETOOLONG; return -1; }
    memcpy(tmp, dir, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0777) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) < 0 && errno != EEXIST) return -1;
    struct stat st;
    if (stat(tmp, &st) < 0) return -1;
    if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
    return 0;
}
