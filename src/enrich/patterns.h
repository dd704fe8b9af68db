/*
 * patterns.h -- pattern packs: what a prompt asks for, matched with vectorscan.
 *
 * Packs are data (data/packs/NAME.pack, compiled into the binary and overridable
 * from a directory); this module compiles every pack into one vectorscan
 * block-mode database and reports, for one text, which categories, languages
 * and topics matched.  One scan per prompt, whatever the number of patterns.
 */
#ifndef DW_PATTERNS_H
#define DW_PATTERNS_H

#include <stddef.h>
#include <stdint.h>

/* What a pattern says about the text that matched it. */
typedef enum {
    DW_PAT_COT = 0,      /* asks for full step-by-step reasoning / the reasoning trace */
    DW_PAT_RUBRIC,       /* rubric / grader / judge / score-this-answer requests */
    DW_PAT_DATASET,      /* asks for output as training data: JSONL, "for a dataset", Q/A pairs */
    DW_PAT_JAILBREAK,    /* jailbreak markers: DAN, "ignore previous instructions", ... */
    DW_PAT_CENSOR,       /* "censorship-safe" rewrite requests */
    DW_PAT_TOPIC,        /* topic keyword; the topic id is reported in topics */
    DW_PAT__COUNT
} dw_pattern_cat;

/* Languages a pattern is written in (bit index in dw_pattern_hits.langs). */
typedef enum {
    DW_LANG_EN = 0, DW_LANG_ZH, DW_LANG_ES, DW_LANG_FR, DW_LANG_DE, DW_LANG_RU,
    DW_LANG_JA, DW_LANG_KO, DW_LANG_PT, DW_LANG_AR, DW_LANG_HI, DW_LANG_IT,
    DW_LANG_TR, DW_LANG_VI, DW_LANG_ID, DW_LANG__COUNT
} dw_lang;

typedef struct dw_pattern_hits {
    uint32_t cats;      /* bit (1u << dw_pattern_cat) per category matched */
    uint32_t cot_langs; /* bit (1u << dw_lang) per language whose COT pattern matched */
    uint64_t topics;    /* bit (1ull << topic id) per topic matched; ids from topics.pack */
} dw_pattern_hits;

typedef struct dw_patterns dw_patterns;

/* Compile the embedded packs, or those in `dir` (every *.pack file) when dir
 * is non-NULL.  On error returns NULL and writes a message naming the pack
 * file and line into err. */
dw_patterns *dw_patterns_load(const char *dir, char *err, size_t errlen);
void dw_patterns_free(dw_patterns *p);

/* Number of patterns and topics loaded; name of topic `id` ("math", ...). */
size_t dw_patterns_count(const dw_patterns *p);
size_t dw_patterns_topic_count(const dw_patterns *p);
const char *dw_patterns_topic_name(const dw_patterns *p, unsigned id);
const char *dw_lang_name(unsigned lang);

/* Scratch space for one thread; reuse it across scans. */
typedef struct dw_pattern_scratch dw_pattern_scratch;
dw_pattern_scratch *dw_pattern_scratch_new(const dw_patterns *p);
void dw_pattern_scratch_free(dw_pattern_scratch *s);

/* Scan `text` and OR its hits into *out (caller zeroes *out first).
 * Returns 0, or -1 on a vectorscan error. */
int dw_patterns_scan(const dw_patterns *p, dw_pattern_scratch *s,
                     const char *text, size_t len, dw_pattern_hits *out);

/* The compiled database, serialized with the identity of its pattern set,
 * for tools/packdb.c to embed at build time.  0, or -1 (no database). */
int dw_patterns_serialize(const dw_patterns *p, char **out, size_t *len);

/* Is `asn` a hosting / datacenter / VPN network (hosting.pack)? */
int dw_asn_is_hosting(const dw_patterns *p, uint32_t asn);

#endif
