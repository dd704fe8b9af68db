/*
 * actor.h -- what every traffic class needs about "a customer": an identity
 * that looks like everyone else's, a model choice that follows releases, an
 * address for each request, and an answer for each prompt.
 *
 * Sharing these helpers is what keeps single fields from becoming labels:
 * a campaign account's id, email, card, SDK and model are drawn by the same
 * code as a casual user's, and only the choices that the public record says
 * differ (shared cards, proxy networks, pacing, templates) are made by the
 * campaign itself.
 */
#ifndef DW_SIM_ACTOR_H
#define DW_SIM_ACTOR_H

#include "sim/world.h"

/* Fill id (acct_ + 16 hex, a bijective hash of the account's seed, so ids
 * say nothing about class or creation order). */
void dws_acct_id(const dws_world *w, dws_account *a);
/* An ordinary person: country (or `country` if >= 0), zone, language,
 * consumer email, own card, SDK, home address, age of the account. */
void dws_acct_person(dws_world *w, dws_account *a, dws_rng *r, int country);
/* A fresh payment fingerprint. */
void dws_payment_new(dws_rng *r, char *out);
/* created_at: `days_before` days (fractional) before the window start. */
void dws_acct_created(dws_world *w, dws_account *a, double days_before);

/* Model preferences. */
enum { DWS_PREF_CASUAL = 0, DWS_PREF_DEV, DWS_PREF_REASON, DWS_PREF_PINNED };
int dws_pick_model(const dws_world *w, const dws_account *a, dws_rng *r, int64_t ts, int pref);

/* Address for a benign person's request: home (IPv4/IPv6), sometimes phone
 * (carrier NAT), home addresses renumbered every few days. */
void dws_person_ip(const dws_world *w, const dws_account *a, const dws_event *e, dws_rng *r, dws_ip *out);

/* Completion tokens for a response: from the Azure trace when a corpus is
 * loaded, else a log-normal fitted to it.  `code` selects the code trace. */
int dws_gen_tokens(const dws_world *w, dws_rng *r, int code, double scale);

/* Fill the response: answer text (reference answer when given, else built
 * in), reasoning when the model reasons, completion tokens and finish reason. */
void dws_respond(const dws_world *w, dws_rng *r, dws_req *q, int kind, int lang, const char *ref, double scale);

/* Casual prompt text from the corpus (when loaded, with probability p) or the
 * templates; returns the reference answer if any.  *kind gets the text kind. */
const char *dws_casual_prompt(const dws_world *w, dws_rng *r, dw_buf *out, int lang, double p_corpus, int *kind);

#endif
