/*
 * attribute.c -- `distillwatch attribute`: which model wrote these answers?
 *
 *   attribute rank --ref NAME=FILE [--ref NAME=FILE ...] [--field PATH] FILE...
 *       rank candidate models for the unknown answers in FILE(s), with
 *       calibrated probabilities per answer and combined;
 *   attribute eval [--dir DIR] [--group K]
 *       the held-out experiment on arena-hard model answers (DIR holds
 *       question.jsonl and model_answer/NAME.jsonl): accuracy, confusion
 *       matrix, calibration;
 *   attribute lineage [FILE]
 *       a family tree of models from slop-forensics profiles, checked
 *       against known lineage.
 * Output is JSON on stdout; the library code is src/prove/fingerprint.c,
 * attr_eval.c, lineage.c and lineage_eval.c.
 */
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/buf.h"
#include "decode/json.h"
#include "prove/attr_eval.h"
#include "prove/fingerprint.h"
#include "prove/lineage.h"
#include "prove/lineage_eval.h"
#include "prove/wm_input.h"
#include "common/util.h"

static void attr_usage(FILE *f)
{
    fputs("usage: distillwatch attribute rank --ref NAME=FILE [--ref NAME=FILE ...] [--field PATH] FILE...\n"
          "       distillwatch attribute eval [--dir DIR] [--group K]\n"
          "       distillwatch attribute lineage [PROFILES.json]\n"
          "\n"
          "rank     score unknown answers against reference answers of candidate models\n"
          "         (lexical fingerprints: over-used words, word bigrams, character 4-grams);\n"
          "         prints calibrated probabilities per answer and for all answers together\n"
          "eval     held-out attribution on arena-hard model answers (default\n"
          "         ../shared/corpora/arena-hard-v0.1): accuracy and confusion matrix\n"
          "lineage  model family tree from slop-forensics profiles (default\n"
          "         ../shared/provenance/slop-forensics/slop_profile_results.json)\n", f);
}

/* --- rank ---------------------------------------------------------------------- */

typedef struct add_ctx { dw_fp *fp; const char *name; int count; int parity; } add_ctx;

static int add_text(void *ud, const dw_wm_text *t)
{
    add_ctx *c = ud;
    if (c->parity < 0 || (c->count & 1) == c->parity) dw_fp_add(c->fp, c->name, t->text, t->len);
    c->count++;
    return 0;
}

typedef struct cal_ctx { dw_fp *fp; int label; double *llr; int *lab; int n, cap, count; dw_fp_doc d; } cal_ctx;

static int cal_text(void *ud, const dw_wm_text *t)
{
    cal_ctx *c = ud;
    if ((c->count++ & 1) == 0) return 0;   /* odd texts only: even ones built the profile */
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->llr = dw_xrealloc(c->llr, (size_t)c->cap * DW_FP_MAX_MODELS * sizeof *c->llr);
        c->lab = dw_xrealloc(c->lab, (size_t)c->cap * sizeof *c->lab);
    }
    dw_fp_doc_build(&c->d, t->text, t->len);
    dw_fp_score(c->fp, &c->d, c->llr + (size_t)c->n * dw_fp_count(c->fp));
    c->lab[c->n++] = c->label;
    return 0;
}

typedef struct rank_ctx {
    dw_fp *fp;
    double T;
    double sum_logp[DW_FP_MAX_MODELS];
    int n;
    const char *file;
    dw_fp_doc d;
    dw_buf out;
} rank_ctx;

static int rank_text(void *ud, const dw_wm_text *t)
{
    rank_ctx *c = ud;
    int m = dw_fp_count(c->fp);
    double s[DW_FP_MAX_MODELS], p[DW_FP_MAX_MODELS];
    dw_fp_doc_build(&c->d, t->text, t->len);
    dw_fp_score(c->fp, &c->d, s);
    dw_fp_probs(s, m, c->T, p);
    dw_jw w;
    dw_jw_init(&w, &c->out);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "file");
    dw_jw_str(&w, c->file);
    dw_jw_key(&w, "line");
    dw_jw_uint(&w, t->line);
    dw_jw_key(&w, "probabilities");
    dw_jw_obj_begin(&w);
    for (int i = 0; i < m; i++) {
        dw_jw_key(&w, dw_fp_name(c->fp, i));
        dw_jw_fixed(&w, p[i], 4);
        c->sum_logp[i] += log(fmax(p[i], 1e-300));
    }
    dw_jw_obj_end(&w);
    dw_jw_obj_end(&w);
    dw_buf_putc(&c->out, '\n');
    c->n++;
    return 0;
}

static int scan_file(const char *path, const char *field, dw_wm_text_fn fn, void *ud)
{
    char err[512];
    size_t n;
    char *buf = dw_wm_slurp(path, &n, err, sizeof err);
    if (!buf) { fprintf(stderr, "attribute: %s\n", err); return -1; }
    int rc = dw_wm_input_scan(path, buf, n, field, NULL, fn, ud, err, sizeof err);
    if (rc) fprintf(stderr, "attribute: %s\n", err);
    free(buf);
    return rc;
}

static int attr_rank(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ref", required_argument, 0, 'r'}, {"field", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},     {0, 0, 0, 0},
    };
    const char *refs[DW_FP_MAX_MODELS];
    int nref = 0;
    const char *field = "text";
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (o == 'r') {
            if (nref == DW_FP_MAX_MODELS || !strchr(optarg, '=')) {
                fprintf(stderr, "attribute rank: --ref takes NAME=FILE (at most %d)\n", DW_FP_MAX_MODELS);
                return 2;
            }
            refs[nref++] = optarg;
        } else if (o == 'f') field = optarg;
        else if (o == 'h') { attr_usage(stdout); return 0; }
        else { attr_usage(stderr); return 2; }
    }
    if (nref < 2 || optind >= argc) {
        fprintf(stderr, "attribute rank: need at least two --ref candidates and one input file\n");
        return 2;
    }
    /* calibration: profiles from even-numbered reference texts, temperature
     * fitted on the odd-numbered ones; then profiles from everything */
    dw_fp *half = dw_fp_new(), *full = dw_fp_new();
    cal_ctx cal = {half, 0, NULL, NULL, 0, 0, 0, {0}};
    int rc = 0;
    for (int i = 0; i < nref && rc == 0; i++) {
        char name[256];
        const char *eq = strchr(refs[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - refs[i]), refs[i]);
        add_ctx a = {half, name, 0, 0}, b = {full, name, 0, -1};
        rc = scan_file(eq + 1, field, add_text, &a) || scan_file(eq + 1, field, add_text, &b);
        if (a.count < 2 && rc == 0) {
            fprintf(stderr, "attribute rank: %s has fewer than two reference texts\n", name);
            rc = 2;
        }
    }
    for (int i = 0; i < nref && rc == 0; i++) {
        cal.label = i;
        cal.count = 0;
        rc = scan_file(strchr(refs[i], '=') + 1, field, cal_text, &cal);
    }
    rank_ctx rk = {0};
    rk.fp = full;
    rk.T = rc == 0 ? dw_fp_calibrate(cal.llr, cal.lab, cal.n, dw_fp_count(half)) : 1;
    for (int i = optind; i < argc && rc == 0; i++) {
        rk.file = argv[i];
        rc = scan_file(argv[i], field, rank_text, &rk);
    }
    if (rc == 0) {
        int m = dw_fp_count(full);
        double p[DW_FP_MAX_MODELS];
        dw_fp_probs(rk.sum_logp, m, 1.0, p);
        dw_jw w;
        dw_jw_init(&w, &rk.out);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "combined");
        dw_jw_bool(&w, true);
        dw_jw_key(&w, "texts");
        dw_jw_int(&w, rk.n);
        dw_jw_key(&w, "temperature");
        dw_jw_num(&w, rk.T);
        dw_jw_key(&w, "ranking");
        dw_jw_arr_begin(&w);
        int order[DW_FP_MAX_MODELS];
        for (int i = 0; i < m; i++) order[i] = i;
        for (int i = 1; i < m; i++)
            for (int j = i; j > 0 && p[order[j]] > p[order[j - 1]]; j--) { int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t; }
        for (int i = 0; i < m; i++) {
            char feats[8][64];
            char *fp[8];
            for (int q = 0; q < 8; q++) fp[q] = feats[q];
            int nf = dw_fp_top_features(full, order[i], 8, fp, 64);
            dw_jw_obj_begin(&w);
            dw_jw_key(&w, "model");
            dw_jw_str(&w, dw_fp_name(full, order[i]));
            dw_jw_key(&w, "probability");
            dw_jw_num(&w, p[order[i]]);
            dw_jw_key(&w, "overused");
            dw_jw_arr_begin(&w);
            for (int q = 0; q < nf; q++) dw_jw_str(&w, feats[q]);
            dw_jw_arr_end(&w);
            dw_jw_obj_end(&w);
        }
        dw_jw_arr_end(&w);
        dw_jw_key(&w, "note");
        dw_jw_str(&w, "combined probabilities multiply per-answer ones and assume independent answers");
        dw_jw_obj_end(&w);
        dw_buf_putc(&rk.out, '\n');
        dw_buf_write(&rk.out, stdout);
    }
    dw_buf_free(&rk.out);
    dw_fp_doc_free(&rk.d);
    dw_fp_doc_free(&cal.d);
    free(cal.llr);
    free(cal.lab);
    dw_fp_free(half);
    dw_fp_free(full);
    return rc ? 1 : 0;
}

/* --- eval ---------------------------------------------------------------------- */

typedef struct arena {
    char **uids;
    int nuid;
    dw_attr_doc *docs;
    size_t ndocs, cap;
    char *bufs[DW_FP_MAX_MODELS];
    char *texts;         /* decoded answers, back to back */
    size_t tlen, tcap;
} arena;

static int uid_index(const arena *a, const char *uid)
{
    for (int i = 0; i < a->nuid; i++)
        if (!strcmp(a->uids[i], uid)) return i;
    return -1;
}

static int load_arena(const char *dir, arena *a, char names[][128], int *nmodels, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/question.jsonl", dir);
    size_t n;
    char *q = dw_wm_slurp(path, &n, err, errlen);
    if (!q) return -1;
    dw_json_doc d;
    dw_json_init(&d);
    char uid[128];
    for (char *save = NULL, *l = strtok_r(q, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (dw_json_parse(&d, l, strlen(l)) || dw_json_str(&d, dw_json_get(&d, 0, "uid"), uid, sizeof uid) < 0) {
            snprintf(err, errlen, "%.400s: malformed question line", path);
            free(q);
            dw_json_free(&d);
            return -1;
        }
        a->uids = realloc(a->uids, (size_t)(a->nuid + 1) * sizeof *a->uids);
        a->uids[a->nuid++] = strdup(uid);
    }
    free(q);
    snprintf(path, sizeof path, "%s/model_answer", dir);
    DIR *dd = opendir(path);
    if (!dd) { snprintf(err, errlen, "%.400s: cannot open", path); dw_json_free(&d); return -1; }
    char files[DW_FP_MAX_MODELS][256];
    int nf = 0;
    for (struct dirent *e; (e = readdir(dd)) && nf < DW_FP_MAX_MODELS;) {
        size_t l = strlen(e->d_name);
        if (l > 6 && !strcmp(e->d_name + l - 6, ".jsonl")) snprintf(files[nf++], sizeof files[0], "%s", e->d_name);
    }
    closedir(dd);
    /* stable order: by name */
    for (int i = 1; i < nf; i++)
        for (int j = i; j > 0 && strcmp(files[j], files[j - 1]) < 0; j--) {
            char t[256];
            memcpy(t, files[j], 256); memcpy(files[j], files[j - 1], 256); memcpy(files[j - 1], t, 256);
        }
    for (int m = 0; m < nf; m++) {
        snprintf(names[m], 128, "%.*s", (int)(strlen(files[m]) - 6), files[m]);
        snprintf(path, sizeof path, "%s/model_answer/%s", dir, files[m]);
        char *buf = dw_wm_slurp(path, &n, err, errlen);
        if (!buf) { dw_json_free(&d); return -1; }
        a->bufs[m] = buf;
        for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            if (dw_json_parse(&d, l, strlen(l))) {
                snprintf(err, errlen, "%.400s: offset %zu: %s", path, d.err_off, d.err_msg);
                dw_json_free(&d);
                return -1;
            }
            int32_t at = dw_json_path(&d, 0, "messages.1.content.answer");
            if (at < 0 || dw_json_str(&d, dw_json_get(&d, 0, "uid"), uid, sizeof uid) < 0) continue;
            int pi = uid_index(a, uid);
            if (pi < 0) continue;
            long len = dw_json_str(&d, at, (char[1]){0}, 0);
            if (a->ndocs == a->cap) {
                a->cap = a->cap ? a->cap * 2 : 1024;
                a->docs = dw_xrealloc(a->docs, a->cap * sizeof *a->docs);
            }
            char *t = dw_xmalloc((size_t)len + 1);
            dw_json_str(&d, at, t, (size_t)len + 1);
            a->docs[a->ndocs++] = (dw_attr_doc){m, pi, t, (size_t)len};
        }
    }
    *nmodels = nf;
    dw_json_free(&d);
    return 0;
}

static int attr_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, 0, 'd'}, {"group", required_argument, 0, 'g'},
        {"help", no_argument, 0, 'h'},     {0, 0, 0, 0},
    };
    const char *dir = "../shared/corpora/arena-hard-v0.1";
    int group = 5, o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (o == 'd') dir = optarg;
        else if (o == 'g') group = atoi(optarg);
        else if (o == 'h') { attr_usage(stdout); return 0; }
        else { attr_usage(stderr); return 2; }
    }
    arena a = {0};
    static char names[DW_FP_MAX_MODELS][128];
    int nm = 0;
    char err[512];
    int rc = 0;
    if (load_arena(dir, &a, names, &nm, err, sizeof err)) { fprintf(stderr, "attribute eval: %s\n", err); rc = 1; }
    if (rc == 0 && nm < 2) { fprintf(stderr, "attribute eval: need answers of at least two models\n"); rc = 1; }
    static dw_attr_report r;
    if (rc == 0) {
        const char *np[DW_FP_MAX_MODELS];
        for (int i = 0; i < nm; i++) np[i] = names[i];
        dw_attr_evaluate(a.docs, a.ndocs, nm, np, group, &r);
        dw_buf out = {0};
        dw_jw w;
        dw_jw_init(&w, &out);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "models");
        dw_jw_arr_begin(&w);
        for (int i = 0; i < nm; i++) dw_jw_str(&w, names[i]);
        dw_jw_arr_end(&w);
        dw_jw_key(&w, "test_answers");
        dw_jw_int(&w, r.ntest);
        dw_jw_key(&w, "accuracy");
        dw_jw_fixed(&w, (double)r.correct / r.ntest, 4);
        dw_jw_key(&w, "confusion");   /* rows: true model, columns: predicted */
        dw_jw_arr_begin(&w);
        for (int i = 0; i < nm; i++) {
            dw_jw_arr_begin(&w);
            for (int j = 0; j < nm; j++) dw_jw_int(&w, r.confusion[i][j]);
            dw_jw_arr_end(&w);
        }
        dw_jw_arr_end(&w);
        dw_jw_key(&w, "temperature");
        dw_jw_num(&w, r.temperature);
        dw_jw_key(&w, "mean_confidence");
        dw_jw_fixed(&w, r.mean_confidence, 4);
        dw_jw_key(&w, "ece");
        dw_jw_fixed(&w, r.ece, 4);
        dw_jw_key(&w, "nll");
        dw_jw_fixed(&w, r.nll, 4);
        dw_jw_key(&w, "reliability");
        dw_jw_arr_begin(&w);
        for (int b = 0; b < DW_ATTR_BINS; b++) {
            if (!r.bin_n[b]) continue;
            dw_jw_obj_begin(&w);
            dw_jw_key(&w, "confidence");
            dw_jw_fixed(&w, r.bin_conf[b], 3);
            dw_jw_key(&w, "accuracy");
            dw_jw_fixed(&w, (double)r.bin_correct[b] / r.bin_n[b], 3);
            dw_jw_key(&w, "n");
            dw_jw_int(&w, r.bin_n[b]);
            dw_jw_obj_end(&w);
        }
        dw_jw_arr_end(&w);
        dw_jw_key(&w, "group_size");
        dw_jw_int(&w, r.group);
        dw_jw_key(&w, "groups");
        dw_jw_int(&w, r.ngroups);
        dw_jw_key(&w, "group_accuracy");
        if (r.ngroups) dw_jw_fixed(&w, (double)r.groups_correct / r.ngroups, 4);
        else dw_jw_null(&w);
        dw_jw_obj_end(&w);
        dw_buf_putc(&out, '\n');
        dw_buf_write(&out, stdout);
        dw_buf_free(&out);
    }
    for (size_t i = 0; i < a.ndocs; i++) free((char *)a.docs[i].text);
    free(a.docs);
    for (int i = 0; i < a.nuid; i++) free(a.uids[i]);
    free(a.uids);
    for (int m = 0; m < DW_FP_MAX_MODELS; m++) free(a.bufs[m]);
    return rc;
}

/* --- lineage --------------------------------------------------------------------- */

static int attr_lineage(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "../shared/provenance/slop-forensics/slop_profile_results.json";
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) { attr_usage(stdout); return 0; }
    char err[512];
    size_t n;
    char *buf = dw_wm_slurp(path, &n, err, sizeof err);
    if (!buf) { fprintf(stderr, "attribute lineage: %s\n", err); return 1; }
    dw_lineage *l = dw_lineage_load(buf, n, err, sizeof err);
    free(buf);
    if (!l) { fprintf(stderr, "attribute lineage: %s: %s\n", path, err); return 1; }
    int m = dw_lineage_count(l);
    dw_tree_node *nodes = dw_xcalloc((size_t)(2 * m), sizeof *nodes);
    int *clade = dw_xmalloc((size_t)m * sizeof *clade);
    int root = dw_lineage_tree(l, nodes);
    dw_lineage_report r;
    dw_lineage_check(l, nodes, &r);
    char *nw;
    size_t nwlen;
    dw_lineage_newick(l, nodes, root, &nw, &nwlen);
    dw_buf out = {0};
    dw_jw w;
    dw_jw_init(&w, &out);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "models");
    dw_jw_int(&w, m);
    dw_jw_key(&w, "known_pairs");
    dw_jw_int(&w, r.pairs);
    dw_jw_key(&w, "known_pairs_recovered");
    dw_jw_int(&w, r.pairs_recovered);
    dw_jw_key(&w, "families");
    dw_jw_arr_begin(&w);
    for (int f = 0; f < DW_LINEAGE_FAMILIES; f++) {
        const dw_lineage_family_score *s = &r.fam[f];
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "family");
        dw_jw_str(&w, s->family);
        dw_jw_key(&w, "members");
        dw_jw_int(&w, s->members);
        dw_jw_key(&w, "pairs");
        dw_jw_int(&w, s->pairs);
        dw_jw_key(&w, "pairs_recovered");
        dw_jw_int(&w, s->pairs_recovered);
        dw_jw_key(&w, "nearest_in_family");
        dw_jw_int(&w, s->nn_in_family);
        dw_jw_key(&w, "smallest_clade");
        dw_jw_int(&w, s->clade_size);
        dw_jw_obj_end(&w);
    }
    dw_jw_arr_end(&w);
    dw_jw_key(&w, "placement");
    dw_jw_arr_begin(&w);
    for (int i = 0; i < m; i++) {
        const char *name = dw_lineage_name(l, i);
        if (dw_lineage_known_family(name)) continue;
        int k = dw_lineage_sibling_clade(nodes, m, i, clade);
        int nn = dw_lineage_nearest(l, i);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "model");
        dw_jw_str(&w, name);
        dw_jw_key(&w, "nearest");
        dw_jw_str(&w, dw_lineage_name(l, nn));
        dw_jw_key(&w, "similarity");
        dw_jw_fixed(&w, dw_lineage_similarity(l, i, nn), 3);
        dw_jw_key(&w, "clade");
        dw_jw_arr_begin(&w);
        for (int q = 0; q < k; q++)
            if (clade[q] != i) dw_jw_str(&w, dw_lineage_name(l, clade[q]));
        dw_jw_arr_end(&w);
        dw_jw_obj_end(&w);
    }
    dw_jw_arr_end(&w);
    dw_jw_key(&w, "newick");
    dw_jw_str(&w, nw);
    dw_jw_obj_end(&w);
    dw_buf_putc(&out, '\n');
    int rc = dw_buf_write(&out, stdout) ? 1 : 0;
    dw_buf_free(&out);
    free(nw);
    free(nodes);
    free(clade);
    dw_lineage_free(l);
    return rc;
}

int dw_cmd_attribute(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        attr_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "rank")) return attr_rank(argc - 1, argv + 1);
    if (!strcmp(argv[1], "eval")) return attr_eval(argc - 1, argv + 1);
    if (!strcmp(argv[1], "lineage")) return attr_lineage(argc - 1, argv + 1);
    fprintf(stderr, "attribute: unknown subcommand '%s'\n", argv[1]);
    attr_usage(stderr);
    return 2;
}
