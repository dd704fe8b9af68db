/*
 * world.h -- the simulator's shared state: accounts, scheduled events, and
 * the request being composed.
 *
 * Simulation runs in two passes.  Scheduling decides *when* each account
 * sends something and stores a compact event (time, account, a few small
 * numbers and a seed: ~48 bytes).  After all events are sorted by time,
 * rendering turns each event into its full JSON line by re-deriving every
 * word from the event's seeds.  Holding text for a few hundred thousand
 * requests in memory would cost gigabytes; holding seeds costs megabytes,
 * and sorting small records keeps `requests.jsonl` in timestamp order with a
 * total, deterministic tie-break.
 *
 * Traffic classes plug in through dws_class_impl: populate() creates the
 * accounts of a class, schedule() pushes events for one account, compose()
 * fills a dws_req for one event.
 */
#ifndef DW_SIM_WORLD_H
#define DW_SIM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "sim/corpus.h"
#include "sim/net.h"
#include "sim/rng.h"
#include "sim/scenario.h"

/* Models served during the simulation.  DWS_M_NEW appears at the release. */
enum { DWS_M_LARGE = 0, DWS_M_MINI, DWS_M_REASON, DWS_M_NEW, DWS_M_COUNT };
const char *dws_model_name(int m);
static inline bool dws_model_reasons(int m) { return m == DWS_M_REASON || m == DWS_M_NEW; }

typedef struct dws_account {
    uint64_t seed;
    char id[24];
    char email[48];
    char payment[24];        /* "" means null */
    const char *program;     /* signup_program */
    int64_t created_ms;
    int cls, group, member;  /* class, group within class, index within group */
    int campaign;            /* index into world campaigns, or -1 */
    int country, tz_min, lang;
    bool verified;
    int nkeys;
    dws_sdk sdk;
    dws_ip home;             /* home / office egress / VM address */
    double v6;               /* share of requests over IPv6 where available */
    double rate;             /* own mean requests per active day */
    double active;           /* probability of being active on a given day */
    double adopt_h;          /* hours after a release before moving to the new model */
    double mobile;           /* share of requests from a phone (carrier NAT) */
} dws_account;

typedef struct dws_event {
    int64_t ts;
    uint64_t conv;           /* conversation / session seed */
    uint32_t acct;
    uint32_t item;           /* question-bank item, benchmark item, record, end user ... */
    uint32_t seq;            /* creation order: total tie-break for sorting */
    uint16_t turn;           /* turn within the conversation (0 = first) */
    uint8_t kind;            /* class-specific request kind */
    uint8_t model;
} dws_event;

typedef struct dws_campaign {
    char id[24];
    int cls;
    int first_acct, naccts;
    uint64_t seed;
} dws_campaign;

typedef struct dws_world {
    const dws_scenario *sc;
    uint64_t seed;
    int64_t t0, t1;            /* simulated window [t0, t1) */
    int64_t release_ms;        /* INT64_MAX when no release */
    const dws_corpus *corpus;  /* NULL: built-in text only */
    dws_account *acc;
    size_t nacc, capacc;
    dws_event *ev;
    size_t nev, capev;
    dws_campaign *camp;
    size_t ncamp, capcamp;
    int first_of_class[DWS_CLASS_COUNT];
    int n_of_class[DWS_CLASS_COUNT];
} dws_world;

/* Append a zeroed account of class cls and return it (ids filled later). */
dws_account *dws_world_add_account(dws_world *w, int cls, int group, int member);
/* Append an event; ts outside the window is dropped silently (returns false). */
bool dws_world_push(dws_world *w, const dws_event *e);
/* Register a campaign covering accounts [first, first+n). */
dws_campaign *dws_world_add_campaign(dws_world *w, int cls, int first, int n);

/* ---- what compose() fills --------------------------------------------------- */

#define DWS_MAX_MSGS 16
typedef struct dws_msg {
    const char *role;
    dw_buf text;
    dw_buf tool_calls;       /* raw JSON array for assistant tool calls, or empty */
    char tool_call_id[24];   /* for role "tool" */
} dws_msg;

typedef struct dws_req {
    const char *endpoint;
    int model;
    dw_buf sys;              /* system prompt; empty: none */
    dws_msg msgs[DWS_MAX_MSGS];
    int nmsg;
    dw_buf tools;            /* raw JSON array; empty: none */
    int max_tokens;          /* 0: absent */
    double temperature;      /* < 0: absent */
    double top_p;            /* < 0: absent */
    int n;                   /* 0: absent */
    bool logprobs;
    int top_logprobs;
    bool stream;
    bool json_mode;
    dw_buf end_user;         /* empty: none */
    /* response */
    int status;
    dw_buf answer;
    dw_buf reasoning;
    dw_buf resp_tool_calls;  /* raw JSON array, or empty */
    const char *finish;
    int completion_tokens;   /* 0: derive from the text */
    /* where it came from */
    dws_ip ip;
    dws_sdk sdk;
    int key;                 /* which API key of the account */
    int retry;
} dws_req;

void dws_req_reset(dws_req *q);
void dws_req_free(dws_req *q);
/* Add a message and return its text buffer. */
dw_buf *dws_req_msg(dws_req *q, const char *role);

typedef struct dws_class_impl {
    void (*populate)(dws_world *w, int cls);
    void (*schedule)(dws_world *w, uint32_t acct);
    void (*compose)(dws_world *w, const dws_account *a, const dws_event *e, dws_req *q);
} dws_class_impl;

/* Each class family file exports its table entries. */
extern const dws_class_impl dws_impl_casual, dws_impl_office, dws_impl_campus, dws_impl_jailbreaker;
extern const dws_class_impl dws_impl_coding_agent;
extern const dws_class_impl dws_impl_batch, dws_impl_eval, dws_impl_researcher, dws_impl_reseller;
extern const dws_class_impl dws_impl_rr, dws_impl_hydra, dws_impl_agentic, dws_impl_multilingual;

#endif
