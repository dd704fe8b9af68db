/*
 * sp_bpe.c -- SentencePiece BPE encoding, step for step as the reference
 * library does it, so that ids match it exactly.
 *
 * The algorithm (SentencePiece's bpe_model.cc, restated):
 *   1. normalize: with the identity normalizer only whitespace changes --
 *      a "dummy prefix" space is prepended (Llama's leading-space
 *      convention: "Hello" is encoded as " Hello"), spaces become U+2581
 *      "▁", and malformed UTF-8 becomes U+FFFD one byte at a time;
 *   2. split into characters (user-defined pieces are matched whole and
 *      never merged);
 *   3. repeatedly merge the adjacent pair whose concatenation is a piece
 *      with the highest score, the leftmost pair winning ties;
 *   4. map each final symbol to its id; a symbol that is no piece becomes
 *      its UTF-8 bytes as <0xXX> pieces when the model has byte_fallback
 *      (Llama: "\n" is <0x0A>), else <unk>.
 * Step 3 uses a binary heap of candidate pairs with lazy invalidation
 * (a popped pair whose sides changed size since it was pushed is stale),
 * which is O(n log n) in the text length -- the same complexity, and the same
 * tie-breaking, as the reference.  No special tokens are recognised in the
 * text ("<s>" is three characters): that is add_special_tokens=False on the
 * SentencePiece side; callers that want HF's splitting of special tokens do
 * it before calling us.
 */
#include "prove/sp_model.h"

#include <stdlib.h>
#include <string.h>
#include "common/util.h"

static const char kSpace[] = "\xe2\x96\x81";       /* U+2581 */
static const char kRepl[] = "\xef\xbf\xbd";        /* U+FFFD */

/* Length of the valid UTF-8 character at s (1..4), or 0 if malformed. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
    if (cp >= 0xd800 && cp <= 0xdfff) return 0;
    return len;
}

typedef struct nbuf { char *p; size_t n, cap; } nbuf;

static void nb_put(nbuf *b, const char *s, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->n + n) cap *= 2;
        char *p = dw_xrealloc(b->p, cap);
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* Length of a user-defined piece that prefixes s, or 0. */
static size_t user_match(const dw_sp *m, const char *s, size_t n)
{
    for (uint32_t i = 0; i < m->nuser; i++) {
        const dw_sp_piece *p = &m->pieces[m->user_defined[i]];
        if (p->len <= n && memcmp(m->strings + p->off, s, p->len) == 0) return p->len;
    }
    return 0;
}

static void normalize(const dw_sp *m, const char *in, size_t n, nbuf *out)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0;
    if (m->remove_extra_whitespaces)
        while (i < n && s[i] == ' ') i++;
    if (i == n) return;
    const char *ws = m->escape_whitespaces ? kSpace : " ";
    size_t wslen = m->escape_whitespaces ? 3 : 1;
    if (m->add_dummy_prefix) nb_put(out, ws, wslen);
    bool prev_space = m->remove_extra_whitespaces;
    while (i < n) {
        size_t len = user_match(m, in + i, n - i);
        const char *piece = in + i;
        size_t plen = len;
        if (!len) {
            len = utf8_len(s + i, n - i);
            if (len) plen = len;
            else { piece = kRepl; plen = 3; len = 1; }
        }
        if (plen == 1 && piece[0] == ' ') {
            if (!prev_space) nb_put(out, ws, wslen);
            prev_space = m->remove_extra_whitespaces;
        } else {
            nb_put(out, piece, plen);
            prev_space = false;
        }
        i += len;
    }
    if (m->remove_extra_whitespaces)
        while (out->n >= wslen && memcmp(out->p + out->n - wslen, ws, wslen) == 0) out->n -= wslen;
}

typedef struct sym { uint32_t off, len; int32_t prev, next; uint8_t freeze; } sym;
typedef struct pair { float score; uint32_t left, right, size; } pair;

static bool pair_before(const pair *a, const pair *b)
{
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

typedef struct heap { pair *v; size_t n, cap; } heap;

static void heap_push(heap *h, pair p)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 256;
        pair *v = dw_xrealloc(h->v, cap * sizeof *v);
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!pair_before(&p, &h->v[up])) break;
        h->v[i] = h->v[up];
        i = up;
    }
    h->v[i] = p;
}

static pair heap_pop(heap *h)
{
    pair top = h->v[0];
    pair last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && pair_before(&h->v[c + 1], &h->v[c])) c++;
        if (!pair_before(&h->v[c], &last)) break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n) h->v[i] = last;
    return top;
}

/* Pieces of type UNUSED may be merged through but not emitted: SentencePiece
 * remembers how each was formed and splits it back.  Records are rare (no
 * mainstream model has unused pieces), so a linear list is enough. */
typedef struct revrec { uint32_t off, len, leftlen; } revrec;
typedef struct revlist { revrec *v; size_t n, cap; } revlist;

typedef struct enc {
    const dw_sp *m;
    const char *text;
    sym *syms;
    heap h;
    revlist rev;
} enc;

static void maybe_add(enc *e, int32_t l, int32_t r)
{
    if (l < 0 || r < 0 || e->syms[l].freeze || e->syms[r].freeze) return;
    uint32_t size = e->syms[l].len + e->syms[r].len;
    int32_t id = dw_sp_lookup_normal(e->m, e->text + e->syms[l].off, size);
    if (id < 0) return;
    pair p = {e->m->pieces[id].score, (uint32_t)l, (uint32_t)r, size};
    heap_push(&e->h, p);
    if (e->m->pieces[id].type == DW_SP_UNUSED) {
        if (e->rev.n == e->rev.cap) {
            e->rev.cap = e->rev.cap ? e->rev.cap * 2 : 16;
            e->rev.v = dw_xrealloc(e->rev.v, e->rev.cap * sizeof *e->rev.v);
        }
        e->rev.v[e->rev.n++] = (revrec){e->syms[l].off, size, e->syms[l].len};
    }
}

static void emit(enc *e, uint32_t off, uint32_t len, dw_ids *out, int depth)
{
    const dw_sp *m = e->m;
    const char *s = e->text + off;
    int32_t id = dw_sp_piece_to_id(m, s, len);
    if (id >= 0 && m->pieces[id].type == DW_SP_UNUSED && depth < 64) {
        for (size_t i = e->rev.n; i-- > 0;) {
            const revrec *r = &e->rev.v[i];
            if (r->len == len && memcmp(e->text + r->off, s, len) == 0) {
                uint32_t ll = r->leftlen;
                emit(e, off, ll, out, depth + 1);
                emit(e, off + ll, len - ll, out, depth + 1);
                return;
            }
        }
    }
    if (id >= 0 && m->pieces[id].type != DW_SP_UNKNOWN) {
        dw_ids_push(out, (uint32_t)id);
    } else if (m->byte_fallback) {
        for (uint32_t i = 0; i < len; i++) dw_ids_push(out, (uint32_t)m->byte_id[(unsigned char)s[i]]);
    } else {
        dw_ids_push(out, (uint32_t)m->base.unk_id);
    }
}

void dw_sp_bpe_encode(const dw_tokenizer *t, const char *s, size_t n, dw_ids *out)
{
    const dw_sp *m = (const dw_sp *)t;
    nbuf nb = {0};
    normalize(m, s, n, &nb);
    if (nb.n == 0) { free(nb.p); return; }
    enc e = {m, nb.p, NULL, {0}, {0}};
    e.syms = dw_xmalloc(nb.n * sizeof *e.syms);
    int32_t ns = 0;
    for (size_t i = 0; i < nb.n;) {
        size_t len = user_match(m, nb.p + i, nb.n - i);
        bool freeze = len > 0;
        if (!len) {
            len = utf8_len((const unsigned char *)nb.p + i, nb.n - i);
            if (!len) len = 1;     /* cannot happen after normalize(); stay safe */
        }
        e.syms[ns] = (sym){(uint32_t)i, (uint32_t)len, ns - 1, -1, freeze};
        if (ns > 0) e.syms[ns - 1].next = ns;
        ns++;
        i += len;
    }
    for (int32_t i = 1; i < ns; i++) maybe_add(&e, i - 1, i);
    while (e.h.n) {
        pair top = heap_pop(&e.h);
        sym *l = &e.syms[top.left], *r = &e.syms[top.right];
        if (l->len == 0 || r->len == 0 || l->len + r->len != top.size) continue;
        l->len += r->len;
        l->next = r->next;
        if (r->next >= 0) e.syms[r->next].prev = (int32_t)top.left;
        r->len = 0;
        maybe_add(&e, l->prev, (int32_t)top.left);
        maybe_add(&e, (int32_t)top.left, l->next);
    }
    for (int32_t i = 0; i >= 0 && i < ns; i = e.syms[i].next) emit(&e, e.syms[i].off, e.syms[i].len, out, 0);
    free(e.syms);
    free(e.h.v);
    free(e.rev.v);
    free(nb.p);
}
