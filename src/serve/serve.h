/*
 * serve.h -- the `distillwatch serve` daemon, as a library call: the CLI
 * (src/cli/serve.c) parses options and signals, server.c does the rest.
 */
#ifndef DW_SERVE_H
#define DW_SERVE_H

#include <stddef.h>
#include "distillwatch.h"

typedef struct dw_serve_opts {
    const char *listen;          /* "ADDR:PORT" or "[V6]:PORT"; port 0 = any free port */
    const char *store;           /* SQLite state + ingest journal; NULL = memory only */
    const char *config, *accounts, *map, *quarantine_dir;
    dw_format format;
    const char *token;           /* bearer token for ingest/admin; NULL only with allow_no_token */
    int allow_no_token;
    const char *check_token;     /* optional bearer token for /v1/check and the guardrail */
    const char *account_header;  /* NULL: the config's [serve] account_header (x-account-id) */
    const char *key_secret;      /* DISTILLWATCH_KEY_SECRET; wins over [serve] key_secret */
    size_t max_body;             /* POST /v1/events body limit, bytes */
    unsigned threads;            /* libmicrohttpd thread pool */
    unsigned max_connections;
    unsigned timeout_s;          /* idle connection timeout */
    int max_queue;               /* ingest batches admitted at once, beyond: 503 */
    double review_rate, review_burst; /* /v1/check throttle for review accounts (<= 0: none) */
    int fail_closed_unknown;     /* unknown account at /v1/check: 403 instead of 200 */
    unsigned checkpoint_batches; /* fold the journal into the store every N batches (0: at shutdown only) */
} dw_serve_opts;

void dw_serve_opts_default(dw_serve_opts *o);

typedef struct dw_server dw_server;

/* Build the engine (loading the store and replaying its journal) and start
 * listening.  Prints "listening on ADDR:PORT" on stderr once ready. */
dw_server *dw_server_start(const dw_serve_opts *o, char *err, size_t errlen);
/* Stop accepting, finish the in-flight requests, save the state.  0 / -1. */
int dw_server_stop(dw_server *s, char *err, size_t errlen);

#endif
