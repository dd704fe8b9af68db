/*
 * minhash.c -- MinHash of word 3-shingles (see minhash.h for why).
 *
 * One 64-bit hash per shingle, then 32 cheap derived hashes (multiply-shift
 * with fixed odd multipliers, keeping the top 16 bits) instead of 32 full
 * hash functions: a system prompt of 40 words costs ~1300 multiply-adds,
 * which the compiler vectorizes, and nothing is allocated.  The multipliers
 * are fixed constants so that signatures computed by different processes
 * (or saved in a store) compare.
 *
 * Normalization keeps what a paraphrase keeps and drops what it does not:
 * case, punctuation and the digits of numbers ("Step 1" vs "Step 2") are
 * folded; word order inside a shingle is kept.
 */
#include <string.h>
#include "link/minhash.h"
#include "common/util.h"

static const uint64_t mult[DW_MH_K] = {
    0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL, 0xd6e8feb86659fd93ULL,
    0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL, 0x8ebc6af09c88c6e3ULL, 0x589965cc75374cc3ULL,
    0x1d8e4e27c47d124fULL, 0xff51afd7ed558ccdULL, 0xc4ceb9fe1a85ec53ULL, 0x2127599bf4325c37ULL,
    0x880355f21e6d1965ULL, 0x9fb21c651e98df25ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL,
    0x85ebca77c2b2ae63ULL, 0x27d4eb2f165667c5ULL, 0x61c8864680b583ebULL, 0xd35a2d97ee0b9c8bULL,
    0x5851f42d4c957f2dULL, 0x14057b7ef767814fULL, 0x2545f4914f6cdd1dULL, 0x9e6c63d0676a9a99ULL,
    0xbea225f9eb34556dULL, 0xd1342543de82ef95ULL, 0xaf251af3b0f025b5ULL, 0xf1357aea2e62a9c5ULL,
    0xe817fb2d9d8c1a2bULL, 0x3c79ac492ba7b653ULL, 0x1c69b3f74ac4ae35ULL, 0x8a5cd789635d2dffULL,
};

typedef struct sketch_state {
    uint16_t mins[DW_MH_K];
    uint64_t w[3];      /* the last three word hashes */
    unsigned words, shingles;
} sketch_state;

static void add_shingle(sketch_state *st, uint64_t h)
{
    st->shingles++;
    for (int k = 0; k < DW_MH_K; k++) {
        uint16_t v = (uint16_t)((h * mult[k] + (uint64_t)k * 0x632be59bd9b4e019ULL) >> 48);
        if (v == DW_MH_EMPTY) v--; /* keep the "empty" marker unambiguous */
        if (v < st->mins[k]) st->mins[k] = v;
    }
}

static void add_word(sketch_state *st, uint64_t wh)
{
    st->w[0] = st->w[1];
    st->w[1] = st->w[2];
    st->w[2] = wh;
    st->words++;
    if (st->words >= 3) add_shingle(st, dw_mix64(st->w[0] * 0x100000001b3ULL ^ dw_mix64(st->w[1] + 0x9e37) ^ (st->w[2] << 1)));
}

static inline int ascii_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void dw_minhash_text(const char *str, size_t n, dw_minhash *out)
{
    const unsigned char *s = (const unsigned char *)str;
    sketch_state st;
    memset(st.mins, 0xff, sizeof st.mins);
    memset(st.w, 0, sizeof st.w);
    st.words = st.shingles = 0;
    uint64_t wh = 0xcbf29ce484222325ULL;
    unsigned wlen = 0, wide = 0;   /* bytes in the current word; non-ASCII characters in it */
    for (size_t i = 0; i <= n; i++) {
        unsigned c = i < n ? s[i] : ' ';
        int in_word = c >= 0x80 || ascii_word((unsigned char)c);
        /* a run of non-ASCII text (no spaces in Chinese or Japanese) is cut
         * into two-character words; a UTF-8 lead byte starts a character */
        if (in_word && c >= 0xc0 && wide == 2) {
            add_word(&st, wh);
            wh = 0xcbf29ce484222325ULL;
            wlen = wide = 0;
        }
        if (in_word) {
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c >= '0' && c <= '9') c = '0';
            if (c >= 0xc0) wide++;
            wh = (wh ^ c) * 0x100000001b3ULL;
            wlen++;
        } else if (wlen) {
            add_word(&st, wh);
            wh = 0xcbf29ce484222325ULL;
            wlen = wide = 0;
        }
    }
    if (st.words > 0 && st.words < 3) {
        /* too short for a 3-shingle: the whole text is one shingle */
        add_shingle(&st, dw_mix64(st.w[0] * 31 + st.w[1] * 7 + st.w[2] + st.words));
    }
    memcpy(out->v, st.mins, sizeof out->v);
    out->shingles = (uint16_t)(st.shingles > UINT16_MAX ? UINT16_MAX : st.shingles);
}

double dw_minhash_jaccard(const dw_minhash *a, const dw_minhash *b)
{
    if (dw_minhash_empty(a) || dw_minhash_empty(b)) return 0;
    int same = 0;
    for (int k = 0; k < DW_MH_K; k++) same += a->v[k] == b->v[k];
    return (double)same / DW_MH_K;
}
