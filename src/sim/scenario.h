/*
 * scenario.h -- what population a simulation draws, and the evasion knobs.
 *
 * A scenario is plain data: how many accounts of each traffic class, how busy
 * they are, and for each campaign class the six knobs an adaptive attacker
 * turns (cover share, accounts per campaign, requests per account per day,
 * template paraphrases, IP rotation, pacing).  It is written as an INI file
 * (read with inih) so that a reviewer can read and edit it without reading C,
 * and `--set section.key=value` edits one knob from the command line, which is
 * all the sweep needs.  Two scenarios are built in ("default", "demo"); the
 * files under data/scenarios/ spell out the same values and a test keeps them
 * in step.
 */
#ifndef DW_SIM_SCENARIO_H
#define DW_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    DWS_CASUAL = 0, DWS_OFFICE, DWS_CODING_AGENT, DWS_BATCH, DWS_EVAL, DWS_RESEARCHER,
    DWS_CAMPUS, DWS_RESELLER, DWS_JAILBREAKER,
    DWS_RR, DWS_HYDRA, DWS_AGENTIC, DWS_MULTILINGUAL,
    DWS_CLASS_COUNT
} dws_class;
#define DWS_FIRST_CAMPAIGN DWS_RR

typedef enum { DWS_ROT_PER_REQUEST = 0, DWS_ROT_SESSION, DWS_ROT_DAY, DWS_ROT_NEVER } dws_rotation;

typedef struct dws_class_cfg {
    int groups;          /* offices, campuses, campaigns; 1 for classes of individuals */
    int per_group;       /* accounts per group (or all accounts of an individual class) */
    double rpd;          /* requests per account per active day (mean) */
    int size;            /* class-specific: suite items, end users, NAT addresses, job size */
    /* evasion knobs (campaign classes; ignored elsewhere) */
    double cover_share;  /* 0..1 share of ordinary-looking requests */
    int paraphrases;     /* distinct paraphrases of the harness template */
    int rotation;        /* dws_rotation */
    double pacing;       /* 0 = robotic (grid, 24/7, synchronized) .. 1 = human */
} dws_class_cfg;

typedef struct dws_scenario {
    char name[64];
    int days;
    int64_t start_ms;
    double release_day;  /* new model appears this many days after start; < 0: never */
    dws_class_cfg cls[DWS_CLASS_COUNT];
} dws_scenario;

const char *dws_class_name(int cls);          /* "casual_chat", "campaign_hydra", ... */
int dws_class_from_name(const char *name);    /* -1 if unknown */
const char *dws_class_label(int cls);         /* "benign", "abuse", "campaign" */
static inline bool dws_class_is_campaign(int cls) { return cls >= DWS_FIRST_CAMPAIGN; }
const char *dws_rotation_name(int rot);
int dws_rotation_from_name(const char *s);     /* -1 if unknown */

/* Built-in scenario by name ("default", "demo"); false if unknown. */
bool dws_scenario_builtin(const char *name, dws_scenario *out);
/* Load from an INI file on top of the "default" values; message in err. */
bool dws_scenario_load(const char *path, dws_scenario *out, char *err, size_t errlen);
/* Apply "section.key=value" or "key=value" (the latter applies a campaign
 * knob to every campaign class, or a [scenario] key). */
bool dws_scenario_set(dws_scenario *sc, const char *assignment, char *err, size_t errlen);
/* Render the scenario back as INI text into a malloc'd string. */
char *dws_scenario_to_ini(const dws_scenario *sc);
/* Number of accounts the scenario will create. */
long dws_scenario_accounts(const dws_scenario *sc);

#endif
