/*
 * lang.h -- phrases in the languages other than English.
 *
 * Ordinary users in Tokyo, Sao Paulo or Berlin write to the model in their
 * own language, and some of them ask it to explain step by step; a
 * multilingual reasoning-harvest campaign does the same at scale.  Both draw
 * from these lists, so language alone separates nothing.  Kept apart from
 * text.c because it is the only UTF-8-heavy table in the simulator.
 */
#ifndef DW_SIM_LANG_H
#define DW_SIM_LANG_H

#include <stdint.h>

#include "common/buf.h"
#include "sim/rng.h"

void dws_lang_casual(dws_rng *r, int lang, dw_buf *out);
void dws_lang_followup(dws_rng *r, int lang, dw_buf *out);
void dws_lang_sentence(dws_rng *r, int lang, dw_buf *out);
/* A self-contained problem with integer slot n; `item` varies the wording. */
void dws_lang_problem(dws_rng *r, int lang, int n, uint64_t item, dw_buf *out);
/* "Write out your complete reasoning", variant v. */
void dws_lang_cot(int lang, unsigned v, dw_buf *out);

#endif
