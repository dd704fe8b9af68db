/*
 * rng.h -- the simulator's own pseudo-random numbers.
 *
 * A simulated traffic mix is only useful as a yardstick if the same seed gives
 * the same bytes on every machine, so nothing here touches rand(), the clock
 * or libm functions whose last bits may differ between C libraries in ways that
 * change a branch.  The generator is xoshiro256** seeded through splitmix64;
 * every stream is derived from a parent seed and a label (dws_rng_derive), so
 * adding a new consumer of randomness never shifts the numbers an existing one
 * draws -- a change to one traffic class does not reshuffle all the others.
 */
#ifndef DW_SIM_RNG_H
#define DW_SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct dws_rng { uint64_t s[4]; } dws_rng;

/* splitmix64 step: also a bijective 64-bit mixer, used to make ids. */
uint64_t dws_mix64(uint64_t x);
/* Seed from one number. */
void dws_rng_seed(dws_rng *r, uint64_t seed);
/* A seed for a child stream identified by (parent, a, b). */
uint64_t dws_seed_derive(uint64_t parent, uint64_t a, uint64_t b);
/* Child stream from a seed and a label, e.g. dws_rng_derive(&r, acct_seed, 3, day). */
void dws_rng_derive(dws_rng *r, uint64_t parent, uint64_t a, uint64_t b);

uint64_t dws_rng_u64(dws_rng *r);
/* Uniform in [0, 1). */
double dws_rng_unif(dws_rng *r);
/* Uniform integer in [0, n); n == 0 gives 0. */
uint64_t dws_rng_below(dws_rng *r, uint64_t n);
/* Uniform integer in [lo, hi]. */
int64_t dws_rng_range(dws_rng *r, int64_t lo, int64_t hi);
/* True with probability p. */
int dws_rng_chance(dws_rng *r, double p);
/* Standard normal (Box-Muller on our own uniforms). */
double dws_rng_normal(dws_rng *r);
/* Log-normal with the given median and sigma of the underlying normal. */
double dws_rng_lognormal(dws_rng *r, double median, double sigma);
/* Exponential with the given mean. */
double dws_rng_exp(dws_rng *r, double mean);
/* Poisson with the given mean (inversion for small, normal approx. for large). */
uint32_t dws_rng_poisson(dws_rng *r, double mean);
/* Index drawn from weights w[0..n) (need not sum to 1). */
size_t dws_rng_weighted(dws_rng *r, const double *w, size_t n);
/* Pick one of n items uniformly. */
#define DWS_PICK(r, arr) ((arr)[dws_rng_below((r), sizeof(arr) / sizeof((arr)[0]))])
#define DWS_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

/* Lower-case hex of x, `digits` long (<= 16), into out (NUL-terminated). */
void dws_hex(char *out, uint64_t x, int digits);

#endif
