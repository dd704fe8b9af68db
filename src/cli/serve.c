/*
 * serve.c -- `distillwatch serve`: options and signals; src/serve/ does the work.
 *
 * SIGTERM and SIGINT are blocked before the server's threads start (they
 * inherit the mask) and taken here with sigwait(), so the shutdown path runs
 * in ordinary code, not in a signal handler: stop accepting, let in-flight
 * requests finish, finish the engine and save the store.  The token is read
 * from the environment only, never from the command line, where `ps` would
 * show it.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/commands.h"
#include "serve/serve.h"

static void serve_usage(FILE *f)
{
    fputs("usage: distillwatch serve --listen ADDR:PORT [OPTIONS]\n"
          "\n"
          "Run the scan pipeline as a daemon: ingest request logs over HTTP and answer\n"
          "the gateway's \"let this request through?\" per account.\n"
          "\n"
          "endpoints:\n"
          "  POST /v1/events                      NDJSON log lines (token); durable before the reply;\n"
          "                                       header x-distillwatch-format overrides --format\n"
          "  GET|POST /v1/check                   200 allow/review, 403 block, 429 review over rate\n"
          "  POST /beta/litellm_basic_guardrail_api  LiteLLM generic guardrail\n"
          "  GET /v1/accounts/ID                  the account's accounts.jsonl record (token)\n"
          "  GET /v1/campaigns                    campaigns.json of the live state (token)\n"
          "  GET /metrics, GET /healthz\n"
          "\n"
          "options:\n"
          "  --listen ADDR:PORT    address to bind (port 0: any free port; printed on stderr),\n"
          "                        or unix:PATH for a gateway on the same host (cheaper per check)\n"
          "  --store FILE          SQLite state and ingest journal (without it: memory only)\n"
          "  --config FILE         weights and thresholds (INI)\n"
          "  --accounts FILE       accounts file (JSONL)\n"
          "  --format FMT          native (default), litellm, otel, map\n"
          "  --map SPEC            field mapping (see scan --help)\n"
          "  --quarantine DIR      write quarantine.jsonl/.raw there\n"
          "  --account-header H    header naming the account at /v1/check (default: the config's\n"
          "                        [serve] account_header, x-account-id; hashed when the config\n"
          "                        says account_header_hash = hmac-sha256, see `distillwatch keyid`)\n"
          "  --max-body BYTES      /v1/events body limit (16777216)\n"
          "  --threads N           server threads (4)\n"
          "  --max-connections N   (1024)\n"
          "  --timeout S           idle connection timeout, seconds (30)\n"
          "  --max-queue N         ingest batches admitted at once; beyond: 503 (8)\n"
          "  --review-rate R       requests/s allowed to review-level accounts, 0 = no throttle (1)\n"
          "  --review-burst B      burst for the review rate (10)\n"
          "  --fail-closed-unknown answer 403 for accounts DistillWatch has never seen\n"
          "  --checkpoint-batches N  save the state and empty the journal every N batches\n"
          "                        (default 0: at shutdown only; a crash replays the journal)\n"
          "  --no-auth             run without a token (trusted network only)\n"
          "\n"
          "environment: DISTILLWATCH_TOKEN  bearer token for /v1/events, /v1/accounts, /v1/campaigns\n"
          "             DISTILLWATCH_CHECK_TOKEN  optional bearer token for /v1/check and the guardrail\n"
          "             DISTILLWATCH_KEY_SECRET  HMAC secret when the account header is hashed\n"
          "SIGTERM/SIGINT: stop gracefully and save the store.\n", f);
}

static int num(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return *s && !*end && *out >= 0 ? 0 : -1;
}

int dw_cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, 0, 'l'},      {"store", required_argument, 0, 's'},
        {"config", required_argument, 0, 'c'},      {"accounts", required_argument, 0, 'a'},
        {"format", required_argument, 0, 'f'},      {"map", required_argument, 0, 'm'},
        {"quarantine", required_argument, 0, 'q'},  {"account-header", required_argument, 0, 'H'},
        {"max-body", required_argument, 0, 'B'},    {"threads", required_argument, 0, 'T'},
        {"max-connections", required_argument, 0, 'C'}, {"timeout", required_argument, 0, 't'},
        {"max-queue", required_argument, 0, 'Q'},   {"review-rate", required_argument, 0, 'r'},
        {"review-burst", required_argument, 0, 'b'}, {"fail-closed-unknown", no_argument, 0, 'F'},
        {"no-auth", no_argument, 0, 'N'},           {"checkpoint-batches", required_argument, 0, 'K'},           {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    dw_serve_opts o;
    dw_serve_opts_default(&o);
    int fmt_set = 0, c;
    double v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 'l': o.listen = optarg; break;
        case 's': o.store = optarg; break;
        case 'c': o.config = optarg; break;
        case 'a': o.accounts = optarg; break;
        case 'f': bad = dw_format_parse(optarg, &o.format) < 0; fmt_set = 1; break;
        case 'm': o.map = optarg; break;
        case 'q': o.quarantine_dir = optarg; break;
        case 'H': o.account_header = optarg; break;
        case 'B': bad = num(optarg, &v) < 0 || v < 1; o.max_body = (size_t)v; break;
        case 'T': bad = num(optarg, &v) < 0 || v < 1 || v > 256; o.threads = (unsigned)v; break;
        case 'C': bad = num(optarg, &v) < 0 || v < 1; o.max_connections = (unsigned)v; break;
        case 't': bad = num(optarg, &v) < 0 || v < 1; o.timeout_s = (unsigned)v; break;
        case 'Q': bad = num(optarg, &v) < 0 || v < 1; o.max_queue = (int)v; break;
        case 'r': bad = num(optarg, &o.review_rate) < 0; break;
        case 'b': bad = num(optarg, &o.review_burst) < 0; break;
        case 'F': o.fail_closed_unknown = 1; break;
        case 'N': o.allow_no_token = 1; break;
        case 'K': bad = num(optarg, &v) < 0; o.checkpoint_batches = (unsigned)v; break;
        case 'h': serve_usage(stdout); return 0;
        default: serve_usage(stderr); return 2;
        }
        if (bad) { fprintf(stderr, "distillwatch serve: bad value '%s'\n", optarg); return 2; }
    }
    if (!o.listen) { fprintf(stderr, "distillwatch serve: --listen ADDR:PORT is required\n"); return 2; }
    if (optind < argc) { fprintf(stderr, "distillwatch serve: unexpected argument '%s'\n", argv[optind]); return 2; }
    if (o.map && !fmt_set) o.format = DW_FMT_MAP;
    const char *tok = getenv("DISTILLWATCH_TOKEN");
    if (tok && *tok) o.token = tok;
    const char *ctok = getenv("DISTILLWATCH_CHECK_TOKEN");
    if (ctok && *ctok) o.check_token = ctok;
    const char *ksec = getenv("DISTILLWATCH_KEY_SECRET");
    if (ksec && *ksec) o.key_secret = ksec;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[1024];
    dw_server *s = dw_server_start(&o, err, sizeof err);
    if (!s) { fprintf(stderr, "distillwatch serve: %s\n", err); return 1; }
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "distillwatch serve: %s: shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    if (dw_server_stop(s, err, sizeof err) < 0) { fprintf(stderr, "distillwatch serve: %s\n", err); return 1; }
    fprintf(stderr, "distillwatch serve: state saved\n");
    return 0;
}
