/*
 * corpus.h -- real prompts, answers and token counts from ../shared/corpora.
 *
 * With --corpus DIR the simulator draws text from public data sets instead of
 * (part of) its templates: real Chatbot Arena prompts and model answers,
 * GSM8K problems with worked solutions, MT-Bench two-turn conversations,
 * self-instruct seed tasks, Evol-Instruct instructions and JailbreakBench
 * prompts; and completion-token counts and arrival gaps from the Azure LLM
 * inference trace.  Every file is optional: a missing one just leaves its
 * pool empty and the built-in generators fill in.  Pools are kept in file
 * order so that item i of a pool is the same on every run.
 */
#ifndef DW_SIM_CORPUS_H
#define DW_SIM_CORPUS_H

#include <stddef.h>
#include <stdint.h>

typedef struct dws_qa {
    const char *q;    /* prompt (first turn) */
    const char *a;    /* a reference answer, or NULL */
    const char *q2;   /* second turn (MT-Bench), or NULL */
} dws_qa;

enum {
    DWS_POOL_CHAT = 0,    /* ordinary user requests: arena-hard v0.1, alpaca, wizardlm */
    DWS_POOL_CODE,        /* coding requests: arena-hard v2.0 coding subset */
    DWS_POOL_HARD,        /* hard prompts: arena-hard v2.0 (all) */
    DWS_POOL_MATH_TRAIN,  /* gsm8k train */
    DWS_POOL_MATH_TEST,   /* gsm8k test */
    DWS_POOL_MTBENCH,     /* mt-bench (two turns) */
    DWS_POOL_JAILBREAK,   /* jailbreakbench prompts */
    DWS_POOL_COUNT
};

typedef struct dws_corpus dws_corpus;

/* Load what is there under dir; NULL with a message if dir itself is not a
 * readable directory or holds none of the expected files. */
dws_corpus *dws_corpus_load(const char *dir, char *err, size_t errlen);
void dws_corpus_free(dws_corpus *c);

size_t dws_corpus_size(const dws_corpus *c, int pool);
/* Item idx (taken modulo the pool size) or NULL when the pool is empty. */
const dws_qa *dws_corpus_get(const dws_corpus *c, int pool, uint64_t idx);

/* Completion-token count drawn from the trace (code or conversation); 0 if
 * there is no trace. */
uint32_t dws_corpus_gen_tokens(const dws_corpus *c, int code, uint64_t draw);
/* A real inter-arrival gap of the conversation trace in seconds; < 0 if none. */
double dws_corpus_gap(const dws_corpus *c, uint64_t draw);

/* One line summary ("arena 1250, gsm8k 8792, ...") into out. */
void dws_corpus_describe(const dws_corpus *c, char *out, size_t cap);

#endif
