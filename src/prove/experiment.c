/*
 * experiment.c -- the radioactivity experiment end to end, in one command:
 *
 *   1. a teacher trigram model is trained on public text (../shared/corpora:
 *      GSM8K train, arena-hard GPT-4 and o3-mini answers);
 *   2. it answers distillation prompts twice: with the watermark (hash
 *      seeding, h = 2, gamma, delta, a secret key) and without;
 *   3. two students start from the same base model (other public text: GSM8K
 *      test, GPT-3.5 answers) and are fine-tuned, one on the watermarked
 *      answers, the control on the plain ones;
 *   4. both students answer held-out prompts (no watermark involved), and the
 *      closed-model radioactivity test (Sander et al. 2024: v2 tape over the
 *      whole corpus, prompt windows excluded) scores their answers with the
 *      teacher's key.
 * Repeated for several keys, then the control student's answers are scored
 * under many keys that were never used, to check that the p-values are
 * uniform under the null and measure the false-positive rate at 1e-2 and
 * 1e-3.
 *
 * The answers are scored as token ids, which is what the detector sees after
 * tokenization; the students' answers are also written as JSONL text (with
 * --out) so that `distillwatch wm score` can be run on them.
 */
#include "prove/experiment.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "decode/json.h"
#include "distillwatch.h"
#include "prove/greenlist.h"
#include "prove/ngram_lm.h"
#include "prove/pvalue.h"
#include "prove/tokenizer.h"
#include "prove/wm_input.h"
#include "prove/wm_score.h"

typedef struct cfg {
    const char *shared, *tokenizer, *out;
    int runs, ndistill, ntest, len, null_keys, null_tokens;
    double gamma, delta;
    uint64_t seed;
} cfg;

typedef struct docs { dw_ids *d; size_t n, cap; } docs;

static void docs_push(docs *s, dw_ids ids)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->d = dw_xrealloc(s->d, s->cap * sizeof *s->d);
    }
    s->d[s->n++] = ids;
}

static void docs_free(docs *s)
{
    for (size_t i = 0; i < s->n; i++) dw_ids_free(&s->d[i]);
    free(s->d);
    memset(s, 0, sizeof *s);
}

/* --- corpora ------------------------------------------------------------------------ */

typedef struct load_ctx { const dw_tokenizer *t; docs *out; } load_ctx;

static int load_one(void *ud, const dw_wm_text *t)
{
    load_ctx *c = ud;
    dw_ids ids = {0};
    dw_tokenizer_encode(c->t, t->text, t->len, &ids);
    if (ids.n >= 3) docs_push(c->out, ids);
    else dw_ids_free(&ids);
    return 0;
}

static int load(const cfg *g, const dw_tokenizer *t, const char *rel, const char *field, docs *out)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/%s", g->shared, rel);
    size_t n;
    char *buf = dw_wm_slurp(path, &n, err, sizeof err);
    if (!buf) { fprintf(stderr, "wm experiment: %s\n", err); return -1; }
    load_ctx c = {t, out};
    int rc = dw_wm_input_scan(path, buf, n, field, NULL, load_one, &c, err, sizeof err);
    if (rc) fprintf(stderr, "wm experiment: %s\n", err);
    free(buf);
    return rc;
}

/* --- generation and scoring ------------------------------------------------------------ */

static void generate(const dw_lm *m, const dw_ids *prompt, int len, dw_wm *wm, dw_rng *r, dw_ids *out)
{
    out->n = 0;
    uint32_t u = prompt->n >= 2 ? prompt->v[prompt->n - 2] : 0;
    uint32_t v = prompt->n >= 1 ? prompt->v[prompt->n - 1] : 0;
    for (int i = 0; i < len; i++) {
        uint32_t w = dw_lm_sample(m, u, v, wm, r);
        dw_ids_push(out, w);
        u = v;
        v = w;
    }
}

/* The student sees prompt + answer: the last two prompt tokens lead into the
 * answer, as in fine-tuning on (prompt, answer) pairs. */
static dw_lm *train_student(uint32_t V, const docs *base, const docs *prompts, const size_t *idx,
                            const docs *answers)
{
    dw_lm_builder *b = dw_lm_builder_new(V);
    for (size_t i = 0; i < base->n; i++) dw_lm_builder_add(b, base->d[i].v, base->d[i].n);
    dw_ids tmp = {0};
    for (size_t i = 0; i < answers->n; i++) {
        const dw_ids *p = &prompts->d[idx[i]];
        tmp.n = 0;
        for (size_t k = p->n >= 2 ? p->n - 2 : 0; k < p->n; k++) dw_ids_push(&tmp, p->v[k]);
        for (size_t k = 0; k < answers->d[i].n; k++) dw_ids_push(&tmp, answers->d[i].v[k]);
        dw_lm_builder_add(b, tmp.v, tmp.n);
    }
    dw_ids_free(&tmp);
    return dw_lm_build(b);
}

/* Closed-model radioactivity test over a corpus of answers. */
static dw_wm_tally radio_score(dw_wm *wm, const docs *prompts, const size_t *idx, const docs *answers,
                               size_t max_positions)
{
    dw_wm_scorer *s = dw_wm_scorer_new(wm, DW_TAPE_V2);
    dw_wm_tally t = {0};
    for (size_t i = 0; i < answers->n && t.positions < max_positions; i++) {
        const dw_ids *p = &prompts->d[idx[i]];
        dw_wm_scorer_set_prompt(s, p->v, p->n);
        dw_wm_scorer_run(s, answers->d[i].v, answers->d[i].n, &t, NULL, NULL);
    }
    dw_wm_scorer_free(s);
    return t;
}

static dw_wm *make_wm(const cfg *g, uint32_t V, uint64_t key)
{
    dw_wm_params p;
    dw_wm_params_default(&p, DW_WM_HASH, V);
    p.ngram = 2;
    p.key = key;
    p.gamma = g->gamma;
    p.delta = g->delta;
    char err[128];
    dw_wm *w = dw_wm_new(&p, err, sizeof err);
    if (!w) { fprintf(stderr, "wm experiment: %s\n", err); exit(2); }
    return w;
}

static void write_jsonl(const cfg *g, const char *name, const dw_tokenizer *t, const docs *prompts,
                        const size_t *idx, const docs *answers)
{
    if (!g->out) return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", g->out, name);
    FILE *f = fopen(path, "w");
    if (!f) { fprintf(stderr, "wm experiment: cannot write %s\n", path); return; }
    dw_buf b = {0}, s = {0};
    for (size_t i = 0; i < answers->n; i++) {
        for (int which = 0; which < 2; which++) {
            const dw_ids *ids = which ? &answers->d[i] : &prompts->d[idx[i]];
            dw_buf_reset(which ? &s : &b);
            for (size_t k = 0; k < ids->n; k++) {
                size_t len;
                const char *pc = t->ops->piece(t, ids->v[k], &len);
                dw_buf *o = which ? &s : &b;
                if (!pc) continue;
                if (len == 6 && !memcmp(pc, "<0x", 3)) {         /* byte piece */
                    dw_buf_putc(o, (char)strtol(pc + 3, NULL, 16));
                    continue;
                }
                for (size_t q = 0; q < len; q++) {
                    if (q + 3 <= len && !memcmp(pc + q, "\xe2\x96\x81", 3)) { dw_buf_putc(o, ' '); q += 2; }
                    else dw_buf_putc(o, pc[q]);
                }
            }
        }
        dw_buf line = {0};
        dw_jw w;
        dw_jw_init(&w, &line);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "prompt");
        dw_jw_strn(&w, b.p ? b.p : "", b.len);
        dw_jw_key(&w, "text");
        dw_jw_strn(&w, s.p ? s.p : "", s.len);
        dw_jw_obj_end(&w);
        dw_buf_putc(&line, '\n');
        dw_buf_write(&line, f);
        dw_buf_free(&line);
    }
    dw_buf_free(&b);
    dw_buf_free(&s);
    fclose(f);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void usage(FILE *f)
{
    fputs("usage: distillwatch wm experiment [options]\n"
          "  --shared DIR       public data (default ../shared)\n"
          "  --tokenizer FILE   default DIR/provenance/llama2-tokenizer/tokenizer.model\n"
          "  --runs N           keys tried end to end (default 5)\n"
          "  --distill N        distillation answers per student (default 1000)\n"
          "  --test N           held-out answers per student scored (default 300)\n"
          "  --len N            tokens per answer (default 150)\n"
          "  --gamma G --delta D  watermark strength (default 0.25, 2.0)\n"
          "  --null-keys N      unused keys for the false-positive test (default 1000)\n"
          "  --null-tokens N    positions scored per null test (default 2000)\n"
          "  --seed N           experiment seed (default 1)\n"
          "  --out DIR          also write the students' answers as JSONL\n", f);
}

int dw_wm_experiment_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"shared", required_argument, 0, 'S'}, {"tokenizer", required_argument, 0, 't'},
        {"runs", required_argument, 0, 'r'},   {"distill", required_argument, 0, 'd'},
        {"test", required_argument, 0, 'T'},   {"len", required_argument, 0, 'l'},
        {"gamma", required_argument, 0, 'g'},  {"delta", required_argument, 0, 'D'},
        {"null-keys", required_argument, 0, 'k'}, {"null-tokens", required_argument, 0, 'n'},
        {"seed", required_argument, 0, 's'},   {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
    };
    cfg g = {"../shared", NULL, NULL, 5, 1000, 300, 150, 1000, 2000, 0.25, 2.0, 1};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'S': g.shared = optarg; break;
        case 't': g.tokenizer = optarg; break;
        case 'r': g.runs = atoi(optarg); break;
        case 'd': g.ndistill = atoi(optarg); break;
        case 'T': g.ntest = atoi(optarg); break;
        case 'l': g.len = atoi(optarg); break;
        case 'g': g.gamma = atof(optarg); break;
        case 'D': g.delta = atof(optarg); break;
        case 'k': g.null_keys = atoi(optarg); break;
        case 'n': g.null_tokens = atoi(optarg); break;
        case 's': g.seed = strtoull(optarg, NULL, 10); break;
        case 'o': g.out = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (g.runs < 1 || g.ndistill < 10 || g.ntest < 10 || g.len < 10 || g.null_keys < 0 || g.runs > 1000) {
        usage(stderr);
        return 2;
    }
    char tokpath[4096], err[512];
    if (!g.tokenizer) {
        snprintf(tokpath, sizeof tokpath, "%s/provenance/llama2-tokenizer/tokenizer.model", g.shared);
        g.tokenizer = tokpath;
    }
    dw_tokenizer *tok = dw_tokenizer_load(g.tokenizer, err, sizeof err);
    if (!tok) { fprintf(stderr, "wm experiment: %s\n", err); return 1; }
    if (g.out && dw_mkdir_p(g.out)) { fprintf(stderr, "wm experiment: cannot create %s\n", g.out); return 1; }
    uint32_t V = tok->vocab_size;

    docs teacher_text = {0}, base_text = {0}, prompts = {0};
    int rc = 0;
    rc |= load(&g, tok, "corpora/gsm8k/train.jsonl", "answer", &teacher_text);
    rc |= load(&g, tok, "corpora/arena-hard-v0.1/model_answer/gpt-4-0314.jsonl", "messages.1.content.answer", &teacher_text);
    rc |= load(&g, tok, "corpora/arena-hard-v0.1/model_answer/gpt-4-0613.jsonl", "messages.1.content.answer", &teacher_text);
    rc |= load(&g, tok, "corpora/arena-hard-v2.0/model_answer/o3-mini-2025-01-31.jsonl", "messages.1.content.answer", &teacher_text);
    rc |= load(&g, tok, "corpora/gsm8k/test.jsonl", "answer", &base_text);
    rc |= load(&g, tok, "corpora/arena-hard-v0.1/model_answer/gpt-3.5-turbo-0125.jsonl", "messages.1.content.answer", &base_text);
    rc |= load(&g, tok, "corpora/arena-hard-v0.1/question.jsonl", "prompt", &prompts);
    rc |= load(&g, tok, "corpora/arena-hard-v2.0/question.jsonl", "prompt", &prompts);
    rc |= load(&g, tok, "corpora/alpaca/seed_tasks.jsonl", "instruction", &prompts);
    rc |= load(&g, tok, "corpora/wizardlm/WizardLM_testset.jsonl", "Instruction", &prompts);
    rc |= load(&g, tok, "corpora/mt-bench/question.jsonl", "turns.0", &prompts);
    if (rc) { docs_free(&teacher_text); docs_free(&base_text); docs_free(&prompts); dw_tokenizer_free(tok); return 77; }
    if (prompts.n < (size_t)(g.ndistill + g.ntest)) {
        fprintf(stderr, "wm experiment: %zu prompts, need --distill + --test = %d\n", prompts.n, g.ndistill + g.ntest);
        rc = 2;
    }
    size_t tt = 0, bt = 0;
    for (size_t i = 0; i < teacher_text.n; i++) tt += teacher_text.d[i].n;
    for (size_t i = 0; i < base_text.n; i++) bt += base_text.d[i].n;
    fprintf(stderr, "teacher: %zu docs, %zu tokens; student base: %zu docs, %zu tokens; %zu prompts\n",
            teacher_text.n, tt, base_text.n, bt, prompts.n);
    dw_lm_builder *tb = dw_lm_builder_new(V);
    for (size_t i = 0; i < teacher_text.n; i++) dw_lm_builder_add(tb, teacher_text.d[i].v, teacher_text.d[i].n);
    dw_lm *teacher = dw_lm_build(tb);

    dw_buf out = {0};
    size_t *idx = dw_xmalloc(prompts.n * sizeof *idx);
    double *null_lp = dw_xmalloc((size_t)(g.null_keys + 1) * sizeof *null_lp);
    docs ctl_answers = {0};
    size_t *ctl_idx = malloc((size_t)g.ntest * sizeof *ctl_idx);
    double worst_marked = -INFINITY, best_control = 0;
    for (int run = 0; run < g.runs && rc == 0; run++) {
        uint64_t key = g.seed * 1000003ull + (uint64_t)run * 7919ull + 17;
        dw_rng r;
        dw_rng_seed(&r, g.seed * 31 + (uint64_t)run);
        for (size_t i = 0; i < prompts.n; i++) idx[i] = i;
        for (size_t i = prompts.n - 1; i > 0; i--) {
            size_t j = (size_t)(dw_rng_next(&r) % (i + 1));
            size_t t = idx[i]; idx[i] = idx[j]; idx[j] = t;
        }
        const size_t *didx = idx, *tidx = idx + g.ndistill;
        dw_wm *wm = make_wm(&g, V, key);
        docs aw = {0}, ap = {0};
        for (int i = 0; i < g.ndistill; i++) {
            dw_ids a = {0}, b = {0};
            generate(teacher, &prompts.d[didx[i]], g.len, wm, &r, &a);
            generate(teacher, &prompts.d[didx[i]], g.len, NULL, &r, &b);
            docs_push(&aw, a);
            docs_push(&ap, b);
        }
        dw_wm_tally teach = radio_score(wm, &prompts, didx, &aw, SIZE_MAX);
        dw_lm *sw = train_student(V, &base_text, &prompts, didx, &aw);
        dw_lm *sp = train_student(V, &base_text, &prompts, didx, &ap);
        docs ow = {0}, op = {0};
        for (int i = 0; i < g.ntest; i++) {
            dw_ids a = {0}, b = {0};
            generate(sw, &prompts.d[tidx[i]], g.len, NULL, &r, &a);
            generate(sp, &prompts.d[tidx[i]], g.len, NULL, &r, &b);
            docs_push(&ow, a);
            docs_push(&op, b);
        }
        dw_wm_tally tw = radio_score(wm, &prompts, tidx, &ow, SIZE_MAX);
        dw_wm_tally tp = radio_score(wm, &prompts, tidx, &op, SIZE_MAX);
        double lw = dw_binom_logsf(tw.green, tw.scored, g.gamma) / log(10.0);
        double lp = dw_binom_logsf(tp.green, tp.scored, g.gamma) / log(10.0);
        double lt = dw_binom_logsf(teach.green, teach.scored, g.gamma) / log(10.0);
        if (lw > worst_marked) worst_marked = lw;
        if (lp < best_control) best_control = lp;
        dw_jw w;
        dw_jw_init(&w, &out);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "run"); dw_jw_int(&w, run);
        dw_jw_key(&w, "key"); dw_jw_uint(&w, key);
        dw_jw_key(&w, "teacher_green"); dw_jw_fixed(&w, (double)teach.green / teach.scored, 4);
        dw_jw_key(&w, "teacher_log10_p"); dw_jw_fixed(&w, lt, 1);
        dw_jw_key(&w, "student_scored"); dw_jw_uint(&w, tw.scored);
        dw_jw_key(&w, "student_green"); dw_jw_fixed(&w, (double)tw.green / tw.scored, 4);
        dw_jw_key(&w, "student_log10_p"); dw_jw_fixed(&w, lw, 2);
        dw_jw_key(&w, "control_scored"); dw_jw_uint(&w, tp.scored);
        dw_jw_key(&w, "control_green"); dw_jw_fixed(&w, (double)tp.green / tp.scored, 4);
        dw_jw_key(&w, "control_log10_p"); dw_jw_fixed(&w, lp, 3);
        dw_jw_obj_end(&w);
        dw_buf_putc(&out, '\n');
        dw_buf_write(&out, stdout);
        fflush(stdout);
        dw_buf_reset(&out);
        if (run == 0) {
            char name[64];
            snprintf(name, sizeof name, "student_watermarked.jsonl");
            write_jsonl(&g, name, tok, &prompts, tidx, &ow);
            write_jsonl(&g, "student_control.jsonl", tok, &prompts, tidx, &op);
            ctl_answers = op;
            memcpy(ctl_idx, tidx, (size_t)g.ntest * sizeof *ctl_idx);
            memset(&op, 0, sizeof op);
        }
        docs_free(&aw); docs_free(&ap); docs_free(&ow); docs_free(&op);
        dw_lm_free(sw); dw_lm_free(sp);
        dw_wm_free(wm);
    }
    /* the null: the control student's answers under keys never used */
    int fp2 = 0, fp3 = 0;
    double ks = 0;
    if (rc == 0 && g.null_keys > 0) {
        for (int k = 0; k < g.null_keys; k++) {
            dw_wm *wm = make_wm(&g, V, 0x5eed0000ull + (uint64_t)k * 104729ull);
            dw_wm_tally t = radio_score(wm, &prompts, ctl_idx, &ctl_answers, (size_t)g.null_tokens);
            double p = exp(dw_binom_logsf(t.green, t.scored, g.gamma));
            null_lp[k] = p;
            fp2 += p < 1e-2;
            fp3 += p < 1e-3;
            dw_wm_free(wm);
        }
        /* Kolmogorov-Smirnov distance to the uniform.  Binomial p-values are
         * discrete and conservative, so the CDF sits at or below the diagonal. */
        qsort(null_lp, (size_t)g.null_keys, sizeof *null_lp, cmp_dbl);
        for (int k = 0; k < g.null_keys; k++) {
            double lo = fabs(null_lp[k] - (double)k / g.null_keys), hi = fabs(null_lp[k] - (double)(k + 1) / g.null_keys);
            ks = fmax(ks, fmax(lo, hi));
        }
        dw_jw w;
        dw_jw_init(&w, &out);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "null_keys"); dw_jw_int(&w, g.null_keys);
        dw_jw_key(&w, "null_positions"); dw_jw_int(&w, g.null_tokens);
        dw_jw_key(&w, "fpr_at_1e-2"); dw_jw_num(&w, (double)fp2 / g.null_keys);
        dw_jw_key(&w, "fpr_at_1e-3"); dw_jw_num(&w, (double)fp3 / g.null_keys);
        dw_jw_key(&w, "ks_distance"); dw_jw_fixed(&w, ks, 4);
        dw_jw_key(&w, "null_pvalue_deciles");
        dw_jw_arr_begin(&w);
        for (int q = 1; q < 10; q++) dw_jw_fixed(&w, null_lp[(size_t)q * g.null_keys / 10], 3);
        dw_jw_arr_end(&w);
        dw_jw_obj_end(&w);
        dw_buf_putc(&out, '\n');
    }
    if (rc == 0) {
        dw_jw w;
        dw_jw_init(&w, &out);
        dw_jw_obj_begin(&w);
        dw_jw_key(&w, "summary"); dw_jw_bool(&w, true);
        dw_jw_key(&w, "runs"); dw_jw_int(&w, g.runs);
        dw_jw_key(&w, "worst_student_log10_p"); dw_jw_fixed(&w, worst_marked, 2);
        dw_jw_key(&w, "best_control_log10_p"); dw_jw_fixed(&w, best_control, 3);
        dw_jw_key(&w, "flags_watermarked"); dw_jw_bool(&w, worst_marked < -6);
        dw_jw_key(&w, "flags_control"); dw_jw_bool(&w, best_control < -6);
        dw_jw_obj_end(&w);
        dw_buf_putc(&out, '\n');
        dw_buf_write(&out, stdout);
    }
    dw_buf_free(&out);
    docs_free(&ctl_answers);
    free(ctl_idx);
    free(idx);
    free(null_lp);
    dw_lm_free(teacher);
    docs_free(&teacher_text);
    docs_free(&base_text);
    docs_free(&prompts);
    dw_tokenizer_free(tok);
    if (rc) return rc;
    return worst_marked < -6 && best_control > -6 ? 0 : 3;
}
