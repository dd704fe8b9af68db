/*
 * features.c -- per-request enrichment: text signatures and pattern hits.
 *
 * Text signatures.  A harvesting job sends one template with a variable slot
 * ("Solve step by step, showing all reasoning: {question}").  We want the
 * exact prompt (to count distinct prompts) and something that stays the same
 * across fills of one template.  A template's fixed text sits at the start,
 * the end, or both, so we hash the first and the last few words separately,
 * with case folded and digits masked; whichever end is fixed gives a stable
 * signature.  Only the words at the two ends are walked, so the cost does
 * not grow with the prompt; the exact-prompt hash is one XXH3 call.  Near-duplicate
 * detection across accounts (paraphrased templates) needs MinHash and lives
 * in the link stage, which needs it across accounts, not here.
 *
 * Pattern hits.  Matching the packs is the most expensive thing done per
 * request (about 1 us for a 70-byte prompt, 6-7 ns a byte for long ones),
 * and real traffic repeats itself: a system prompt is sent with thousands of
 * requests, a harvesting job replays its question bank across accounts and
 * models, a benchmark harness reruns the same items, and ordinary users send
 * "hi" and "continue".  (In the Glasswally sample 23 distinct prompts make up
 * 5,000 requests; in the simulator's traffic built from public corpora,
 * 48% of prompts were seen before.)  So the hits of both are cached in small
 * 4-way set-associative tables, keyed by the text's full 64-bit hash plus
 * its length (a direct-mapped table lost a quarter of all lookups to two hot
 * prompts sharing a slot: 1,000 distinct prompts in 8,192 slots already make
 * ~60 such pairs).  A hit moves an entry one way toward the front of its set
 * and a new text enters at the back, so a stream of one-off prompts churns
 * one way and leaves the texts that recur in the other three.  A miss
 * scans, capped at the first 16 KiB and last 4 KiB (the instructions that
 * matter sit at either end of a long pasted document).
 * The cache changes speed, never results: hits are a pure function of the
 * text.  The key is hashed with a seed drawn at start-up, so nobody can
 * craft a harvesting prompt whose hash collides with a benign one and
 * inherit its clean hits; with the seed secret, a collision is a 2^-64
 * accident per pair.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "enrich/features.h"
#include "common/util.h"

#define SIG_WORDS 6
#define SCAN_HEAD (16u << 10)
#define SCAN_TAIL (4u << 10)
#define WAYS 4
#define SYS_SETS 256          /* x 4 ways: 1,024 system prompts */
#define PROMPT_SETS 2048      /* x 4 ways: 8,192 prompts in 512 KiB with the tags, about an L2 cache */

typedef struct sys_cache_entry {
    uint32_t len;
    dw_pattern_hits hits;
    uint64_t full;            /* dw_text_signatures()' exact-text hash: the system_hash feature */
    dw_minhash mh;            /* link stage: near-duplicate sketch (issue 4) */
} sys_cache_entry;

typedef struct prompt_cache_entry {
    uint32_t len;
    dw_pattern_hits hits;
    uint64_t full, prefix, suffix;  /* dw_text_signatures(), also a pure function of the text */
    uint8_t shape;                  /* dw_prompt_shape(), likewise */
} prompt_cache_entry;

struct dw_enricher {
    const dw_patterns *pats;
    dw_pattern_scratch *scratch;
    uint64_t seed;            /* for the cache keys only; see the top */
    uint64_t scans;           /* texts scanned: cache misses */
    int link;                 /* compute what only the link stage reads (default on) */
    /* tags apart from the entries: a lookup reads one line of keys, then
     * only the entry that matched */
    uint64_t sys_keys[SYS_SETS][WAYS];         /* seeded hash of the text, 0 = empty */
    uint64_t prompt_keys[PROMPT_SETS][WAYS];
    sys_cache_entry sys[SYS_SETS][WAYS];
    prompt_cache_entry prompts[PROMPT_SETS][WAYS];
};

/* Look key up in one set of a cache.  A hit swaps the entry with the one in
 * front of it and returns its new way; a miss empties the last way for the
 * caller to fill and returns ~way (negative).  Entries are swapped through a
 * buffer, as the two caches hold entries of different types. */
static int set_find(uint64_t keys[WAYS], void *entries, size_t esize, uint64_t key)
{
    char tmp[256];
    _Static_assert(sizeof(sys_cache_entry) <= sizeof tmp && sizeof(prompt_cache_entry) <= sizeof tmp,
                   "swap buffer too small");
    for (int w = 0; w < WAYS; w++) {
        if (keys[w] != key) continue;
        if (w == 0) return 0;
        char *a = (char *)entries + (size_t)(w - 1) * esize, *b = a + esize;
        memcpy(tmp, a, esize); memcpy(a, b, esize); memcpy(b, tmp, esize);
        keys[w] = keys[w - 1];
        keys[w - 1] = key;
        return w - 1;
    }
    keys[WAYS - 1] = 0;
    return ~(WAYS - 1);
}

static uint64_t draw_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s) {
        /* no entropy yet (early boot): a weaker seed still varies per run */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s = dw_mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)&ts);
    }
    return s;
}

/* Cache key of a text: never 0, so that 0 marks an empty slot. */
static uint64_t cache_key(const dw_enricher *en, const char *p, size_t n)
{
    return XXH3_64bits_withSeed(p, n, en->seed) | 1;
}

dw_enricher *dw_enricher_new(const dw_patterns *pats)
{
    dw_enricher *en = calloc(1, sizeof *en);
    if (!en) return NULL;
    en->pats = pats;
    en->seed = draw_seed();
    en->link = 1;
    if (pats && !(en->scratch = dw_pattern_scratch_new(pats))) { free(en); return NULL; }
    return en;
}

void dw_enricher_set_link(dw_enricher *en, int on) { en->link = on != 0; }

void dw_enricher_free(dw_enricher *en)
{
    if (!en) return;
    dw_pattern_scratch_free(en->scratch);
    free(en);
}

static inline int is_space(unsigned char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/* Fold one word into a signature hash: ASCII case folded, digits masked. */
static uint64_t word_hash(const unsigned char *w, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = w[k];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (c >= '0' && c <= '9') c = '0';
        h = (h ^ c) * 0x100000001b3ULL;
    }
    return h;
}

void dw_text_signatures(const char *str, size_t n, uint64_t *full, uint64_t *prefix, uint64_t *suffix)
{
    const unsigned char *s = (const unsigned char *)str;
    /* trim, so that a trailing newline does not make a new prompt */
    size_t a = 0, b = n;
    while (a < b && is_space(s[a])) a++;
    while (b > a && is_space(s[b - 1])) b--;
    if (a == b) { *full = *prefix = *suffix = 0; return; }
    /* the exact prompt: one vectorised hash over the bytes, no per-byte work */
    *full = dw_hash(s + a, b - a) | 1;
    /* the first SIG_WORDS words, walking forward ... */
    uint64_t head = 0x9e3779b97f4a7c15ULL;
    size_t i = a;
    for (unsigned w = 0; w < SIG_WORDS && i < b; w++) {
        size_t st = i;
        while (i < b && !is_space(s[i])) i++;
        head = dw_mix64(head ^ word_hash(s + st, i - st)) + w;
        while (i < b && is_space(s[i])) i++;
    }
    *prefix = head | 1;
    /* ... and the last SIG_WORDS words, walking backward: the cost is the
     * length of a dozen words, not of the prompt */
    uint64_t tail = 0x7f4a7c159e3779b9ULL;
    size_t j = b;
    for (unsigned w = 0; w < SIG_WORDS && j > a; w++) {
        size_t en = j;
        while (j > a && !is_space(s[j - 1])) j--;
        tail = dw_mix64(tail ^ word_hash(s + j, en - j)) + w;
        while (j > a && is_space(s[j - 1])) j--;
    }
    *suffix = tail | 1;
}

uint64_t dw_enricher_scans(const dw_enricher *en) { return en->scans; }

static int scan_text(dw_enricher *en, const char *p, size_t n, dw_pattern_hits *hits)
{
    if (!en->pats || !p || !n) return 0;
    en->scans++;
    if (n <= SCAN_HEAD + SCAN_TAIL) return dw_patterns_scan(en->pats, en->scratch, p, n, hits);
    if (dw_patterns_scan(en->pats, en->scratch, p, SCAN_HEAD, hits) < 0) return -1;
    return dw_patterns_scan(en->pats, en->scratch, p + n - SCAN_TAIL, SCAN_TAIL, hits);
}

static uint64_t hash_str(dw_str s) { return s.p && s.n ? dw_hash(s.p, s.n) | 1 : 0; }

/* The outline of a question (DW_SHAPE_*), from its first few KiB: a pasted
 * document's tail says nothing more about it.  Sixteen bytes a step with
 * SSE2: every new prompt passes through here, and the byte loop was 6% of
 * a scan of realistic logs.  The step never covers the text's last byte,
 * where a newline does not count and a full-width '?' cannot start, so the
 * byte loop finishes those with the exact rules. */
uint8_t dw_prompt_shape(const char *text, uint32_t n)
{
    const unsigned char *p = (const unsigned char *)text;
    uint8_t shape = 0;
    uint32_t lim = n < 4096 ? n : 4096, i = 0;
#if defined(__SSE2__)
    const __m128i below0 = _mm_set1_epi8('0' - 1), above9 = _mm_set1_epi8('9' + 1);
    const __m128i qm = _mm_set1_epi8('?'), nl = _mm_set1_epi8('\n'), ef = _mm_set1_epi8((char)0xef);
    for (; i + 16 < lim && shape != 7; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        /* signed compares: bytes >= 0x80 are negative, below '0' */
        if (_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, below0), _mm_cmplt_epi8(v, above9))))
            shape |= DW_SHAPE_DIGITS;
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, qm)))
            shape |= DW_SHAPE_QUESTION;
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)))
            shape |= DW_SHAPE_LINES;
        /* U+FF1F, the full-width '?': EF BC 9F.  0xEF leads all of
         * U+F000..U+FFFF (CJK punctuation among them): check each one */
        for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, ef)); m; m &= m - 1) {
            uint32_t k = i + (uint32_t)__builtin_ctz(m);
            if (k + 2 < lim && p[k + 1] == 0xbc && p[k + 2] == 0x9f)
                shape |= DW_SHAPE_QUESTION;
        }
    }
#endif
    for (; i < lim && shape != 7; i++) {
        unsigned c = p[i];
        if (c >= '0' && c <= '9') shape |= DW_SHAPE_DIGITS;
        else if (c == '?') shape |= DW_SHAPE_QUESTION;
        else if (c == '\n' && i + 1 < lim) shape |= DW_SHAPE_LINES;
        else if (c == 0xef && i + 2 < lim && p[i + 1] == 0xbc && p[i + 2] == 0x9f) shape |= DW_SHAPE_QUESTION;
    }
    return shape;
}

/* What the link stage (issue 4) needs beyond the per-account features: the
 * client's full fingerprint (a harness image sends the same user agent,
 * SDK version and header set from every account it drives), the tools
 * schema, the address as bytes (for indicators), and the outline of the
 * prompt for the question-bank profile. */
static void link_features(const dw_event *ev, dw_features *f)
{
    if (f->ua_hash || f->sdk_hash || ev->header_fp)
        f->client_fp = dw_mix64(f->ua_hash ^ dw_mix64(f->sdk_hash + 0x51) ^ (ev->header_fp * 0x9e3779b97f4a7c15ULL)) | 1;
    f->tools_fp = ev->tools_fp;
    /* f->ip and ip_prefix_hash are set by dw_enrich(), from one parse;
     * prompt_shape with the prompt's cached features */
}

int dw_enrich(dw_enricher *en, const dw_event *ev, dw_features *f)
{
    memset(f, 0, sizeof *f);
    if (ev->prompt.p) {
        f->prompt_chars = ev->prompt.n;
        uint64_t key = cache_key(en, ev->prompt.p, ev->prompt.n);
        uint64_t *keys = en->prompt_keys[key % PROMPT_SETS];
        int w = set_find(keys, en->prompts[key % PROMPT_SETS], sizeof(prompt_cache_entry), key);
        prompt_cache_entry *pe = &en->prompts[key % PROMPT_SETS][w < 0 ? ~w : w];
        if (w < 0 || pe->len != ev->prompt.n) {
            if (w >= 0) keys[w] = 0;  /* same hash, another length: refill */
            w = w < 0 ? ~w : w;
            dw_text_signatures(ev->prompt.p, ev->prompt.n, &pe->full, &pe->prefix, &pe->suffix);
            memset(&pe->hits, 0, sizeof pe->hits);
            if (scan_text(en, ev->prompt.p, ev->prompt.n, &pe->hits) < 0) return -1;
            pe->shape = dw_prompt_shape(ev->prompt.p, ev->prompt.n);
            pe->len = ev->prompt.n;
            keys[w] = key;
        }
        f->prompt_hash = pe->full;
        f->prefix_sig = pe->prefix;
        f->suffix_sig = pe->suffix;
        f->hits = pe->hits;
        f->prompt_shape = pe->shape;
    }
    if (ev->system_prompt.p && ev->system_prompt.n) {
        uint64_t key = cache_key(en, ev->system_prompt.p, ev->system_prompt.n);
        uint64_t *keys = en->sys_keys[key % SYS_SETS];
        int w = set_find(keys, en->sys[key % SYS_SETS], sizeof(sys_cache_entry), key);
        sys_cache_entry *ce = &en->sys[key % SYS_SETS][w < 0 ? ~w : w];
        if (w < 0 || ce->len != ev->system_prompt.n) {
            uint64_t b, c;
            if (w >= 0) keys[w] = 0;
            w = w < 0 ? ~w : w;
            dw_text_signatures(ev->system_prompt.p, ev->system_prompt.n, &ce->full, &b, &c);
            memset(&ce->hits, 0, sizeof ce->hits);
            if (scan_text(en, ev->system_prompt.p, ev->system_prompt.n, &ce->hits) < 0) return -1;
            if (en->link) dw_minhash_text(ev->system_prompt.p, ev->system_prompt.n, &ce->mh);
            ce->len = ev->system_prompt.n;
            keys[w] = key;
        }
        f->system_hash = ce->full;
        if (en->link) f->sys_mh = ce->mh;
        f->hits.cats |= ce->hits.cats;
        f->hits.cot_langs |= ce->hits.cot_langs;
        f->hits.topics |= ce->hits.topics;
    }
    if (ev->client_ip.p && dw_ip_parse(ev->client_ip.p, ev->client_ip.n, f->ip))
        f->ip_prefix_hash = dw_ip_prefix_hash_of(f->ip);
    if (!en->link) return 0; /* the rest ties accounts together: nothing per-account reads it */
    f->ip_hash = hash_str(ev->client_ip);
    f->ua_hash = hash_str(ev->user_agent);
    if (ev->sdk_lang.p || ev->sdk_version.p)
        f->sdk_hash = dw_mix64(hash_str(ev->sdk_lang) * 31 + hash_str(ev->sdk_version)) | 1;
    link_features(ev, f);
    return 0;
}
