/*
 * sp_model.h -- a SentencePiece model as loaded from its .model file.
 *
 * Split from the encoder (sp_bpe.c) because the two fail differently: the
 * loader faces untrusted bytes and must reject them with a location, the
 * encoder faces only a model the loader has already validated.
 */
#ifndef DW_PROVE_SP_MODEL_H
#define DW_PROVE_SP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prove/tokenizer.h"

/* Piece types, numbered as in sentencepiece_model.proto. */
enum { DW_SP_NORMAL = 1, DW_SP_UNKNOWN = 2, DW_SP_CONTROL = 3, DW_SP_USER_DEFINED = 4,
       DW_SP_UNUSED = 5, DW_SP_BYTE = 6 };
/* TrainerSpec.model_type */
enum { DW_SP_MODEL_UNIGRAM = 1, DW_SP_MODEL_BPE = 2, DW_SP_MODEL_WORD = 3, DW_SP_MODEL_CHAR = 4 };

/* Limits on untrusted model files (the loader enforces them). */
#define DW_SP_MAX_PIECES   (1u << 20)
#define DW_SP_MAX_PIECE_LEN 256u
#define DW_SP_MAX_DEPTH      8

typedef struct dw_sp_piece {
    uint32_t off, len;      /* into dw_sp.strings */
    float    score;
    uint8_t  type;
} dw_sp_piece;

typedef struct dw_sp {
    dw_tokenizer base;
    dw_sp_piece *pieces;
    uint32_t     npieces;
    char        *strings;          /* all piece bytes, back to back */
    /* open-addressing map: piece bytes -> id, two tables as SentencePiece
     * keeps them: `normal` (NORMAL, USER_DEFINED, UNUSED: mergeable) and
     * `reserved` (CONTROL, UNKNOWN, BYTE: looked up first, never merged). */
    int32_t     *map_normal, *map_reserved;
    uint32_t     map_mask;
    int32_t      byte_id[256];     /* <0xXX> pieces, -1 when absent */
    uint32_t    *user_defined;     /* ids of USER_DEFINED pieces, longest first */
    uint32_t     nuser;
    /* specs */
    int          model_type;
    bool         byte_fallback;
    bool         add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces;
    bool         treat_ws_as_suffix;
} dw_sp;

/* Parse a serialized ModelProto.  NULL on error with "offset N: why". */
dw_tokenizer *dw_sp_load(const unsigned char *buf, size_t n, char *err, size_t errlen);

/* id of piece bytes in the mergeable table, or -1. */
int32_t dw_sp_lookup_normal(const dw_sp *m, const char *s, size_t n);
/* SentencePiece's PieceToId: reserved table first, then mergeable; -1 if neither. */
int32_t dw_sp_piece_to_id(const dw_sp *m, const char *s, size_t n);

/* The encoder (sp_bpe.c). */
void dw_sp_bpe_encode(const dw_tokenizer *t, const char *s, size_t n, dw_ids *out);

#endif
