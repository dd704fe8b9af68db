/*
 * fuzz_patterns.c -- libFuzzer target for dw_patterns_scan().
 *
 * Arbitrary bytes, invalid UTF-8 included, go through the canonicalizing
 * pass and the vectorscan database built from the embedded packs.  The input
 * is copied to a buffer of exactly its size so that AddressSanitizer sees any
 * read past the end.  Besides "no crash, no sanitizer report", it checks:
 *   - hits only use defined bits, and cot_langs / topics imply their category;
 *   - a second scan with the same scratch gives the same hits;
 *   - doubling every space gives the same hits (white space runs collapse to
 *     one space before matching, so the two texts have the same canonical
 *     form; the topic window counts canonical bytes, so it cannot shift).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/patterns.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dw_patterns *P;
static dw_pattern_scratch *S;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[512];
    P = dw_patterns_load(NULL, err, sizeof err);
    if (!P) {
        fprintf(stderr, "fuzz_patterns: %s\n", err);
        abort();
    }
    S = dw_pattern_scratch_new(P);
    if (!S)
        abort();
    return 0;
}

static void check(const dw_pattern_hits *h)
{
    if (h->cats >> DW_PAT__COUNT)
        abort();
    if (h->cot_langs >> DW_LANG__COUNT)
        abort();
    if (h->cot_langs && !(h->cats & (1u << DW_PAT_COT)))
        abort();
    if ((h->topics != 0) != ((h->cats & (1u << DW_PAT_TOPIC)) != 0))
        abort();
    size_t nt = dw_patterns_topic_count(P);
    if (nt < 64 && (h->topics >> nt))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);

    dw_pattern_hits h = {0, 0, 0};
    if (dw_patterns_scan(P, S, buf, size, &h) != 0)
        abort();
    check(&h);

    dw_pattern_hits again = {0, 0, 0};
    if (dw_patterns_scan(P, S, buf, size, &again) != 0 || memcmp(&h, &again, sizeof h) != 0)
        abort();

    size_t spaces = 0;
    for (size_t i = 0; i < size; i++)
        spaces += buf[i] == ' ';
    if (spaces) {
        char *wide = malloc(size + spaces);
        if (wide) {
            size_t j = 0;
            for (size_t i = 0; i < size; i++) {
                wide[j++] = buf[i];
                if (buf[i] == ' ')
                    wide[j++] = ' ';
            }
            dw_pattern_hits w = {0, 0, 0};
            if (dw_patterns_scan(P, S, wide, j, &w) != 0 || memcmp(&h, &w, sizeof h) != 0)
                abort();
            free(wide);
        }
    }
    free(buf);
    return 0;
}
