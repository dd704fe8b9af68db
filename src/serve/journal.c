/*
 * journal.c -- "durable before the response" for POST /v1/events.
 *
 * The engine's store (src/store/store.c) saves account state, but only at
 * dw_engine_finish(): the reorder buffer holds events that are not yet in any
 * account, so a mid-stream save would either lose them or need the buffer
 * serialised too.  Saving after every batch would also rewrite every dirty
 * account per request.  Instead serve keeps a write-ahead journal of the raw
 * batches, in a table of the same SQLite file:
 *
 *   ingest:   append batch (seq_before = engine event counter) and COMMIT with
 *             synchronous=FULL, then feed the engine, then reply;
 *   shutdown: dw_engine_finish() saves the state (which carries the event
 *             counter `seq` in the same transaction), then the journal is
 *             truncated;
 *   start:    load the saved state, then replay, in order, every batch whose
 *             seq_before is >= the saved counter.
 *
 * The saved counter is what makes this exact: a batch is in the saved state
 * iff it was fed before the save, iff its seq_before is below the saved seq,
 * whatever moment a crash hits (between save and truncate included).  The
 * engine is deterministic, so replaying the same lines in the same order
 * after a kill -9 rebuilds the same account states and the same verdicts.
 * The price is replay time after a crash, proportional to the traffic since
 * the last graceful stop; see docs/operations.md ("serve").
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include "serve/journal.h"

struct dw_journal {
    sqlite3 *db;
    sqlite3_stmt *ins;
    int64_t pending;
};

static int fail(dw_journal *j, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "journal: %s: %s", what, sqlite3_errmsg(j->db));
    return -1;
}

dw_journal *dw_journal_open(const char *path, char *err, size_t errlen)
{
    dw_journal *j = calloc(1, sizeof *j);
    if (!j) { snprintf(err, errlen, "out of memory"); return NULL; }
    if (sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "journal %s: %s", path, j->db ? sqlite3_errmsg(j->db) : "cannot open");
        dw_journal_close(j);
        return NULL;
    }
    sqlite3_busy_timeout(j->db, 10000);
    /* FULL: the WAL is fsync'd at every commit, so an acknowledged batch
     * survives a power cut, not only a killed process */
    char *msg = NULL;
    if (sqlite3_exec(j->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                            "CREATE TABLE IF NOT EXISTS serve_journal(id INTEGER PRIMARY KEY AUTOINCREMENT,"
                            " seq_before INTEGER NOT NULL, fmt INTEGER NOT NULL, body BLOB NOT NULL);",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "journal %s: %s", path, msg ? msg : sqlite3_errmsg(j->db));
        sqlite3_free(msg);
        dw_journal_close(j);
        return NULL;
    }
    if (sqlite3_prepare_v2(j->db, "INSERT INTO serve_journal(seq_before, fmt, body) VALUES (?, ?, ?)", -1, &j->ins, NULL) != SQLITE_OK) {
        fail(j, "prepare", err, errlen);
        dw_journal_close(j);
        return NULL;
    }
    return j;
}

void dw_journal_close(dw_journal *j)
{
    if (!j) return;
    sqlite3_finalize(j->ins);
    if (j->db) sqlite3_close(j->db);
    free(j);
}

int dw_journal_append(dw_journal *j, uint64_t seq_before, int fmt, const char *body, size_t n, char *err, size_t errlen)
{
    sqlite3_reset(j->ins);
    sqlite3_bind_int64(j->ins, 1, (sqlite3_int64)seq_before);
    sqlite3_bind_int(j->ins, 2, fmt);
    sqlite3_bind_blob64(j->ins, 3, n ? body : "", (sqlite3_uint64)n, SQLITE_STATIC);
    int rc = sqlite3_step(j->ins);
    sqlite3_clear_bindings(j->ins);
    sqlite3_reset(j->ins);
    if (rc != SQLITE_DONE) return fail(j, "append", err, errlen);
    j->pending++;
    return 0;
}

long dw_journal_replay(dw_journal *j, uint64_t folded_seq, dw_journal_fn fn, void *ud, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM serve_journal WHERE seq_before < %lld", (long long)folded_seq);
    if (sqlite3_exec(j->db, sql, NULL, NULL, NULL) != SQLITE_OK) return fail(j, "prune", err, errlen);
    if (sqlite3_prepare_v2(j->db, "SELECT id, fmt, body FROM serve_journal ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return fail(j, "replay", err, errlen);
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = sqlite3_column_blob(st, 2);
        size_t len = (size_t)sqlite3_column_bytes(st, 2);
        if (fn(ud, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1), body ? body : "", len) < 0) {
            sqlite3_finalize(st);
            snprintf(err, errlen, "journal: replay stopped by the engine");
            return -1;
        }
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return fail(j, "replay", err, errlen);
    j->pending = n;
    return n;
}

int dw_journal_truncate(dw_journal *j, char *err, size_t errlen)
{
    if (sqlite3_exec(j->db, "DELETE FROM serve_journal", NULL, NULL, NULL) != SQLITE_OK) return fail(j, "truncate", err, errlen);
    j->pending = 0;
    return 0;
}

int64_t dw_journal_pending(dw_journal *j) { return j ? j->pending : 0; }
