/*
 * testevent.h -- building events by hand for the engine-level tests.
 *
 * Several suites feed synthetic traffic straight into dw_engine_feed_event();
 * they all start from the same "nothing known" event, so it lives here once.
 */
#ifndef DW_TESTEVENT_H
#define DW_TESTEVENT_H
#include <string.h>
#include "distillwatch.h"

/* An event of account `acct` at `ts` with every optional field unknown. */
static inline dw_event ev_base(const char *acct, int64_t ts)
{
    dw_event e;
    dw_event_init(&e);
    e.ts_ms = ts;
    e.account_id.p = acct;
    e.account_id.n = (uint32_t)strlen(acct);
    e.user_turns = 1;
    return e;
}

/* Point a string view at a C string. */
static inline void set(dw_str *s, const char *v)
{
    s->p = v;
    s->n = (uint32_t)strlen(v);
}
#endif
