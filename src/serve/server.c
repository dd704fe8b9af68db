/*
 * server.c -- `distillwatch serve`: the engine of `scan`, behind HTTP.
 *
 * Shape.  libmicrohttpd runs a small pool of polling threads; every handler
 * that touches the engine takes one mutex, because the engine is
 * single-threaded by design (one account table, one reorder buffer).  The
 * gateway's question, /v1/check, is a hash lookup under that mutex and a
 * response with a few headers: no body parsing, no allocation beyond the
 * response object.  Ingest is the opposite (megabytes of JSON), so it is
 * serialised by a second mutex and feeds the engine in chunks of lines,
 * releasing the engine mutex between chunks: a 16 MiB batch never stalls the
 * checks behind it for longer than one chunk.
 *
 * Durability.  A batch is committed to the journal (journal.c) before it is
 * fed and before the reply, so an acknowledged batch survives kill -9; a
 * restart loads the saved state and replays what the save does not hold.
 *
 * Bounds.  Bodies are limited (413, refused from Content-Length before any
 * byte is read when the client sends one), connections are limited and time
 * out, and at most max_queue ingest batches are admitted at once; beyond
 * that the answer is 503 with Retry-After, so memory is bounded by
 * max_queue x max_body whatever the clients do.  Request parsing lives in
 * request.c, where the fuzzer reaches it.  With a store, the accounts held in
 * memory are capped ([state] max_accounts): between chunks of a batch the
 * engine evicts the least recently seen light accounts to the store, and
 * reloads them when they are seen again (engine.c explains which and why).
 */
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "serve/serve.h"
#include "serve/request.h"
#include "serve/journal.h"
#include "serve/ratelimit.h"
#include "serve/metrics.h"
#include "serve/keyid.h"
#include "pipeline/engine_int.h"
#include "common/buf.h"
#include "common/util.h"

#define FEED_CHUNK 1024 /* lines fed per hold of the engine mutex */

enum route { R_NONE, R_EVENTS, R_CHECK, R_GUARD, R_ACCOUNT, R_CAMPAIGNS, R_METRICS, R_HEALTH };

struct dw_server {
    dw_serve_opts o;
    struct MHD_Daemon *d;
    dw_engine *e;
    dw_decoder *dec;           /* the listener's --format / --map */
    dw_decoder *by_fmt[DW_FMT_OTEL + 1]; /* x-distillwatch-format: native, litellm, otel */
    dw_journal *j;
    pthread_mutex_t mu;        /* the engine, the rate limiter */
    pthread_mutex_t ingest_mu; /* one batch at a time, in journal order */
    dw_ratelimit *rl;
    dw_serve_metrics m;
    uint64_t batches;
    unsigned since_checkpoint;
    int unix_fd;               /* --listen unix:PATH: the socket until libmicrohttpd owns it, else -1 */
    int unix_bound;            /* remove the socket file when done */
    char account_header[128];  /* --account-header, else [serve] account_header */
    int key_hash;              /* DW_KEYHASH_*: the header is an API key to hash */
    char key_secret[256];
    size_t key_secret_len;
};

typedef struct conn {
    enum route route;
    int fmt;        /* x-distillwatch-format, or -1: the listener's */
    int admitted;   /* counted in the ingest queue */
    int too_big;
    dw_buf body;
} conn;

void dw_serve_opts_default(dw_serve_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = DW_FMT_NATIVE;
    o->max_body = 16u << 20;
    o->threads = 4;
    o->max_connections = 1024;
    o->timeout_s = 30;
    o->max_queue = 8;
    o->review_rate = 1;
    o->review_burst = 10;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- responses ------------------------------------------------------ */

typedef struct hdr { const char *k, *v; } hdr;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype, const char *body, size_t n,
                             const hdr *h, int nh)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    if (ctype) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    for (int i = 0; i < nh; i++) MHD_add_response_header(r, h[i].k, h[i].v);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, const char *json, const hdr *h, int nh)
{
    return reply(c, status, "application/json", json, strlen(json), h, nh);
}

/* An id is printable ASCII (request.c); only '"' and '\\' need escaping. */
static void json_id(char *out, size_t cap, const char *id)
{
    size_t n = 0;
    for (; *id && n + 2 < cap; id++) {
        if (*id == '"' || *id == '\\') out[n++] = '\\';
        out[n++] = *id;
    }
    out[n] = 0;
}

/* ---- ingest ----------------------------------------------------------- */

typedef struct feed_result { uint64_t accepted, quarantined, events; } feed_result;

/* Under the engine mutex: back under the account cap.  A failed spill keeps
 * the accounts in memory (nothing is lost, memory grows) and is reported
 * once, not once per chunk. */
static void trim(dw_server *s)
{
    dw_engine *e = s->e;
    if (!dw_engine_trim_due(e)) return;
    char err[512];
    int64_t t0 = now_ns();
    long n = dw_engine_trim(e, err, sizeof err);
    uint64_t ns = (uint64_t)(now_ns() - t0);
    atomic_fetch_add(&s->m.evict_passes, 1);
    atomic_fetch_add(&s->m.evict_ns, ns);
    if (ns > atomic_load(&s->m.evict_max_ns)) atomic_store(&s->m.evict_max_ns, ns); /* one writer: the engine mutex is held */
    if (n < 0 && !e->spill_warned) {
        e->spill_warned = 1;
        fprintf(stderr, "distillwatch serve: cannot evict accounts to the store, memory will grow: %s\n", err);
    }
}

/* Feed one NDJSON batch, FEED_CHUNK lines per hold of the engine mutex.
 * Callers hold ingest_mu (or run before the daemon starts). */
static void feed_batch(dw_server *s, int fmt, const char *body, size_t n, const char *src, feed_result *fr)
{
    dw_engine *e = s->e;
    dw_decoder *dec = fmt >= 0 && fmt <= DW_FMT_OTEL ? s->by_fmt[fmt] : s->dec;
    size_t pos = 0;
    uint64_t lineno = 0;
    pthread_mutex_lock(&s->mu);
    uint64_t acc0 = e->st.lines_accepted, q0 = e->st.lines_quarantined, ev0 = e->st.events;
    unsigned in_chunk = 0;
    while (pos < n) {
        const char *nl = memchr(body + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - body) : n;
        const char *line = body + pos;
        size_t len = end - pos;
        pos = nl ? end + 1 : n;
        lineno++;
        if (len && line[len - 1] == '\r') len--;
        if (len > e->cfg.max_line_bytes) {
            char why[96];
            snprintf(why, sizeof why, "line longer than max_line_bytes (%zu)", e->cfg.max_line_bytes);
            dw_engine_quarantine(e, src, lineno, 0, why, line, len, 0);
            e->st.lines_read++;
            e->st.lines_quarantined++;
        } else {
            dw_engine_feed_line(e, dec, src, lineno, line, len);
        }
        e->st.bytes += len + 1;
        if (++in_chunk == FEED_CHUNK) { /* let the checks in */
            in_chunk = 0;
            trim(s);
            pthread_mutex_unlock(&s->mu);
            pthread_mutex_lock(&s->mu);
        }
    }
    trim(s);
    fr->accepted = e->st.lines_accepted - acc0;
    fr->quarantined = e->st.lines_quarantined - q0;
    fr->events = e->st.events - ev0;
    pthread_mutex_unlock(&s->mu);
}

/* Fold the journal into the saved state: dw_engine_finish() drains the
 * reorder buffer, re-assesses every account and saves; then the journal is
 * emptied (a crash in between is harmless, see journal.c).  It holds the
 * engine for a full re-assessment, hence opt-in (--checkpoint-batches).
 * Draining early means events that would have waited in the reorder buffer
 * are processed at once, and stragglers behind them count as late. */
static void checkpoint(dw_server *s)
{
    char err[512];
    s->since_checkpoint = 0;
    pthread_mutex_lock(&s->mu);
    int rc = dw_engine_finish(s->e, err, sizeof err);
    pthread_mutex_unlock(&s->mu);
    if (rc < 0 || dw_journal_truncate(s->j, err, sizeof err) < 0)
        fprintf(stderr, "distillwatch serve: checkpoint failed (the journal keeps the batches): %s\n", err);
}

static enum MHD_Result do_events(dw_server *s, struct MHD_Connection *c, conn *k)
{
    if (k->too_big) {
        atomic_fetch_add(&s->m.ingest_too_large, 1);
        return reply_json(c, 413, "{\"error\":\"body larger than the ingest limit\"}", NULL, 0);
    }
    char err[512], src[64];
    feed_result fr = {0, 0, 0};
    pthread_mutex_lock(&s->ingest_mu);
    if (s->j) {
        /* only this path advances seq, and it holds ingest_mu: no race */
        if (dw_journal_append(s->j, s->e->seq, k->fmt, k->body.p, k->body.len, err, sizeof err) < 0) {
            pthread_mutex_unlock(&s->ingest_mu);
            fprintf(stderr, "distillwatch serve: %s\n", err);
            static const hdr ra[] = {{"Retry-After", "5"}};
            return reply_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, "{\"error\":\"journal write failed; batch not accepted\"}", ra, 1);
        }
    }
    snprintf(src, sizeof src, "events#%llu", (unsigned long long)++s->batches);
    feed_batch(s, k->fmt, k->body.p ? k->body.p : "", k->body.len, src, &fr);
    if (s->j && s->o.checkpoint_batches && ++s->since_checkpoint >= s->o.checkpoint_batches) checkpoint(s);
    pthread_mutex_unlock(&s->ingest_mu);
    atomic_fetch_add(&s->m.ingest_batches, 1);
    char out[160];
    snprintf(out, sizeof out, "{\"accepted\":%llu,\"quarantined\":%llu,\"events\":%llu}", (unsigned long long)fr.accepted,
             (unsigned long long)fr.quarantined, (unsigned long long)fr.events);
    return reply_json(c, MHD_HTTP_OK, out, NULL, 0);
}

/* ---- the gateway's question ------------------------------------------ */

typedef struct decision {
    int known;
    dw_verdict v;
    double score, retry_s;
    int throttled;
    char campaign[DW_CAMPAIGN_ID]; /* the account's campaign when judged suspicious, else "" */
} decision;

static void decide(dw_server *s, const char *id, decision *dcs)
{
    memset(dcs, 0, sizeof *dcs);
    pthread_mutex_lock(&s->mu);
    const dw_engine *e = s->e;
    uint32_t i = dw_accounts_find(&e->accts, id, strlen(id));
    dcs->known = i != UINT32_MAX;
    if (dcs->known) {
        dcs->v = (dw_verdict)e->accts.v[i].verdict;
        dcs->score = e->accts.v[i].score;
        const dw_campaign *c = e->camps ? dw_campaign_of(e->camps, i, NULL) : NULL;
        if (c && c->verdict >= DW_REVIEW) memcpy(dcs->campaign, c->id, sizeof dcs->campaign);
    } else if (e->bloom) {
        /* evicted: answer from the store without bringing it back (it is in no campaign) */
        dcs->known = dw_engine_peek_stored(s->e, id, strlen(id), &dcs->v, &dcs->score);
    }
    if (dcs->known && dcs->v == DW_REVIEW) {
        int64_t us = now_ns() / 1000;
        dcs->throttled = !dw_rl_take(s->rl, dw_hash(id, strlen(id)), us, &dcs->retry_s);
    }
    pthread_mutex_unlock(&s->mu);
}

/* The account named by the configured header: the value itself, or the
 * keyid of the API key it carries.  NULL when absent or not a valid id. */
static const char *header_account(dw_server *s, struct MHD_Connection *c, char out[DW_SERVE_MAX_ID + 1])
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, s->account_header);
    if (!h || !dw_serve_valid_id(h, strlen(h))) return NULL;
    if (s->key_hash == DW_KEYHASH_NONE) return h;
    return dw_keyid(s->key_secret, s->key_secret_len, h, strlen(h), out, DW_SERVE_MAX_ID + 1) < 0 ? NULL : out;
}

static enum MHD_Result do_check(dw_server *s, struct MHD_Connection *c)
{
    int64_t t0 = now_ns();
    char idbuf[DW_SERVE_MAX_ID + 1];
    const char *id = header_account(s, c, idbuf);
    if (!id) {
        char msg[400]; /* names the header, never echoes its value: it may be a key */
        snprintf(msg, sizeof msg, "{\"error\":\"missing or invalid account header\",\"header\":\"%s\"}", s->account_header);
        return reply_json(c, MHD_HTTP_BAD_REQUEST, msg, NULL, 0);
    }
    decision dcs;
    decide(s, id, &dcs);
    char score[32], jid[2 * DW_SERVE_MAX_ID + 2], body[1024], retry[32];
    snprintf(score, sizeof score, "%.4f", dcs.known ? dcs.score : 0.0);
    enum MHD_Result ret;
    if (!dcs.known) {
        atomic_fetch_add(&s->m.check_unknown, 1);
        hdr h[] = {{"x-distillwatch-verdict", "unknown"}, {"x-distillwatch-score", "0"}};
        if (s->o.fail_closed_unknown) ret = reply_json(c, MHD_HTTP_FORBIDDEN, "{\"verdict\":\"unknown\",\"reason\":\"account not known to DistillWatch (fail-closed)\"}", h, 2);
        else ret = reply(c, MHD_HTTP_OK, NULL, "", 0, h, 2);
    } else if (dcs.v == DW_BLOCK) {
        atomic_fetch_add(&s->m.check_block, 1);
        json_id(jid, sizeof jid, id);
        snprintf(body, sizeof body, "{\"verdict\":\"block\",\"account_id\":\"%s\",\"score\":%s,"
                 "\"reason\":\"account blocked by DistillWatch: its traffic matches model distillation; "
                 "details at /v1/accounts/{id}\"}", jid, score);
        hdr h[] = {{"x-distillwatch-verdict", "block"}, {"x-distillwatch-score", score}, {"x-distillwatch-campaign", dcs.campaign}};
        ret = reply_json(c, MHD_HTTP_FORBIDDEN, body, h, dcs.campaign[0] ? 3 : 2);
    } else if (dcs.throttled) {
        atomic_fetch_add(&s->m.check_throttled, 1);
        json_id(jid, sizeof jid, id);
        snprintf(retry, sizeof retry, "%d", (int)dcs.retry_s + 1);
        snprintf(body, sizeof body, "{\"verdict\":\"review\",\"account_id\":\"%s\",\"score\":%s,"
                 "\"reason\":\"account under review by DistillWatch and over its review rate (%g/s)\"}", jid, score, s->o.review_rate);
        hdr h[] = {{"x-distillwatch-verdict", "review"}, {"x-distillwatch-score", score}, {"Retry-After", retry},
                   {"Cache-Control", "no-store"}, {"x-distillwatch-campaign", dcs.campaign}};
        ret = reply_json(c, MHD_HTTP_TOO_MANY_REQUESTS, body, h, dcs.campaign[0] ? 5 : 4);
    } else {
        atomic_fetch_add(dcs.v == DW_REVIEW ? &s->m.check_review : &s->m.check_allow, 1);
        /* a review answer spends a token of the account's throttle: a gateway
         * cache (docs/operations.md, nginx proxy_cache) must not replay it */
        hdr h[] = {{"x-distillwatch-verdict", dw_verdict_name(dcs.v)}, {"x-distillwatch-score", score},
                   {"x-distillwatch-campaign", dcs.campaign}, {"Cache-Control", "no-store"}};
        int nh = dcs.campaign[0] ? 3 : 2;
        if (dcs.v == DW_REVIEW) {
            if (!dcs.campaign[0]) h[2] = h[3];
            nh++;
        }
        ret = reply(c, MHD_HTTP_OK, NULL, "", 0, h, nh);
    }
    atomic_fetch_add(&s->m.check_total, 1);
    dw_metrics_observe_check(&s->m, (uint64_t)(now_ns() - t0));
    return ret;
}

/* LiteLLM's generic guardrail API: same decision, its JSON contract. */
static enum MHD_Result do_guardrail(dw_server *s, struct MHD_Connection *c, conn *k)
{
    if (k->too_big) return reply_json(c, 413, "{\"error\":\"body too large\"}", NULL, 0);
    char id[DW_SERVE_MAX_ID + 1];
    int n = dw_serve_guardrail_account(k->body.p ? k->body.p : "", k->body.len, id, sizeof id);
    if (n < 0) return reply_json(c, MHD_HTTP_BAD_REQUEST, "{\"error\":\"body is not a JSON object\"}", NULL, 0);
    if (n == 0) { /* the body names no account: the header, hashed like /v1/check's */
        char hb[DW_SERVE_MAX_ID + 1];
        const char *h = header_account(s, c, hb);
        if (h) snprintf(id, sizeof id, "%s", h);
    }
    atomic_fetch_add(&s->m.guardrail_total, 1);
    if (!id[0]) return reply_json(c, MHD_HTTP_OK, "{\"action\":\"NONE\"}", NULL, 0);
    decision dcs;
    decide(s, id, &dcs);
    if (dcs.known && (dcs.v == DW_BLOCK || dcs.throttled)) {
        atomic_fetch_add(&s->m.guardrail_blocked, 1);
        char body[512];
        snprintf(body, sizeof body, "{\"action\":\"BLOCKED\",\"blocked_reason\":\"%s (DistillWatch score %.4f)\"}",
                 dcs.v == DW_BLOCK ? "account blocked: traffic matches model distillation"
                                   : "account under review and over its review rate",
                 dcs.score);
        return reply_json(c, MHD_HTTP_OK, body, NULL, 0);
    }
    return reply_json(c, MHD_HTTP_OK, "{\"action\":\"NONE\"}", NULL, 0);
}

/* ---- admin and observability ----------------------------------------- */

static enum MHD_Result do_account(dw_server *s, struct MHD_Connection *c, const char *url)
{
    char id[DW_SERVE_MAX_ID + 1];
    int n = dw_serve_account_path(url, id, sizeof id);
    if (n <= 0) return reply_json(c, MHD_HTTP_BAD_REQUEST, "{\"error\":\"bad account id\"}", NULL, 0);
    dw_buf b = {0};
    pthread_mutex_lock(&s->mu);
    uint32_t i = dw_engine_find_or_reload(s->e, id, (size_t)n);
    if (i != UINT32_MAX && s->e->accts.v[i].requests) dw_account_record(s->e, &s->e->accts.v[i], &b);
    pthread_mutex_unlock(&s->mu);
    enum MHD_Result ret = b.len ? reply(c, MHD_HTTP_OK, "application/json", b.p, b.len, NULL, 0)
                                : reply_json(c, MHD_HTTP_NOT_FOUND, "{\"error\":\"unknown account\"}", NULL, 0);
    dw_buf_free(&b);
    return ret;
}

/* The campaigns.json of scan, from the live state.  The sink writes to a
 * path, so it goes through an unlinked temporary file: an admin call, rare
 * and not on the gateway's path. */
static enum MHD_Result do_campaigns(dw_server *s, struct MHD_Connection *c)
{
    const char *dir = getenv("TMPDIR");
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/distillwatch-campaigns.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return reply_json(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "{\"error\":\"no temporary file\"}", NULL, 0);
    pthread_mutex_lock(&s->mu);
    int rc = dw_write_campaigns(s->e, path, err, sizeof err);
    pthread_mutex_unlock(&s->mu);
    unlink(path);
    dw_buf b = {0};
    if (rc == 0) {
        char tmp[65536];
        ssize_t n;
        while ((n = read(fd, tmp, sizeof tmp)) > 0) dw_buf_put(&b, tmp, (size_t)n);
    }
    close(fd);
    enum MHD_Result ret = rc == 0 ? reply(c, MHD_HTTP_OK, "application/json", b.p ? b.p : "", b.len, NULL, 0)
                                  : reply_json(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "{\"error\":\"campaigns unavailable\"}", NULL, 0);
    dw_buf_free(&b);
    return ret;
}

static enum MHD_Result do_metrics(dw_server *s, struct MHD_Connection *c)
{
    dw_metrics_engine me;
    memset(&me, 0, sizeof me);
    pthread_mutex_lock(&s->mu);
    const dw_engine *e = s->e;
    me.events = e->st.events;
    me.lines_accepted = e->st.lines_accepted;
    me.lines_quarantined = e->st.lines_quarantined;
    me.lines_blank = e->st.lines_blank;
    me.events_late = e->ro.late;
    me.alerts = e->nalerts;
    me.accounts_in_memory = dw_accounts_live(&e->accts);
    me.accounts_evicted = e->evicted;
    me.accounts_reloaded = e->reloaded;
    for (uint32_t i = 0; i < e->accts.n; i++) {
        if (!e->accts.v[i].requests) continue;
        me.accounts_known++;
        me.verdicts[e->accts.v[i].verdict < 3 ? e->accts.v[i].verdict : 0]++;
    }
    me.journal_pending = dw_journal_pending(s->j);
    pthread_mutex_unlock(&s->mu);
    dw_buf b = {0};
    dw_metrics_render(&s->m, &me, &b);
    enum MHD_Result ret = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b.p, b.len, NULL, 0);
    dw_buf_free(&b);
    return ret;
}

/* ---- dispatch ------------------------------------------------------------ */

static enum route route_of(const char *url)
{
    if (strcmp(url, "/v1/events") == 0) return R_EVENTS;
    if (strcmp(url, "/v1/check") == 0 || strncmp(url, "/v1/check/", 10) == 0) return R_CHECK; /* ext_authz appends the path */
    if (strcmp(url, "/beta/litellm_basic_guardrail_api") == 0) return R_GUARD;
    if (strncmp(url, "/v1/accounts/", 13) == 0) return R_ACCOUNT;
    if (strcmp(url, "/v1/campaigns") == 0) return R_CAMPAIGNS;
    if (strcmp(url, "/metrics") == 0) return R_METRICS;
    if (strcmp(url, "/healthz") == 0) return R_HEALTH;
    return R_NONE;
}

static int authorised(dw_server *s, struct MHD_Connection *c)
{
    if (!s->o.token) return s->o.allow_no_token;
    return dw_serve_bearer_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION), s->o.token);
}

/* /v1/check and the guardrail are open unless a check token is set. */
static int check_authorised(dw_server *s, struct MHD_Connection *c)
{
    if (!s->o.check_token) return 1;
    return dw_serve_bearer_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION), s->o.check_token);
}

/* The first call for a request: route, authorise, refuse early. */
static enum MHD_Result first_call(dw_server *s, struct MHD_Connection *c, conn *k, const char *url, const char *method)
{
    int is_post = strcmp(method, "POST") == 0;
    k->route = route_of(url);
    switch (k->route) {
    case R_NONE: return reply_json(c, MHD_HTTP_NOT_FOUND, "{\"error\":\"no such endpoint\"}", NULL, 0);
    case R_CHECK:   /* any method: ext_authz forwards the original one */
        if (!check_authorised(s, c)) { atomic_fetch_add(&s->m.unauthorized, 1); goto unauth; }
        return MHD_YES;
    case R_HEALTH:
    case R_METRICS:
        return MHD_YES; /* answered on the next call: a response queued before the request is
                           complete makes libmicrohttpd close the connection (no keep-alive) */
    case R_ACCOUNT:
    case R_CAMPAIGNS:
        if (!authorised(s, c)) { atomic_fetch_add(&s->m.unauthorized, 1); goto unauth; }
        return MHD_YES;
    case R_EVENTS:
    case R_GUARD:
        break;
    }
    static const hdr allow_post[] = {{"Allow", "POST"}};
    if (!is_post) return reply_json(c, MHD_HTTP_METHOD_NOT_ALLOWED, "{\"error\":\"POST only\"}", allow_post, 1);
    if (k->route == R_EVENTS ? !authorised(s, c) : !check_authorised(s, c)) { atomic_fetch_add(&s->m.unauthorized, 1); goto unauth; }
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    uint64_t len;
    size_t limit = k->route == R_EVENTS ? s->o.max_body : (1u << 20);
    if (cl && dw_serve_content_length(cl, &len) == 0 && len > limit) {
        if (k->route == R_EVENTS) atomic_fetch_add(&s->m.ingest_too_large, 1);
        return reply_json(c, 413, "{\"error\":\"body larger than the limit\"}", NULL, 0);
    }
    k->fmt = -1;
    const char *fh = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "x-distillwatch-format");
    if (k->route == R_EVENTS && fh) {
        dw_format f;
        if (dw_format_parse(fh, &f) < 0 || f > DW_FMT_OTEL)
            return reply_json(c, MHD_HTTP_BAD_REQUEST, "{\"error\":\"x-distillwatch-format: native, litellm or otel\"}", NULL, 0);
        k->fmt = (int)f;
    }
    if (k->route == R_EVENTS) {
        if (atomic_fetch_add(&s->m.queue_depth, 1) >= s->o.max_queue) {
            atomic_fetch_sub(&s->m.queue_depth, 1);
            atomic_fetch_add(&s->m.ingest_rejected_full, 1);
            static const hdr ra[] = {{"Retry-After", "1"}};
            return reply_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, "{\"error\":\"ingest queue full\"}", ra, 1);
        }
        k->admitted = 1;
    }
    return MHD_YES; /* wait for the body */
unauth:;
    static const hdr www[] = {{"WWW-Authenticate", "Bearer realm=\"distillwatch\""}};
    return reply_json(c, MHD_HTTP_UNAUTHORIZED, "{\"error\":\"missing or wrong bearer token\"}", www, 1);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    dw_server *s = cls;
    conn *k = *con_cls;
    if (!k) {
        atomic_fetch_add(&s->m.http_requests, 1);
        if (!(k = calloc(1, sizeof *k))) return MHD_NO;
        *con_cls = k;
        return first_call(s, c, k, url, method);
    }
    if (*upload_size) {
        size_t limit = k->route == R_EVENTS ? s->o.max_body : (1u << 20);
        if (k->too_big || k->body.len + *upload_size > limit) {
            k->too_big = 1; /* chunked upload: keep reading, keep nothing */
            dw_buf_free(&k->body);
            k->body = (dw_buf){0};
        } else {
            dw_buf_put(&k->body, upload, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    switch (k->route) {
    case R_EVENTS: return do_events(s, c, k);
    case R_GUARD: return do_guardrail(s, c, k);
    case R_CHECK: return do_check(s, c);
    case R_HEALTH: return reply(c, MHD_HTTP_OK, "text/plain", "ok\n", 3, NULL, 0);
    case R_METRICS: return do_metrics(s, c);
    case R_ACCOUNT: return do_account(s, c, url);
    case R_CAMPAIGNS: return do_campaigns(s, c);
    default: return MHD_NO;
    }
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    dw_server *s = cls;
    conn *k = *con_cls;
    if (!k) return;
    if (k->admitted) atomic_fetch_sub(&s->m.queue_depth, 1);
    dw_buf_free(&k->body);
    free(k);
    *con_cls = NULL;
}

/* ---- life cycle ------------------------------------------------------------ */

static int replay_one(void *ud, int64_t id, int fmt, const char *body, size_t n)
{
    dw_server *s = ud;
    char src[64];
    feed_result fr;
    snprintf(src, sizeof src, "journal#%lld", (long long)id);
    feed_batch(s, fmt, body, n, src, &fr);
    return 0;
}

static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sl, int *v6, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (!colon || !colon[1]) { snprintf(err, errlen, "--listen %s: expected ADDR:PORT", spec); return -1; }
    size_t hn = (size_t)(colon - spec);
    if (hn >= sizeof host) { snprintf(err, errlen, "--listen: address too long"); return -1; }
    memcpy(host, spec, hn);
    host[hn] = 0;
    char *h = host;
    if (h[0] == '[' && hn >= 2 && h[hn - 1] == ']') { h[hn - 1] = 0; h++; }
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(*h ? h : NULL, colon + 1, &hints, &ai);
    if (rc != 0 || !ai) { snprintf(err, errlen, "--listen %s: %s", spec, gai_strerror(rc)); return -1; }
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *sl = ai->ai_addrlen;
    *v6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    return 0;
}

static void server_free(dw_server *s)
{
    if (!s) return;
    if (s->unix_fd >= 0) close(s->unix_fd);
    if (s->unix_bound) unlink(s->o.listen + 5);
    dw_journal_close(s->j);
    dw_engine_free(s->e);
    dw_decoder_free(s->dec);
    for (int f = 0; f <= DW_FMT_OTEL; f++) dw_decoder_free(s->by_fmt[f]);
    free(s->rl);
    explicit_bzero(s->key_secret, sizeof s->key_secret);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->ingest_mu);
    free(s);
}

/* --listen unix:PATH.  A gateway on the same host saves the TCP stack on
 * both sides of every check (docs/benchmarks.md).  An existing *socket* at
 * PATH is replaced (a previous run's); any other file is an error, never
 * removed. */
static int listen_unix(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un su;
    memset(&su, 0, sizeof su);
    su.sun_family = AF_UNIX;
    if (!*path || strlen(path) >= sizeof su.sun_path) { snprintf(err, errlen, "--listen unix:%s: bad path", path); return -1; }
    memcpy(su.sun_path, path, strlen(path));
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) { snprintf(err, errlen, "--listen unix:%s: exists and is not a socket", path); return -1; }
        unlink(path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&su, sizeof su) < 0 || listen(fd, 511) < 0) {
        snprintf(err, errlen, "--listen unix:%s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

dw_server *dw_server_start(const dw_serve_opts *o, char *err, size_t errlen)
{
    if (!o->token && !o->allow_no_token) {
        snprintf(err, errlen, "no bearer token: set DISTILLWATCH_TOKEN (or pass --no-auth on a trusted network)");
        return NULL;
    }
    struct sockaddr_storage ss;
    socklen_t sl;
    int v6 = 0;
    const char *upath = strncmp(o->listen, "unix:", 5) == 0 ? o->listen + 5 : NULL;
    if (!upath && parse_listen(o->listen, &ss, &sl, &v6, err, errlen) < 0) return NULL;
    dw_server *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    s->o = *o;
    s->unix_fd = -1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->ingest_mu, NULL);
    if (!(s->rl = malloc(sizeof *s->rl))) { snprintf(err, errlen, "out of memory"); server_free(s); return NULL; }
    dw_rl_init(s->rl, o->review_rate, o->review_burst);
    dw_config *cfg = dw_config_new();
    if (o->config && dw_config_load(cfg, o->config, err, errlen) < 0) { dw_config_free(cfg); server_free(s); return NULL; }
    snprintf(s->account_header, sizeof s->account_header, "%s", o->account_header ? o->account_header : cfg->serve_account_header);
    s->key_hash = cfg->serve_account_hash;
    snprintf(s->key_secret, sizeof s->key_secret, "%s", o->key_secret && *o->key_secret ? o->key_secret : cfg->serve_key_secret);
    s->key_secret_len = strlen(s->key_secret);
    if (s->key_hash != DW_KEYHASH_NONE && !s->key_secret_len) {
        snprintf(err, errlen, "[serve] account_header_hash = hmac-sha256 needs a secret: set DISTILLWATCH_KEY_SECRET "
                              "(or [serve] key_secret)");
        dw_config_free(cfg);
        server_free(s);
        return NULL;
    }
    s->e = dw_engine_new(cfg, err, errlen);
    uint32_t cap = cfg->max_accounts;
    dw_config_free(cfg);
    if (s->e && o->store) dw_engine_set_max_accounts(s->e, cap); /* eviction needs somewhere to put them */
    for (int f = 0; f <= DW_FMT_OTEL; f++)
        if (!(s->by_fmt[f] = dw_decoder_new((dw_format)f, NULL, err, errlen))) { server_free(s); return NULL; }
    if (!s->e || !(s->dec = dw_decoder_new(o->format, o->map, err, errlen)) ||
        (o->quarantine_dir && dw_engine_set_quarantine_dir(s->e, o->quarantine_dir, err, errlen) < 0) ||
        (o->store && dw_engine_open_store(s->e, o->store, err, errlen) < 0) ||
        (o->accounts && dw_engine_load_accounts(s->e, o->accounts, err, errlen) < 0)) {
        server_free(s);
        return NULL;
    }
    if (o->store) {
        if (!(s->j = dw_journal_open(o->store, err, errlen))) { server_free(s); return NULL; }
        long n = dw_journal_replay(s->j, s->e->seq, replay_one, s, err, errlen);
        if (n < 0) { server_free(s); return NULL; }
        if (n) fprintf(stderr, "distillwatch serve: replayed %ld journaled batch(es) from %s\n", n, o->store);
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    if (upath) {
        if ((s->unix_fd = listen_unix(upath, err, errlen)) < 0) { server_free(s); return NULL; }
        s->unix_bound = 1;
    }
    struct MHD_OptionItem where[] = {
        upath ? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, s->unix_fd, NULL}
              : (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_END, 0, NULL}};
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s,
                            MHD_OPTION_ARRAY, where,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(o->threads ? o->threads : 1),
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned int)o->max_connections,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)o->timeout_s,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                            MHD_OPTION_END);
    if (!s->d) { snprintf(err, errlen, "cannot listen on %s", o->listen); server_free(s); return NULL; }
    s->unix_fd = -1; /* libmicrohttpd closes its listening socket when stopped */
    if (upath) {
        fprintf(stderr, "distillwatch serve: listening on %s\n", o->listen);
        return s;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    char host[256];
    const char *colon = strrchr(o->listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - o->listen), o->listen);
    fprintf(stderr, "distillwatch serve: listening on %s:%u\n", host, di ? (unsigned)di->port : 0u);
    return s;
}

int dw_server_stop(dw_server *s, char *err, size_t errlen)
{
    if (!s) return 0;
    if (s->d) MHD_stop_daemon(s->d); /* waits for the handlers in flight */
    s->d = NULL;
    int rc = 0;
    if (dw_engine_finish(s->e, err, errlen) < 0) rc = -1;
    else if (s->j && dw_journal_truncate(s->j, err, errlen) < 0) rc = -1;
    server_free(s);
    return rc;
}
