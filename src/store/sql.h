/*
 * sql.h -- what every file that talks to the SQLite store shares.
 *
 * The account store (store.c) and the link stage's tables (link/persist.c)
 * write to the same database and report failures the same way: "store:"
 * and SQLite's own message, the statement in flight finalized, and a write
 * transaction rolled back so the previous state stays intact.
 */
#ifndef DW_SQL_H
#define DW_SQL_H

#include <stddef.h>
#include <sqlite3.h>

/* Run SQL without results; -1 with err set on failure. */
int dw_sql_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);
/* Report db's last error into err, finalize st (NULL is fine) and, when
 * rollback is set, roll back the open transaction.  Returns -1. */
int dw_sql_fail(sqlite3 *db, sqlite3_stmt *st, int rollback, char *err, size_t errlen);

#endif
