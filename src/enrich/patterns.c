/*
 * patterns.c -- pattern packs compiled into one vectorscan database.
 *
 * Why one database.  A prompt is checked against several hundred patterns in
 * fifteen languages: reasoning-trace coercion, grading requests, dataset
 * formatting, jailbreaks, censorship rewrites and ~20 topic vocabularies.
 * Running them one by one would cost one pass over the text per pattern.
 * Vectorscan compiles the whole set into a single automaton that extracts
 * the literal factors of every pattern ("step", "by", "思维链", "rubric"),
 * finds all of them in one SIMD pass, and runs the regex machinery only
 * where a literal hit makes a pattern possible.  The cost of a scan is then
 * roughly one pass over the prompt, growing slowly with the number of
 * patterns.  (Topic vocabularies live in a second database that is only run
 * over the first DW_TOPIC_WINDOW bytes, see dw_patterns_scan().)  Measured
 * on 2,800 real prompts: ~150 MB/s per core, i.e. ~150k prompts of 1 KB per
 * second, canonicalization included, on the 2-vCPU build machine.  The
 * pattern id that vectorscan reports is an index into a table of precomputed
 * bit masks, so the match callback is three ORs.
 *
 * Why packs are data.  What a harvesting prompt looks like changes faster
 * than the code: a new phrasing, a new language, a new jailbreak persona.
 * Analysts edit the .pack files in data/packs/ (plain text, one pattern per
 * line, format described at the top of every pack), the build embeds them
 * (tools/embed.c) so the binary runs alone, and dw_patterns_load(dir) reads
 * a directory instead, so a deployment can ship an updated pack without a
 * rebuild.  Errors name the pack file and line, including regex compile
 * errors, which vectorscan reports by expression index and we map back.
 *
 * Why SINGLEMATCH.  We only need to know *whether* each pattern matched,
 * never where or how often.  HS_FLAG_SINGLEMATCH tells vectorscan to report
 * each pattern at most once per scan, so a prompt that repeats "step by step"
 * two thousand times costs one callback, not two thousand; it also lets the
 * compiler drop start-of-match tracking and pick cheaper engines.  We never
 * ask for HS_FLAG_SOM_LEFTMOST for the same reason.
 *
 * UTF-8 is always on; Unicode classes (HS_FLAG_UCP) are not.  Measured on
 * these packs, UCP turns every \w, \s, \W or \S into a class of several
 * hundred code-point ranges: one pattern then compiles to 0.1-8 MB (up to 49
 * MB for one censor pattern) in 0.1 s to 95 s, and the whole set does not
 * fit at all ("Pattern is too large"); without UCP the same set compiles in
 * a few seconds (and the build precompiles it, tools/packdb.c).  UCP also
 * forbids \b.  What we lose is small: caseless matching still folds every
 * script in UTF-8 mode (Ф/ф, É/é), and [^ ] and \W match every non-ASCII
 * character, so packs write "рассужда[^ ]*" rather than "рассужда\w*"; the
 * pack header spells out the conventions.  A pack line may still ask for
 * UCP with flag u.
 *
 * Patterns are written against a canonical form of the text, which the scan
 * builds in the scratch's buffer in one pass (canonicalize()):
 *   - one ' ' before and after the text, and every run of white space (tabs,
 *     line breaks, NBSP, ideographic and other Unicode spaces) collapsed into
 *     one ' ';
 *   - zero-width characters and soft hyphens removed, curly quotes and
 *     Unicode dashes replaced by ' " and -;
 *   - every byte that is not part of valid UTF-8 (strict: no overlongs,
 *     surrogates, code points above U+10FFFF or truncated sequences)
 *     replaced by '?'.
 * Three reasons.  Speed: a pattern can then spell "step by step" with
 * literal spaces instead of \s+, so vectorscan sees one 12-byte literal
 * instead of three short ones joined by character-class loops, and a word
 * boundary becomes a leading space inside the literal instead of a \b
 * assertion.  Measured on 2,800 real prompts (instructions per byte, under
 * cachegrind), \s+ and \b were two thirds of the scanning cost.  Robustness:
 * "step  by\nstep", "step\u00a0by step" and "st\u200bep" are the same
 * request and now look the same.  Safety: HS_FLAG_UTF8 makes vectorscan's
 * behaviour undefined on invalid UTF-8, and the canonical form is always
 * valid.  The pass copies sixteen bytes at a time (SSE2; eight with word
 * arithmetic elsewhere) while they are printable ASCII with no doubled space,
 * and takes runs of non-ASCII characters in one go; measured at ~0.8 ns per
 * byte on real prompts, about a tenth of the cost of the scan itself.  It
 * was checked against a straightforward reference implementation on 30,000
 * random inputs; tests/test_patterns.c has the cases that matter and
 * fuzz/fuzz_patterns.c checks that doubling spaces changes nothing.
 *
 * Threads.  A loaded dw_patterns is immutable and shared by every thread;
 * each thread owns a dw_pattern_scratch (vectorscan scratch + the buffer
 * for the canonical text).  A scratch belongs to the dw_patterns it was made
 * for.
 *
 * Texts longer than 1 GiB (vectorscan takes an unsigned int length) are
 * scanned in 1 GiB windows that overlap by 64 KiB, cut on UTF-8 character
 * boundaries; a match longer than the overlap that straddles a cut could be
 * missed, and no pattern in the packs comes close to that length.
 *
 * hosting.pack is not a pattern pack: it lists AS numbers, which are kept as
 * a sorted, de-duplicated array searched with bsearch().
 */
#include "enrich/patterns.h"
#include "common/util.h"   /* XXH3 */

#include <dirent.h>
#include <errno.h>
#include <hs.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/embedded.h"

#define DW_MAX_TOPICS      64
#define DW_TOPIC_NAME_MAX  32
#define DW_HOSTING_PACK    "hosting.pack"
#define DW_SCAN_WINDOW     ((size_t)1 << 30)
#define DW_TOPIC_WINDOW 512     /* bytes of a text searched for topic words */
#define DW_SCAN_OVERLAP    ((size_t)64 << 10)

static const char *const lang_names[DW_LANG__COUNT] = {
    "en", "zh", "es", "fr", "de", "ru", "ja", "ko",
    "pt", "ar", "hi", "it", "tr", "vi", "id",
};

/* What one pattern contributes to dw_pattern_hits when it matches. */
typedef struct pat_bits {
    uint32_t cats;
    uint32_t langs;
    uint64_t topics;
} pat_bits;

struct dw_patterns {
    hs_database_t *db;          /* everything but topics; NULL when empty */
    hs_database_t *tdb;         /* topic vocabularies; NULL when empty */
    uint64_t key;               /* identity of the pattern set (packs_key) */
    pat_bits *bits;             /* indexed by vectorscan pattern id */
    size_t npat;
    char topics[DW_MAX_TOPICS][DW_TOPIC_NAME_MAX];
    size_t ntopics;
    uint32_t *asns;             /* sorted, unique */
    size_t nasn;
};

struct dw_pattern_scratch {
    hs_scratch_t *hs;
    char *buf;                  /* canonical copy of the text being scanned */
    size_t cap;
};

/* ------------------------------------------------------------------------ */
/* Load-time state                                                           */

typedef struct pat_src {
    char *re;
    unsigned flags;
    size_t pack;                /* index into builder.packs */
    unsigned line;
} pat_src;

typedef struct builder {
    dw_patterns *p;
    pat_src *src;
    size_t nsrc, capsrc;
    char **packs;               /* file names, for error messages */
    size_t npacks, cappacks;
    size_t capbits, capasn;
    char *err;
    size_t errlen;
} builder;

static void set_err(builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_err(builder *b, const char *fmt, ...)
{
    if (!b->err || b->errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, b->errlen, fmt, ap);
    va_end(ap);
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*arr, n * elem);
    if (!q)
        return -1;
    *arr = q;
    *cap = n;
    return 0;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static int parse_lang(const char *s, size_t n, int *lang)
{
    if (n == 1 && s[0] == '*') {
        *lang = -1;
        return 0;
    }
    for (int i = 0; i < DW_LANG__COUNT; i++)
        if (strlen(lang_names[i]) == n && memcmp(lang_names[i], s, n) == 0) {
            *lang = i;
            return 0;
        }
    return -1;
}

static int topic_id(builder *b, const char *name, size_t n, const char *pack,
                    unsigned line)
{
    if (n == 0 || n >= DW_TOPIC_NAME_MAX) {
        set_err(b, "%s:%u: topic name must be 1-%d characters", pack, line,
                DW_TOPIC_NAME_MAX - 1);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
            set_err(b, "%s:%u: topic name '%.*s' may only use a-z 0-9 _ -",
                    pack, line, (int)n, name);
            return -1;
        }
    }
    dw_patterns *p = b->p;
    for (size_t i = 0; i < p->ntopics; i++)
        if (strlen(p->topics[i]) == n && memcmp(p->topics[i], name, n) == 0)
            return (int)i;
    if (p->ntopics >= DW_MAX_TOPICS) {
        set_err(b, "%s:%u: more than %d topics", pack, line, DW_MAX_TOPICS);
        return -1;
    }
    memcpy(p->topics[p->ntopics], name, n);
    p->topics[p->ntopics][n] = 0;
    return (int)p->ntopics++;
}

/* One line of a pattern pack: category lang flags regex. */
static int parse_pattern_line(builder *b, const char *s, size_t n,
                              const char *pack, size_t packidx, unsigned line)
{
    const char *f[3];
    size_t fl[3];
    size_t i = 0;
    for (int k = 0; k < 3; k++) {
        while (i < n && is_blank(s[i]))
            i++;
        f[k] = s + i;
        while (i < n && !is_blank(s[i]))
            i++;
        fl[k] = (size_t)(s + i - f[k]);
        if (fl[k] == 0) {
            set_err(b, "%s:%u: expected 'category lang flags regex'", pack, line);
            return -1;
        }
    }
    while (i < n && is_blank(s[i]))
        i++;
    const char *re = s + i;
    size_t relen = n - i;
    if (relen == 0) {
        set_err(b, "%s:%u: missing regex after the flags field", pack, line);
        return -1;
    }

    pat_bits bits = {0, 0, 0};
    static const char *const cats[] = {"cot", "rubric", "dataset", "jailbreak", "censor"};
    int cat = -1;
    for (int k = 0; k < (int)(sizeof cats / sizeof cats[0]); k++)
        if (strlen(cats[k]) == fl[0] && memcmp(cats[k], f[0], fl[0]) == 0)
            cat = k;
    if (cat >= 0) {
        bits.cats = 1u << cat;
    } else if (fl[0] > 6 && memcmp(f[0], "topic:", 6) == 0) {
        int t = topic_id(b, f[0] + 6, fl[0] - 6, pack, line);
        if (t < 0)
            return -1;
        bits.cats = 1u << DW_PAT_TOPIC;
        bits.topics = 1ull << t;
    } else {
        set_err(b, "%s:%u: unknown category '%.*s' (cot, rubric, dataset, "
                "jailbreak, censor, topic:NAME)", pack, line, (int)fl[0], f[0]);
        return -1;
    }

    int lang;
    if (parse_lang(f[1], fl[1], &lang) != 0) {
        set_err(b, "%s:%u: unknown language '%.*s'", pack, line, (int)fl[1], f[1]);
        return -1;
    }
    if (cat == DW_PAT_COT && lang >= 0)
        bits.langs = 1u << lang;

    unsigned flags = HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH;
    if (!(fl[2] == 1 && f[2][0] == '-')) {
        for (size_t k = 0; k < fl[2]; k++) {
            switch (f[2][k]) {
            case 'i': flags |= HS_FLAG_CASELESS; break;
            case 's': flags |= HS_FLAG_DOTALL; break;
            case 'm': flags |= HS_FLAG_MULTILINE; break;
            case 'u': flags |= HS_FLAG_UCP; break;
            default:
                set_err(b, "%s:%u: unknown flag '%c' (use i, s, m, u or -)", pack,
                        line, f[2][k]);
                return -1;
            }
        }
    }

    if (grow((void **)&b->src, &b->capsrc, b->nsrc + 1, sizeof *b->src) != 0 ||
        grow((void **)&b->p->bits, &b->capbits, b->nsrc + 1, sizeof *b->p->bits) != 0) {
        set_err(b, "%s:%u: out of memory", pack, line);
        return -1;
    }
    char *copy = malloc(relen + 1);
    if (!copy) {
        set_err(b, "%s:%u: out of memory", pack, line);
        return -1;
    }
    memcpy(copy, re, relen);
    copy[relen] = 0;
    b->src[b->nsrc] = (pat_src){copy, flags, packidx, line};
    b->p->bits[b->nsrc] = bits;
    b->nsrc++;
    return 0;
}

/* One line of hosting.pack: [AS]number. */
static int parse_asn_line(builder *b, const char *s, size_t n, const char *pack,
                          unsigned line)
{
    size_t i = 0;
    if (n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
        i = 2;
    uint64_t v = 0;
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 11) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        i++;
        digits++;
    }
    while (i < n && is_blank(s[i]))
        i++;
    if (digits == 0 || digits > 10 || v == 0 || v > UINT32_MAX ||
        (i < n && s[i] != '#')) {
        set_err(b, "%s:%u: expected an AS number, got '%.*s'", pack, line,
                (int)(n > 60 ? 60 : n), s);
        return -1;
    }
    dw_patterns *p = b->p;
    if (grow((void **)&p->asns, &b->capasn, p->nasn + 1, sizeof *p->asns) != 0) {
        set_err(b, "%s:%u: out of memory", pack, line);
        return -1;
    }
    p->asns[p->nasn++] = (uint32_t)v;
    return 0;
}

static int parse_pack(builder *b, const char *name, const char *data, size_t len)
{
    if (grow((void **)&b->packs, &b->cappacks, b->npacks + 1, sizeof *b->packs) != 0) {
        set_err(b, "%s: out of memory", name);
        return -1;
    }
    size_t packidx = b->npacks;
    b->packs[packidx] = strdup(name);
    if (!b->packs[packidx]) {
        set_err(b, "%s: out of memory", name);
        return -1;
    }
    b->npacks++;
    int hosting = strcmp(name, DW_HOSTING_PACK) == 0;

    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        line++;
        const char *s = data + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        if (memchr(s, '\0', n)) {
            set_err(b, "%s:%u: NUL byte in pack", name, line);
            return -1;
        }
        while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
            n--;
        while (n > 0 && is_blank(*s)) {
            s++;
            n--;
        }
        if (n == 0 || *s == '#')
            continue;
        int rc = hosting ? parse_asn_line(b, s, n, name, line)
                         : parse_pattern_line(b, s, n, name, packidx, line);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int has_pack_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".pack") == 0;
}

static int load_embedded(builder *b)
{
    const char **names = calloc(dw_embedded_count + 1, sizeof *names);
    if (!names) {
        set_err(b, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < dw_embedded_count; i++)
        if (dw_embedded_files[i].name && has_pack_suffix(dw_embedded_files[i].name))
            names[n++] = dw_embedded_files[i].name;
    if (n == 0) {
        free(names);
        set_err(b, "no embedded *.pack files");
        return -1;
    }
    qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const dw_embedded_file *f = dw_embedded_find(names[i]);
        rc = parse_pack(b, f->name, f->data, f->len);
    }
    free(names);
    return rc;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (grow((void **)&buf, &cap, n + 65536, 1) != 0) {
            free(buf);
            fclose(fp);
            errno = ENOMEM;
            return NULL;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

static int load_dir(builder *b, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        set_err(b, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !has_pack_suffix(e->d_name))
            continue;
        if (grow((void **)&names, &cap, n + 1, sizeof *names) != 0 ||
            !(names[n] = strdup(e->d_name))) {
            set_err(b, "out of memory");
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0 && n == 0) {
        set_err(b, "%s: no *.pack files", dir);
        rc = -1;
    }
    if (rc == 0)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(plen);
        if (!path) {
            set_err(b, "out of memory");
            rc = -1;
            break;
        }
        snprintf(path, plen, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        size_t len = 0;
        char *data = read_file(path, &len);
        if (!data) {
            set_err(b, "%s: %s", path, strerror(errno));
            rc = -1;
        } else {
            rc = parse_pack(b, names[i], data, len);
            free(data);
        }
        free(path);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

/* Identity of a pattern set: every expression and flag, and the engine version. */
static uint64_t packs_key(const char **exprs, const unsigned *flags, size_t n)
{
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    const char *v = hs_version();
    XXH3_64bits_update(&st, v, strlen(v) + 1);
    for (size_t i = 0; i < n; i++) {
        XXH3_64bits_update(&st, exprs[i], strlen(exprs[i]) + 1);
        XXH3_64bits_update(&st, &flags[i], sizeof flags[i]);
    }
    return XXH3_64bits_digest(&st);
}

int dw_patterns_serialize(const dw_patterns *p, char **out, size_t *len)
{
    char *b1 = NULL, *b2 = NULL;
    size_t n1 = 0, n2 = 0;
    if (p->db && hs_serialize_database(p->db, &b1, &n1) != HS_SUCCESS) return -1;
    if (p->tdb && hs_serialize_database(p->tdb, &b2, &n2) != HS_SUCCESS) { free(b1); return -1; }
    uint64_t u1 = n1, u2 = n2;
    *len = 3 * sizeof(uint64_t) + n1 + n2;
    *out = malloc(*len);
    if (!*out) { free(b1); free(b2); return -1; }
    char *q = *out;
    memcpy(q, &p->key, 8); q += 8;
    memcpy(q, &u1, 8); q += 8;
    if (n1) memcpy(q, b1, n1);
    q += n1;
    memcpy(q, &u2, 8); q += 8;
    if (n2) memcpy(q, b2, n2);
    free(b1);
    free(b2);
    return 0;
}

/* Compile the patterns whose topic-ness equals `topics` into *db. */
static int compile_set(builder *b, const char **exprs, const unsigned *flags, const unsigned *ids,
                       size_t n, hs_database_t **db)
{
    *db = NULL;
    if (n == 0)
        return 0;
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, db, &cerr) == HS_SUCCESS)
        return 0;
    *db = NULL;
    const char *msg = cerr && cerr->message ? cerr->message : "compile failed";
    if (cerr && cerr->expression >= 0 && (size_t)cerr->expression < n) {
        const pat_src *s = &b->src[ids[cerr->expression]];
        set_err(b, "%s:%u: vectorscan: %s (in: %.80s%s)", b->packs[s->pack],
                s->line, msg, s->re, strlen(s->re) > 80 ? "..." : "");
    } else {
        set_err(b, "vectorscan: %s", msg);
    }
    hs_free_compile_error(cerr);
    return -1;
}

/* Deserialize the two databases precompiled by tools/packdb.c:
 * key, then (u64 length, bytes) for the main and the topic database. */
static int load_precompiled(dw_patterns *p)
{
    const dw_embedded_file *pre = dw_embedded_find("packs.hsdb");
    if (!pre || pre->len < 3 * sizeof(uint64_t))
        return -1;
    const char *q = pre->data, *end = pre->data + pre->len;
    uint64_t have, n1, n2;
    memcpy(&have, q, 8);
    memcpy(&n1, q + 8, 8);
    q += 16;
    if (have != p->key || n1 > (uint64_t)(end - q))
        return -1;
    if (n1 && hs_deserialize_database(q, (size_t)n1, &p->db) != HS_SUCCESS)
        return -1;
    q += n1;
    if ((size_t)(end - q) < 8) return -1;
    memcpy(&n2, q, 8);
    q += 8;
    if (n2 > (uint64_t)(end - q) ||
        (n2 && hs_deserialize_database(q, (size_t)n2, &p->tdb) != HS_SUCCESS)) {
        hs_free_database(p->db);
        p->db = NULL;
        return -1;
    }
    return 0;
}

static int compile_db(builder *b)
{
    dw_patterns *p = b->p;
    p->npat = b->nsrc;
    if (b->nsrc == 0)
        return 0;
    if (b->nsrc > UINT_MAX) {
        set_err(b, "too many patterns");
        return -1;
    }
    const char **exprs = malloc(b->nsrc * sizeof *exprs);
    unsigned *flags = malloc(b->nsrc * sizeof *flags);
    unsigned *ids = malloc(b->nsrc * sizeof *ids);
    if (!exprs || !flags || !ids) {
        free(exprs);
        free(flags);
        free(ids);
        set_err(b, "out of memory");
        return -1;
    }
    /* main patterns first, topic vocabularies after: two databases, because
     * topics are only looked for at the start of a prompt (see scan) */
    size_t nmain = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < b->nsrc; i++) {
            int is_topic = (p->bits[i].cats & (1u << DW_PAT_TOPIC)) != 0;
            if (is_topic != pass) continue;
            exprs[nmain] = b->src[i].re;
            flags[nmain] = b->src[i].flags;
            ids[nmain] = (unsigned)i;
            nmain++;
        }
    size_t ntopic = 0;
    for (size_t i = 0; i < b->nsrc; i++) ntopic += (p->bits[i].cats & (1u << DW_PAT_TOPIC)) != 0;
    nmain -= ntopic;
    /* A database precompiled at build time (tools/packdb.c) is used when it
     * was made from exactly these patterns by this vectorscan on a
     * compatible CPU; compiling the packs from source takes seconds, loading
     * the serialized form milliseconds.  Anything else falls back to
     * compiling, so a custom pack directory or another CPU still works. */
    p->key = packs_key(exprs, flags, b->nsrc);
    int rc = 0;
    if (load_precompiled(p) != 0)
        rc = compile_set(b, exprs, flags, ids, nmain, &p->db) ||
             compile_set(b, exprs + nmain, flags + nmain, ids + nmain, ntopic, &p->tdb);
    free(exprs);
    free(flags);
    free(ids);
    return rc ? -1 : 0;
}

static void builder_free(builder *b)
{
    for (size_t i = 0; i < b->nsrc; i++)
        free(b->src[i].re);
    free(b->src);
    for (size_t i = 0; i < b->npacks; i++)
        free(b->packs[i]);
    free(b->packs);
}

dw_patterns *dw_patterns_load(const char *dir, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    builder b;
    memset(&b, 0, sizeof b);
    b.err = err;
    b.errlen = errlen;
    b.p = calloc(1, sizeof *b.p);
    if (!b.p) {
        set_err(&b, "out of memory");
        return NULL;
    }
    int rc = dir ? load_dir(&b, dir) : load_embedded(&b);
    if (rc == 0)
        rc = compile_db(&b);
    builder_free(&b);
    if (rc != 0) {
        dw_patterns_free(b.p);
        return NULL;
    }
    dw_patterns *p = b.p;
    if (p->nasn) {
        qsort(p->asns, p->nasn, sizeof *p->asns, cmp_u32);
        size_t w = 1;
        for (size_t i = 1; i < p->nasn; i++)
            if (p->asns[i] != p->asns[w - 1])
                p->asns[w++] = p->asns[i];
        p->nasn = w;
    }
    return p;
}

void dw_patterns_free(dw_patterns *p)
{
    if (!p)
        return;
    hs_free_database(p->db);
    hs_free_database(p->tdb);
    free(p->bits);
    free(p->asns);
    free(p);
}

size_t dw_patterns_count(const dw_patterns *p) { return p ? p->npat : 0; }

size_t dw_patterns_topic_count(const dw_patterns *p) { return p ? p->ntopics : 0; }

/* NULL when id is not a loaded topic. */
const char *dw_patterns_topic_name(const dw_patterns *p, unsigned id)
{
    return p && id < p->ntopics ? p->topics[id] : NULL;
}

/* NULL when lang is not a dw_lang. */
const char *dw_lang_name(unsigned lang)
{
    return lang < DW_LANG__COUNT ? lang_names[lang] : NULL;
}

/* ------------------------------------------------------------------------ */
/* Scanning                                                                  */

dw_pattern_scratch *dw_pattern_scratch_new(const dw_patterns *p)
{
    if (!p)
        return NULL;
    dw_pattern_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    /* one scratch sized for both databases */
    if ((p->db && hs_alloc_scratch(p->db, &s->hs) != HS_SUCCESS) ||
        (p->tdb && hs_alloc_scratch(p->tdb, &s->hs) != HS_SUCCESS)) {
        if (s->hs) hs_free_scratch(s->hs);
        free(s);
        return NULL;
    }
    return s;
}

void dw_pattern_scratch_free(dw_pattern_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->hs);
    free(s->buf);
    free(s);
}

/* Length of the valid UTF-8 sequence starting at s[0] (1-4), or 0 when the
 * bytes at s do not start one.  Strict: no overlongs, no surrogates, nothing
 * above U+10FFFF, no truncated sequences. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        if (n < 3 || (s[2] & 0xC0) != 0x80)
            return 0;
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi ? 3 : 0;
    }
    if (c < 0xF5) {
        if (n < 4 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi ? 4 : 0;
    }
    return 0;
}

/* What the scan does with code point cp: 0 copy, ' ' make it a space, '\'',
 * '"' or '-' replace it by that ASCII character, 1 drop it. */
static int cp_action(uint32_t cp)
{
    if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return ' ';
    if (cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF)
        return 1;
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2032)
        return '\'';
    if (cp == 0x201C || cp == 0x201D || cp == 0x201F || cp == 0x2033)
        return '"';
    if (cp >= 0x2010 && cp <= 0x2015)
        return '-';
    return 0;
}

static uint32_t utf8_decode(const unsigned char *s, size_t k)
{
    if (k == 2)
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    if (k == 3)
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
           (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* high bit set in (at least) the first byte of x below n; exact as to "any" */
#define HASLESS(x, n) (((x) - ONES * (n)) & ~(x) & HIGHS)

/* The canonical form patterns are written against, in s->buf: one space
 * before and after the text, every run of white space (ASCII and Unicode
 * spaces, line breaks included) collapsed to one ' ', zero-width characters
 * and soft hyphens removed, curly quotes and Unicode dashes replaced by their
 * ASCII forms, and every byte that is not part of valid UTF-8 replaced by
 * '?'.  The result is valid UTF-8 and at most len + 2 bytes long; its length
 * is returned, or (size_t)-1 when the buffer cannot be allocated. */
/* One character at in[i] that the block copy stopped at (or any character
 * near the end); returns the new i, updates j and *sp.  A run of non-ASCII
 * characters is consumed whole, so CJK text does not bounce back into the
 * block test for every character. */
static size_t canon_slow(const unsigned char *in, size_t i, size_t len, char *o,
                         size_t *jp, int *sp)
{
    size_t j = *jp;
    do {
        unsigned c = in[i];
        if (c < 0x80) {
            if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
                if (!*sp)
                    o[j++] = ' ';
                *sp = 1;
            } else {
                o[j++] = (char)c;
                *sp = 0;
            }
            i++;
            break;
        }
        size_t k = utf8_seq(in + i, len - i);
        if (k == 0) {
            o[j++] = '?';
            *sp = 0;
            i++;
            continue;
        }
        /* only U+0080-U+00BF (lead C2) and a few blocks under leads E1, E2,
         * E3 and EF need a look; everything else is copied */
        int act = 0;
        if ((k == 2 && c == 0xC2) ||
            (k == 3 && (c == 0xE1 || c == 0xE2 || c == 0xE3 || c == 0xEF)))
            act = cp_action(utf8_decode(in + i, k));
        if (act == 0) {
            o[j] = (char)c;
            o[j + 1] = (char)in[i + 1];
            if (k > 2)
                o[j + 2] = (char)in[i + 2];
            if (k > 3)
                o[j + 3] = (char)in[i + 3];
            j += k;
            *sp = 0;
        } else if (act == ' ') {
            if (!*sp)
                o[j++] = ' ';
            *sp = 1;
        } else if (act != 1) {
            o[j++] = (char)act;
            *sp = 0;
        }
        i += k;
    } while (i < len && in[i] >= 0x80);
    *jp = j;
    return i;
}

static size_t canonicalize(dw_pattern_scratch *s, const char *text, size_t len)
{
    if (len > SIZE_MAX - 32)
        return (size_t)-1;
    if (len + 2 > s->cap) {
        char *q = realloc(s->buf, len + 2);
        if (!q)
            return (size_t)-1;
        s->buf = q;
        s->cap = len + 2;
    }
    const unsigned char *in = (const unsigned char *)text;
    char *o = s->buf;
    size_t i = 0, j = 0;
    int sp = 1; /* the last byte written is a space */
    o[j++] = ' ';
    while (i < len) {
        /* Block copy: printable ASCII with no two spaces in a row is copied
         * as it is, up to the first byte that needs a look.  Stores are a
         * whole block wide; j <= i + 1 keeps them inside len + 2 bytes. */
#if defined(__SSE2__)
        if (i + 16 <= len) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
            /* signed compare: 0x00-0x20 and 0x80-0xFF are below 0x21 */
            unsigned odd = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(x, _mm_set1_epi8(0x21)));
            unsigned spc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
            unsigned stop = (odd & ~spc) | (spc & ((spc << 1) | (unsigned)sp));
            if (stop == 0) {
                _mm_storeu_si128((__m128i *)(void *)(o + j), x);
                j += 16;
                i += 16;
                sp = (spc >> 15) & 1;
                continue;
            }
            unsigned k = (unsigned)__builtin_ctz(stop);
            if (k) {
                _mm_storeu_si128((__m128i *)(void *)(o + j), x);
                j += k;
                i += k;
                sp = (spc >> (k - 1)) & 1;
            }
        }
#elif !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (i + 8 <= len) {
            uint64_t x;
            memcpy(&x, in + i, 8);
            uint64_t odd = HASLESS(x, 0x20) | (x & HIGHS);
            uint64_t spc = HASLESS(x ^ (ONES * 0x20), 1);
            uint64_t dbl = spc & ((spc << 8) | (sp ? 0x80u : 0u));
            if (!(odd | dbl)) {
                memcpy(o + j, &x, 8);
                j += 8;
                i += 8;
                sp = (x >> 56) == 0x20;
                continue;
            }
        }
#endif
        i = canon_slow(in, i, len, o, &j, &sp);
    }
    if (!sp)
        o[j++] = ' ';
    return j;
}

typedef struct scan_ctx {
    const pat_bits *bits;
    dw_pattern_hits *out;
} scan_ctx;

static int on_match(unsigned id, unsigned long long from, unsigned long long to,
                    unsigned flags, void *ctx)
{
    scan_ctx *c = ctx;
    const pat_bits *b = &c->bits[id];
    c->out->cats |= b->cats;
    c->out->cot_langs |= b->langs;
    c->out->topics |= b->topics;
    return 0;
}

static size_t utf8_back_to_lead(const char *t, size_t i, size_t lo)
{
    while (i > lo && ((unsigned char)t[i] & 0xC0) == 0x80)
        i--;
    return i;
}

int dw_patterns_scan(const dw_patterns *p, dw_pattern_scratch *s,
                     const char *text, size_t len, dw_pattern_hits *out)
{
    if (!p || !out || (!text && len))
        return -1;
    if ((!p->db && !p->tdb) || len == 0)
        return 0;
    if (!s || !s->hs)
        return -1;
    len = canonicalize(s, text, len);
    if (len == (size_t)-1)
        return -1;
    text = s->buf;
    scan_ctx ctx = {p->bits, out};
    /* Topics: what a prompt is about shows in its first few hundred bytes,
     * and topic vocabularies are made of common words, the most expensive
     * thing to look for; so only the head of the text is searched for them. */
    if (p->tdb) {
        size_t tend = len <= DW_TOPIC_WINDOW ? len : utf8_back_to_lead(text, DW_TOPIC_WINDOW, 1);
        if (hs_scan(p->tdb, text, (unsigned)tend, 0, s->hs, on_match, &ctx) != HS_SUCCESS)
            return -1;
    }
    if (!p->db)
        return 0;
    size_t off = 0;
    for (;;) {
        size_t end = len;
        if (len - off > DW_SCAN_WINDOW)
            end = utf8_back_to_lead(text, off + DW_SCAN_WINDOW, off + 1);
        hs_error_t rc = hs_scan(p->db, text + off, (unsigned)(end - off), 0, s->hs,
                                on_match, &ctx);
        if (rc != HS_SUCCESS)
            return -1;
        if (end == len)
            return 0;
        off = utf8_back_to_lead(text, end - DW_SCAN_OVERLAP, off + 1);
    }
}

/* ------------------------------------------------------------------------ */

int dw_asn_is_hosting(const dw_patterns *p, uint32_t asn)
{
    if (!p || !p->nasn)
        return 0;
    /* every event asks: a plain binary search, without bsearch's calls back */
    size_t lo = 0, hi = p->nasn;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->asns[mid] < asn) lo = mid + 1;
        else hi = mid;
    }
    return lo < p->nasn && p->asns[lo] == asn;
}
