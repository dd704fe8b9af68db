/*
 * journal.h -- the durable log of ingest batches `serve` acknowledges
 * (journal.c says why it exists and how it meets the store).
 */
#ifndef DW_SERVE_JOURNAL_H
#define DW_SERVE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct dw_journal dw_journal;

/* Open (creating the table if needed) the journal inside the SQLite store at path. */
dw_journal *dw_journal_open(const char *path, char *err, size_t errlen);
void dw_journal_close(dw_journal *j);

/* Append one batch and commit it (fsync'd) before returning.  seq_before is
 * the engine's event sequence number before the batch is fed; fmt is the
 * batch's dw_format when the client chose one, -1 for the listener's. */
int dw_journal_append(dw_journal *j, uint64_t seq_before, int fmt, const char *body, size_t n, char *err, size_t errlen);

/* Call fn for every batch not yet folded into the saved state (seq_before >=
 * folded_seq), in append order; batches already folded are deleted.  Returns
 * the number of batches replayed, or -1. */
typedef int (*dw_journal_fn)(void *ud, int64_t id, int fmt, const char *body, size_t n);
long dw_journal_replay(dw_journal *j, uint64_t folded_seq, dw_journal_fn fn, void *ud, char *err, size_t errlen);

/* After the engine state was saved with every journaled batch in it. */
int dw_journal_truncate(dw_journal *j, char *err, size_t errlen);

/* Batches currently held (for /metrics). */
int64_t dw_journal_pending(dw_journal *j);

#endif
