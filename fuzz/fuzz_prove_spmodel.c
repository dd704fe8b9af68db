/*
 * fuzz_prove_spmodel.c -- libFuzzer target for the SentencePiece model
 * loader (src/prove/sp_model.c) and the BPE encoder behind it.
 *
 * Three uses of each input, because a random byte string rarely parses as a
 * model: (1) the input as a whole model file; (2) a small valid model with
 * the input appended as further top-level fields (every field parser is
 * reached that way); (3) the input as *text* for the small valid model
 * (normalizer, malformed UTF-8, byte fallback, merges).  Invariants are
 * checked with abort(): every id an encoder emits is inside the vocabulary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prove/sp_model.h"
#include "prove/tokenizer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char model[8192];
static size_t model_len;

static void put(const void *p, size_t n)
{
    memcpy(model + model_len, p, n);
    model_len += n;
}

static void put_piece(const char *s, float score, int type)
{
    unsigned char inner[64];
    size_t k = 0, n = strlen(s);
    inner[k++] = 0x0a;
    inner[k++] = (unsigned char)n;
    memcpy(inner + k, s, n);
    k += n;
    inner[k++] = 0x15;
    memcpy(inner + k, &score, 4);
    k += 4;
    inner[k++] = 0x18;
    inner[k++] = (unsigned char)type;
    unsigned char hdr[2] = {0x0a, (unsigned char)k};
    put(hdr, 2);
    put(inner, k);
}

static void build_model(void)
{
    if (model_len) return;
    put_piece("<unk>", 0, 2);
    put_piece("<s>", 0, 3);
    put_piece("</s>", 0, 3);
    for (int b = 0; b < 256; b++) {
        char s[8];
        snprintf(s, sizeof s, "<0x%02X>", b);
        put_piece(s, 0, 6);
    }
    const char *normal[] = {"\xe2\x96\x81", "a", "b", "ab", "\xe2\x96\x81" "a", "ba", "\xe2\x96\x81" "ab", "c", "abc"};
    for (size_t i = 0; i < sizeof normal / sizeof normal[0]; i++) put_piece(normal[i], -(float)i, 1);
    /* trainer_spec { model_type: BPE, byte_fallback: true } */
    static const unsigned char trainer[] = {0x12, 0x05, 0x18, 0x02, 0x98, 0x02, 0x01};
    put(trainer, sizeof trainer);
    /* normalizer_spec { name: "identity", add_dummy_prefix: true, remove_extra_whitespaces: false } */
    static const unsigned char norm[] = {0x1a, 0x0e, 0x0a, 0x08, 'i', 'd', 'e', 'n', 't', 'i', 't', 'y', 0x18, 0x01, 0x20, 0x00};
    put(norm, sizeof norm);
}

static void check_encode(dw_tokenizer *t, const char *s, size_t n)
{
    dw_ids ids = {0};
    t->ops->encode(t, s, n, &ids);
    for (size_t i = 0; i < ids.n; i++)
        if (ids.v[i] >= t->vocab_size) abort();
    dw_ids_free(&ids);
    dw_tokenizer_encode_special(t, s, n, &ids);
    for (size_t i = 0; i < ids.n; i++)
        if (ids.v[i] >= t->vocab_size) abort();
    dw_ids_free(&ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    build_model();
    char err[256];
    /* 1. the input as a model (exactly-sized copy so ASan sees overreads) */
    unsigned char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    dw_tokenizer *t = dw_sp_load(buf, size, err, sizeof err);
    if (t) {
        check_encode(t, "ab abc  \xff\xfe a\n", 13);
        dw_tokenizer_free(t);
    } else if (!strstr(err, "offset") && !strstr(err, "piece") && !strstr(err, "model") &&
               !strstr(err, "byte_fallback") && !strstr(err, "treat_whitespace") && !strstr(err, "memory")) {
        abort();   /* every refusal says where or what */
    }
    free(buf);
    /* 2. valid model + the input as extra fields */
    if (size < 4096) {
        unsigned char *m2 = malloc(model_len + size);
        memcpy(m2, model, model_len);
        memcpy(m2 + model_len, data, size);
        t = dw_sp_load(m2, model_len + size, err, sizeof err);
        if (t) {
            check_encode(t, "abcab ba", 8);
            dw_tokenizer_free(t);
        }
        free(m2);
    }
    /* 3. the input as text */
    t = dw_sp_load(model, model_len, err, sizeof err);
    if (!t) abort();
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);
    check_encode(t, text, size);
    free(text);
    dw_tokenizer_free(t);
    return 0;
}
