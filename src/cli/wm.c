/*
 * wm.c -- `distillwatch wm`: watermark scoring (and the radioactivity
 * experiment, see prove/experiment.h).
 *
 *   distillwatch wm score --tokenizer FILE --seeding hash|lefthash|selfhash
 *       --salt N --seed N --ngram N --gamma G --tape none|v1|v2
 *       [--field NAME] [--prompt-field NAME] [--filter FILE [--filter-number N]]
 *       [--vocab N]
 *       [--chunked [--every N]] [--literal-specials] FILE...
 *
 * One JSON line per text (or, with --chunked, cumulative rows over the whole
 * corpus).  Everything the library needs is in src/prove/; this file only
 * turns flags into parameters and results into JSON.
 *
 * A p-value is printed only where it is one: per text and cumulative rows
 * score each (window, token) once with tape v1/v2.  With --tape none the
 * count over repeated n-grams is not binomial, so the row carries the green
 * share and z-score but "pvalue": null and "valid_pvalue": false.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/buf.h"
#include "prove/experiment.h"
#include "prove/greenlist.h"
#include "prove/pvalue.h"
#include "prove/tokenizer.h"
#include "prove/wm_input.h"
#include "prove/wm_score.h"

static void wm_usage(FILE *f)
{
    fputs("usage: distillwatch wm score --tokenizer FILE [options] FILE...\n"
          "       distillwatch wm experiment [--out DIR] [options]\n"
          "\n"
          "score: test texts for a green-list watermark (Kirchenbauer et al. 2023) and\n"
          "print one JSON line per text: num_token (tokens scored), num_green, score\n"
          "(green share), z, pvalue (exact binomial tail) and log10_pvalue.\n"
          "  --tokenizer FILE   SentencePiece .model (e.g. Llama 2's), or 'bytes'\n"
          "  --seeding S        hash (radioactive-watermark) | lefthash | selfhash\n"
          "  --salt N           hash key (default 35317 for hash, 15485863 otherwise)\n"
          "  --seed N           secret key of the hash scheme (default 0)\n"
          "  --ngram N          context width h (default 2 hash, 1 lefthash, 4 selfhash)\n"
          "  --gamma G          green share (default 0.25)\n"
          "  --tape T           none | v1 (unique windows) | v2 (unique window+token, default)\n"
          "  --field NAME       JSONL field path holding the text (default text)\n"
          "  --prompt-field NAME  do not score windows that occur in this field's text\n"
          "  --filter FILE      score only windows listed in FILE (one window per line,\n"
          "                     token ids separated by spaces)\n"
          "  --filter-number N  use only the first N windows of the filter file (the\n"
          "                     reference's --filter_number; its lists are most frequent\n"
          "                     first)\n"
          "  --vocab N          size of the permuted vocabulary (default: the tokenizer's)\n"
          "  --literal-specials treat <s>, </s>, <unk> in the text as plain text\n"
          "  --chunked          score all texts as one corpus; print cumulative rows after\n"
          "                     1, 1+N, 1+2N, ... scored tokens and a final row\n"
          "  --every N          row interval for --chunked (default 200)\n"
          "Input files are JSONL (first byte '{') or plain text (one text per file).\n"
          "\n"
          "experiment: the end-to-end radioactivity experiment (teacher, watermark,\n"
          "student, control); `distillwatch wm experiment --help`.\n", f);
}

typedef struct score_ctx {
    dw_tokenizer *tok;
    dw_wm *wm;
    dw_wm_scorer *sc;
    dw_wm_tape tape;
    double gamma;
    bool chunked, literal;
    uint64_t every;
    const char *file;
    dw_wm_tally total;
    dw_ids ids, pids;
    dw_buf out;
} score_ctx;

static void put_stats(dw_jw *w, const dw_wm_tally *t, double gamma, bool valid)
{
    dw_jw_key(w, "num_token");
    dw_jw_uint(w, t->scored);
    dw_jw_key(w, "num_green");
    dw_jw_uint(w, t->green);
    dw_jw_key(w, "score");
    if (t->scored) dw_jw_num(w, (double)t->green / (double)t->scored);
    else dw_jw_null(w);
    dw_jw_key(w, "z");
    dw_jw_num(w, dw_wm_zscore(t->green, t->scored, gamma));   /* NaN -> null */
    double lp = dw_binom_logsf(t->green, t->scored, gamma);
    dw_jw_key(w, "pvalue");
    if (valid) dw_jw_num(w, exp(lp));
    else dw_jw_null(w);
    dw_jw_key(w, "log10_pvalue");
    if (valid) dw_jw_num(w, lp / log(10.0));
    else dw_jw_null(w);
    if (!valid) {
        dw_jw_key(w, "valid_pvalue");
        dw_jw_bool(w, false);
    }
}

static void encode(score_ctx *c, const char *s, size_t n, dw_ids *out)
{
    out->n = 0;
    if (c->literal) dw_tokenizer_encode(c->tok, s, n, out);
    else dw_tokenizer_encode_special(c->tok, s, n, out);
}

static void on_scored(void *ud, const dw_wm_tally *t, bool green)
{
    score_ctx *c = ud;
    (void)green;
    if ((t->scored - 1) % c->every != 0) return;
    dw_jw w;
    dw_jw_init(&w, &c->out);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "num_scored");
    dw_jw_uint(&w, t->scored);
    dw_jw_key(&w, "num_positions");
    dw_jw_uint(&w, t->positions);
    put_stats(&w, t, c->gamma, c->tape != DW_TAPE_NONE);
    dw_jw_obj_end(&w);
    dw_buf_putc(&c->out, '\n');
    if (c->out.len > (1 << 16)) { dw_buf_write(&c->out, stdout); dw_buf_reset(&c->out); }
}

static int on_text(void *ud, const dw_wm_text *t)
{
    score_ctx *c = ud;
    encode(c, t->text, t->len, &c->ids);
    if (t->prompt) {
        encode(c, t->prompt, t->plen, &c->pids);
        dw_wm_scorer_set_prompt(c->sc, c->pids.v, c->pids.n);
    }
    if (c->chunked) {
        dw_wm_scorer_run(c->sc, c->ids.v, c->ids.n, &c->total, on_scored, c);
        return 0;
    }
    dw_wm_scorer_forget(c->sc);
    dw_wm_tally tl = {0};
    dw_wm_scorer_run(c->sc, c->ids.v, c->ids.n, &tl, NULL, NULL);
    dw_jw w;
    dw_jw_init(&w, &c->out);
    dw_jw_obj_begin(&w);
    dw_jw_key(&w, "file");
    dw_jw_str(&w, c->file);
    dw_jw_key(&w, "line");
    dw_jw_uint(&w, t->line);
    dw_jw_key(&w, "tokens");
    dw_jw_uint(&w, c->ids.n);
    put_stats(&w, &tl, c->gamma, c->tape != DW_TAPE_NONE);
    dw_jw_obj_end(&w);
    dw_buf_putc(&c->out, '\n');
    if (c->out.len > (1 << 16)) { dw_buf_write(&c->out, stdout); dw_buf_reset(&c->out); }
    return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') return -1;
    *v = x;
    return 0;
}

typedef struct filter_ctx {
    dw_wm_scorer *sc;
    uint64_t left;   /* windows still to take (--filter-number) */
} filter_ctx;

static void add_window(void *ud, const uint32_t *window)
{
    filter_ctx *f = ud;
    if (!f->left) return;
    f->left--;
    dw_wm_scorer_filter_add(f->sc, window);
}

/* "--filter FILE": the windows that may be scored (dw_wm_parse_windows), the
 * first `limit` of them.  The whole file is parsed either way, so a malformed
 * line is reported even past the limit. */
static int load_filter(dw_wm_scorer *sc, uint32_t clen, const char *path, uint64_t limit, char *err,
                       size_t errlen)
{
    size_t n;
    char *buf = dw_wm_slurp(path, &n, err, errlen);
    if (!buf) return -1;
    filter_ctx f = { sc, limit };
    dw_wm_scorer_filter_on(sc);
    int rc = dw_wm_parse_windows(path, buf, n, clen, add_window, &f, err, errlen);
    free(buf);
    return rc;
}

static int wm_score(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tokenizer", required_argument, 0, 't'}, {"seeding", required_argument, 0, 's'},
        {"salt", required_argument, 0, 'S'},      {"seed", required_argument, 0, 'k'},
        {"ngram", required_argument, 0, 'n'},     {"gamma", required_argument, 0, 'g'},
        {"tape", required_argument, 0, 'T'},      {"field", required_argument, 0, 'f'},
        {"prompt-field", required_argument, 0, 'p'}, {"filter", required_argument, 0, 'F'},
        {"vocab", required_argument, 0, 'V'},     {"chunked", no_argument, 0, 'c'},
        {"every", required_argument, 0, 'e'},     {"literal-specials", no_argument, 0, 'L'},
        {"filter-number", required_argument, 0, 'N'},
        {"help", no_argument, 0, 'h'},            {0, 0, 0, 0},
    };
    const char *tokpath = NULL, *field = "text", *pfield = NULL, *filter = NULL;
    dw_wm_seeding seeding = DW_WM_HASH;
    bool have_salt = false, have_ngram = false;
    uint64_t salt = 0, key = 0, ngram = 0, vocab = 0, every = 200, filter_number = UINT64_MAX;
    double gamma = 0.25;
    dw_wm_tape tape = DW_TAPE_V2;
    bool chunked = false, literal = false;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 't': tokpath = optarg; break;
        case 's':
            if (dw_wm_seeding_parse(optarg, &seeding)) {
                fprintf(stderr, "wm score: --seeding must be hash, lefthash or selfhash, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'S': if (parse_u64(optarg, &salt)) goto badnum; have_salt = true; break;
        case 'k': if (parse_u64(optarg, &key)) goto badnum; break;
        case 'n': if (parse_u64(optarg, &ngram) || ngram > DW_WM_MAX_NGRAM) goto badnum; have_ngram = true; break;
        case 'V': if (parse_u64(optarg, &vocab) || vocab > (1u << 30)) goto badnum; break;
        case 'e': if (parse_u64(optarg, &every) || every == 0) goto badnum; break;
        case 'g': {
            char *end;
            gamma = strtod(optarg, &end);
            if (end == optarg || *end) goto badnum;
            break;
        }
        case 'T':
            if (dw_wm_tape_parse(optarg, &tape)) {
                fprintf(stderr, "wm score: --tape must be none, v1 or v2, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'f': field = optarg; break;
        case 'p': pfield = optarg; break;
        case 'F': filter = optarg; break;
        case 'N': if (parse_u64(optarg, &filter_number)) goto badnum; break;
        case 'c': chunked = true; break;
        case 'L': literal = true; break;
        case 'h': wm_usage(stdout); return 0;
        default: wm_usage(stderr); return 2;
        }
    }
    if (!tokpath || optind >= argc) { wm_usage(stderr); return 2; }
    if (filter_number != UINT64_MAX && !filter) {
        fprintf(stderr, "wm score: --filter-number needs --filter\n");
        return 2;
    }
    char err[512];
    dw_tokenizer *tok = dw_tokenizer_load(tokpath, err, sizeof err);
    if (!tok) { fprintf(stderr, "wm score: %s\n", err); return 1; }
    dw_wm_params p;
    dw_wm_params_default(&p, seeding, vocab ? (uint32_t)vocab : tok->vocab_size);
    if (have_salt) p.salt = salt;
    if (have_ngram) p.ngram = (uint32_t)ngram;
    p.key = key;
    p.gamma = gamma;
    dw_wm *wm = dw_wm_new(&p, err, sizeof err);
    if (!wm) { fprintf(stderr, "wm score: %s\n", err); dw_tokenizer_free(tok); return 2; }
    score_ctx c = {0};
    c.tok = tok;
    c.wm = wm;
    c.sc = dw_wm_scorer_new(wm, tape);
    c.tape = tape;
    c.gamma = gamma;
    c.chunked = chunked;
    c.literal = literal;
    c.every = every;
    int rc = 0;
    if (filter && load_filter(c.sc, dw_wm_context_len(wm), filter, filter_number, err, sizeof err)) {
        fprintf(stderr, "wm score: %s\n", err);
        rc = 1;
    }
    for (int i = optind; i < argc && rc == 0; i++) {
        size_t n;
        char *buf = dw_wm_slurp(argv[i], &n, err, sizeof err);
        if (!buf) { fprintf(stderr, "wm score: %s\n", err); rc = 1; break; }
        c.file = argv[i];
        if (dw_wm_input_scan(argv[i], buf, n, field, pfield, on_text, &c, err, sizeof err)) {
            fprintf(stderr, "wm score: %s\n", err);
            rc = 1;
        }
        free(buf);
    }
    if (rc == 0 && chunked) {
        dw_jw w;
        dw_jw_init(&w, &c.out);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "final");
        dw_jw_bool(&w, true);
        dw_jw_key(&w, "num_scored");
        dw_jw_uint(&w, c.total.scored);
        dw_jw_key(&w, "num_positions");
        dw_jw_uint(&w, c.total.positions);
        put_stats(&w, &c.total, gamma, tape != DW_TAPE_NONE);
        dw_jw_obj_end(&w);
        dw_buf_putc(&c.out, '\n');
    }
    if (dw_buf_write(&c.out, stdout) != 0 || fflush(stdout) != 0) rc = 1;
    dw_buf_free(&c.out);
    dw_ids_free(&c.ids);
    dw_ids_free(&c.pids);
    dw_wm_scorer_free(c.sc);
    dw_wm_free(wm);
    dw_tokenizer_free(tok);
    return rc;
badnum:
    fprintf(stderr, "wm score: bad number '%s'\n", optarg);
    return 2;
}

int dw_cmd_wm(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        wm_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "score")) return wm_score(argc - 1, argv + 1);
    if (!strcmp(argv[1], "experiment")) return dw_wm_experiment_main(argc - 1, argv + 1);
    fprintf(stderr, "wm: unknown subcommand '%s'\n", argv[1]);
    wm_usage(stderr);
    return 2;
}
