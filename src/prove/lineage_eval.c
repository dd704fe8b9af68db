/*
 * lineage_eval.c -- the known-lineage table and the tree checks.
 *
 * Known lineage (from the model cards on the publishers' pages):
 *   gemma   Google's Gemma 2 and 3 instruct models and the community
 *           fine-tunes built on them: Darkest-muse-v1 and gemma-2-Ifable-9B
 *           (Gemma 2 9B), Gemma-3-Starshine-12B and Gemma-3-Glitter-12B
 *           (Gemma 3 12B);
 *   llama3  Meta's Llama 3.1 (8B, 70B, 405B) and 3.2 (1B, 3B) instruct;
 *   claude  Anthropic's Claude 3, 3.5 and 3.7;
 *   openai  OpenAI's GPT-3.5, GPT-4, GPT-4o, GPT-4o-mini and GPT-4.5.
 * Models outside these four (DeepSeek, Qwen, Mistral, Cohere, Llama 4, ...)
 * are in the tree but not scored: their placement is reported, not judged.
 *
 * "Pair recovered": two members of a family whose smallest common clade
 * contains no model from outside the family -- the tree joins them before it
 * lets an outsider in.  This is stricter than nearest-neighbour agreement,
 * which is reported too.
 */
#include "prove/lineage_eval.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "common/util.h"

static const struct { const char *model, *family; } KNOWN[] = {
    {"google/gemma-2-9b-it", "gemma"},
    {"google/gemma-3-27b-it", "gemma"},
    {"google/gemma-3-12b-it", "gemma"},
    {"google/gemma-3-4b-it", "gemma"},
    {"sam-paech/Darkest-muse-v1", "gemma"},
    {"ifable/gemma-2-Ifable-9B", "gemma"},
    {"ToastyPigeon/Gemma-3-Starshine-12B", "gemma"},
    {"allura-org/Gemma-3-Glitter-12B", "gemma"},
    {"meta-llama/llama-3.1-8b-instruct", "llama3"},
    {"meta-llama/llama-3.1-70b-instruct", "llama3"},
    {"meta-llama/llama-3.1-405b-instruct", "llama3"},
    {"meta-llama/llama-3.2-3b-instruct", "llama3"},
    {"meta-llama/llama-3.2-1b-instruct", "llama3"},
    {"anthropic/claude-3.7-sonnet", "claude"},
    {"anthropic/claude-3.5-sonnet", "claude"},
    {"anthropic/claude-3.5-haiku-20241022", "claude"},
    {"anthropic/claude-3-haiku", "claude"},
    {"openai/gpt-4o-mini", "openai"},
    {"openai/gpt-4.5-preview", "openai"},
    {"openai/chatgpt-4o-latest", "openai"},
    {"chatgpt-4o-latest", "openai"},
    {"openai/gpt-3.5-turbo-0613", "openai"},
    {"openai/gpt-4-0314", "openai"},
};
static const char *FAMILIES[DW_LINEAGE_FAMILIES] = {"gemma", "llama3", "claude", "openai"};

const char *dw_lineage_known_family(const char *model)
{
    for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++)
        if (!strcmp(KNOWN[i].model, model)) return KNOWN[i].family;
    return NULL;
}

static int leaves(const dw_tree_node *nodes, int i, int *out, int k)
{
    if (nodes[i].left < 0) { out[k] = i; return k + 1; }
    k = leaves(nodes, nodes[i].left, out, k);
    return leaves(nodes, nodes[i].right, out, k);
}

static bool holds(const dw_tree_node *nodes, int i, int x)
{
    if (i == x) return true;
    if (nodes[i].left < 0) return false;
    return holds(nodes, nodes[i].left, x) || holds(nodes, nodes[i].right, x);
}

int dw_lineage_sibling_clade(const dw_tree_node *nodes, int n, int i, int *out)
{
    for (int k = n; k < 2 * n - 1; k++)
        if (holds(nodes, k, i)) return leaves(nodes, k, out, 0);
    out[0] = i;
    return 1;
}

int dw_lineage_nearest(const dw_lineage *l, int i)
{
    int best = -1;
    for (int j = 0; j < dw_lineage_count(l); j++)
        if (j != i && (best < 0 || dw_lineage_similarity(l, i, j) > dw_lineage_similarity(l, i, best))) best = j;
    return best;
}

void dw_lineage_check(const dw_lineage *l, const dw_tree_node *nodes, dw_lineage_report *r)
{
    int n = dw_lineage_count(l);
    memset(r, 0, sizeof *r);
    const char **fam = dw_xcalloc((size_t)n, sizeof *fam);
    int *buf = dw_xmalloc((size_t)n * sizeof *buf);
    for (int i = 0; i < n; i++) fam[i] = dw_lineage_known_family(dw_lineage_name(l, i));
    for (int f = 0; f < DW_LINEAGE_FAMILIES; f++) {
        dw_lineage_family_score *s = &r->fam[f];
        s->family = FAMILIES[f];
        int first = -1;
        for (int i = 0; i < n; i++) {
            if (!fam[i] || strcmp(fam[i], s->family)) continue;
            s->members++;
            int nn = dw_lineage_nearest(l, i);
            if (nn >= 0 && fam[nn] && !strcmp(fam[nn], s->family)) s->nn_in_family++;
            if (first < 0) first = i;
            for (int j = i + 1; j < n; j++) {
                if (!fam[j] || strcmp(fam[j], s->family)) continue;
                s->pairs++;
                /* smallest clade holding both: first merge containing both */
                for (int k = n; k < 2 * n - 1; k++) {
                    if (!holds(nodes, k, i) || !holds(nodes, k, j)) continue;
                    int m = leaves(nodes, k, buf, 0);
                    bool pure = true;
                    for (int q = 0; q < m; q++) pure &= fam[buf[q]] && !strcmp(fam[buf[q]], s->family);
                    s->pairs_recovered += pure;
                    break;
                }
            }
        }
        /* smallest clade holding every member */
        s->clade_size = 0;
        for (int k = n; k < 2 * n - 1 && first >= 0; k++) {
            bool all = true;
            for (int i = 0; i < n && all; i++)
                if (fam[i] && !strcmp(fam[i], s->family)) all = holds(nodes, k, i);
            if (all) { s->clade_size = nodes[k].size; break; }
        }
        r->pairs += s->pairs;
        r->pairs_recovered += s->pairs_recovered;
    }
    free(fam);
    free(buf);
}
