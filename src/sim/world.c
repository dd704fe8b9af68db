/*
 * world.c -- growing the account, event and campaign arrays, and the
 * request scratch record.
 *
 * Arrays grow by doubling and abort on allocation failure: the simulator is
 * a batch tool whose inputs are our own scenario numbers, so an allocation
 * failure means the scenario asked for more than the machine has, and a
 * partial output would be worse than none.
 */
#include "sim/world.h"

#include <stdlib.h>
#include <string.h>
#include "common/util.h"

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return p;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    p = dw_xrealloc(p, c * elem);
    *cap = c;
    return p;
}

dws_account *dws_world_add_account(dws_world *w, int cls, int group, int member)
{
    w->acc = grow(w->acc, &w->capacc, w->nacc + 1, sizeof *w->acc);
    dws_account *a = &w->acc[w->nacc];
    memset(a, 0, sizeof *a);
    a->cls = cls;
    a->group = group;
    a->member = member;
    a->campaign = -1;
    /* The seed depends on the account's position in its class, not on how
     * many accounts other classes created: resizing one class leaves every
     * other class's accounts as they were. */
    a->seed = dws_seed_derive(w->seed, 0xACC0 + (uint64_t)cls, ((uint64_t)group << 32) | (uint32_t)member);
    w->nacc++;
    return a;
}

bool dws_world_push(dws_world *w, const dws_event *e)
{
    if (e->ts < w->t0 || e->ts >= w->t1) return false;
    if (e->ts < w->acc[e->acct].created_ms) return false;
    w->ev = grow(w->ev, &w->capev, w->nev + 1, sizeof *w->ev);
    w->ev[w->nev] = *e;
    w->ev[w->nev].seq = (uint32_t)w->nev;
    w->nev++;
    return true;
}

dws_campaign *dws_world_add_campaign(dws_world *w, int cls, int first, int n)
{
    w->camp = grow(w->camp, &w->capcamp, w->ncamp + 1, sizeof *w->camp);
    dws_campaign *c = &w->camp[w->ncamp];
    memset(c, 0, sizeof *c);
    c->cls = cls;
    c->first_acct = first;
    c->naccts = n;
    c->seed = dws_seed_derive(w->seed, 0xCA3B + (uint64_t)cls, w->ncamp);
    w->ncamp++;
    return c;
}

void dws_req_reset(dws_req *q)
{
    dw_buf_reset(&q->sys);
    for (int i = 0; i < DWS_MAX_MSGS; i++) {
        dw_buf_reset(&q->msgs[i].text);
        dw_buf_reset(&q->msgs[i].tool_calls);
        q->msgs[i].tool_call_id[0] = 0;
        q->msgs[i].role = NULL;
    }
    q->nmsg = 0;
    dw_buf_reset(&q->tools);
    dw_buf_reset(&q->end_user);
    dw_buf_reset(&q->answer);
    dw_buf_reset(&q->reasoning);
    dw_buf_reset(&q->resp_tool_calls);
    q->endpoint = "/v1/chat/completions";
    q->model = 0;
    q->max_tokens = 0;
    q->temperature = -1;
    q->top_p = -1;
    q->n = 0;
    q->logprobs = false;
    q->top_logprobs = 0;
    q->stream = false;
    q->json_mode = false;
    q->status = 200;
    q->finish = "stop";
    q->completion_tokens = 0;
    memset(&q->ip, 0, sizeof q->ip);
    memset(&q->sdk, 0, sizeof q->sdk);
    q->key = 0;
    q->retry = 0;
}

void dws_req_free(dws_req *q)
{
    dw_buf_free(&q->sys);
    for (int i = 0; i < DWS_MAX_MSGS; i++) {
        dw_buf_free(&q->msgs[i].text);
        dw_buf_free(&q->msgs[i].tool_calls);
    }
    dw_buf_free(&q->tools);
    dw_buf_free(&q->end_user);
    dw_buf_free(&q->answer);
    dw_buf_free(&q->reasoning);
    dw_buf_free(&q->resp_tool_calls);
}

dw_buf *dws_req_msg(dws_req *q, const char *role)
{
    if (q->nmsg == DWS_MAX_MSGS) {
        /* Keep the most recent turns, as clients that trim history do. */
        dws_msg first = q->msgs[0];
        memmove(&q->msgs[0], &q->msgs[1], (DWS_MAX_MSGS - 1) * sizeof q->msgs[0]);
        q->msgs[DWS_MAX_MSGS - 1] = first;
        q->nmsg--;
    }
    dws_msg *m = &q->msgs[q->nmsg++];
    m->role = role;
    dw_buf_reset(&m->text);
    dw_buf_reset(&m->tool_calls);
    m->tool_call_id[0] = 0;
    return &m->text;
}
