/*
 * persist.c -- the link stage's state in the SQLite store.
 *
 * What is saved is what the final verdicts are a function of: each
 * account's fingerprint (one blob per account, next to the account's own
 * state), the system-prompt registry in insertion order (so that families
 * form the same way when it is replayed), the texts behind the hashes (for
 * the reviewer), and which campaigns were already alerted at which level
 * (so a second run does not alert them again).  The index, the account
 * graph and the campaigns themselves are not saved: they are rebuilt from
 * the fingerprints when the store is opened (dw_engine_rebuild_campaigns),
 * which is deterministic, so `scan day1 --store S; scan day2 --store S`
 * ends with the campaigns of `scan day1 day2`.
 *
 * Blobs are host-endian like the account state; a meta row records the
 * fingerprint size, and a binary with another layout refuses the file.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include "link/link_int.h"
#include "campaign/campaign.h"
#include "store/sql.h"

static void link_tag(char *out, size_t cap)
{
    snprintf(out, cap, "link-1/fp=%zu/mh=%zu", sizeof(dw_link_fp), sizeof(dw_minhash));
}

int dw_link_store_schema(sqlite3 *db, char *err, size_t errlen)
{
    return dw_sql_exec(db,
                "CREATE TABLE IF NOT EXISTS link_fp(id TEXT PRIMARY KEY, fp BLOB NOT NULL);"
                "CREATE TABLE IF NOT EXISTS link_registry(seq INTEGER PRIMARY KEY, hash INTEGER NOT NULL, mh BLOB NOT NULL);"
                "CREATE TABLE IF NOT EXISTS link_texts(key INTEGER PRIMARY KEY, text TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS campaign_alerts(id TEXT PRIMARY KEY, alerted INTEGER NOT NULL);",
                err, errlen);
}

int dw_link_store_load(sqlite3 *db, dw_link *L, dw_campaigns *C, const dw_account_table *t, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char tag[64];
    link_tag(tag, sizeof tag);
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='link_format'", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *have = (const char *)sqlite3_column_text(st, 0);
        if (!have || strcmp(have, tag) != 0) {
            snprintf(err, errlen, "store: link state written by an incompatible version (%s; this binary writes %s)",
                     have ? have : "?", tag);
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    /* registry first: fingerprints refer to its prompts */
    if (sqlite3_prepare_v2(db, "SELECT hash, mh FROM link_registry ORDER BY seq", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        dw_minhash mh;
        if (sqlite3_column_bytes(st, 1) != (int)sizeof mh) continue;
        memcpy(&mh, sqlite3_column_blob(st, 1), sizeof mh);
        dw_link_registry_add(L, (uint64_t)sqlite3_column_int64(st, 0), &mh);
    }
    sqlite3_finalize(st);
    L->reg_saved = dw_link_registry_size(L);
    if (sqlite3_prepare_v2(db, "SELECT id, fp FROM link_fp", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (!id || sqlite3_column_bytes(st, 1) != (int)sizeof(dw_link_fp)) continue;
        uint32_t a = dw_accounts_find(t, id, (size_t)n);
        if (a == UINT32_MAX) continue;
        memcpy(dw_link_fp_alloc(L, a), sqlite3_column_blob(st, 1), sizeof(dw_link_fp));
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "SELECT key, text FROM link_texts", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 1);
        if (s) dw_texts_put(&L->texts, (uint64_t)sqlite3_column_int64(st, 0), s, (size_t)sqlite3_column_bytes(st, 1));
    }
    sqlite3_finalize(st);
    L->texts_saved = L->texts.len;
    if (sqlite3_prepare_v2(db, "SELECT id, alerted FROM campaign_alerts", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (id) dw_campaigns_restore_alerted(C, id, sqlite3_column_int(st, 1));
    }
    sqlite3_finalize(st);
    return 0;
sqlerr:
    return dw_sql_fail(db, st, 0, err, errlen);
}

int dw_link_store_save(sqlite3 *db, dw_link *L, const dw_campaigns *C, const dw_account_table *t, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    char tag[64];
    link_tag(tag, sizeof tag);
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('link_format', ?)", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    sqlite3_bind_text(st, 1, tag, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
    sqlite3_finalize(st);
    /* fingerprints of the accounts that changed (called before the accounts
     * are saved, which clears their dirty flags) */
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO link_fp(id, fp) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    for (uint32_t a = 0; a < t->n; a++) {
        const dw_link_fp *fp = dw_link_fp_of(L, a);
        if (!fp || !t->v[a].dirty) continue;
        sqlite3_bind_text(st, 1, t->v[a].id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, fp, sizeof *fp, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO link_registry(seq, hash, mh) VALUES (?, ?, ?)", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    for (uint32_t i = L->reg_saved; i < dw_link_registry_size(L); i++) {
        uint64_t h;
        dw_minhash mh;
        dw_link_registry_get(L, i, &h, &mh);
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)h);
        sqlite3_bind_blob(st, 3, &mh, sizeof mh, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO link_texts(key, text) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    for (uint32_t i = 0; i < L->texts.cap; i++) {
        const dw_text_slot *sl = &L->texts.slots[i];
        if (!sl->key || sl->off < L->texts_saved) continue;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)sl->key);
        sqlite3_bind_text(st, 2, L->texts.arena + sl->off, (int)sl->len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO campaign_alerts(id, alerted) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) goto sqlerr;
    for (uint32_t i = 0;; i++) {
        const char *id;
        int alerted;
        if (!dw_campaigns_alerted_at(C, i, &id, &alerted)) break;
        if (!alerted) continue;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, alerted);
        if (sqlite3_step(st) != SQLITE_DONE) goto sqlerr;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    L->reg_saved = dw_link_registry_size(L);
    L->texts_saved = L->texts.len;
    return 0;
sqlerr:
    return dw_sql_fail(db, st, 0, err, errlen);
}
