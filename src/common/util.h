/*
 * util.h -- small shared pieces: timestamps, hashing, IP prefixes, HyperLogLog.
 *
 * Kept in one place because every stage needs the same answers: two stages
 * that parsed "2026-06-01T12:00:00+02:00" differently, or hashed an account id
 * with different seeds, would silently disagree.
 */
#ifndef DW_UTIL_H
#define DW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#define DW_TS_NONE INT64_MIN

/* RFC 3339 date-time ("2026-06-01T12:00:00.123Z", offsets, 'T' or ' ',
 * lower-case 't'/'z' accepted) to milliseconds since the epoch.  Returns
 * false on anything else.  No locale, no timezone database, no libc state. */
bool dw_parse_rfc3339(const char *s, size_t n, int64_t *ms);
/* The same, remembering the date and hour of the last time parsed: logs are
 * in time order, so consecutive lines nearly always share them, and then
 * only minutes, seconds, fraction and offset are read.  Same answers as
 * dw_parse_rfc3339 (a test holds them to it).  Zero-initialise the memo. */
typedef struct dw_ts_memo {
    char head[13];          /* "YYYY-MM-DDThh", valid as it stands */
    bool valid;
    int64_t hour_ms;        /* what head comes to */
} dw_ts_memo;
bool dw_parse_rfc3339_memo(const char *s, size_t n, int64_t *ms, dw_ts_memo *m);

/* A number of seconds, milliseconds, microseconds or nanoseconds since the
 * epoch to milliseconds.  The unit is inferred from the magnitude: values
 * in the years 1973..5138 in one unit overlap no other.  DW_TS_NONE for a
 * value that is no time in any unit (NaN, infinite, beyond 1e20). */
int64_t dw_epoch_to_ms(double v);

/* Why the n bytes at id cannot be an account id, or NULL when they can.
 * One rule for logs and the accounts file: present, at most
 * DW_ACCOUNT_ID_MAX bytes, and no NUL (ids are C strings in every output:
 * "a\u0000b" would be written as "a" and never found again as itself). */
#define DW_ACCOUNT_ID_MAX 512
const char *dw_account_id_fault(const char *id, size_t n);

/* Allocation for the pipeline's own state (tables, indices, buffers),
 * which it cannot go on without: on failure the process stops with a
 * message instead of every caller checking.  Sizes driven by input are
 * bounded before they get here.  dw_xrealloc(p, 0) frees p and returns
 * NULL, as realloc does; the others never return NULL. */
void *dw_xrealloc(void *p, size_t n);
void *dw_xmalloc(size_t n);
void *dw_xcalloc(size_t n, size_t size);

/* Format ms since epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (>= 25 bytes). */
void dw_format_ts(int64_t ms, char *out, size_t cap);

/* Days since 1970-01-01 for a civil date (proleptic Gregorian), and back. */
int64_t dw_days_from_civil(int64_t y, unsigned m, unsigned d);
void dw_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

static inline uint64_t dw_hash(const void *p, size_t n) { return XXH3_64bits(p, n); }
static inline uint64_t dw_hash_seed(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}
/* a[0..n) == b[0..n), for the short strings of the hot path (JSON keys,
 * account ids): whole words, then bytes, inline.  A libc memcmp() call costs
 * its dispatch on every one of the dozen keys of each record. */
static inline bool dw_bytes_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    uint64_t x, y;
    uint32_t u, v;
    if (n >= 8) {
        /* whole words, the last one overlapping its predecessor */
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, p + i, 8);
            memcpy(&y, q + i, 8);
            if (x != y) return false;
        }
        memcpy(&x, p + n - 8, 8);
        memcpy(&y, q + n - 8, 8);
        return x == y;
    }
    if (n >= 4) { /* two overlapping half words */
        memcpy(&u, p, 4);
        memcpy(&v, q, 4);
        if (u != v) return false;
        memcpy(&u, p + n - 4, 4);
        memcpy(&v, q + n - 4, 4);
        return u == v;
    }
    for (; n; p++, q++, n--)
        if (*p != *q) return false;
    return true;
}

/* dst[0..n) = src[0..n) with 'A'..'Z' lowered and every other byte kept
 * (UTF-8 included): eight bytes per step.  HTTP header names are lowered
 * for every header of every record, and a byte loop was 2.5% of a scan of
 * realistic logs.  dst may equal src. */
static inline void dw_ascii_lower(char *dst, const char *src, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, h;
        memcpy(&w, src + i, 8);
        h = w & ~highs; /* seven bits a byte: the sums below cannot carry */
        /* bit 7 of each byte: h >= 'A', and not h > 'Z', and not >= 0x80 */
        uint64_t upper = (h + ones * (0x80 - 'A')) & ~(h + ones * (0x80 - 'Z' - 1)) & ~w & highs;
        w |= upper >> 2; /* 0x80 >> 2 == 0x20, 'a' - 'A' */
        memcpy(dst + i, &w, 8);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
}

/* A finalizer to mix an integer into a well-spread 64-bit value. */
static inline uint64_t dw_mix64(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Hash of the network prefix of a textual IP: /24 for IPv4, /48 for IPv6.
 * Returns 0 when the text is not an IP address. */
uint64_t dw_ip_prefix_hash(const char *ip, size_t n);
/* The two halves of it: parse a textual IPv4 or IPv6 address (an IPv6 zone
 * is ignored) into 16 bytes, IPv4 as ::ffff:a.b.c.d; 0 when it is none.
 * Then the prefix hash of parsed bytes. */
int dw_ip_parse(const char *ip, size_t n, uint8_t out[16]);
uint64_t dw_ip_prefix_hash_of(const uint8_t a[16]);

/* HyperLogLog with 64 four-bit registers packed in 32 bytes: ~13% relative
 * error, and linear counting keeps small sets (the common case for one
 * account) within a few percent.  Per-account distinct counts need only "a
 * few" vs "hundreds", and account state must stay small (the budget is 512
 * bytes per account).  Four bits cap a register at rank 15, enough for
 * counts into the millions. */
#define DW_HLL_REGS 64
typedef struct dw_hll { uint8_t r[DW_HLL_REGS / 2]; } dw_hll;
static inline unsigned dw_hll_get(const dw_hll *h, unsigned i) { return (h->r[i >> 1] >> ((i & 1) * 4)) & 15u; }
static inline void dw_hll_add(dw_hll *h, uint64_t hash)
{
    unsigned idx = (unsigned)(hash >> 58);             /* top 6 bits */
    uint64_t rest = (hash << 6) | (1ULL << 5);         /* guard bit bounds the rank */
    unsigned rank = (unsigned)__builtin_clzll(rest) + 1;
    if (rank > 15) rank = 15;
    if (rank > dw_hll_get(h, idx)) {
        unsigned shift = (idx & 1) * 4;
        h->r[idx >> 1] = (uint8_t)((h->r[idx >> 1] & ~(15u << shift)) | (rank << shift));
    }
}
double dw_hll_count(const dw_hll *h);

/* The same with 16 registers in 8 bytes (~26% error), for counts where
 * "one or two" vs "dozens" is all that matters (templates per account). */
#define DW_HLL16_REGS 16
typedef struct dw_hll16 { uint8_t r[DW_HLL16_REGS / 2]; } dw_hll16;
static inline unsigned dw_hll16_get(const dw_hll16 *h, unsigned i) { return (h->r[i >> 1] >> ((i & 1) * 4)) & 15u; }
static inline void dw_hll16_add(dw_hll16 *h, uint64_t hash)
{
    unsigned idx = (unsigned)(hash >> 60);
    uint64_t rest = (hash << 4) | (1ULL << 3);
    unsigned rank = (unsigned)__builtin_clzll(rest) + 1;
    if (rank > 15) rank = 15;
    if (rank > dw_hll16_get(h, idx)) {
        unsigned shift = (idx & 1) * 4;
        h->r[idx >> 1] = (uint8_t)((h->r[idx >> 1] & ~(15u << shift)) | (rank << shift));
    }
}
double dw_hll16_count(const dw_hll16 *h);

/* mkdir -p: 0 when dir exists afterwards, -1 with errno set. */
int dw_mkdir_p(const char *dir);

#endif
