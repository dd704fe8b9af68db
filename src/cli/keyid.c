/*
 * keyid.c -- `distillwatch keyid`: the account ids serve derives from API
 * keys, for the log pipeline.
 *
 * When serve hashes the account header (config [serve] account_header_hash =
 * hmac-sha256), the accounts it judges are named kh_<hex>; the logs fed to
 * /v1/events (or to scan) must name them the same way, or every check would
 * miss.  A shipper that sees raw keys pipes them through this command (one
 * key per line in, one id per line out, same order) or reimplements the
 * documented formula.  The secret is read from the environment or the
 * config, never from the command line, where `ps` would show it; keys are
 * never echoed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/commands.h"
#include "score/score.h"
#include "serve/keyid.h"

static void keyid_usage(FILE *f)
{
    fputs("usage: distillwatch keyid [--secret-env VAR] [--config FILE] < keys > ids\n"
          "\n"
          "Read API keys, one per line, and print for each the account id serve uses when\n"
          "[serve] account_header_hash = hmac-sha256: \"" DW_KEYID_PREFIX "\" + the first 16 bytes of\n"
          "HMAC-SHA256(secret, key) in lowercase hex.  A trailing CR is not part of a key;\n"
          "an empty line gives an empty line.\n"
          "\n"
          "options:\n"
          "  --secret-env VAR   environment variable holding the secret (DISTILLWATCH_KEY_SECRET)\n"
          "  --config FILE      fall back to this config's [serve] key_secret\n", f);
}

int dw_cmd_keyid(int argc, char **argv)
{
    static const struct option opts[] = {
        {"secret-env", required_argument, 0, 'e'}, {"config", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *var = "DISTILLWATCH_KEY_SECRET", *config = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': var = optarg; break;
        case 'c': config = optarg; break;
        case 'h': keyid_usage(stdout); return 0;
        default: keyid_usage(stderr); return 2;
        }
    }
    if (optind < argc) { fprintf(stderr, "distillwatch keyid: keys are read from stdin, not arguments\n"); return 2; }
    char err[512], secret[256] = "";
    const char *env = getenv(var);
    if (env && *env) {
        if (strlen(env) >= sizeof secret) { fprintf(stderr, "distillwatch keyid: secret in %s is too long\n", var); return 2; }
        snprintf(secret, sizeof secret, "%s", env);
    } else if (config) {
        dw_config *cfg = dw_config_new();
        if (!cfg || dw_config_load(cfg, config, err, sizeof err) < 0) {
            fprintf(stderr, "distillwatch keyid: %s\n", cfg ? err : "out of memory");
            dw_config_free(cfg);
            return 2;
        }
        snprintf(secret, sizeof secret, "%s", cfg->serve_key_secret);
        dw_config_free(cfg);
    }
    if (!*secret) { fprintf(stderr, "distillwatch keyid: no secret: set %s (or --config with [serve] key_secret)\n", var); return 2; }
    char *line = NULL, id[DW_KEYID_LEN + 1];
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        if (n && line[n - 1] == '\n') n--;
        if (n && line[n - 1] == '\r') n--;
        if (n == 0) { putchar('\n'); continue; }
        if (dw_keyid(secret, strlen(secret), line, (size_t)n, id, sizeof id) < 0) {
            fprintf(stderr, "distillwatch keyid: HMAC failed\n");
            rc = 1;
            break;
        }
        puts(id);
    }
    free(line);
    explicit_bzero(secret, sizeof secret);
    if (fflush(stdout) != 0) rc = 1;
    return rc;
}
