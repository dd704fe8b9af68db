/*
 * eval.c -- the `eval` command line: one evaluation, or a sweep.
 *
 * Thin on purpose: options are parsed here, the work is in evaluate.c,
 * report.c and sweep.c, so the sweep can call the same evaluation in-process
 * for each point without going through a command line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "eval/eval.h"

static void usage(FILE *f)
{
    fputs("usage: distillwatch eval --truth TRUTH.jsonl --scan DIR [--out DIR] [--requests FILE] [--labels FILE]\n"
          "       distillwatch eval --sweep KNOB --out DIR [sweep options]   (see --sweep help)\n"
          "\n"
          "Score a scan against the simulator's ground truth.\n"
          "\n"
          "  --truth FILE     truth.jsonl written by `distillwatch simulate`\n"
          "  --scan DIR       output directory of `distillwatch scan` (accounts.jsonl, alerts.jsonl,\n"
          "                   campaigns.json if present)\n"
          "  --requests FILE  the request log that was scanned (default: requests.jsonl next to the\n"
          "                   truth file); used to measure traffic before the first alert\n"
          "  --labels FILE    per-request harvest/cover labels (default: truth_requests.jsonl next to\n"
          "                   the truth file, if present); used to price an attack in answers\n"
          "  --out DIR        where to write eval.json and eval.html (default: the scan directory)\n"
          "  --quiet          do not print the figures\n"
          "  --sweep KNOB     rerun simulate -> scan -> eval while one evasion knob moves:\n"
          "                   cover_share, accounts_per_campaign, requests_per_account_per_day,\n"
          "                   template_paraphrases, ip_rotation, pacing\n"
          "\n"
          "Positives are accounts labelled campaign; accounts labelled abuse are excluded from\n"
          "precision and recall and reported as their own class.\n",
          f);
}

static const char *optval(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != 0) return NULL;
    if (*i + 1 >= argc) { *missing = true; return ""; }
    return argv[++*i];
}

int dw_cmd_eval(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--sweep", 7)) return dwe_sweep_main(argc, argv);
    dwe_inputs in = {0};
    const char *out = NULL;
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        bool missing = false;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { usage(stdout); return 0; }
        if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) { quiet = true; continue; }
        if ((v = optval(argc, argv, &i, "--truth", &missing))) in.truth = v;
        else if ((v = optval(argc, argv, &i, "--scan", &missing))) in.scan = v;
        else if ((v = optval(argc, argv, &i, "--requests", &missing))) in.requests = v;
        else if ((v = optval(argc, argv, &i, "--labels", &missing))) in.labels = v;
        else if ((v = optval(argc, argv, &i, "--out", &missing))) out = v;
        else {
            fprintf(stderr, "eval: unknown option '%s' (see distillwatch eval --help)\n", argv[i]);
            return 2;
        }
        if (missing || !*v) {
            fprintf(stderr, "eval: %s needs a value\n", argv[i]);
            return 2;
        }
    }
    if (!in.truth || !in.scan) {
        fprintf(stderr, "eval: --truth FILE and --scan DIR are required (see distillwatch eval --help)\n");
        return 2;
    }
    if (!out) out = in.scan;
    if (dw_mkdir_p(out) < 0) {
        fprintf(stderr, "eval: %s: %s\n", out, strerror(errno));
        return 1;
    }
    dwe_result r;
    char err[512];
    if (dwe_evaluate(&in, &r, err, sizeof err) != 0) {
        fprintf(stderr, "eval: %s\n", err);
        return 1;
    }
    char path[4096];
    int rc = 0;
    snprintf(path, sizeof path, "%s/eval.json", out);
    if (dwe_write_json(&r, &in, path) != 0) { fprintf(stderr, "eval: cannot write %s\n", path); rc = 1; }
    snprintf(path, sizeof path, "%s/eval.html", out);
    if (dwe_write_html(&r, &in, path) != 0) { fprintf(stderr, "eval: cannot write %s\n", path); rc = 1; }
    if (!quiet) {
        dwe_print_headline(&r, stdout);
        printf("\nwrote %s/eval.json and %s/eval.html\n", out, out);
    }
    dwe_result_free(&r);
    return rc;
}
