/*
 * tokenizer.h -- the one interface the watermark code sees for turning text
 * into token ids.
 *
 * A green list is defined over token ids, so a detector is only as exact as
 * its tokenizer: one id off and every window after it hashes differently.
 * The watermark code therefore never assumes a particular tokenizer; it asks
 * this interface, which a SentencePiece model (sp_model.c + sp_bpe.c), a
 * byte-level BPE, or the trivial byte tokenizer below can all implement.
 *
 * Conventions: encode() follows Hugging Face's add_special_tokens=False --
 * no BOS/EOS is added -- and never fails on any byte string (malformed
 * UTF-8 is handled the way the reference tokenizer handles it).  The
 * tokenizer is immutable after loading, so one instance may be shared by
 * threads.
 */
#ifndef DW_PROVE_TOKENIZER_H
#define DW_PROVE_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

/* A growable array of token ids. */
typedef struct dw_ids {
    uint32_t *v;
    size_t    n, cap;
} dw_ids;

void dw_ids_push(dw_ids *a, uint32_t id);      /* aborts on OOM */
void dw_ids_free(dw_ids *a);

typedef struct dw_tokenizer dw_tokenizer;

typedef struct dw_tok_ops {
    const char *kind;                            /* "sentencepiece-bpe", "bytes", ... */
    /* Append the ids of s[0..n) to out.  add_special_tokens=False semantics. */
    void (*encode)(const dw_tokenizer *t, const char *s, size_t n, dw_ids *out);
    /* The surface bytes of one id (for decoding and for human output); *len
     * receives the length.  NULL for ids out of range. */
    const char *(*piece)(const dw_tokenizer *t, uint32_t id, size_t *len);
    void (*destroy)(dw_tokenizer *t);
} dw_tok_ops;

struct dw_tokenizer {
    const dw_tok_ops *ops;
    uint32_t vocab_size;     /* what green lists permute: tokenizer.vocab_size */
    int32_t  bos_id, eos_id, unk_id;   /* -1 when the model has none */
};

/* Load a tokenizer from a file: a SentencePiece .model (protobuf).  The
 * special name "bytes" gives the 256-symbol byte tokenizer.  NULL on error,
 * with a message that says where the file is malformed. */
dw_tokenizer *dw_tokenizer_load(const char *path, char *err, size_t errlen);

/* The byte tokenizer: id = byte value, vocab 256.  Used by tests and by the
 * small end-to-end experiment, where a 32,000-word vocabulary would need far
 * more text than a unit test should train on. */
dw_tokenizer *dw_tokenizer_bytes(void);

/* Hugging Face's encode(text, add_special_tokens=False) for a model whose
 * special tokens (<s>, </s>, <unk>) may occur in the text: they are split out
 * as their ids, and each stretch of text between them is encoded on its own
 * -- so it gets its own leading-space prefix, which is what the Llama
 * tokenizers the reference detectors loaded do ("<s> [INST]" -> 1, "▁",
 * "▁[", ...).  Tokenizers without special tokens behave as encode(). */
void dw_tokenizer_encode_special(const dw_tokenizer *t, const char *s, size_t n, dw_ids *out);

static inline void dw_tokenizer_encode(const dw_tokenizer *t, const char *s, size_t n, dw_ids *out)
{
    t->ops->encode(t, s, n, out);
}
void dw_tokenizer_free(dw_tokenizer *t);

#endif
