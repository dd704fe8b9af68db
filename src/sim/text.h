/*
 * text.h -- built-in text: prompts and answers without any external corpus.
 *
 * The demo and the tests must run on a bare checkout, so every kind of prompt
 * a traffic class sends has a generator here built from templates and word
 * lists.  Generators are pure functions of the random stream they are given;
 * the same stream always yields the same words, which is how a multi-turn
 * conversation can re-create its earlier turns on demand instead of keeping
 * them in memory.  Items of a question bank are functions of (bank seed,
 * item number) so that "no item repeats" and "every lab runs the same
 * benchmark" are properties of the numbers, not of bookkeeping.
 *
 * Text is plain ASCII for English and UTF-8 for the other languages; the
 * renderer escapes everything through the JSON writer.
 */
#ifndef DW_SIM_TEXT_H
#define DW_SIM_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "sim/rng.h"

/* Languages with built-in phrases; index 0 is English. */
enum { DWS_L_EN = 0, DWS_L_ZH, DWS_L_ES, DWS_L_FR, DWS_L_DE, DWS_L_RU, DWS_L_JA, DWS_L_KO,
       DWS_L_PT, DWS_L_AR, DWS_L_COUNT };
const char *dws_lang_code(int lang);

/* What kind of everyday request a casual prompt is. */
enum { DWS_T_EXPLAIN = 0, DWS_T_ADVICE, DWS_T_WRITING, DWS_T_CODING, DWS_T_MATH, DWS_T_SUMMARY,
       DWS_T_TRIVIA, DWS_T_COUNT };

/* An everyday prompt of the given kind (English). */
void dws_text_casual(dws_rng *r, dw_buf *out, int kind);
/* An everyday prompt in `lang` (falls back to English for DWS_L_EN). */
void dws_text_casual_lang(dws_rng *r, dw_buf *out, int lang);
/* A follow-up turn in a conversation ("make it shorter", ...). */
void dws_text_followup(dws_rng *r, dw_buf *out, int lang);

/* Answer prose of roughly `chars` characters; kind as above (code blocks for
 * coding, numbered steps for math). */
void dws_text_answer(dws_rng *r, dw_buf *out, int kind, size_t chars, int lang);
/* A reasoning trace ("reasoning_content") of roughly `chars` characters. */
void dws_text_reasoning(dws_rng *r, dw_buf *out, size_t chars, int lang);
/* A short refusal. */
void dws_text_refusal(dws_rng *r, dw_buf *out);

/* Item `item` of a question bank seeded by `bank`: a self-contained problem
 * (math word problem, logic puzzle, coding task, science question) in lang. */
void dws_text_bank_item(uint64_t bank, uint64_t item, dw_buf *out, int lang);
/* A multiple-choice benchmark item (question and four options). */
void dws_text_mc_item(uint64_t bank, uint64_t item, dw_buf *out);
/* Homework problem `idx` of `week` for a course seeded by `course`. */
void dws_text_homework(uint64_t course, int week, int idx, dw_buf *out);

/* A jailbreak attempt. */
void dws_text_jailbreak(dws_rng *r, dw_buf *out);
/* A record for a templated batch job: `job` selects the template family. */
void dws_text_batch_record(dws_rng *r, int job, dw_buf *out);
const char *dws_text_batch_instruction(int job);
void dws_text_batch_answer(dws_rng *r, int job, dw_buf *out);
#define DWS_BATCH_JOBS 4

/* A coding task for an agent session, and a tool's textual result. */
void dws_text_agent_task(dws_rng *r, dw_buf *out);
void dws_text_tool_output(dws_rng *r, dw_buf *out);
/* A short code snippet in some language. */
void dws_text_code(dws_rng *r, dw_buf *out);

/* A paragraph of ordinary prose (for summaries, rewrites, cover text). */
void dws_text_paragraph(dws_rng *r, dw_buf *out, int sentences);

/* "Show all your reasoning" in `lang`, variant v (any non-negative number). */
void dws_text_cot_demand(int lang, unsigned v, dw_buf *out);

/* Paraphrase `k` of a template family: families are distillation harness
 * system prompts (0), answer-format instructions (1), rubric-grading
 * preambles (2), private agent harness system prompts (3), and a reasoning
 * persona of a researcher's own script (4).  Different k give different
 * wordings of the same intent; k beyond the family's combinations wraps. */
void dws_text_variant(int family, unsigned k, dw_buf *out);
enum { DWS_V_HARNESS = 0, DWS_V_FORMAT, DWS_V_RUBRIC, DWS_V_AGENT, DWS_V_RESEARCH };

/* A first name, a city and a company-ish word for ids and templates. */
const char *dws_text_name(dws_rng *r);
const char *dws_text_city(dws_rng *r);
const char *dws_text_word(dws_rng *r);

#endif
