/*
 * sp_model.c -- load a SentencePiece .model file: a protobuf ModelProto.
 *
 * Why parse protobuf by hand: we need five fields of a format that has been
 * stable since 2018 (the pieces with their scores and types, the model type,
 * byte_fallback and three normalizer flags).  A protobuf library would add a
 * code generator, a runtime dependency and a much larger attack surface to a
 * tool whose inputs may come from a counterparty; the wire format is five
 * rules (varint, 64-bit, length-delimited, 32-bit, tags) and fits in a page.
 * Field numbers follow sentencepiece_model.proto.
 *
 * Every read is bounds-checked against the enclosing message, unknown fields
 * are skipped by wire type, groups (deprecated) and anything malformed are
 * refused with the byte offset, and sizes are capped (DW_SP_MAX_*), so a
 * hostile file costs at most one bounded allocation and an error message.
 *
 * Only what we can reproduce exactly is accepted: BPE models with the
 * identity normalizer (Llama 1/2, Mistral, ...).  A model with a compiled
 * normalization map or a Unigram model is refused by name rather than
 * tokenized approximately -- an approximate tokenizer makes a wrong proof.
 */
#include "prove/sp_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

typedef struct pb {
    const unsigned char *base;   /* start of the whole file, for offsets */
    const unsigned char *p, *end;
    char  *err;
    size_t errlen;
} pb;

static int pb_fail(pb *r, const unsigned char *at, const char *fmt, const char *what)
{
    char msg[160];
    snprintf(msg, sizeof msg, fmt, what);
    snprintf(r->err, r->errlen, "offset %zu: %s", (size_t)(at - r->base), msg);
    return -1;
}

static int pb_varint(pb *r, uint64_t *v)
{
    const unsigned char *start = r->p;
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end) return pb_fail(r, start, "%s", "truncated varint");
        unsigned char c = *r->p++;
        if (shift == 63 && (c & 0x7e)) return pb_fail(r, start, "%s", "varint overflows 64 bits");
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) { *v = x; return 0; }
    }
    return pb_fail(r, start, "%s", "varint longer than 10 bytes");
}

/* Read one field header and, for length-delimited fields, bound the payload. */
typedef struct pb_field {
    uint32_t num, wire;
    uint64_t v;                         /* varint / fixed values */
    const unsigned char *data;          /* LEN payload */
    size_t   len;
    const unsigned char *at;            /* where the field started */
} pb_field;

static int pb_next(pb *r, pb_field *f)
{
    f->at = r->p;
    uint64_t tag;
    if (pb_varint(r, &tag)) return -1;
    f->num = (uint32_t)(tag >> 3);
    f->wire = (uint32_t)(tag & 7);
    if (f->num == 0 || tag >> 32) return pb_fail(r, f->at, "%s", "invalid field number");
    switch (f->wire) {
    case 0: return pb_varint(r, &f->v);
    case 1:
        if (r->end - r->p < 8) return pb_fail(r, f->at, "%s", "truncated 64-bit field");
        memcpy(&f->v, r->p, 8);
        r->p += 8;
        return 0;
    case 5: {
        if (r->end - r->p < 4) return pb_fail(r, f->at, "%s", "truncated 32-bit field");
        uint32_t x;
        memcpy(&x, r->p, 4);
        f->v = x;
        r->p += 4;
        return 0;
    }
    case 2: {
        uint64_t len;
        if (pb_varint(r, &len)) return -1;
        if (len > (uint64_t)(r->end - r->p))
            return pb_fail(r, f->at, "%s", "length-delimited field runs past the end of its message");
        f->data = r->p;
        f->len = (size_t)len;
        r->p += len;
        return 0;
    }
    default:
        return pb_fail(r, f->at, "%s", "unsupported wire type (groups are not used by SentencePiece)");
    }
}

static pb pb_sub(const pb *r, const pb_field *f)
{
    pb s = *r;
    s.p = f->data;
    s.end = f->data + f->len;
    return s;
}

/* --- the piece map ------------------------------------------------------- */

static uint32_t piece_hash(const char *s, size_t n) { return (uint32_t)dw_hash(s, n); }

static int32_t map_find(const dw_sp *m, const int32_t *map, const char *s, size_t n)
{
    for (uint32_t h = piece_hash(s, n) & m->map_mask;; h = (h + 1) & m->map_mask) {
        int32_t id = map[h];
        if (id < 0) return -1;
        const dw_sp_piece *p = &m->pieces[id];
        if (p->len == n && memcmp(m->strings + p->off, s, n) == 0) return id;
    }
}

/* false when the piece is already present (SentencePiece refuses duplicates) */
static bool map_insert(dw_sp *m, int32_t *map, int32_t id)
{
    const dw_sp_piece *p = &m->pieces[id];
    const char *s = m->strings + p->off;
    for (uint32_t h = piece_hash(s, p->len) & m->map_mask;; h = (h + 1) & m->map_mask) {
        if (map[h] < 0) { map[h] = id; return true; }
        const dw_sp_piece *q = &m->pieces[map[h]];
        if (q->len == p->len && memcmp(m->strings + q->off, s, p->len) == 0) return false;
    }
}

int32_t dw_sp_lookup_normal(const dw_sp *m, const char *s, size_t n)
{
    return map_find(m, m->map_normal, s, n);
}

int32_t dw_sp_piece_to_id(const dw_sp *m, const char *s, size_t n)
{
    int32_t id = map_find(m, m->map_reserved, s, n);
    return id >= 0 ? id : map_find(m, m->map_normal, s, n);
}

/* --- tokenizer ops --------------------------------------------------------- */

static const char *sp_piece(const dw_tokenizer *t, uint32_t id, size_t *len)
{
    const dw_sp *m = (const dw_sp *)t;
    if (id >= m->npieces) return NULL;
    *len = m->pieces[id].len;
    return m->strings + m->pieces[id].off;
}

static void sp_destroy(dw_tokenizer *t)
{
    dw_sp *m = (dw_sp *)t;
    if (!m) return;
    free(m->pieces);
    free(m->strings);
    free(m->map_normal);
    free(m->map_reserved);
    free(m->user_defined);
    free(m);
}

static const dw_tok_ops sp_ops = {"sentencepiece-bpe", dw_sp_bpe_encode, sp_piece, sp_destroy};

/* --- parsing ---------------------------------------------------------------- */

static int parse_piece(pb *r, const pb_field *f, dw_sp *m, size_t *str_used, size_t str_cap)
{
    pb s = pb_sub(r, f);
    pb_field g;
    const unsigned char *str = NULL;
    size_t slen = 0;
    float score = 0;
    uint64_t type = DW_SP_NORMAL;
    bool have_piece = false;
    while (s.p < s.end) {
        if (pb_next(&s, &g)) return -1;
        if (g.num == 1 && g.wire == 2) { str = g.data; slen = g.len; have_piece = true; }
        else if (g.num == 2 && g.wire == 5) { uint32_t x = (uint32_t)g.v; memcpy(&score, &x, 4); }
        else if (g.num == 3 && g.wire == 0) type = g.v;
        else if (g.num <= 3) return pb_fail(r, g.at, "%s", "piece field with the wrong wire type");
    }
    if (!have_piece || slen == 0) return pb_fail(r, f->at, "%s", "piece without its text");
    if (slen > DW_SP_MAX_PIECE_LEN) return pb_fail(r, f->at, "%s", "piece longer than 256 bytes");
    if (type < DW_SP_NORMAL || type > DW_SP_BYTE) return pb_fail(r, f->at, "%s", "unknown piece type");
    if (*str_used + slen > str_cap) return pb_fail(r, f->at, "%s", "internal: string pool overflow");
    dw_sp_piece *p = &m->pieces[m->npieces++];
    p->off = (uint32_t)*str_used;
    p->len = (uint32_t)slen;
    p->score = score;
    p->type = (uint8_t)type;
    memcpy(m->strings + *str_used, str, slen);
    *str_used += slen;
    return 0;
}

static int parse_trainer(pb *r, const pb_field *f, dw_sp *m)
{
    pb s = pb_sub(r, f);
    pb_field g;
    while (s.p < s.end) {
        if (pb_next(&s, &g)) return -1;
        if (g.wire != 0) continue;
        if (g.num == 3) m->model_type = (int)g.v;
        else if (g.num == 35) m->byte_fallback = g.v != 0;
        else if (g.num == 24) m->treat_ws_as_suffix = g.v != 0;
    }
    return 0;
}

static int parse_normalizer(pb *r, const pb_field *f, dw_sp *m)
{
    pb s = pb_sub(r, f);
    pb_field g;
    char name[64] = "";
    bool charsmap = false;
    while (s.p < s.end) {
        if (pb_next(&s, &g)) return -1;
        if (g.num == 1 && g.wire == 2) {
            size_t n = g.len < sizeof name - 1 ? g.len : sizeof name - 1;
            memcpy(name, g.data, n);
            name[n] = 0;
        } else if (g.num == 2 && g.wire == 2) charsmap = g.len > 0;
        else if (g.num == 3 && g.wire == 0) m->add_dummy_prefix = g.v != 0;
        else if (g.num == 4 && g.wire == 0) m->remove_extra_whitespaces = g.v != 0;
        else if (g.num == 5 && g.wire == 0) m->escape_whitespaces = g.v != 0;
        else if (g.num == 6 && g.wire == 2 && g.len > 0)
            return pb_fail(r, g.at, "%s", "normalizer rules (normalization_rule_tsv) are not supported");
    }
    if (charsmap)
        return pb_fail(r, f->at, "normalizer '%s' uses a precompiled character map, which this "
                       "encoder does not implement (only the identity normalizer is exact here)",
                       name[0] ? name : "?");
    return 0;
}

static int byte_piece_value(const char *s, size_t n)
{
    /* "<0xAB>" */
    if (n != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>') return -1;
    int v = 0;
    for (int i = 3; i < 5; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

dw_tokenizer *dw_sp_load(const unsigned char *buf, size_t n, char *err, size_t errlen)
{
    pb r = {buf, buf, buf + n, err, errlen};
    /* First pass: count pieces and bytes so the second pass allocates once. */
    size_t count = 0, bytes = 0;
    pb_field f;
    while (r.p < r.end) {
        if (pb_next(&r, &f)) return NULL;
        if (f.num == 1) {
            if (f.wire != 2) { pb_fail(&r, f.at, "%s", "pieces field is not length-delimited"); return NULL; }
            if (++count > DW_SP_MAX_PIECES) { pb_fail(&r, f.at, "%s", "more than 2^20 pieces"); return NULL; }
            bytes += f.len;
        } else if ((f.num == 2 || f.num == 3) && f.wire != 2) {
            pb_fail(&r, f.at, "%s", "spec field is not length-delimited");
            return NULL;
        }
    }
    if (count == 0) { snprintf(err, errlen, "offset 0: the model has no pieces"); return NULL; }

    dw_sp *m = calloc(1, sizeof *m);
    if (!m) { snprintf(err, errlen, "out of memory"); return NULL; }
    m->base.ops = &sp_ops;
    m->pieces = calloc(count, sizeof *m->pieces);
    m->strings = malloc(bytes + 1);
    uint32_t cap = 1;
    while (cap < count * 2) cap <<= 1;
    m->map_mask = cap - 1;
    m->map_normal = malloc(cap * sizeof(int32_t));
    m->map_reserved = malloc(cap * sizeof(int32_t));
    m->user_defined = malloc(count * sizeof(uint32_t));
    if (!m->pieces || !m->strings || !m->map_normal || !m->map_reserved || !m->user_defined) {
        snprintf(err, errlen, "out of memory");
        sp_destroy(&m->base);
        return NULL;
    }
    memset(m->map_normal, 0xff, cap * sizeof(int32_t));
    memset(m->map_reserved, 0xff, cap * sizeof(int32_t));
    m->model_type = DW_SP_MODEL_UNIGRAM;               /* proto defaults */
    m->add_dummy_prefix = m->remove_extra_whitespaces = m->escape_whitespaces = true;

    r.p = buf;
    size_t used = 0;
    while (r.p < r.end) {
        if (pb_next(&r, &f)) goto fail;
        int rc = 0;
        if (f.num == 1) rc = parse_piece(&r, &f, m, &used, bytes);
        else if (f.num == 2) rc = parse_trainer(&r, &f, m);
        else if (f.num == 3) rc = parse_normalizer(&r, &f, m);
        if (rc) goto fail;
    }
    if (m->model_type != DW_SP_MODEL_BPE) {
        snprintf(err, errlen, "model type %d is not BPE: only SentencePiece BPE models are supported",
                 m->model_type);
        goto fail;
    }
    if (m->treat_ws_as_suffix) {
        snprintf(err, errlen, "treat_whitespace_as_suffix models are not supported");
        goto fail;
    }
    m->base.vocab_size = m->npieces;
    m->base.bos_id = m->base.eos_id = m->base.unk_id = -1;
    for (int i = 0; i < 256; i++) m->byte_id[i] = -1;
    for (uint32_t i = 0; i < m->npieces; i++) {
        dw_sp_piece *p = &m->pieces[i];
        const char *s = m->strings + p->off;
        bool normal = p->type == DW_SP_NORMAL || p->type == DW_SP_USER_DEFINED || p->type == DW_SP_UNUSED;
        if (!map_insert(m, normal ? m->map_normal : m->map_reserved, (int32_t)i)) {
            snprintf(err, errlen, "piece %u (\"%.*s\") is a duplicate", i, (int)(p->len > 40 ? 40 : p->len), s);
            goto fail;
        }
        if (p->type == DW_SP_UNKNOWN) m->base.unk_id = (int32_t)i;
        if (p->type == DW_SP_USER_DEFINED) m->user_defined[m->nuser++] = i;
        if (p->type == DW_SP_CONTROL && p->len == 3 && memcmp(s, "<s>", 3) == 0) m->base.bos_id = (int32_t)i;
        if (p->type == DW_SP_CONTROL && p->len == 4 && memcmp(s, "</s>", 4) == 0) m->base.eos_id = (int32_t)i;
        if (p->type == DW_SP_BYTE) {
            int v = byte_piece_value(s, p->len);
            if (v < 0) {
                snprintf(err, errlen, "piece %u is typed BYTE but is not of the form <0xXX>", i);
                goto fail;
            }
            m->byte_id[v] = (int32_t)i;
        }
    }
    if (m->base.unk_id < 0) { snprintf(err, errlen, "the model has no <unk> piece"); goto fail; }
    if (m->byte_fallback)
        for (int i = 0; i < 256; i++)
            if (m->byte_id[i] < 0) {
                snprintf(err, errlen, "byte_fallback is on but piece <0x%02X> is missing", i);
                goto fail;
            }
    /* User-defined symbols are matched longest first, as SentencePiece's
     * prefix matcher does. */
    for (uint32_t i = 1; i < m->nuser; i++)            /* insertion sort: a handful at most */
        for (uint32_t j = i; j > 0 && m->pieces[m->user_defined[j - 1]].len < m->pieces[m->user_defined[j]].len; j--) {
            uint32_t t = m->user_defined[j];
            m->user_defined[j] = m->user_defined[j - 1];
            m->user_defined[j - 1] = t;
        }
    return &m->base;
fail:
    sp_destroy(&m->base);
    return NULL;
}
