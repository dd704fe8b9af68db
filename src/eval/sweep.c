/*
 * sweep.c -- `eval --sweep KNOB`: where does the detector break?
 *
 * For each value of one evasion knob the sweep runs the real pipeline as a
 * user would: it spawns this same executable (/proc/self/exe) as `simulate`
 * and then as `scan`, so what is measured is the shipped binary and not a
 * test double, then evaluates the scan in-process.  Every point gets its own
 * directory with its logs and eval.json; the sweep writes sweep.json and a
 * self-contained sweep.html with the recall and attacker-cost curves.
 *
 * The knob is applied to every campaign class at once (--target all), or to
 * one class; the benign population stays the same at every point (same
 * seed), so the curves move only with the attacker.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/util.h"
#include "eval/eval.h"
#include "eval/svg.h"

extern char **environ;

typedef struct knob {
    const char *name;
    const char *defaults;  /* comma-separated default values */
    bool categorical, logx;
} knob;

static const knob knobs[] = {
    {"cover_share", "0,0.2,0.4,0.6,0.8", false, false},
    {"accounts_per_campaign", "10,30,100,300,1000", false, true},
    {"requests_per_account_per_day", "5,20,80,300,1000", false, true},
    {"template_paraphrases", "1,3,10,25,50", false, true},
    {"ip_rotation", "per_request,session,day,never", true, false},
    {"pacing", "0,0.25,0.5,0.75,1", false, false},
};

static void usage(FILE *f)
{
    fputs("usage: distillwatch eval --sweep KNOB --out DIR [--values V1,V2,...] [--scenario S] [--seed N]\n"
          "                         [--days D] [--corpus DIR] [--target CLASS|all] [--keep]\n"
          "\n"
          "Rerun simulate -> scan -> eval for each value of one evasion knob, and report recall and\n"
          "the attacker's cost (accounts needed to harvest 1M answers before detection).\n"
          "\n"
          "  KNOB            cover_share (default values 0,0.2,0.4,0.6,0.8)\n"
          "                  accounts_per_campaign (10,30,100,300,1000)\n"
          "                  requests_per_account_per_day (5,20,80,300,1000)\n"
          "                  template_paraphrases (1,3,10,25,50)\n"
          "                  ip_rotation (per_request,session,day,never)\n"
          "                  pacing (0 = robotic .. 1 = human: 0,0.25,0.5,0.75,1)\n"
          "  --values LIST   the knob values to try, comma-separated\n"
          "  --scenario S    base scenario (default: demo)\n"
          "  --seed N        simulation seed (default 1), the same for every point\n"
          "  --days D        simulated days per point (default: the scenario's)\n"
          "  --corpus DIR    passed to simulate\n"
          "  --target C      campaign class to move (roundrobin, hydra, agentic, multilingual) or all\n"
          "                  (default all)\n"
          "  --out DIR       sweep.json, sweep.html and one directory per point\n"
          "  --keep          keep each point's requests.jsonl (deleted after evaluation by default)\n",
          f);
}

static int run(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void tail_log(const char *log)
{
    FILE *f = fopen(log, "r");
    if (!f) return;
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f) && n++ < 20) fprintf(stderr, "  | %s", line);
    fclose(f);
}

typedef struct point {
    char value[64];
    double x;
    bool ok;
    double recall, recall_block, precision, heavy_block, jaccard, before, cost, cost_free;
    double class_recall[8], class_cost[8];
    char class_name[8][48];
    int nclass;
} point;

static const char *arg(int argc, char **argv, int *i, const char *name, bool *missing)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n]) return NULL;
    if (*i + 1 >= argc) { *missing = true; return ""; }
    return argv[++*i];
}

static void jnum(dw_jw *w, const char *k, double v)
{
    dw_jw_key(w, k);
    if (isfinite(v)) dw_jw_fixed(w, v, 4);
    else dw_jw_null(w);
}

int dwe_sweep_main(int argc, char **argv)
{
    const char *kname = NULL, *values = NULL, *scenario = "demo", *seed = "1", *days = NULL, *corpus = NULL;
    const char *target = "all", *out = NULL;
    bool keep = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        bool missing = false;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { usage(stdout); return 0; }
        if (!strcmp(argv[i], "--keep")) { keep = true; continue; }
        if ((v = arg(argc, argv, &i, "--sweep", &missing))) kname = v;
        else if ((v = arg(argc, argv, &i, "--values", &missing))) values = v;
        else if ((v = arg(argc, argv, &i, "--scenario", &missing))) scenario = v;
        else if ((v = arg(argc, argv, &i, "--seed", &missing))) seed = v;
        else if ((v = arg(argc, argv, &i, "--days", &missing))) days = v;
        else if ((v = arg(argc, argv, &i, "--corpus", &missing))) corpus = v;
        else if ((v = arg(argc, argv, &i, "--target", &missing))) target = v;
        else if ((v = arg(argc, argv, &i, "--out", &missing))) out = v;
        else {
            fprintf(stderr, "eval --sweep: unknown option '%s' (see distillwatch eval --sweep x --help)\n", argv[i]);
            return 2;
        }
        if (missing || !*v) {
            fprintf(stderr, "eval --sweep: %s needs a value\n", argv[i]);
            return 2;
        }
    }
    const knob *k = NULL;
    for (size_t i = 0; kname && i < sizeof knobs / sizeof *knobs; i++)
        if (!strcmp(kname, knobs[i].name)) k = &knobs[i];
    if (!k) {
        fprintf(stderr, "eval --sweep: unknown knob '%s'; one of cover_share, accounts_per_campaign, "
                        "requests_per_account_per_day, template_paraphrases, ip_rotation, pacing\n",
                kname ? kname : "");
        return 2;
    }
    if (!out) {
        fprintf(stderr, "eval --sweep: --out DIR is required\n");
        return 2;
    }
    static const char *const targets[] = {"all", "roundrobin", "hydra", "agentic", "multilingual"};
    bool tok = false;
    for (size_t i = 0; i < 5; i++) tok |= !strcmp(target, targets[i]);
    if (!tok) {
        fprintf(stderr, "eval --sweep: --target must be all, roundrobin, hydra, agentic or multilingual\n");
        return 2;
    }
    if (!values) values = k->defaults;
    if (dw_mkdir_p(out) < 0) {
        fprintf(stderr, "eval --sweep: %s: %s\n", out, strerror(errno));
        return 1;
    }

    char vals[1024];
    snprintf(vals, sizeof vals, "%s", values);
    point pts[32];
    int np = 0;
    int failures = 0;
    char *save = NULL;
    for (char *v = strtok_r(vals, ",", &save); v && np < 32; v = strtok_r(NULL, ",", &save)) {
        point *p = &pts[np];
        memset(p, 0, sizeof *p);
        snprintf(p->value, sizeof p->value, "%s", v);
        p->x = k->categorical ? np : (!strcmp(v, "robotic") ? 0 : !strcmp(v, "human") ? 1 : strtod(v, NULL));
        char dir[4096], simdir[4200], scandir[4200], log[4300], set[256], accf[4300], reqf[4300];
        snprintf(dir, sizeof dir, "%s/%02d-%s", out, np, v);
        mkdir(dir, 0777);
        snprintf(simdir, sizeof simdir, "%s/sim", dir);
        snprintf(scandir, sizeof scandir, "%s/scan", dir);
        if (!strcmp(target, "all")) snprintf(set, sizeof set, "%s=%s", k->name, v);
        else snprintf(set, sizeof set, "campaign_%s.%s=%s", target, k->name, v);
        char *sargv[24];
        int n = 0;
        sargv[n++] = "distillwatch";
        sargv[n++] = "simulate";
        sargv[n++] = "--quiet";
        sargv[n++] = "--seed";
        sargv[n++] = (char *)seed;
        sargv[n++] = "--scenario";
        sargv[n++] = (char *)scenario;
        sargv[n++] = "--set";
        sargv[n++] = set;
        sargv[n++] = "--out";
        sargv[n++] = simdir;
        if (days) { sargv[n++] = "--days"; sargv[n++] = (char *)days; }
        if (corpus) { sargv[n++] = "--corpus"; sargv[n++] = (char *)corpus; }
        sargv[n] = NULL;
        snprintf(log, sizeof log, "%s/simulate.log", dir);
        fprintf(stderr, "[%s=%s] simulate ...\n", k->name, v);
        int rc = run(sargv, log);
        if (rc != 0) {
            fprintf(stderr, "[%s=%s] simulate failed (exit %d):\n", k->name, v, rc);
            tail_log(log);
            if (rc == 2) return 2;  /* a bad value: the same for every point */
            failures++;
            np++;
            continue;
        }
        snprintf(accf, sizeof accf, "%s/accounts.jsonl", simdir);
        snprintf(reqf, sizeof reqf, "%s/requests.jsonl", simdir);
        char *cargv[] = {"distillwatch", "scan", "--accounts", accf, "--out", scandir, reqf, NULL};
        snprintf(log, sizeof log, "%s/scan.log", dir);
        fprintf(stderr, "[%s=%s] scan ...\n", k->name, v);
        rc = run(cargv, log);
        if (rc != 0) {
            fprintf(stderr, "[%s=%s] scan failed (exit %d):\n", k->name, v, rc);
            tail_log(log);
            failures++;
            np++;
            continue;
        }
        char truth[4300], err[512];
        snprintf(truth, sizeof truth, "%s/truth.jsonl", simdir);
        dwe_inputs in = {truth, scandir, NULL, NULL};
        dwe_result r;
        if (dwe_evaluate(&in, &r, err, sizeof err) != 0) {
            fprintf(stderr, "[%s=%s] eval failed: %s\n", k->name, v, err);
            failures++;
            np++;
            continue;
        }
        char ej[4400];
        snprintf(ej, sizeof ej, "%s/eval.json", dir);
        dwe_write_json(&r, &in, ej);
        p->ok = true;
        p->recall = dwe_recall(&r.flag);
        p->recall_block = dwe_recall(&r.block);
        p->precision = dwe_precision(&r.flag);
        p->heavy_block = dwe_rate(r.heavy_block, r.heavy_accounts);
        p->jaccard = r.mean_jaccard;
        p->before = r.mean_before;
        p->cost = r.cost;
        p->cost_free = r.cost_free;
        for (size_t c = 0; c < r.ncamps && p->nclass < 8; c++) {
            snprintf(p->class_name[p->nclass], sizeof p->class_name[0], "%s", r.camps[c].cls);
            p->class_recall[p->nclass] = dwe_rate(r.camps[c].flagged, r.camps[c].accounts);
            p->class_cost[p->nclass] = r.camps[c].cost;
            p->nclass++;
        }
        dwe_result_free(&r);
        if (!keep) unlink(reqf);
        fprintf(stderr, "[%s=%s] recall %.3f, precision %.3f, accounts per 1M answers %.0f\n", k->name, v,
                p->recall, p->precision, p->cost);
        np++;
    }

    /* table */
    printf("sweep of %s (target %s, scenario %s, seed %s)\n", k->name, target, scenario, seed);
    printf("%-14s %8s %8s %9s %10s %8s %9s %14s %12s\n", "value", "recall", "rec.blk", "precision", "legit.blk",
           "jaccard", "before%", "acct/1M ans", "(no det.)");
    for (int i = 0; i < np; i++) {
        const point *p = &pts[i];
        if (!p->ok) { printf("%-14s %s\n", p->value, "failed"); continue; }
        printf("%-14s %8.3f %8.3f %9.3f %10.3f %8.3f %9.3f %14.0f %12.0f\n", p->value, p->recall, p->recall_block,
               p->precision, p->heavy_block, p->jaccard, p->before, p->cost, p->cost_free);
    }

    /* sweep.json */
    dw_buf b = {0};
    dw_jw w;
    dw_jw_init(&w, &b);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "knob"); dw_jw_str(&w, k->name);
    dw_jw_key(&w, "target"); dw_jw_str(&w, target);
    dw_jw_key(&w, "scenario"); dw_jw_str(&w, scenario);
    dw_jw_key(&w, "seed"); dw_jw_str(&w, seed);
    dw_jw_key(&w, "points");
    dw_jw_arr_begin(&w);
    for (int i = 0; i < np; i++) {
        const point *p = &pts[i];
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "value"); dw_jw_str(&w, p->value);
        dw_jw_key(&w, "ok"); dw_jw_bool(&w, p->ok);
        if (p->ok) {
            jnum(&w, "recall", p->recall);
            jnum(&w, "recall_block", p->recall_block);
            jnum(&w, "precision", p->precision);
            jnum(&w, "legit_heavy_block_rate", p->heavy_block);
            jnum(&w, "campaign_recovery_mean_jaccard", p->jaccard);
            jnum(&w, "traffic_before_first_alert_mean", p->before);
            jnum(&w, "accounts_per_million_answers", p->cost);
            jnum(&w, "accounts_per_million_answers_undetected", p->cost_free);
            dw_jw_key(&w, "campaigns");
            dw_jw_arr_begin(&w);
            for (int c = 0; c < p->nclass; c++) {
                dw_jw_obj_begin(&w);
                dw_jw_key(&w, "class"); dw_jw_str(&w, p->class_name[c]);
                jnum(&w, "recall", p->class_recall[c]);
                jnum(&w, "accounts_per_million_answers", p->class_cost[c]);
                dw_jw_obj_end(&w);
            }
            dw_jw_arr_end(&w);
        }
        dw_jw_obj_end(&w);
    }
    dw_jw_arr_end(&w);
    dw_jw_obj_end(&w);
    dw_buf_putc(&b, '\n');
    char path[4096];
    snprintf(path, sizeof path, "%s/sweep.json", out);
    FILE *f = fopen(path, "wb");
    if (f) { dw_buf_write(&b, f); fclose(f); }

    /* sweep.html: recall and cost curves, overall and per campaign class */
    dw_buf_reset(&b);
    dw_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>DistillWatch sweep</title>"
                    "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}</style></head><body>\n"
                    "<h1>Sweep: ");
    dw_buf_html_escaped(&b, k->name, strlen(k->name));
    dw_buf_puts(&b, "</h1>\n<p>target ");
    dw_buf_html_escaped(&b, target, strlen(target));
    dw_buf_puts(&b, ", scenario ");
    dw_buf_html_escaped(&b, scenario, strlen(scenario));
    dw_buf_puts(&b, ", seed ");
    dw_buf_html_escaped(&b, seed, strlen(seed));
    dw_buf_puts(&b, "</p>\n");
    double xs[32], ys[9][32], cs[9][32];
    const char *names[9] = {"all campaigns"};
    int nseries = 1;
    for (int i = 0; i < np; i++) {
        xs[i] = pts[i].x;
        ys[0][i] = pts[i].ok ? pts[i].recall : NAN;
        cs[0][i] = pts[i].ok ? pts[i].cost : NAN;
    }
    /* per-class series, keyed by the class names of the first good point */
    for (int i = 0; i < np && nseries == 1; i++) {
        if (!pts[i].ok) continue;
        for (int c = 0; c < pts[i].nclass && nseries < 9; c++) names[nseries++] = pts[i].class_name[c];
    }
    for (int s = 1; s < nseries; s++)
        for (int i = 0; i < np; i++) {
            ys[s][i] = NAN;
            cs[s][i] = NAN;
            for (int c = 0; c < pts[i].nclass; c++)
                if (!strcmp(pts[i].class_name[c], names[s])) { ys[s][i] = pts[i].class_recall[c]; cs[s][i] = pts[i].class_cost[c]; }
        }
    dwe_series rs[9], costs[9];
    for (int s = 0; s < nseries; s++) {
        rs[s] = (dwe_series){names[s], xs, ys[s], (size_t)np};
        costs[s] = (dwe_series){names[s], xs, cs[s], (size_t)np};
    }
    const char *ticks[32];
    for (int i = 0; i < np; i++) ticks[i] = pts[i].value;
    dwe_chart ch = {"Recall (review + block) of campaign accounts", k->name, "recall", k->logx, false,
                    k->categorical ? -0.5 : 0, k->categorical ? np - 0.5 : 0, 0, 1,
                    k->categorical ? ticks : NULL, k->categorical ? (size_t)np : 0};
    dwe_svg_chart(&b, &ch, rs, (size_t)nseries);
    dwe_chart cc = {"Attacker cost: accounts per 1M answers before detection", k->name, "accounts (log)", k->logx,
                    true, k->categorical ? -0.5 : 0, k->categorical ? np - 0.5 : 0, 0, 0,
                    k->categorical ? ticks : NULL, k->categorical ? (size_t)np : 0};
    dw_buf_puts(&b, "\n");
    dwe_svg_chart(&b, &cc, costs, (size_t)nseries);
    dw_buf_puts(&b, "\n<p>A missing point on the cost curve means no answer got through before detection "
                    "(infinite cost) or the point failed.</p>\n</body></html>\n");
    snprintf(path, sizeof path, "%s/sweep.html", out);
    f = fopen(path, "wb");
    int wrote = f && dw_buf_write(&b, f) == 0;
    if (f && fclose(f) != 0) wrote = 0;
    dw_buf_free(&b);
    if (!wrote) {
        fprintf(stderr, "eval --sweep: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    printf("wrote %s/sweep.json and %s/sweep.html\n", out, out);
    return failures ? 1 : 0;
}
