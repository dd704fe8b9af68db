/*
 * json.c -- strict RFC 8259 JSON reader for the hot path.
 *
 * Why it is built this way
 * ------------------------
 *
 * DistillWatch reads request logs: millions of one-line JSON records of a
 * couple of kilobytes each, most of whose bytes sit inside a few long strings
 * (prompts, completions, system messages).  Of each record the decoders want
 * a handful of fields: the model, a user id, the messages' roles and
 * contents.  Everything here follows from those two facts.
 *
 * A tape, not a tree.  The classic reader allocates a node per value and
 * links them into a tree, which costs a malloc per value and scatters the
 * result over the heap.  We instead append fixed-size tokens to one flat
 * array, in document order, and reuse that array across records, so in the
 * steady state parsing allocates nothing at all.  Each container token
 * stores `next`, the index just past its subtree, which turns "skip this
 * value" into one load: looking up "model" in an object with a 40 KB
 * "messages" array beside it never touches the messages.
 *
 * Lazy unescaping.  Decoding every string while parsing would copy every
 * byte of every prompt, though most are never read or are read only through
 * a prefix.  The parser only validates strings and notes on the token
 * whether a backslash occurred; dw_json_str() decodes on demand, and a
 * string with no escapes (most of them) can be used straight from the
 * source buffer.  Key lookups compare raw bytes with memcmp() in that
 * common case.
 *
 * Strictness.  The tool re-emits strings as UTF-8 (into SQLite, into
 * reports, into other people's pipelines), and it is a detector: input is
 * partly adversarial.  A lenient reader that accepts invalid UTF-8, lone
 * surrogates or trailing garbage hands the rest of the program data it
 * never expected, and two readers that disagree about an ambiguous document
 * are a classic way to smuggle content past a filter.  So we accept exactly
 * RFC 8259 and validate UTF-8 fully (no overlongs, no encoded surrogates,
 * nothing above U+10FFFF, no truncated sequences).  Where JSONTestSuite
 * leaves a choice open ("i_" files) we choose to reject, except for numbers
 * out of double/int64 range, which are valid JSON and only limit what the
 * accessors can return.  A rejected record is the caller's to count; it is
 * never silently "repaired".
 *
 * One pass, no recursion.  Nesting is kept on a small explicit stack, so a
 * record of a hundred thousand '[' cannot overflow the C stack; depth is
 * capped at DW_JSON_MAX_DEPTH and token count at max_tokens, so memory is
 * bounded by configuration, not by the input.  The input is treated as
 * exactly `len` bytes, never NUL-terminated: every read is bounds-checked,
 * because a record may be a slice of an mmap'd file or a decompression
 * buffer whose last byte is the last byte of a page.
 *
 * Vectorised string scan.  Since most bytes are string content, the whole
 * parser's speed is the speed of the loop that walks a string body looking
 * for the few bytes that need attention: '"', '\\', control characters and
 * non-ASCII lead bytes.  With SSE2 that is 32 bytes (two vectors) per
 * iteration, and one signed compare ("byte < 0x20" as int8_t) catches both
 * control characters and every byte >= 0x80 at once.  Only when a non-ASCII
 * byte shows up does the scalar UTF-8 validator run, for that sequence and
 * any that follow it.  Without SSE2 an 8-byte SWAR loop does the same job.
 * The last few bytes of the buffer, where a vector load would read past
 * `len`, are scanned one byte at a time.
 */
#include "decode/json.h"
#include "common/util.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(DW_JSON_NO_SIMD)
#include <emmintrin.h>
#define DW_JSON_SSE2 1
#endif

#if defined(__GNUC__) || defined(__clang__)
#define LIKELY(x)   __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define NOINLINE    __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define LIKELY(x)   (x)
#define UNLIKELY(x) (x)
#define NOINLINE
#define ALWAYS_INLINE inline
#endif

#define DW_JSON_DEFAULT_MAX_TOKENS (1u << 20)

/* ------------------------------------------------------------------------ */
/* Lexical helpers                                                          */
/* ------------------------------------------------------------------------ */

/* A bit set instead of four compares: the test costs the same whether the
 * document is compact (the common case for logs) or pretty-printed. */
#define WS_BITS ((1ull << ' ') | (1ull << '\t') | (1ull << '\n') | (1ull << '\r'))

static ALWAYS_INLINE const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end)
{
    /* most often no white space or the one space after ':' or ',' */
    if (p < end && *p > ' ')
        return p;
    if (p + 1 < end && *p == ' ' && p[1] > ' ')
        return p + 1;
    while (p < end && *p <= ' ' && ((WS_BITS >> *p) & 1))
        p++;
    return p;
}

static inline int hexval(uint8_t c)
{
    if ((unsigned)(c - '0') < 10u)
        return c - '0';
    c |= 0x20; /* only 'A'..'F' land in 'a'..'f' this way */
    if ((unsigned)(c - 'a') < 6u)
        return c - 'a' + 10;
    return -1;
}

/* Four hex digits at p (caller guarantees 4 readable bytes), or -1. */
static inline int32_t hex4(const uint8_t *p)
{
    int a = hexval(p[0]), b = hexval(p[1]), c = hexval(p[2]), e = hexval(p[3]);
    if ((a | b | c | e) < 0)
        return -1;
    return (a << 12) | (b << 8) | (c << 4) | e;
}

static inline bool is_digit(uint8_t c)
{
    return (unsigned)(c - '0') < 10u;
}

/*
 * One UTF-8 sequence starting at a byte >= 0x80, validated against Unicode
 * Table 3-7 (well-formed byte sequences).  The narrowed second-byte ranges
 * are what exclude overlongs (E0, F0), encoded surrogates (ED) and code
 * points above U+10FFFF (F4); C0, C1 and F5..FF can never start a sequence.
 * Returns the byte after the sequence, or NULL.
 */
static inline const uint8_t *utf8_seq(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t avail = (size_t)(end - p);

    if (c < 0xC2)
        return NULL;
    if (c < 0xE0) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80)
            return NULL;
        return p + 2;
    }
    if (c < 0xF0) {
        uint8_t lo = 0x80, hi = 0xBF;
        if (avail < 3)
            return NULL;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80)
            return NULL;
        return p + 3;
    }
    if (c < 0xF5) {
        uint8_t lo = 0x80, hi = 0xBF;
        if (avail < 4)
            return NULL;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return NULL;
        return p + 4;
    }
    return NULL;
}

#if !defined(DW_JSON_SSE2)
/* SWAR: "does any byte of v need attention".  Exact as a yes/no answer (the
 * per-byte positions can have false positives from borrows, which is why
 * the caller falls back to a byte loop to find the byte itself). */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
static inline uint64_t swar_special(uint64_t v)
{
    uint64_t q = v ^ (ONES * '"');
    uint64_t b = v ^ (ONES * '\\');
    uint64_t has_q = (q - ONES) & ~q;
    uint64_t has_b = (b - ONES) & ~b;
    uint64_t has_ctl = (v - ONES * 0x20) & ~v;
    return (has_q | has_b | has_ctl | v) & HIGHS;
}
#endif

/* The escapes that are two bytes long: \" \\ \/ \b \f \n \r \t. */
static inline bool simple_escape(uint8_t c)
{
    return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't';
}

/*
 * Walk a string body.  p is just past the opening quote.  Returns the
 * position of the closing quote, or NULL with *errp and *msg set.  Sets *esc
 * when a backslash escape occurs so that readers can skip decoding.
 */
static ALWAYS_INLINE const uint8_t *scan_string(const uint8_t *p, const uint8_t *end, uint8_t *esc,
                                                const uint8_t **errp, const char **msg)
{
#if defined(DW_JSON_SSE2)
    const __m128i vq = _mm_set1_epi8('"');
    const __m128i vb = _mm_set1_epi8('\\');
    const __m128i vc = _mm_set1_epi8(0x20);

    /* Keys and most values of a log record are under 16 bytes: one vector
     * finds their closing quote.  Without this probe every short string
     * paid for the two-vector round below. */
    if (LIKELY(end - p >= 16)) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
        uint32_t m = (uint32_t)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, vq), _mm_cmpeq_epi8(a, vb)), _mm_cmplt_epi8(a, vc)));
        if (m) {
            p += __builtin_ctz(m);
            if (LIKELY(*p == '"'))
                return p;
            goto special_first;
        }
        p += 16;
    }
#endif
    for (;;) {
#if defined(DW_JSON_SSE2)
        /* Two vectors per round: long prompts dominate, and the extra
         * independent load/compare chain hides latency. */
        while (end - p >= 32) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
            __m128i ma = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, vq), _mm_cmpeq_epi8(a, vb)),
                                      _mm_cmplt_epi8(a, vc));
            __m128i mb = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, vq), _mm_cmpeq_epi8(b, vb)),
                                      _mm_cmplt_epi8(b, vc));
            uint32_t m = (uint32_t)_mm_movemask_epi8(ma) | ((uint32_t)_mm_movemask_epi8(mb) << 16);
            /* Answers are full of \n and \": a two-byte escape is
             * validated here and the scan goes on in the same block, instead
             * of leaving the vector loop for every escape.  Anything else
             * (the closing quote, \u, control bytes, non-ASCII) takes the
             * general path below. */
            while (m) {
                unsigned tz = (unsigned)__builtin_ctz(m);
                const uint8_t *q = p + tz;
                if (*q == '\\' && tz < 31 && simple_escape(q[1])) {
                    *esc = 1;
                    m &= ~(3u << tz);
                    continue;
                }
                p = q;
                goto special;
            }
            p += 32;
        }
        if (end - p >= 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i ma = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, vq), _mm_cmpeq_epi8(a, vb)),
                                      _mm_cmplt_epi8(a, vc));
            uint32_t m = (uint32_t)_mm_movemask_epi8(ma);
            if (m) {
                p += __builtin_ctz(m);
                goto special;
            }
            p += 16;
        }
#else
        while (end - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if (swar_special(v))
                break;
            p += 8;
        }
#endif
        /* Tail (and, without SIMD, the word that had a hit). */
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            p++;
        if (UNLIKELY(p >= end)) {
            *errp = end;
            *msg = "unterminated string";
            return NULL;
        }
#if defined(DW_JSON_SSE2)
    special:
#endif
        if (LIKELY(*p == '"'))
            return p;
#if defined(DW_JSON_SSE2)
    special_first:
#endif
        if (*p == '\\') {
            const uint8_t *bs = p;
            *esc = 1;
            if (end - p < 2) {
                *errp = end;
                *msg = "unterminated string";
                return NULL;
            }
            switch (p[1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                p += 2;
                break;
            case 'u': {
                int32_t u;
                if (end - p < 6 || (u = hex4(p + 2)) < 0) {
                    *errp = bs;
                    *msg = "invalid \\u escape";
                    return NULL;
                }
                p += 6;
                if (u >= 0xD800 && u <= 0xDFFF) {
                    int32_t lo;
                    /* We re-emit UTF-8, where a lone surrogate has no
                     * encoding: demand a proper high+low pair. */
                    if (u >= 0xDC00 || end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
                        (lo = hex4(p + 2)) < 0xDC00 || lo > 0xDFFF) {
                        *errp = bs;
                        *msg = "unpaired UTF-16 surrogate in \\u escape";
                        return NULL;
                    }
                    p += 6;
                }
                break;
            }
            default:
                *errp = bs;
                *msg = "invalid escape";
                return NULL;
            }
            continue;
        }
        if (*p < 0x20) {
            *errp = p;
            *msg = "unescaped control character in string";
            return NULL;
        }
        /* Non-ASCII: text in a non-Latin script is runs of these, so stay in
         * the validator until the run ends instead of bouncing off SIMD. */
        do {
            const uint8_t *q = utf8_seq(p, end);
            if (UNLIKELY(!q)) {
                *errp = p;
                *msg = "invalid UTF-8 in string";
                return NULL;
            }
            p = q;
        } while (p < end && *p >= 0x80);
    }
}

/* ------------------------------------------------------------------------ */
/* Parser                                                                   */
/* ------------------------------------------------------------------------ */

void dw_json_init(dw_json_doc *d)
{
    memset(d, 0, sizeof *d);
}

void dw_json_free(dw_json_doc *d)
{
    free(d->toks);
    d->toks = NULL;
    d->cap = 0;
    d->ntok = 0;
}

/* Cold path, kept out of line so the parser's hot loop stays small.
 * Returns 0, or an error message. */
static NOINLINE const char *grow_tokens(dw_json_doc *d, uint32_t n, uint32_t maxtok, size_t srclen)
{
    uint64_t want;
    dw_json_tok *t;

    if (n >= maxtok)
        return "too many tokens";
    if (d->cap == 0) {
        /* A first guess from the size; realistic records hold about one
         * token per 16-32 bytes, string-heavy ones far fewer. */
        want = srclen / 16 + 64;
    } else {
        want = (uint64_t)d->cap * 2;
    }
    if (want <= n)
        want = (uint64_t)n + 64;
    if (want > maxtok)
        want = maxtok;
    if (want > SIZE_MAX / sizeof *t)
        return "out of memory";
    t = realloc(d->toks, (size_t)want * sizeof *t);
    if (!t)
        return "out of memory";
    d->toks = t;
    d->cap = (uint32_t)want;
    return NULL;
}

int dw_json_parse(dw_json_doc *d, const char *src, size_t len)
{
    const uint8_t *base, *p, *end, *errp;
    const char *msg;
    uint32_t stack[DW_JSON_MAX_DEPTH];
    uint32_t depth = 0, n = 0, maxtok, limit;
    dw_json_tok *toks;
    bool in_obj = false;

    d->src = src;
    d->srclen = len;
    d->ntok = 0;
    d->err_off = 0;
    d->err_msg = NULL;
    if (len == 0 || !src) {
        d->err_msg = "empty input";
        return -1;
    }
    if ((uint64_t)len > UINT32_MAX) {
        d->err_msg = "input too large";
        return -1;
    }
    maxtok = d->max_tokens ? d->max_tokens : DW_JSON_DEFAULT_MAX_TOKENS;
    if (maxtok > INT32_MAX) /* lookups return token indices as int32_t */
        maxtok = INT32_MAX;
    base = (const uint8_t *)src;
    p = base;
    end = base + len;
    toks = d->toks;
    limit = d->cap < maxtok ? d->cap : maxtok;

    /* One compare per token in the hot path; growth and the token limit
     * live behind it. */
#define NEED_TOKEN()                                                      \
    do {                                                                  \
        if (UNLIKELY(n >= limit)) {                                       \
            if ((msg = grow_tokens(d, n, maxtok, len)) != NULL) {         \
                errp = p;                                                 \
                goto fail;                                                \
            }                                                             \
            toks = d->toks;                                               \
            limit = d->cap < maxtok ? d->cap : maxtok;                    \
        }                                                                 \
    } while (0)
#define FAIL(at, m)                                                       \
    do {                                                                  \
        errp = (at);                                                      \
        msg = (m);                                                        \
        goto fail;                                                        \
    } while (0)

value:
    p = skip_ws(p, end);
    if (UNLIKELY(p >= end))
        FAIL(end, "unexpected end of input");
    NEED_TOKEN();
    switch (*p) {
    case '"': {
        uint8_t esc = 0;
        const uint8_t *q = scan_string(p + 1, end, &esc, &errp, &msg);
        if (UNLIKELY(!q))
            goto fail;
        toks[n] = (dw_json_tok){ .type = DW_JSON_STRING, .escaped = esc,
                                 .start = (uint32_t)(p + 1 - base), .len = (uint32_t)(q - p - 1),
                                 .next = n + 1 };
        n++;
        p = q + 1;
        goto after_value;
    }
    case '{':
    case '[': {
        bool obj = *p == '{';
        if (UNLIKELY(depth >= DW_JSON_MAX_DEPTH))
            FAIL(p, "nesting too deep");
        toks[n] = (dw_json_tok){ .type = obj ? DW_JSON_OBJECT : DW_JSON_ARRAY,
                                 .start = (uint32_t)(p - base) };
        stack[depth++] = n++;
        in_obj = obj;
        p = skip_ws(p + 1, end);
        if (UNLIKELY(p >= end))
            FAIL(end, "unexpected end of input");
        if (*p == (obj ? '}' : ']'))
            goto close;
        toks[stack[depth - 1]].count = 1;
        if (obj)
            goto key;
        goto value;
    }
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        const uint8_t *s = p;
        uint8_t is_int = 1;
        if (*p == '-') {
            p++;
            if (p >= end)
                FAIL(end, "unexpected end of input");
        }
        if (*p == '0') {
            p++;
            if (p < end && is_digit(*p))
                FAIL(s, "leading zero in number");
        } else if (is_digit(*p)) {
            do
                p++;
            while (p < end && is_digit(*p));
        } else {
            FAIL(p, "digit expected in number");
        }
        if (p < end && *p == '.') {
            is_int = 0;
            p++;
            if (p >= end || !is_digit(*p))
                FAIL(p, "digit expected after decimal point");
            do
                p++;
            while (p < end && is_digit(*p));
        }
        if (p < end && (*p | 0x20) == 'e') {
            is_int = 0;
            p++;
            if (p < end && (*p == '+' || *p == '-'))
                p++;
            if (p >= end || !is_digit(*p))
                FAIL(p, "digit expected in exponent");
            do
                p++;
            while (p < end && is_digit(*p));
        }
        toks[n] = (dw_json_tok){ .type = DW_JSON_NUMBER, .is_int = is_int,
                                 .start = (uint32_t)(s - base), .len = (uint32_t)(p - s),
                                 .next = n + 1 };
        n++;
        goto after_value;
    }
    case 't':
        if (end - p < 4 || memcmp(p, "true", 4) != 0)
            FAIL(p, "invalid literal");
        toks[n] = (dw_json_tok){ .type = DW_JSON_TRUE, .start = (uint32_t)(p - base), .len = 4,
                                 .next = n + 1 };
        n++;
        p += 4;
        goto after_value;
    case 'f':
        if (end - p < 5 || memcmp(p, "false", 5) != 0)
            FAIL(p, "invalid literal");
        toks[n] = (dw_json_tok){ .type = DW_JSON_FALSE, .start = (uint32_t)(p - base), .len = 5,
                                 .next = n + 1 };
        n++;
        p += 5;
        goto after_value;
    case 'n':
        if (end - p < 4 || memcmp(p, "null", 4) != 0)
            FAIL(p, "invalid literal");
        toks[n] = (dw_json_tok){ .type = DW_JSON_NULL, .start = (uint32_t)(p - base), .len = 4,
                                 .next = n + 1 };
        n++;
        p += 4;
        goto after_value;
    default:
        if (p == base && end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
            FAIL(p, "byte order mark not allowed");
        FAIL(p, "expected a value");
    }

after_value:
    if (depth == 0)
        goto done;
    p = skip_ws(p, end);
    if (UNLIKELY(p >= end))
        FAIL(end, "unexpected end of input");
    if (*p == ',') {
        toks[stack[depth - 1]].count++;
        p++;
        if (in_obj) {
            p = skip_ws(p, end);
            goto key;
        }
        goto value;
    }
    if (*p == (in_obj ? '}' : ']'))
        goto close;
    FAIL(p, in_obj ? "expected ',' or '}'" : "expected ',' or ']'");

close: {
        uint32_t ci = stack[--depth];
        toks[ci].len = (uint32_t)(p + 1 - base) - toks[ci].start;
        toks[ci].next = n;
        p++;
        if (depth)
            in_obj = toks[stack[depth - 1]].type == DW_JSON_OBJECT;
        goto after_value;
    }

key:
    /* p at the expected opening quote of a member name (whitespace done). */
    if (UNLIKELY(p >= end))
        FAIL(end, "unexpected end of input");
    if (UNLIKELY(*p != '"'))
        FAIL(p, "expected string key");
    NEED_TOKEN();
    {
        uint8_t esc = 0;
        const uint8_t *q = scan_string(p + 1, end, &esc, &errp, &msg);
        if (UNLIKELY(!q))
            goto fail;
        toks[n] = (dw_json_tok){ .type = DW_JSON_STRING, .escaped = esc,
                                 .start = (uint32_t)(p + 1 - base), .len = (uint32_t)(q - p - 1),
                                 .next = n + 1 };
        n++;
        p = q + 1;
    }
    if (LIKELY(p < end && *p == ':')) {
        p++;
        goto value;
    }
    p = skip_ws(p, end);
    if (UNLIKELY(p >= end))
        FAIL(end, "unexpected end of input");
    if (UNLIKELY(*p != ':'))
        FAIL(p, "expected ':'");
    p++;
    goto value;

done:
    p = skip_ws(p, end);
    if (UNLIKELY(p != end))
        FAIL(p, "trailing characters after JSON value");
    d->ntok = n;
    return 0;

fail:
    d->err_off = (size_t)(errp - base);
    d->err_msg = msg;
    d->ntok = 0;
    return -1;
#undef NEED_TOKEN
#undef FAIL
}

/* ------------------------------------------------------------------------ */
/* Lookups                                                                  */
/* ------------------------------------------------------------------------ */

static inline const dw_json_tok *tok_at(const dw_json_doc *d, int32_t t)
{
    return (t >= 0 && (uint32_t)t < d->ntok) ? &d->toks[t] : NULL;
}

/*
 * Decode the escape at s[0] == '\\' (the parser has validated it, but we
 * still bound every read so that a tape paired with the wrong buffer cannot
 * make us overrun).  Writes UTF-8 into u, returns its length; *used gets the
 * number of raw bytes consumed.
 */
static size_t decode_escape(const uint8_t *s, size_t avail, uint8_t u[4], size_t *used)
{
    uint32_t cp;

    if (avail < 2) {
        *used = avail;
        return 0;
    }
    *used = 2;
    switch (s[1]) {
    case 'b': u[0] = '\b'; return 1;
    case 'f': u[0] = '\f'; return 1;
    case 'n': u[0] = '\n'; return 1;
    case 'r': u[0] = '\r'; return 1;
    case 't': u[0] = '\t'; return 1;
    case 'u': break;
    default: u[0] = s[1]; return 1; /* '"', '\\', '/' */
    }
    if (avail < 6 || hex4(s + 2) < 0) {
        *used = avail < 6 ? avail : 6;
        return 0;
    }
    cp = (uint32_t)hex4(s + 2);
    *used = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && avail >= 12 && s[6] == '\\' && s[7] == 'u') {
        int32_t lo = hex4(s + 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            *used = 12;
        }
    }
    if (cp < 0x80) {
        u[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        u[0] = (uint8_t)(0xC0 | (cp >> 6));
        u[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u[0] = (uint8_t)(0xE0 | (cp >> 12));
        u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    u[0] = (uint8_t)(0xF0 | (cp >> 18));
    u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Raw string bytes vs. a key of known length, unescaping as we go.  No
 * buffer: keys can be arbitrarily long and this runs per member. */
static bool raw_eq(const uint8_t *s, size_t n, bool escaped, const char *key, size_t klen)
{
    const uint8_t *k = (const uint8_t *)key;
    size_t i = 0, j = 0;

    if (!escaped)
        return n == klen && memcmp(s, key, klen) == 0;
    if (klen > n) /* unescaping never lengthens a string */
        return false;
    while (i < n) {
        const uint8_t *bs = memchr(s + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
        if (run) {
            if (klen - j < run || memcmp(s + i, k + j, run) != 0)
                return false;
            i += run;
            j += run;
        }
        if (i < n) {
            uint8_t u[4];
            size_t used, ul = decode_escape(s + i, n - i, u, &used);
            if (klen - j < ul || memcmp(u, k + j, ul) != 0)
                return false;
            i += used;
            j += ul;
        }
    }
    return j == klen;
}

static int32_t get_n(const dw_json_doc *d, int32_t obj, const char *key, size_t klen)
{
    const dw_json_tok *o = tok_at(d, obj), *t = d->toks;
    const uint8_t *src = (const uint8_t *)d->src;
    uint32_t i, m;

    if (!o || o->type != DW_JSON_OBJECT)
        return -1;
    i = (uint32_t)obj + 1;
    for (m = 0; m < o->count; m++) {
        const dw_json_tok *k = &t[i];
        if (k->escaped ? raw_eq(src + k->start, k->len, true, key, klen)
                       : (k->len == klen && dw_bytes_eq(src + k->start, key, klen)))
            return (int32_t)i + 1;
        i = t[i + 1].next;
    }
    return -1;
}

void dw_json_keyset_init(dw_json_keyset *ks)
{
    memset(ks, 0, sizeof *ks);
    memset(ks->first, -1, sizeof ks->first);
}

/* The first min(len, 8) bytes of key k as a word, zero-padded.  One
 * unaligned load when eight bytes are readable before `bound` (always for
 * a key of a record: its closing quote and the value follow it). */
static inline uint64_t key_head(const uint8_t *k, size_t len, const uint8_t *bound)
{
    uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len >= 8 || bound - k >= 8) {
        memcpy(&w, k, 8);
        return len >= 8 ? w : w & ((1ull << (8 * len)) - 1);
    }
#else
    (void)bound;
#endif
    memcpy(&w, k, len < 8 ? len : 8);
    return w;
}

static inline uint64_t key_tail(const uint8_t *k, size_t len)
{
    uint64_t w;
    memcpy(&w, k + len - 8, 8); /* len > 8 */
    return w;
}

_Static_assert(DW_JSON_KEYSET_BUCKETS == 64, "keyset_bucket() takes the top 6 bits");

static inline unsigned keyset_bucket(uint64_t head, size_t len)
{
    return (unsigned)(((head ^ len) * 0x9E3779B97F4A7C15ull) >> 58);
}

/* Key i of the set against len raw bytes at kp whose first word is head. */
static inline bool keyset_is(const dw_json_keyset *ks, int i, const uint8_t *kp, size_t len, uint64_t head)
{
    if (ks->len[i] != len || ks->head[i] != head)
        return false;
    if (len <= 8)
        return true;
    if (ks->tail[i] != key_tail(kp, len))
        return false;
    return len <= 16 || dw_bytes_eq(kp + 8, ks->key[i] + 8, len - 16);
}

int dw_json_keyset_add(dw_json_keyset *ks, const char *key)
{
    if (!key || ks->n >= DW_JSON_KEYSET_MAX)
        return -1;
    int i = ks->n++;
    size_t len = strlen(key);
    const uint8_t *k = (const uint8_t *)key;
    ks->key[i] = key;
    ks->len[i] = (uint32_t)len;
    ks->head[i] = key_head(k, len, k + len);
    ks->tail[i] = len > 8 ? key_tail(k, len) : 0;
    /* append, so that a bucket lists its keys in the order they were added */
    ks->chain[i] = -1;
    int8_t *link = &ks->first[keyset_bucket(ks->head[i], len)];
    while (*link >= 0)
        link = &ks->chain[*link];
    *link = (int8_t)i;
    return i;
}

void dw_json_keyset_of(dw_json_keyset *ks, const char *const *keys, int n)
{
    dw_json_keyset_init(ks);
    for (int i = 0; i < n; i++)
        dw_json_keyset_add(ks, keys[i]);
}

/* Add to *found the keys of ks that string token kt is (several when ks
 * holds a name twice), leaving out those already in it; with `out`,
 * out[k] = val for each.  The one matcher behind dw_json_get_many and
 * dw_json_keyset_find; src and bound are the document's bytes and their
 * end.  (*found is updated in place, not returned: that keeps get_many's
 * loop as short as when it was written out there.) */
static ALWAYS_INLINE void keyset_match(const uint8_t *src, const uint8_t *bound, const dw_json_keyset *ks,
                                       const dw_json_tok *kt, uint32_t *found, int32_t *out, int32_t val)
{
    const uint8_t *kp = src + kt->start;
    if (!kt->escaped) {
        uint64_t head = key_head(kp, kt->len, bound);
        for (int k = ks->first[keyset_bucket(head, kt->len)]; k >= 0; k = ks->chain[k])
            if (!(*found >> k & 1) && keyset_is(ks, k, kp, kt->len, head)) {
                if (out) out[k] = val;
                *found |= 1u << k;
            }
    } else {
        /* an escaped key can unescape to any shorter length: try all */
        for (unsigned k = 0; k < ks->n; k++)
            if (!(*found >> k & 1) && raw_eq(kp, kt->len, true, ks->key[k], ks->len[k])) {
                if (out) out[k] = val;
                *found |= 1u << k;
            }
    }
}

uint32_t dw_json_get_many(const dw_json_doc *d, int32_t obj, const dw_json_keyset *ks, int32_t *out)
{
    const dw_json_tok *o = tok_at(d, obj), *t = d->toks;
    const uint8_t *src = (const uint8_t *)d->src, *bound = src + d->srclen;
    const uint32_t all = ks->n >= 32 ? ~0u : (1u << ks->n) - 1;
    uint32_t found = 0;

    for (unsigned k = 0; k < ks->n; k++)
        out[k] = -1;
    if (!o || o->type != DW_JSON_OBJECT)
        return 0;
    uint32_t i = (uint32_t)obj + 1;
    for (uint32_t m = 0; m < o->count && found != all; m++) {
        /* first match wins: a key found earlier in the object is skipped */
        keyset_match(src, bound, ks, &t[i], &found, out, (int32_t)i + 1);
        i = t[i + 1].next;
    }
    return found;
}

int dw_json_keyset_find(const dw_json_doc *d, const dw_json_keyset *ks, int32_t tok)
{
    const dw_json_tok *kt = tok_at(d, tok);
    if (!kt || kt->type != DW_JSON_STRING)
        return -1;
    const uint8_t *src = (const uint8_t *)d->src;
    uint32_t m = 0;
    keyset_match(src, src + d->srclen, ks, kt, &m, NULL, 0);
    return m ? __builtin_ctz(m) : -1;
}

int32_t dw_json_get(const dw_json_doc *d, int32_t obj, const char *key)
{
    if (!key)
        return -1;
    return get_n(d, obj, key, strlen(key));
}

int32_t dw_json_at(const dw_json_doc *d, int32_t container, uint32_t i)
{
    const dw_json_tok *c = tok_at(d, container), *t = d->toks;
    uint32_t j = (uint32_t)container + 1;

    if (!c || i >= c->count)
        return -1;
    if (c->type == DW_JSON_ARRAY) {
        while (i--)
            j = t[j].next;
        return (int32_t)j;
    }
    if (c->type == DW_JSON_OBJECT) {
        while (i--)
            j = t[j + 1].next;
        return (int32_t)j + 1;
    }
    return -1;
}

int32_t dw_json_path(const dw_json_doc *d, int32_t root, const char *path)
{
    int32_t cur = root;
    const char *s = path;

    if (!tok_at(d, cur) || !path)
        return -1;
    if (!*s)
        return cur;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t sl = dot ? (size_t)(dot - s) : strlen(s);
        uint8_t type = d->toks[cur].type;

        if (type == DW_JSON_ARRAY) {
            uint64_t idx = 0;
            size_t k;
            if (sl == 0 || sl > 10)
                return -1;
            for (k = 0; k < sl; k++) {
                if (!is_digit((uint8_t)s[k]))
                    return -1;
                idx = idx * 10 + (uint64_t)(s[k] - '0');
            }
            if (idx > UINT32_MAX)
                return -1;
            cur = dw_json_at(d, cur, (uint32_t)idx);
        } else if (type == DW_JSON_OBJECT) {
            /* Digits are a key here: objects with "0" keys exist. */
            cur = get_n(d, cur, s, sl);
        } else {
            return -1;
        }
        if (cur < 0 || !dot)
            return cur;
        s = dot + 1;
    }
}

int32_t dw_json_first(const dw_json_doc *d, int32_t container)
{
    const dw_json_tok *c = tok_at(d, container);

    if (!c || (c->type != DW_JSON_ARRAY && c->type != DW_JSON_OBJECT) || c->count == 0)
        return -1;
    return container + 1;
}

int32_t dw_json_next(const dw_json_doc *d, int32_t container, int32_t tok)
{
    const dw_json_tok *c = tok_at(d, container);
    uint32_t nx;

    if (!c || (c->type != DW_JSON_ARRAY && c->type != DW_JSON_OBJECT))
        return -1;
    if (tok <= container || (uint32_t)tok >= c->next)
        return -1;
    nx = d->toks[tok].next;
    return nx < c->next ? (int32_t)nx : -1;
}

/* Length of the longest prefix of s[0..n) that is at most `room` bytes and
 * ends on a UTF-8 character boundary. */
static size_t utf8_prefix(const uint8_t *s, size_t n, size_t room)
{
    if (n <= room)
        return n;
    while (room > 0 && (s[room] & 0xC0) == 0x80)
        room--;
    return room;
}

long dw_json_str(const dw_json_doc *d, int32_t tok, char *out, size_t cap)
{
    const dw_json_tok *t = tok_at(d, tok);
    const uint8_t *s;
    uint8_t *o = (uint8_t *)out;
    size_t n, room, w = 0, total = 0, i = 0;
    bool full = false;

    if (!t || t->type != DW_JSON_STRING)
        return -1;
    s = (const uint8_t *)d->src + t->start;
    n = t->len;
    room = cap ? cap - 1 : 0;
    if (!t->escaped) {
        w = utf8_prefix(s, n, room);
        if (w)
            memcpy(o, s, w);
        total = n;
    } else {
        while (i < n) {
            const uint8_t *bs = memchr(s + i, '\\', n - i);
            size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
            if (run) {
                if (!full) {
                    size_t k = utf8_prefix(s + i, run, room - w);
                    if (k) /* out may be NULL when cap is 0: memcpy(NULL, .., 0) is still UB */
                        memcpy(o + w, s + i, k);
                    w += k;
                    full = k < run;
                }
                i += run;
                total += run;
            }
            if (i < n) {
                uint8_t u[4];
                size_t used, ul = decode_escape(s + i, n - i, u, &used);
                if (!full) {
                    if (room - w >= ul) {
                        memcpy(o + w, u, ul);
                        w += ul;
                    } else {
                        full = true;
                    }
                }
                i += used;
                total += ul;
            }
        }
    }
    if (cap)
        o[w] = 0;
    return (long)total;
}

bool dw_json_str_eq(const dw_json_doc *d, int32_t tok, const char *s)
{
    const dw_json_tok *t = tok_at(d, tok);

    if (!t || t->type != DW_JSON_STRING || !s)
        return false;
    return raw_eq((const uint8_t *)d->src + t->start, t->len, t->escaped, s, strlen(s));
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                  */
/* ------------------------------------------------------------------------ */

/* strtod() obeys LC_NUMERIC; a program that calls setlocale() for any reason
 * would then stop reading "0.5" at the '.'.  A private "C" locale, made once
 * and shared by all threads, removes that coupling. */
static locale_t c_locale(void)
{
    static _Atomic(locale_t) cached;
    locale_t l = atomic_load_explicit(&cached, memory_order_acquire);
    locale_t expected = (locale_t)0;

    if (l)
        return l;
    l = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!l)
        return (locale_t)0;
    if (!atomic_compare_exchange_strong(&cached, &expected, l)) {
        freelocale(l);
        l = expected;
    }
    return l;
}

static double parse_double_slow(const char *s, size_t n)
{
    char local[512];
    char *buf = local, *heap = NULL;
    locale_t loc;
    double v;

    if (n >= sizeof local) {
        heap = malloc(n + 1);
        if (!heap)
            return NAN; /* the caller reports failure */
        buf = heap;
    }
    memcpy(buf, s, n);
    buf[n] = 0;
    loc = c_locale();
    v = loc ? strtod_l(buf, NULL, loc) : strtod(buf, NULL);
    free(heap);
    return v;
}

bool dw_json_f64(const dw_json_doc *d, int32_t tok, double *out)
{
    static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    const dw_json_tok *t = tok_at(d, tok);
    const uint8_t *s, *e;
    uint64_t m = 0;
    int64_t e10 = 0, ex = 0;
    bool neg = false, exneg = false;
    double v;

    if (!t || t->type != DW_JSON_NUMBER || !out)
        return false;
    s = (const uint8_t *)d->src + t->start;
    e = s + t->len;
    /*
     * Clinger's fast path: a mantissa below 2^53 and a power of ten below
     * 1e23 are both exact doubles, so one IEEE multiply or divide gives the
     * correctly rounded result -- the same answer strtod() would, without
     * the copy and the locale.  Anything else goes to strtod_l().
     */
#if FLT_EVAL_METHOD == 0
    if (s < e && *s == '-') {
        neg = true;
        s++;
    }
    for (; s < e && is_digit(*s); s++) {
        if (m >= 100000000000000000ull)
            goto slow;
        m = m * 10 + (uint64_t)(*s - '0');
    }
    if (s < e && *s == '.') {
        for (s++; s < e && is_digit(*s); s++) {
            if (m >= 100000000000000000ull)
                goto slow;
            m = m * 10 + (uint64_t)(*s - '0');
            e10--;
        }
    }
    if (s < e && (*s | 0x20) == 'e') {
        s++;
        if (s < e && (*s == '+' || *s == '-'))
            exneg = *s++ == '-';
        for (; s < e && is_digit(*s); s++) {
            if (ex > 100000)
                goto slow;
            ex = ex * 10 + (*s - '0');
        }
    }
    if (s != e)
        goto slow;
    e10 += exneg ? -ex : ex;
    if (m > (1ull << 53) || e10 < -22 || e10 > 22)
        goto slow;
    v = (double)m;
    v = e10 < 0 ? v / pow10[-e10] : v * pow10[e10];
    *out = neg ? -v : v;
    return true;
slow:
#else
    (void)pow10; (void)m; (void)e10; (void)ex; (void)neg; (void)exneg; (void)e;
#endif
    v = parse_double_slow(d->src + t->start, t->len);
    if (v != v)
        return false;
    *out = v; /* out of range: +-HUGE_VAL or a denormal/zero, as strtod gives */
    return true;
}

bool dw_json_i64(const dw_json_doc *d, int32_t tok, int64_t *out)
{
    const dw_json_tok *t = tok_at(d, tok);
    const uint8_t *s, *e;
    uint64_t acc = 0;
    bool neg = false;

    if (!t || t->type != DW_JSON_NUMBER || !t->is_int || !out)
        return false;
    s = (const uint8_t *)d->src + t->start;
    e = s + t->len;
    if (s < e && *s == '-') {
        neg = true;
        s++;
    }
    if (s >= e)
        return false;
    for (; s < e; s++) {
        uint64_t dg;
        if (!is_digit(*s))
            return false;
        dg = (uint64_t)(*s - '0');
        if (acc > (UINT64_MAX - dg) / 10)
            return false;
        acc = acc * 10 + dg;
    }
    if (neg) {
        if (acc > (uint64_t)INT64_MAX + 1)
            return false;
        *out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    } else {
        if (acc > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)acc;
    }
    return true;
}
