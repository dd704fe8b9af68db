/*
 * store.c -- account state that survives the process, in one SQLite file.
 *
 * Why SQLite: one file an operator can copy, inspect with the sqlite3 shell
 * and back up, transactions so that a crash mid-save leaves the previous
 * state intact, and WAL so that a reader (a report, a second process) never
 * blocks the writer.  The account state is a fixed-size struct, stored as
 * one blob per account next to its id; the format tag records the struct
 * size, so a binary with a different layout refuses the file instead of
 * misreading it.  Blobs are host-endian: the store is a working file, not an
 * interchange format (STIX is the interchange format).
 *
 * What is saved is everything that verdicts depend on: accounts, the model
 * table (release times drive the pivot signal), the population histogram and
 * the traffic start.  So `scan day1 --store S; scan day2 --store S` ends
 * with the verdicts of `scan day1 day2`, which tests/e2e checks.
 *
 * Evicted accounts (serve's account cap, see engine.c) go to a second table,
 * `spill`, not to `accounts`: `accounts` must stay the state as of the last
 * save, because the ingest journal replays everything after it, and an
 * account written there mid-stream would have its later events applied
 * twice after a crash.  So spill is scratch: emptied when the store is
 * opened (the journal replay rebuilds what it held), folded into `accounts`
 * by the next save, in the same transaction that records the engine's
 * position.  That save also re-assesses every stored account that is not in
 * memory, as dw_engine_finish() does for the ones that are, so final
 * verdicts do not depend on what was evicted.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/engine_int.h"
#include "store/sql.h"

struct dw_store {
    sqlite3 *db;
    sqlite3_stmt *fetch[2];      /* spill, then accounts, by id */
};

typedef struct engine_blob {
    int64_t traffic_start_ms, last_release_ms;
    uint64_t seq;
} engine_blob;

static void format_tag(char *out, size_t cap)
{
    snprintf(out, cap, "distillwatch-state-1/acct=%zu/pop=%zu/%s", sizeof(dw_account), sizeof(dw_population),
             __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? "le" : "be");
}

/* Bind (id, payment, state) of one account to `st` and step it.  The state
 * blob is the struct with what means nothing on disk cleared: its string
 * pointers, the dirty flag and the slot bits of the in-memory table. */
static int step_account(sqlite3_stmt *st, const dw_account *a)
{
    dw_account copy = *a;
    copy.id = copy.payment = NULL;
    copy.dirty = 0;
    copy.slot = 0;
    sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
    if (a->payment) sqlite3_bind_text(st, 2, a->payment, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 2);
    sqlite3_bind_blob(st, 3, &copy, sizeof copy, SQLITE_TRANSIENT);
    return sqlite3_step(st);
}

int dw_sql_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "store: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int dw_sql_fail(sqlite3 *db, sqlite3_stmt *st, int rollback, char *err, size_t errlen)
{
    snprintf(err, errlen, "store: %s", sqlite3_errmsg(db));
    if (st) sqlite3_finalize(st);
    if (rollback) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int load(dw_store *s, dw_engine *e, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char tag[128];
    format_tag(tag, sizeof tag);
    /* format */
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='format'", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *have = (const char *)sqlite3_column_text(st, 0);
        if (!have || strcmp(have, tag) != 0) {
            snprintf(err, errlen, "store: written by an incompatible version (%s; this binary writes %s)", have ? have : "?", tag);
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    /* engine globals and population */
    if (sqlite3_prepare_v2(s->db, "SELECT key, value FROM meta WHERE key IN ('engine','population')", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const void *v = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1);
        if (strcmp(k, "engine") == 0 && n == (int)sizeof(engine_blob)) {
            engine_blob eb;
            memcpy(&eb, v, sizeof eb);
            e->traffic_start_ms = eb.traffic_start_ms;
            e->last_release_ms = eb.last_release_ms;
            e->seq = eb.seq;
        } else if (strcmp(k, "population") == 0 && n == (int)sizeof(dw_population)) {
            memcpy(&e->pop, v, sizeof e->pop);
        }
    }
    sqlite3_finalize(st);
    /* models, in index order so that account states' model indices stay valid */
    if (sqlite3_prepare_v2(s->db, "SELECT id, name, first_seen, requests FROM models ORDER BY id", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        uint16_t got = dw_models_intern(&e->models, &e->accts.strings, name, strlen(name));
        if (got != id) { sqlite3_finalize(st); snprintf(err, errlen, "store: model table out of order at %d", id); return -1; }
        e->models.v[got].first_seen = sqlite3_column_int64(st, 2);
        e->models.v[got].requests = (uint64_t)sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    /* accounts, in insertion order */
    if (sqlite3_prepare_v2(s->db, "SELECT id, payment, state FROM accounts ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        int idn = sqlite3_column_bytes(st, 0);
        const char *pay = (const char *)sqlite3_column_text(st, 1);
        int n = sqlite3_column_bytes(st, 2);
        if (n != (int)sizeof(dw_account)) { sqlite3_finalize(st); snprintf(err, errlen, "store: account %s has a bad state blob", id); return -1; }
        if (e->max_accounts) { /* under a cap, accounts that may live in the store alone stay there */
            dw_account peek;
            memcpy(&peek, sqlite3_column_blob(st, 2), sizeof peek);
            if (dw_engine_evictable_state(e, &peek)) {
                dw_engine_bloom_add(e, dw_hash(id, (size_t)idn));
                continue;
            }
        }
        uint32_t i = dw_accounts_intern(&e->accts, id, (size_t)idn, NULL);
        dw_account *a = &e->accts.v[i];
        const char *keep_id = a->id;
        uint64_t keep_hash = a->id_hash;
        uint8_t keep_slot = a->slot;
        memcpy(a, sqlite3_column_blob(st, 2), sizeof *a);
        a->id = keep_id;
        a->id_hash = keep_hash;
        a->slot = keep_slot;
        a->payment = pay ? dw_arena_strndup(&e->accts.strings, pay, strlen(pay)) : NULL;
        a->dirty = 0;
    }
    sqlite3_finalize(st);
    return 0;
sqlerr:
    return dw_sql_fail(s->db, st, 0, err, errlen);
}

dw_store *dw_store_open(dw_engine *e, const char *path, char *err, size_t errlen)
{
    dw_store *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "store %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        dw_store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (dw_sql_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB);"
                    "CREATE TABLE IF NOT EXISTS models(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
                    " first_seen INTEGER, requests INTEGER);"
                    "CREATE TABLE IF NOT EXISTS accounts(id TEXT PRIMARY KEY, payment TEXT, state BLOB NOT NULL);"
                    "CREATE TABLE IF NOT EXISTS spill(id TEXT PRIMARY KEY, payment TEXT, state BLOB NOT NULL);"
                    "DELETE FROM spill;",
             err, errlen) < 0 ||
        dw_link_store_schema(s->db, err, errlen) < 0 || /* issue 4: link and campaign state */
        load(s, e, err, errlen) < 0 ||
        dw_link_store_load(s->db, e->link, e->camps, &e->accts, err, errlen) < 0) {
        /* name the file: the operator may have several */
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s (%s)", err, path);
        snprintf(err, errlen, "%s", tmp);
        dw_store_close(s);
        return NULL;
    }
    /* issue 4: the account graph and campaigns, rebuilt from the saved
     * fingerprints, so streaming resumes with the campaigns already known */
    if (e->cfg.link_enabled) dw_engine_rebuild_campaigns(e);
    return s;
}

/* Inside the save's transaction, before the accounts in memory are written:
 * spilled states into `accounts`.  Before, because an account reloaded
 * since its eviction leaves a stale row in spill, which the account's
 * current state (saved next: a reloaded account is dirty) must overwrite. */
static int fold_spill(dw_store *s, char *err, size_t errlen)
{
    return dw_sql_exec(s->db, "INSERT INTO accounts(id, payment, state) SELECT id, payment, state FROM spill WHERE true "
                       "ON CONFLICT(id) DO UPDATE SET payment=excluded.payment, state=excluded.state;"
                       "DELETE FROM spill;", err, errlen);
}

/* After: every stored account that is not in memory re-assessed against the
 * population as it now stands (no campaign context: such an account has no
 * fingerprint, so it is in no campaign) and counted in the verdicts. */
static int reassess_stored(dw_store *s, dw_engine *e, char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL, *u = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT rowid, id, state FROM accounts", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "UPDATE accounts SET state = ? WHERE rowid = ?", -1, &u, NULL) != SQLITE_OK)
        goto sqlerr;
    dw_campaign_ctx none;
    dw_campaign_member_ctx(NULL, 0, &none);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 1);
        int idn = sqlite3_column_bytes(q, 1);
        if (!id || sqlite3_column_bytes(q, 2) != (int)sizeof(dw_account)) continue;
        if (dw_accounts_find(&e->accts, id, (size_t)idn) != UINT32_MAX) continue; /* saved above */
        dw_account a;
        memcpy(&a, sqlite3_column_blob(q, 2), sizeof a);
        if (!a.requests) continue;
        dw_assessment as;
        dw_assess_ctx(&e->cfg, &a, &e->pop, &none, &as);
        e->st.verdicts[as.verdict]++;
        if ((float)as.score == a.score && as.verdict == a.verdict) continue;
        a.score = (float)as.score;
        a.verdict = (uint8_t)as.verdict;
        sqlite3_bind_blob(u, 1, &a, sizeof a, SQLITE_TRANSIENT);
        sqlite3_bind_int64(u, 2, sqlite3_column_int64(q, 0));
        if (sqlite3_step(u) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(u);
    }
    if (rc != SQLITE_DONE) goto sqlerr;
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    return 0;
sqlerr:
    sqlite3_finalize(u);
    return dw_sql_fail(s->db, q, 0, err, errlen);
}

int dw_store_spill(dw_store *s, const dw_engine *e, const uint32_t *idx, size_t k, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    if (dw_sql_exec(s->db, "BEGIN IMMEDIATE", err, errlen) < 0) return -1;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO spill(id, payment, state) VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    for (size_t j = 0; j < k; j++) {
        if (step_account(st, &e->accts.v[idx[j]]) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return dw_sql_exec(s->db, "COMMIT", err, errlen);
sqlerr:
    return dw_sql_fail(s->db, st, 1, err, errlen);
}

int dw_store_fetch(dw_store *s, const char *id, size_t n, dw_account *out, char *pay, size_t paycap, int *from_spill)
{
    static const char *const sql[2] = {"SELECT payment, state FROM spill WHERE id = ?",
                                       "SELECT payment, state FROM accounts WHERE id = ?"};
    for (int t = 0; t < 2; t++) {
        if (!s->fetch[t] && sqlite3_prepare_v2(s->db, sql[t], -1, &s->fetch[t], NULL) != SQLITE_OK) return -1;
        sqlite3_stmt *st = s->fetch[t];
        sqlite3_bind_text(st, 1, id, (int)n, SQLITE_STATIC);
        int rc = sqlite3_step(st), found = 0;
        if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == (int)sizeof *out) {
            memcpy(out, sqlite3_column_blob(st, 1), sizeof *out);
            const char *p = (const char *)sqlite3_column_text(st, 0);
            snprintf(pay, paycap, "%s", p ? p : "");
            *from_spill = t == 0;
            found = 1;
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (found) return 1;
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return -1;
    }
    return 0;
}

int dw_store_save(dw_store *s, dw_engine *e, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char tag[128];
    format_tag(tag, sizeof tag);
    if (dw_sql_exec(s->db, "BEGIN IMMEDIATE", err, errlen) < 0) return -1;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    sqlite3_bind_text(st, 1, "format", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tag, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
    sqlite3_reset(st);
    engine_blob eb = {e->traffic_start_ms, e->last_release_ms, e->seq};
    sqlite3_bind_text(st, 1, "engine", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, &eb, sizeof eb, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, "population", -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, &e->pop, sizeof e->pop, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
    sqlite3_finalize(st);
    st = NULL;

    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO models(id, name, first_seen, requests) VALUES (?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    for (uint32_t i = 1; i < e->models.n; i++) {
        const dw_model *m = &e->models.v[i];
        sqlite3_bind_int(st, 1, (int)i);
        sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, m->first_seen);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)m->requests);
        if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    st = NULL;

    /* issue 4: fingerprints of changed accounts, registry, texts, alerted
     * campaigns -- before the accounts loop clears the dirty flags */
    if (dw_link_store_save(s->db, e->link, e->camps, &e->accts, err, errlen) < 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (e->max_accounts && e->bloom && fold_spill(s, err, errlen) < 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (sqlite3_prepare_v2(s->db, "INSERT INTO accounts(id, payment, state) VALUES (?, ?, ?) "
                                  "ON CONFLICT(id) DO UPDATE SET payment=excluded.payment, state=excluded.state",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    for (uint32_t i = 0; i < e->accts.n; i++) {
        dw_account *a = &e->accts.v[i];
        if (!a->dirty) continue;
        if (step_account(st, a) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(st);
        a->dirty = 0;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (e->max_accounts && e->bloom && reassess_stored(s, e, err, errlen) < 0) { /* bloom: something lives in the store alone */
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return dw_sql_exec(s->db, "COMMIT", err, errlen);
sqlerr:
    return dw_sql_fail(s->db, st, 1, err, errlen);
}

void dw_store_close(dw_store *s)
{
    if (!s) return;
    for (int t = 0; t < 2; t++) sqlite3_finalize(s->fetch[t]);
    if (s->db) sqlite3_close(s->db);
    free(s);
}
