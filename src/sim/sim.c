/*
 * sim.c -- the `simulate` command: populate, schedule, sort, render.
 *
 * Order of work is fixed so output is reproducible: classes are populated in
 * enum order, each account schedules its own events from its own seed, the
 * events are sorted by (time, account index, creation order), and only then
 * is each line rendered -- so the bytes depend on the seed, the scenario and
 * the corpus files, never on allocation addresses or hash-table order.
 * Accounts and truth are written sorted by account id, which is a hash, so
 * file order says nothing about class.
 */
#include "sim/sim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "sim/actor.h"
#include "sim/clock.h"
#include "sim/render.h"
#include "sim/world.h"
#include "common/util.h"

static const dws_class_impl *impl_of(int cls)
{
    static const dws_class_impl *const t[DWS_CLASS_COUNT] = {
        &dws_impl_casual, &dws_impl_office, &dws_impl_coding_agent, &dws_impl_batch, &dws_impl_eval,
        &dws_impl_researcher, &dws_impl_campus, &dws_impl_reseller, &dws_impl_jailbreaker,
        &dws_impl_rr, &dws_impl_hydra, &dws_impl_agentic, &dws_impl_multilingual,
    };
    return t[cls];
}

static int cmp_event(const void *x, const void *y)
{
    const dws_event *a = x, *b = y;
    if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
    if (a->acct != b->acct) return a->acct < b->acct ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static const dws_account *sort_base;
static int cmp_acct_id(const void *x, const void *y)
{
    return strcmp(sort_base[*(const uint32_t *)x].id, sort_base[*(const uint32_t *)y].id);
}

static int mkdir_p(const char *dir)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return -1;
    return 0;
}

static FILE *open_out(const char *dir, const char *name, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) snprintf(err, errlen, "%s: %s", path, strerror(errno));
    else setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static void write_accounts(const dws_world *w, const uint32_t *order, size_t n, FILE *fa, FILE *ft)
{
    dw_buf b = {0};
    dw_jw jw;
    char ts[32];
    for (size_t i = 0; i < n; i++) {
        const dws_account *a = &w->acc[order[i]];
        dw_buf_reset(&b);
        dw_jw_init(&jw, &b);
        dw_jw_obj_begin(&jw);
        dw_jw_key(&jw, "account_id");
        dw_jw_str(&jw, a->id);
        dw_jw_key(&jw, "created_at");
        dws_time_format(a->created_ms, ts);
        dw_jw_str(&jw, ts);
        dw_jw_key(&jw, "payment_fingerprint");
        if (a->payment[0]) dw_jw_str(&jw, a->payment);
        else dw_jw_null(&jw);
        dw_jw_key(&jw, "email_domain");
        dw_jw_str(&jw, a->email);
        dw_jw_key(&jw, "signup_program");
        dw_jw_str(&jw, a->program ? a->program : "standard");
        dw_jw_key(&jw, "country");
        dw_jw_str(&jw, dws_country_code(a->country));
        dw_jw_key(&jw, "verified");
        dw_jw_bool(&jw, a->verified);
        dw_jw_obj_end(&jw);
        dw_buf_putc(&b, '\n');
        dw_buf_write(&b, fa);

        dw_buf_reset(&b);
        dw_jw_init(&jw, &b);
        dw_jw_obj_begin(&jw);
        dw_jw_key(&jw, "account_id");
        dw_jw_str(&jw, a->id);
        dw_jw_key(&jw, "label");
        dw_jw_str(&jw, dws_class_label(a->cls));
        dw_jw_key(&jw, "campaign");
        if (a->campaign >= 0) dw_jw_str(&jw, w->camp[a->campaign].id);
        else dw_jw_null(&jw);
        dw_jw_key(&jw, "class");
        dw_jw_str(&jw, dws_class_name(a->cls));
        dw_jw_obj_end(&jw);
        dw_buf_putc(&b, '\n');
        dw_buf_write(&b, ft);
    }
    dw_buf_free(&b);
}

int dws_simulate(const dws_scenario *sc, uint64_t seed, const char *corpus_dir, const char *outdir,
                 dws_stats *st, char *err, size_t errlen)
{
    dws_world w;
    memset(&w, 0, sizeof w);
    w.sc = sc;
    w.seed = seed;
    w.t0 = sc->start_ms;
    w.t1 = sc->start_ms + (int64_t)sc->days * DWS_MS_PER_DAY;
    w.release_ms = sc->release_day >= 0 ? sc->start_ms + (int64_t)(sc->release_day * (double)DWS_MS_PER_DAY)
                                        : INT64_MAX / 2;
    dws_corpus *corpus = NULL;
    if (corpus_dir) {
        corpus = dws_corpus_load(corpus_dir, err, errlen);
        if (!corpus) return -1;
        w.corpus = corpus;
    }
    if (mkdir_p(outdir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
        dws_corpus_free(corpus);
        return -1;
    }

    for (int c = 0; c < DWS_CLASS_COUNT; c++) {
        w.first_of_class[c] = (int)w.nacc;
        impl_of(c)->populate(&w, c);
        w.n_of_class[c] = (int)w.nacc - w.first_of_class[c];
    }
    for (size_t i = 0; i < w.nacc; i++) dws_acct_id(&w, &w.acc[i]);
    for (size_t i = 0; i < w.nacc; i++) impl_of(w.acc[i].cls)->schedule(&w, (uint32_t)i);
    if (w.nev) qsort(w.ev, w.nev, sizeof *w.ev, cmp_event);

    int rc = -1;
    FILE *fr = NULL, *fa = NULL, *ft = NULL, *fl = NULL, *fs = NULL;
    size_t *count = dw_xcalloc(w.nacc ? w.nacc : 1, sizeof *count);
    uint32_t *order = dw_xmalloc((w.nacc ? w.nacc : 1) * sizeof *order);
    if (!(fr = open_out(outdir, "requests.jsonl", err, errlen))) goto out;
    if (!(fl = open_out(outdir, "truth_requests.jsonl", err, errlen))) goto out;

    dws_req q;
    memset(&q, 0, sizeof q);
    dw_buf line = {0};
    for (size_t i = 0; i < w.nev; i++) {
        const dws_event *e = &w.ev[i];
        const dws_account *a = &w.acc[e->acct];
        dws_req_reset(&q);
        impl_of(a->cls)->compose(&w, a, e, &q);
        char rid[24], hex[17];
        dws_hex(hex, dws_mix64(seed * 0x9E3779B97F4A7C15ULL ^ (uint64_t)i), 16);
        snprintf(rid, sizeof rid, "req_%s", hex);
        dw_buf_reset(&line);
        dws_render(&w, a, e, &q, rid, &line);
        if (dw_buf_write(&line, fr) != 0) {
            snprintf(err, errlen, "%s/requests.jsonl: write failed", outdir);
            dws_req_free(&q);
            dw_buf_free(&line);
            goto out;
        }
        count[e->acct]++;
        if (st) st->req_per_class[a->cls]++;
        if (a->campaign >= 0) {
            /* which campaign requests were the harvest and which were cover:
             * the evaluator prices an attack in harvested answers */
            dw_buf_reset(&line);
            dw_buf_printf(&line, "{\"request_id\":\"%s\",\"account_id\":\"%s\",\"purpose\":\"%s\"}\n", rid, a->id,
                          e->kind == 0 ? "cover" : "harvest");
            dw_buf_write(&line, fl);
        }
    }
    dws_req_free(&q);
    dw_buf_free(&line);

    size_t n = 0;
    for (size_t i = 0; i < w.nacc; i++)
        if (count[i]) order[n++] = (uint32_t)i;
    sort_base = w.acc;
    qsort(order, n, sizeof *order, cmp_acct_id);
    if (!(fa = open_out(outdir, "accounts.jsonl", err, errlen))) goto out;
    if (!(ft = open_out(outdir, "truth.jsonl", err, errlen))) goto out;
    write_accounts(&w, order, n, fa, ft);
    if ((fs = open_out(outdir, "scenario.ini", err, errlen))) {
        char *ini = dws_scenario_to_ini(sc);
        fprintf(fs, "# effective scenario of this run (seed %" PRIu64 ")\n%s", seed, ini);
        free(ini);
    }
    if (st) {
        st->accounts = n;
        st->requests = w.nev;
        st->campaigns = w.ncamp;
        for (size_t i = 0; i < n; i++) st->per_class[w.acc[order[i]].cls]++;
    }
    rc = 0;
out:
    if (fr && fclose(fr) != 0 && rc == 0) { snprintf(err, errlen, "write failed in %s", outdir); rc = -1; }
    if (fa && fclose(fa) != 0 && rc == 0) { snprintf(err, errlen, "write failed in %s", outdir); rc = -1; }
    if (ft && fclose(ft) != 0 && rc == 0) { snprintf(err, errlen, "write failed in %s", outdir); rc = -1; }
    if (fl && fclose(fl) != 0 && rc == 0) { snprintf(err, errlen, "write failed in %s", outdir); rc = -1; }
    if (fs) fclose(fs);
    free(count);
    free(order);
    free(w.acc);
    free(w.ev);
    free(w.camp);
    dws_corpus_free(corpus);
    return rc;
}

/* ---- command line ------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs("usage: distillwatch simulate --out DIR [--seed N] [--days D] [--scenario NAME|FILE]\n"
          "                             [--corpus DIR] [--start RFC3339] [--set KEY=VALUE]... [--quiet]\n"
          "\n"
          "Write a labeled synthetic traffic mix: legitimate heavy users and distillation campaigns.\n"
          "\n"
          "  --out DIR          where to write requests.jsonl (native log shape, timestamp order),\n"
          "                     accounts.jsonl, truth.jsonl, truth_requests.jsonl and scenario.ini\n"
          "  --seed N           random seed (default 1); same seed and scenario give the same bytes\n"
          "  --days D           length of the simulated window in days (default: the scenario's)\n"
          "  --scenario S       'default' (7 days, ~3,000 accounts), 'demo' (2 days, small), or an INI\n"
          "                     file such as data/scenarios/default.ini (format documented there)\n"
          "  --corpus DIR       draw real prompts, answers and token counts from the public data sets\n"
          "                     in DIR (e.g. ../shared/corpora); without it built-in text is used\n"
          "  --start T          start of the window, RFC 3339 (default: the scenario's)\n"
          "  --set K=V          override one scenario key: SECTION.KEY=VALUE, or a bare campaign knob\n"
          "                     (cover_share, accounts_per_campaign, requests_per_account_per_day,\n"
          "                     template_paraphrases, ip_rotation, pacing) for every campaign class\n"
          "  --quiet            print nothing on success\n"
          "  --help             this text\n",
          f);
}

static const char *optval(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != 0) return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "simulate: %s needs a value\n", name);
        return "";
    }
    return argv[++*i];
}

int dw_cmd_simulate(int argc, char **argv)
{
    uint64_t seed = 1;
    const char *out = NULL, *corpus = NULL, *scen = "default", *start = NULL;
    int days = 0;
    bool quiet = false;
    const char *sets[64];
    int nsets = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { usage(stdout); return 0; }
        if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) { quiet = true; continue; }
        if ((v = optval(argc, argv, &i, "--seed"))) {
            char *end;
            errno = 0;
            unsigned long long x = strtoull(v, &end, 10);
            if (!*v || *end || errno || *v == '-') {
                fprintf(stderr, "simulate: --seed must be a non-negative integer, got '%s'\n", v);
                return 2;
            }
            seed = x;
        } else if ((v = optval(argc, argv, &i, "--days"))) {
            char *end;
            long x = strtol(v, &end, 10);
            if (!*v || *end || x < 1 || x > 366) {
                fprintf(stderr, "simulate: --days must be an integer 1..366, got '%s'\n", v);
                return 2;
            }
            days = (int)x;
        } else if ((v = optval(argc, argv, &i, "--out"))) {
            out = v;
        } else if ((v = optval(argc, argv, &i, "--corpus"))) {
            corpus = v;
        } else if ((v = optval(argc, argv, &i, "--scenario"))) {
            scen = v;
        } else if ((v = optval(argc, argv, &i, "--start"))) {
            start = v;
        } else if ((v = optval(argc, argv, &i, "--set"))) {
            if (nsets == 64) { fprintf(stderr, "simulate: too many --set options\n"); return 2; }
            sets[nsets++] = v;
        } else {
            fprintf(stderr, "simulate: unknown option '%s' (see distillwatch simulate --help)\n", argv[i]);
            return 2;
        }
        if (v && !*v) return 2;
    }
    if (!out || !*out) {
        fprintf(stderr, "simulate: --out DIR is required (see distillwatch simulate --help)\n");
        return 2;
    }
    dws_scenario sc;
    char err[512];
    if (!dws_scenario_builtin(scen, &sc)) {
        struct stat stt;
        if (stat(scen, &stt) != 0) {
            fprintf(stderr, "simulate: --scenario '%s' is neither a built-in scenario (default, demo) nor a file\n",
                    scen);
            return 2;
        }
        if (!dws_scenario_load(scen, &sc, err, sizeof err)) {
            fprintf(stderr, "simulate: %s\n", err);
            return 2;
        }
    }
    for (int i = 0; i < nsets; i++) {
        if (!dws_scenario_set(&sc, sets[i], err, sizeof err)) {
            fprintf(stderr, "simulate: --set: %s\n", err);
            return 2;
        }
    }
    if (days) sc.days = days;
    if (start && !dws_time_parse(start, strlen(start), &sc.start_ms)) {
        fprintf(stderr, "simulate: --start must be an RFC 3339 time, got '%s'\n", start);
        return 2;
    }
    dws_stats st;
    memset(&st, 0, sizeof st);
    if (dws_simulate(&sc, seed, corpus, out, &st, err, sizeof err) != 0) {
        fprintf(stderr, "simulate: %s\n", err);
        return 1;
    }
    if (!quiet) {
        printf("simulated %d days (scenario %s, seed %" PRIu64 "%s): %zu accounts, %zu requests, %zu campaigns -> %s/\n",
               sc.days, sc.name, seed, corpus ? ", corpus" : "", st.accounts, st.requests, st.campaigns, out);
        for (int c = 0; c < DWS_CLASS_COUNT; c++)
            if (st.per_class[c])
                printf("  %-22s %6zu accounts %9zu requests\n", dws_class_name(c), st.per_class[c],
                       st.req_per_class[c]);
    }
    return 0;
}
