/*
 * decode_int.h -- what the format adapters share.
 *
 * Every adapter turns one parsed JSON record into dw_event views.  Strings
 * without escapes point straight into the input line; strings that need
 * unescaping, and message texts joined from parts, are written into the
 * decoder's scratch buffer.  The scratch is sized before each line so that
 * it never moves while views into it are alive (decoded text is never
 * longer than its escaped source; we reserve three times the line for the one
 * case, OTel, where a JSON document is nested inside a JSON string).
 */
#ifndef DW_DECODE_INT_H
#define DW_DECODE_INT_H

#include "distillwatch.h"
#include "decode/json.h"
#include "common/util.h"

#define DW_MAP_FIELDS 24

typedef struct dw_map_entry {
    int field;          /* dw_canon_field */
    char *path;         /* dotted path in the source record */
} dw_map_entry;

struct dw_decoder {
    dw_format fmt;
    dw_json_doc doc;        /* the record */
    dw_json_doc inner;      /* nested JSON documents (OTel message attributes) */
    char *scratch;
    size_t scratch_cap, scratch_len;
    dw_map_entry map[DW_MAP_FIELDS];
    int nmap;
    /* map.c: the top-level keys the mapping reads, looked up in one pass;
     * built on first use (see map_plan()) */
    dw_json_keyset map_keys;
    int8_t map_key_of[DW_MAP_FIELDS];   /* field -> key index, -1 path, -2 unmapped */
    int8_t map_field_of[DW_JSON_KEYSET_MAX]; /* key index -> field */
    uint32_t map_path_fields;           /* fields read through a dotted path */
    uint32_t map_all_fields;            /* every mapped field */
    int8_t map_planned;                 /* 0 no, 1 for defaults, 2 without */
    /* the names each adapter reads, by object, as keysets: built with the
     * decoder (dw_*_plan), for its format only */
    dw_json_keyset native_root, native_req;     /* native.c */
    dw_json_keyset litellm_root, litellm_meta;  /* litellm.c */
    dw_json_keyset otel_attrs;                  /* otel.c */
    dw_ts_memo ts_memo;     /* the last RFC 3339 date and hour (dw_dec_ts) */
    dw_event *evbuf;        /* OTel: the spans of one line, emitted together */
    uint32_t evcap;
};

/* Canonical field names accepted by --map (DESIGN.md). */
typedef enum {
    CF_TIMESTAMP, CF_ACCOUNT_ID, CF_REQUEST_ID, CF_API_KEY_ID, CF_CLIENT_IP, CF_ASN, CF_USER_AGENT,
    CF_MODEL, CF_SYSTEM_PROMPT, CF_PROMPT, CF_MESSAGES, CF_RESPONSE_TEXT, CF_MAX_TOKENS,
    CF_TEMPERATURE, CF_LOGPROBS, CF_TOP_LOGPROBS, CF_N, CF_PROMPT_TOKENS, CF_COMPLETION_TOKENS,
    CF_STATUS, CF_END_USER, CF__COUNT
} dw_canon_field;

extern const char *const dw_canon_names[CF__COUNT];


/* Value views.  All accept tok < 0 (absent) and return "absent". */
dw_str dw_dec_str(dw_decoder *d, const dw_json_doc *doc, int32_t tok);     /* strings; numbers as raw text */
bool dw_dec_i32(const dw_json_doc *doc, int32_t tok, int32_t *out);        /* numbers or numeric strings */
bool dw_dec_f64(const dw_json_doc *doc, int32_t tok, double *out);
int  dw_dec_bool(const dw_json_doc *doc, int32_t tok);                     /* 1, 0, or -1 absent */
/* Text of a message `content`: a string, or an array of parts whose text
 * parts ({"type":"text","text":...} / {"content":...}) are joined by '\n'. */
dw_str dw_dec_content(dw_decoder *d, const dw_json_doc *doc, int32_t tok);
/* A timestamp value: RFC 3339 string, or epoch number / numeric string. */
bool dw_dec_ts(dw_decoder *d, const dw_json_doc *doc, int32_t tok, int64_t *ms);
/* Walk an OpenAI-style messages array into system_prompt / prompt / turn counts. */
void dw_dec_messages(dw_decoder *d, const dw_json_doc *doc, int32_t arr, dw_event *ev);
/* Headers object: SDK fingerprint fields and header-name fingerprint. */
void dw_dec_headers(dw_decoder *d, const dw_json_doc *doc, int32_t obj, dw_event *ev);
/* OpenAI-style response object: first choice text, reasoning, finish, usage. */
void dw_dec_response(dw_decoder *d, const dw_json_doc *doc, int32_t obj, dw_event *ev);
/* Request parameters shared by native and LiteLLM (model_parameters). */
void dw_dec_params(const dw_json_doc *doc, int32_t obj, dw_event *ev);
/* Raw bytes of a token's JSON text (for fingerprints). */
dw_str dw_dec_raw(const dw_json_doc *doc, int32_t tok);
/* Append bytes to scratch (bounded by its reserved capacity). */
dw_str dw_dec_scratch_put(dw_decoder *d, const char *p, size_t n);

/* Per-format record decoders: fill ev (and call fn) or return -1 with err.
 * Each plan function builds its adapter's keysets, once per decoder. */
void dw_native_plan(dw_decoder *d);
void dw_litellm_plan(dw_decoder *d);
void dw_otel_plan(dw_decoder *d);
int dw_decode_native(dw_decoder *d, dw_event *ev, char *err, size_t errlen);
int dw_decode_litellm(dw_decoder *d, dw_event *ev, char *err, size_t errlen);
int dw_decode_map(dw_decoder *d, dw_event *ev, char *err, size_t errlen);
int dw_decode_otel(dw_decoder *d, dw_event_fn fn, void *ud, char *err, size_t errlen);
int dw_map_parse(dw_decoder *d, const char *spec, char *err, size_t errlen);
/* Required fields present and sane; else -1 with err. */
int dw_event_check(const dw_event *ev, char *err, size_t errlen);

#endif
