/*
 * testevent.h -- building events by hand for the engine-level tests.
 *
 * Several suites feed synthetic traffic straight into dw_engine_feed_event();
 * they all start from the same "nothing known" event, so it lives here once.
 */
#ifndef DW_TESTEVENT_H
#define DW_TESTEVENT_H
#include <math.h>
#include <string.h>
#include "distillwatch.h"

/* An event of account `acct` at `ts` with every optional field unknown. */
static inline dw_event ev_base(const char *acct, int64_t ts)
{
    dw_event e;
    memset(&e, 0, sizeof e);
    e.ts_ms = ts;
    e.account_id.p = acct;
    e.account_id.n = (uint32_t)strlen(acct);
    e.user_turns = 1;
    e.max_tokens = e.n = e.top_logprobs = e.prompt_tokens = e.completion_tokens = DW_UNKNOWN;
    e.status = e.latency_ms = DW_UNKNOWN;
    e.logprobs = DW_UNKNOWN;
    e.temperature = NAN;
    return e;
}

/* Point a string view at a C string. */
static inline void set(dw_str *s, const char *v)
{
    s->p = v;
    s->n = (uint32_t)strlen(v);
}
#endif
