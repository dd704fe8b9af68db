/*
 * sim.h -- `distillwatch simulate`: labeled synthetic traffic.
 *
 * The simulator writes a request log in the native shape (requests.jsonl), an
 * accounts file (accounts.jsonl) and the ground truth (truth.jsonl, plus
 * truth_requests.jsonl saying which campaign requests were harvest and which
 * were cover), from a scenario and a seed.  Same seed, scenario and corpus:
 * same bytes.  The evaluator (src/eval/) scores a scan of that log against
 * the truth, and its sweep drives this module through dws_simulate().
 */
#ifndef DW_SIM_H
#define DW_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

/* CLI entry point; argv[0] is "simulate". */
int dw_cmd_simulate(int argc, char **argv);

typedef struct dws_stats {
    size_t accounts;           /* accounts with at least one request */
    size_t requests;
    size_t campaigns;
    size_t per_class[DWS_CLASS_COUNT];      /* accounts */
    size_t req_per_class[DWS_CLASS_COUNT];  /* requests */
} dws_stats;

/* Run one simulation into outdir (created if missing).  corpus_dir may be
 * NULL.  Returns 0, or -1 with a message in err. */
int dws_simulate(const dws_scenario *sc, uint64_t seed, const char *corpus_dir, const char *outdir,
                 dws_stats *st, char *err, size_t errlen);

#endif
