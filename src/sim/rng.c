/*
 * rng.c -- xoshiro256** and the distributions the simulator draws from.
 *
 * Why our own: reproducibility byte for byte is part of the contract of
 * `simulate`, and rand()/random() differ between libcs.  The transcendental
 * functions used (log, sqrt, cos, exp) are correctly rounded or nearly so in
 * glibc and musl alike; we only ever feed their results into comparisons and
 * rounding at coarse granularity, where a last-bit difference cannot flip
 * an outcome in practice.
 */
#include "sim/rng.h"

#include <math.h>

uint64_t dws_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void dws_rng_seed(dws_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ULL;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
    /* xoshiro must not start from all zeros; splitmix64 cannot give four
     * zero outputs in a row, but be explicit about the invariant. */
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

uint64_t dws_seed_derive(uint64_t parent, uint64_t a, uint64_t b)
{
    return dws_mix64(dws_mix64(parent ^ 0x5bd1e9955bd1e995ULL) ^ dws_mix64(a + 0x632be59bd9b4e019ULL) ^
                    dws_mix64(b * 0x8cb92ba72f3d8dd7ULL + 1));
}

void dws_rng_derive(dws_rng *r, uint64_t parent, uint64_t a, uint64_t b)
{
    dws_rng_seed(r, dws_seed_derive(parent, a, b));
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t dws_rng_u64(dws_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double dws_rng_unif(dws_rng *r) { return (double)(dws_rng_u64(r) >> 11) * 0x1.0p-53; }

uint64_t dws_rng_below(dws_rng *r, uint64_t n)
{
    if (n == 0) return 0;
    /* Lemire's multiply-shift with rejection: unbiased, no division in the
     * common case. */
    uint64_t x = dws_rng_u64(r);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            x = dws_rng_u64(r);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

int64_t dws_rng_range(dws_rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo) return lo;
    return lo + (int64_t)dws_rng_below(r, (uint64_t)(hi - lo) + 1);
}

int dws_rng_chance(dws_rng *r, double p) { return dws_rng_unif(r) < p; }

double dws_rng_normal(dws_rng *r)
{
    double u1 = dws_rng_unif(r), u2 = dws_rng_unif(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double dws_rng_lognormal(dws_rng *r, double median, double sigma)
{
    return median * exp(sigma * dws_rng_normal(r));
}

double dws_rng_exp(dws_rng *r, double mean)
{
    double u = dws_rng_unif(r);
    return -mean * log(1.0 - u);
}

uint32_t dws_rng_poisson(dws_rng *r, double mean)
{
    if (mean <= 0) return 0;
    if (mean < 30) {
        double l = exp(-mean), p = 1.0;
        uint32_t k = 0;
        do { k++; p *= dws_rng_unif(r); } while (p > l && k < 1000);
        return k - 1;
    }
    double v = mean + sqrt(mean) * dws_rng_normal(r) + 0.5;
    return v < 0 ? 0 : (uint32_t)v;
}

size_t dws_rng_weighted(dws_rng *r, const double *w, size_t n)
{
    double tot = 0;
    for (size_t i = 0; i < n; i++) tot += w[i] > 0 ? w[i] : 0;
    if (tot <= 0) return 0;
    double x = dws_rng_unif(r) * tot;
    for (size_t i = 0; i < n; i++) {
        double wi = w[i] > 0 ? w[i] : 0;
        if (x < wi) return i;
        x -= wi;
    }
    return n - 1;
}

void dws_hex(char *out, uint64_t x, int digits)
{
    static const char hx[] = "0123456789abcdef";
    if (digits > 16) digits = 16;
    for (int i = digits - 1; i >= 0; i--) { out[i] = hx[x & 15]; x >>= 4; }
    out[digits] = 0;
}
