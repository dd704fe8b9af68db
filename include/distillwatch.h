/*
 * distillwatch.h -- the public API of libdistillwatch.
 *
 * DistillWatch reads an API provider's request logs and says which accounts
 * are harvesting the model ("distillation"), with reasons.  The pipeline is
 * the one of DESIGN.md:
 *
 *   source -> decode -> enrich -> account state -> (link -> campaigns) -> score -> sinks
 *
 * This header is all an embedder needs: open a decoder for the log format,
 * create an engine from a configuration, feed it lines (or already decoded
 * events), finish, and write the outputs.  `distillwatch scan` is a thin
 * command over exactly these calls; `serve` will be another.
 *
 * Conventions: functions that can fail return 0 / a pointer on success and
 * -1 / NULL on failure, with a human-readable message in the caller's
 * `err` buffer.  Strings in dw_event are views (pointer + length), valid only
 * during the callback that receives them.
 */
#ifndef DISTILLWATCH_H
#define DISTILLWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DW_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Events: the canonical request-log record every adapter produces.    */
/* ------------------------------------------------------------------ */

typedef struct dw_str {
    const char *p;   /* not NUL-terminated; NULL when absent */
    uint32_t    n;
} dw_str;

#define DW_UNKNOWN (-1)

typedef struct dw_event {
    int64_t ts_ms;              /* event time, ms since the epoch (required) */
    dw_str  account_id;         /* the paying principal (required) */
    dw_str  request_id, api_key_id, client_ip, user_agent, model, endpoint, end_user;
    dw_str  system_prompt;      /* first system/developer message, text parts joined */
    dw_str  prompt;             /* last user message, text parts joined */
    dw_str  response_text;      /* first choice's content */
    dw_str  sdk_lang, sdk_version; /* x-stainless-lang / -package-version headers */
    uint64_t header_fp;         /* hash of the sorted set of header names, 0 if none */
    uint64_t tools_fp;          /* hash of the raw tools schema, 0 if none */
    uint32_t asn;               /* 0 = unknown */
    int32_t  max_tokens, n, top_logprobs, prompt_tokens, completion_tokens;
    int32_t  status, latency_ms;  /* all int32 fields: DW_UNKNOWN when absent */
    int8_t   logprobs;          /* 1 requested, 0 not, DW_UNKNOWN absent */
    uint8_t  has_reasoning;     /* response carries reasoning_content / reasoning */
    uint8_t  finish_length;     /* finish_reason == "length" */
    uint16_t user_turns, assistant_turns, tool_messages;
    double   temperature;       /* NaN when absent */
} dw_event;

/* An event with nothing known: every optional number DW_UNKNOWN, strings
 * absent, temperature NaN, no timestamp.  Start here when building events
 * for dw_engine_feed_event(). */
void dw_event_init(dw_event *ev);

/* ------------------------------------------------------------------ */
/* Decoding: one log line -> zero or more events.                      */
/* ------------------------------------------------------------------ */

typedef enum { DW_FMT_NATIVE = 0, DW_FMT_LITELLM, DW_FMT_OTEL, DW_FMT_MAP } dw_format;

typedef struct dw_decoder dw_decoder;

/* fmt DW_FMT_MAP needs `map_spec` ("canonical=dotted.path,..."); other
 * formats accept an optional spec that overrides individual fields. */
dw_decoder *dw_decoder_new(dw_format fmt, const char *map_spec, char *err, size_t errlen);
void dw_decoder_free(dw_decoder *d);
int dw_format_parse(const char *name, dw_format *out);
const char *dw_format_name(dw_format f);

typedef int (*dw_event_fn)(void *ud, const dw_event *ev);

/* Decode one line.  Calls fn once per event (OTLP lines may hold many spans).
 * Returns the number of events, or -1 when the line is malformed: then `err`
 * says why and *err_off is the byte offset of the problem (or 0). */
int dw_decode_line(dw_decoder *d, const char *line, size_t len, dw_event_fn fn, void *ud,
                   char *err, size_t errlen, size_t *err_off);

/* ------------------------------------------------------------------ */
/* Configuration: signal weights and verdict thresholds.               */
/* ------------------------------------------------------------------ */

typedef struct dw_config dw_config;

/* Built-in defaults (identical to config/distillwatch.conf). */
dw_config *dw_config_new(void);
/* Overlay an INI file on top of cfg.  Unknown sections or keys are errors
 * (a typo must not silently disable a signal). */
int dw_config_load(dw_config *cfg, const char *path, char *err, size_t errlen);
void dw_config_free(dw_config *cfg);

/* ------------------------------------------------------------------ */
/* The engine: account state, signals, verdicts, alerts, outputs.      */
/* ------------------------------------------------------------------ */

typedef struct dw_engine dw_engine;

typedef enum { DW_ALLOW = 0, DW_REVIEW = 1, DW_BLOCK = 2 } dw_verdict;
const char *dw_verdict_name(dw_verdict v);

typedef struct dw_stats {
    uint64_t lines_read;        /* lines (records) read from all sources */
    uint64_t lines_accepted;    /* decoded into >= 1 event */
    uint64_t lines_quarantined; /* malformed: in quarantine, with location */
    uint64_t lines_blank;       /* empty lines: skipped, counted */
    uint64_t events;            /* events processed (one line may hold several) */
    uint64_t events_late;       /* arrived after the reorder window closed */
    uint64_t bytes;             /* input bytes (decompressed) */
    uint64_t accounts;
    uint64_t alerts;
    uint64_t verdicts[3];       /* accounts per verdict, after finish */
} dw_stats;

/* cfg is copied; the engine does not keep the pointer. */
dw_engine *dw_engine_new(const dw_config *cfg, char *err, size_t errlen);
void dw_engine_free(dw_engine *e);

/* Optional: the accounts file (JSONL; DESIGN.md).  Malformed lines are
 * quarantined like log lines. */
int dw_engine_load_accounts(dw_engine *e, const char *path, char *err, size_t errlen);

/* Optional: persist state in a SQLite file.  Existing state is loaded now;
 * dw_engine_finish() saves it.  Scanning day 1 then day 2 with the same store
 * gives the verdicts of scanning both at once. */
int dw_engine_open_store(dw_engine *e, const char *path, char *err, size_t errlen);

/* Where quarantined lines go: DIR/quarantine.jsonl (location + error) and
 * DIR/quarantine.raw (the lines exactly as read).  Without it, quarantined
 * lines are only counted and reported on stderr. */
int dw_engine_set_quarantine_dir(dw_engine *e, const char *dir, char *err, size_t errlen);

/* Feed one raw line from source `src` (a name for messages) at line number
 * `lineno`.  Malformed lines are quarantined, never fatal.  Returns 0, or -1
 * only on an I/O failure of a sink. */
int dw_engine_feed_line(dw_engine *e, dw_decoder *dec, const char *src, uint64_t lineno,
                        const char *line, size_t len);

/* Feed an already-decoded event. */
int dw_engine_feed_event(dw_engine *e, const dw_event *ev);

/* Read a whole source: a file path (".gz" and ".zst" decompressed by content),
 * or "-" for stdin. */
int dw_engine_feed_file(dw_engine *e, dw_decoder *dec, const char *path, char *err, size_t errlen);

/* End of input: drain the reorder buffer, compute final verdicts, save the store. */
int dw_engine_finish(dw_engine *e, char *err, size_t errlen);

/* After finish: write accounts.jsonl (and the other sinks) into dir. */
int dw_engine_write_outputs(dw_engine *e, const char *dir, char *err, size_t errlen);

/* A readable summary for humans (what `scan` prints). */
void dw_engine_print_summary(dw_engine *e, void *file /* FILE* */);

dw_stats dw_engine_stats(const dw_engine *e);

/* The current verdict and score of account `id` (as of the last assessment;
 * after finish, the final one).  Returns 0, or -1 when the account is unknown. */
int dw_engine_lookup(const dw_engine *e, const char *id, dw_verdict *verdict, double *score);

/* ================================================================== */
/* PROVE: watermarking, radioactivity and output fingerprints         */
/* (src/prove/; docs/provenance.md).  Section owned by the prove work. */
/* ================================================================== */

/* Green-list watermark (Kirchenbauer et al. 2023) with the seeding schemes of
 * the reference implementations; green lists replay PyTorch's CPU
 * generator and randperm bit for bit. */
typedef enum { DW_WM_HASH = 0, DW_WM_LEFTHASH = 1, DW_WM_SELFHASH = 2 } dw_wm_seeding;

typedef struct dw_wm_params {
    dw_wm_seeding seeding;
    uint32_t ngram;     /* context width h (selfhash: including the token itself) */
    uint64_t salt;      /* hash key: 35317 (hash), 15485863 (lefthash, selfhash) */
    uint64_t key;       /* hash scheme only: the secret the hash starts from */
    double   gamma;     /* green share, e.g. 0.25 */
    double   delta;     /* generation: bias added to green logits, e.g. 2.0 */
    uint32_t vocab;     /* permuted vocabulary size (the tokenizer's vocab_size) */
} dw_wm_params;

typedef struct dw_wm dw_wm;   /* one per thread: holds scratch state */

/* The reference defaults for a scheme (gamma 0.25, delta 2, h and salt). */
void dw_wm_params_default(dw_wm_params *p, dw_wm_seeding s, uint32_t vocab);
int dw_wm_seeding_parse(const char *name, dw_wm_seeding *out);
const char *dw_wm_seeding_name(dw_wm_seeding s);
dw_wm *dw_wm_new(const dw_wm_params *p, char *err, size_t errlen);
void dw_wm_free(dw_wm *w);

/* Generation side, called once per decoding step by an inference server:
 * ctx holds the ids generated so far (the prompt may be included), logits the
 * next-token scores for ids 0..nlogits-1.  Adds delta to the green ids'
 * logits in place.  Returns the number of logits biased, 0 when ctx is
 * shorter than the scheme's context (nothing is biased then, as in the
 * reference). */
int dw_wm_bias_logits(dw_wm *w, const uint32_t *ctx, size_t nctx, float *logits, uint32_t nlogits);

/* The same for a sparse candidate list (llama.cpp's llama_token_data_array:
 * ids[i] with logits[i]); candidates need not be sorted. */
int dw_wm_bias_candidates(dw_wm *w, const uint32_t *ctx, size_t nctx, const int32_t *ids,
                          float *logits, size_t ncand);

/* Is `token` green after ctx (the last context_len ids of ctx are used)? */
bool dw_wm_is_green(dw_wm *w, const uint32_t *ctx, uint32_t token);

/* Tokenizers (SentencePiece .model, or "bytes"). */
typedef struct dw_tokenizer dw_tokenizer;
dw_tokenizer *dw_tokenizer_load(const char *path, char *err, size_t errlen);
void dw_tokenizer_free(dw_tokenizer *t);

/* Scoring tapes: which positions count (see docs/provenance.md). */
typedef enum { DW_TAPE_NONE = 0, DW_TAPE_V1 = 1, DW_TAPE_V2 = 2 } dw_wm_tape;
int dw_wm_tape_parse(const char *name, dw_wm_tape *out);

typedef struct dw_wm_result {
    uint64_t tokens;       /* tokens in the text */
    uint64_t num_token;    /* tokens scored */
    uint64_t num_green;
    double   score;        /* num_green / num_token (NaN when 0) */
    double   z;            /* z-score (NaN when 0 tokens) */
    double   log_pvalue;   /* natural log of the exact binomial tail; 0 = p of 1 */
    int      valid_pvalue; /* 0 for tape none: repeated n-grams break the binomial */
} dw_wm_result;

/* Detect from text alone: tokenize (Hugging Face semantics,
 * add_special_tokens=False) and score one text. */
int dw_wm_score_text(dw_wm *w, const dw_tokenizer *t, dw_wm_tape tape, const char *text, size_t n,
                     dw_wm_result *out);

/* log P(X >= k), X ~ Binomial(n, p): exact, valid far below 1e-300. */
double dw_binom_logsf(uint64_t k, uint64_t n, double p);

/* ====================== end of the PROVE section ====================== */

#ifdef __cplusplus
}
#endif
#endif
