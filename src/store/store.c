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
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pipeline/engine_int.h"

struct dw_store {
    sqlite3 *db;
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

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "store: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int load(dw_store *s, dw_engine *e, char *err, size_t errlen)
{
    sqlite3_stmt *st;
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
        uint32_t i = dw_accounts_intern(&e->accts, id, (size_t)idn, NULL);
        dw_account *a = &e->accts.v[i];
        const char *keep_id = a->id;
        uint64_t keep_hash = a->id_hash;
        memcpy(a, sqlite3_column_blob(st, 2), sizeof *a);
        a->id = keep_id;
        a->id_hash = keep_hash;
        a->payment = pay ? dw_arena_strndup(&e->accts.strings, pay, strlen(pay)) : NULL;
        a->dirty = 0;
    }
    sqlite3_finalize(st);
    return 0;
sqlerr:
    snprintf(err, errlen, "store: %s", sqlite3_errmsg(s->db));
    return -1;
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
    if (exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB);"
                    "CREATE TABLE IF NOT EXISTS models(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
                    " first_seen INTEGER, requests INTEGER);"
                    "CREATE TABLE IF NOT EXISTS accounts(id TEXT PRIMARY KEY, payment TEXT, state BLOB NOT NULL);",
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

int dw_store_save(dw_store *s, dw_engine *e, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char tag[128];
    format_tag(tag, sizeof tag);
    if (exec(s->db, "BEGIN IMMEDIATE", err, errlen) < 0) return -1;
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
    if (sqlite3_prepare_v2(s->db, "INSERT INTO accounts(id, payment, state) VALUES (?, ?, ?) "
                                  "ON CONFLICT(id) DO UPDATE SET payment=excluded.payment, state=excluded.state",
                           -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    for (uint32_t i = 0; i < e->accts.n; i++) {
        dw_account *a = &e->accts.v[i];
        if (!a->dirty) continue;
        dw_account copy = *a;
        copy.id = copy.payment = NULL; /* pointers mean nothing on disk */
        copy.dirty = 0;
        sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
        if (a->payment) sqlite3_bind_text(st, 2, a->payment, -1, SQLITE_STATIC);
        else sqlite3_bind_null(st, 2);
        sqlite3_bind_blob(st, 3, &copy, sizeof copy, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(st);
        a->dirty = 0;
    }
    sqlite3_finalize(st);
    return exec(s->db, "COMMIT", err, errlen);
sqlerr:
    snprintf(err, errlen, "store: %s", sqlite3_errmsg(s->db));
    if (st) sqlite3_finalize(st);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

void dw_store_close(dw_store *s)
{
    if (!s) return;
    if (s->db) sqlite3_close(s->db);
    free(s);
}
