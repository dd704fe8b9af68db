/*
 * scan.c -- `distillwatch scan`: the batch job.
 *
 * Reads every input in order through one engine, then writes the outputs and
 * a summary.  Failure policy: a malformed record is quarantined and the run
 * goes on; an unreadable input file or a broken compressed stream is
 * reported, what was read before the break is kept, the other files are
 * still scanned, and the exit status is 1 so that automation notices.  Usage
 * errors exit 2 before anything is read.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "distillwatch.h"
#include "cli/commands.h"

static void scan_usage(FILE *f)
{
    fputs("usage: distillwatch scan [OPTIONS] --out DIR FILE...\n"
          "\n"
          "Read request logs (JSON lines; gzip or zstd compressed files are recognised by\n"
          "content; '-' reads stdin) and write, into DIR:\n"
          "  accounts.jsonl     one record per account: verdict, score, signals, reasons\n"
          "  alerts.jsonl       one record per escalation, in event-time order\n"
          "  campaigns.json     clusters of accounts run by one operator, with evidence\n"
          "  report.html        one self-contained page for a reviewer\n"
          "  stix-bundle.json   the campaigns as a STIX 2.1 bundle\n"
          "  quarantine.jsonl   malformed records: source, line, offset, error\n"
          "  quarantine.raw     the malformed records exactly as read\n"
          "and print a summary on stdout.\n"
          "\n"
          "options:\n"
          "  --out DIR          output directory (created if missing; required)\n"
          "  --format FMT       input format: native (default), litellm, otel, map\n"
          "  --map SPEC         canonical=dotted.path,... field mapping; with --format map,\n"
          "                     unmapped fields are read under their canonical names\n"
          "                     (canonical: timestamp account_id request_id api_key_id\n"
          "                     client_ip asn user_agent model system_prompt prompt messages\n"
          "                     response_text max_tokens temperature logprobs top_logprobs n\n"
          "                     prompt_tokens completion_tokens status end_user)\n"
          "  --accounts FILE    accounts file (JSONL: account_id, created_at,\n"
          "                     payment_fingerprint, email_domain, signup_program, verified)\n"
          "  --config FILE      weights and thresholds (INI; see config/distillwatch.conf)\n"
          "  --store FILE       keep account state in this SQLite file across runs\n"
          "  --quiet            no summary on stdout\n"
          "  -h, --help         this text\n"
          "\n"
          "Events may arrive out of order by up to the reorder window (default 300 s,\n"
          "[ingest] reorder_window); later stragglers are processed at once and counted.\n"
          "Exit status: 0 done, 1 an input or output failed, 2 usage error.\n", f);
}

int dw_cmd_scan(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},      {"format", required_argument, 0, 'f'},
        {"map", required_argument, 0, 'm'},      {"accounts", required_argument, 0, 'a'},
        {"config", required_argument, 0, 'c'},   {"store", required_argument, 0, 's'},
        {"quiet", no_argument, 0, 'q'},          {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *out = NULL, *map = NULL, *accounts = NULL, *config = NULL, *store = NULL;
    dw_format fmt = DW_FMT_NATIVE;
    int fmt_set = 0, quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f':
            if (dw_format_parse(optarg, &fmt) < 0) {
                fprintf(stderr, "distillwatch scan: unknown format '%s' (native, litellm, otel, map)\n", optarg);
                return 2;
            }
            fmt_set = 1;
            break;
        case 'm': map = optarg; break;
        case 'a': accounts = optarg; break;
        case 'c': config = optarg; break;
        case 's': store = optarg; break;
        case 'q': quiet = 1; break;
        case 'h': scan_usage(stdout); return 0;
        default: scan_usage(stderr); return 2;
        }
    }
    if (!out) { fprintf(stderr, "distillwatch scan: --out DIR is required\n"); return 2; }
    if (optind >= argc) { fprintf(stderr, "distillwatch scan: no input files (use - for stdin)\n"); return 2; }
    if (map && !fmt_set) fmt = DW_FMT_MAP;

    char err[1024];
    dw_config *cfg = dw_config_new();
    if (config && dw_config_load(cfg, config, err, sizeof err) < 0) {
        fprintf(stderr, "distillwatch scan: %s\n", err);
        dw_config_free(cfg);
        return 2;
    }
    dw_decoder *dec = dw_decoder_new(fmt, map, err, sizeof err);
    if (!dec) { fprintf(stderr, "distillwatch scan: %s\n", err); dw_config_free(cfg); return 2; }
    dw_engine *e = dw_engine_new(cfg, err, sizeof err);
    dw_config_free(cfg);
    if (!e) { fprintf(stderr, "distillwatch scan: %s\n", err); dw_decoder_free(dec); return 1; }
    int status = 0;
    if (dw_engine_set_quarantine_dir(e, out, err, sizeof err) < 0 ||
        (store && dw_engine_open_store(e, store, err, sizeof err) < 0) ||
        (accounts && dw_engine_load_accounts(e, accounts, err, sizeof err) < 0)) {
        fprintf(stderr, "distillwatch scan: %s\n", err);
        dw_engine_free(e);
        dw_decoder_free(dec);
        return 1;
    }
    for (int i = optind; i < argc; i++) {
        if (dw_engine_feed_file(e, dec, argv[i], err, sizeof err) < 0) {
            fprintf(stderr, "distillwatch scan: %s\n", err);
            status = 1;
        }
    }
    if (dw_engine_finish(e, err, sizeof err) < 0 || dw_engine_write_outputs(e, out, err, sizeof err) < 0) {
        fprintf(stderr, "distillwatch scan: %s\n", err);
        status = 1;
    }
    if (!quiet) dw_engine_print_summary(e, stdout);
    dw_engine_free(e);
    dw_decoder_free(dec);
    return status;
}
