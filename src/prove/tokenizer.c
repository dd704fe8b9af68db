/*
 * tokenizer.c -- the interface's shared pieces: id arrays, loading by file
 * content, and the byte tokenizer.
 *
 * Loading sniffs content, not the file name: a SentencePiece model is a
 * protobuf whose first field is a repeated `pieces` message (tag 0x0a), and
 * anything else is refused with a message rather than guessed at.
 */
#include "prove/tokenizer.h"
#include "prove/sp_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/util.h"

void dw_ids_push(dw_ids *a, uint32_t id)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        uint32_t *v = dw_xrealloc(a->v, cap * sizeof *v);
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = id;
}

void dw_ids_free(dw_ids *a)
{
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

void dw_tokenizer_free(dw_tokenizer *t)
{
    if (t) t->ops->destroy(t);
}

void dw_tokenizer_encode_special(const dw_tokenizer *t, const char *s, size_t n, dw_ids *out)
{
    int32_t ids[3] = {t->bos_id, t->eos_id, t->unk_id};
    const char *surf[3];
    size_t slen[3];
    int k = 0;
    for (int i = 0; i < 3; i++) {
        if (ids[i] < 0) continue;
        surf[k] = t->ops->piece(t, (uint32_t)ids[i], &slen[k]);
        if (surf[k] && slen[k] > 0) ids[k++] = ids[i];
    }
    size_t start = 0;
    for (size_t i = 0; i < n && k > 0;) {
        int hit = -1;
        if (s[i] == '<')
            for (int j = 0; j < k; j++)
                if (slen[j] <= n - i && memcmp(s + i, surf[j], slen[j]) == 0) { hit = j; break; }
        if (hit < 0) { i++; continue; }
        if (i > start) t->ops->encode(t, s + start, i - start, out);
        dw_ids_push(out, (uint32_t)ids[hit]);
        i += slen[hit];
        start = i;
    }
    if (n > start) t->ops->encode(t, s + start, n - start, out);
}

/* --- bytes ---------------------------------------------------------------- */

typedef struct bytes_tok {
    dw_tokenizer base;
    char         surf[256];
} bytes_tok;

static void bytes_encode(const dw_tokenizer *t, const char *s, size_t n, dw_ids *out)
{
    (void)t;
    for (size_t i = 0; i < n; i++) dw_ids_push(out, (unsigned char)s[i]);
}

static const char *bytes_piece(const dw_tokenizer *t, uint32_t id, size_t *len)
{
    const bytes_tok *b = (const bytes_tok *)t;
    if (id >= 256) return NULL;
    *len = 1;
    return &b->surf[id];
}

static void bytes_destroy(dw_tokenizer *t) { free(t); }

static const dw_tok_ops bytes_ops = {"bytes", bytes_encode, bytes_piece, bytes_destroy};

dw_tokenizer *dw_tokenizer_bytes(void)
{
    bytes_tok *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->base.ops = &bytes_ops;
    b->base.vocab_size = 256;
    b->base.bos_id = b->base.eos_id = b->base.unk_id = -1;
    for (int i = 0; i < 256; i++) b->surf[i] = (char)i;
    return &b->base;
}

/* --- loading --------------------------------------------------------------- */

#define DW_TOK_MAX_FILE (64u << 20)   /* Llama 2's model is 0.5 MB; 64 MB is generous */

dw_tokenizer *dw_tokenizer_load(const char *path, char *err, size_t errlen)
{
    if (strcmp(path, "bytes") == 0) return dw_tokenizer_bytes();
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return NULL;
    }
    unsigned char *buf = malloc(DW_TOK_MAX_FILE + 1);
    if (!buf) { fclose(f); snprintf(err, errlen, "%s: out of memory", path); return NULL; }
    size_t n = fread(buf, 1, DW_TOK_MAX_FILE + 1, f);
    int rerr = ferror(f);
    fclose(f);
    if (rerr) { free(buf); snprintf(err, errlen, "%s: read error", path); return NULL; }
    if (n > DW_TOK_MAX_FILE) {
        free(buf);
        snprintf(err, errlen, "%s: larger than the %u MiB limit for a tokenizer model", path,
                 DW_TOK_MAX_FILE >> 20);
        return NULL;
    }
    dw_tokenizer *t = NULL;
    if (n > 0 && buf[0] == 0x0a) {
        char e2[200];
        t = dw_sp_load(buf, n, e2, sizeof e2);
        if (!t) snprintf(err, errlen, "%s: %s", path, e2);
    } else {
        snprintf(err, errlen, "%s: not a SentencePiece model (expected a protobuf starting with "
                 "the pieces field, byte 0x0a)", path);
    }
    free(buf);
    return t;
}
