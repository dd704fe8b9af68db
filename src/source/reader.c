/*
 * reader.c -- line source over plain, gzip and zstd input.
 *
 * Why it is built this way: at hundreds of MB/s the cost of getting lines
 * out of a file matters as much as parsing them, so the reader keeps one
 * large buffer, refills it with read(2) (or a decompressor writing straight
 * into it), and finds line ends with memchr, which glibc vectorises.  Lines
 * are returned as views; the only copy is the memmove of a partial last
 * line to the front of the buffer before a refill.
 *
 * The buffer must hold the longest line allowed (16 MiB by default), but a
 * refill asks for at most READ_CHUNK: filling the whole buffer at once
 * copied 17 MB per read(2), so every line had left the cache by the time
 * it was parsed.  A line that spans refills is searched for its end only in
 * the bytes that arrived since the last look, never again from its start.
 *
 * gzip goes through zlib's inflate with automatic header detection
 * (windowBits 15+32), which also handles concatenated members (what
 * `cat a.gz b.gz` and many log rotators produce) because we reset the
 * stream at each member end.  zstd goes through ZSTD_decompressStream, which
 * handles concatenated frames by itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "source/reader.h"

enum { CODEC_PLAIN, CODEC_GZIP, CODEC_ZSTD };
#define IN_CHUNK (1u << 18)
#define READ_CHUNK (1u << 18)   /* per refill: a quarter of a MiB stays in L2 until parsed */

struct dw_reader {
    int fd;
    int codec;
    char *buf;          /* line buffer */
    size_t cap, start, end;
    size_t max_line;
    int eof;            /* no more decompressed bytes will come */
    int in_partial;     /* the previous piece ended without a newline */
    size_t no_newline;  /* bytes at buf + start already searched in vain */
    uint64_t lineno, bytes;
    /* compressed input staging */
    unsigned char *in;
    size_t in_len, in_pos;
    int in_eof;
    z_stream z;
    int z_live;
    ZSTD_DStream *zs;
};

static int fill_input(dw_reader *r, char *err, size_t errlen)
{
    if (r->in_pos < r->in_len || r->in_eof) return 0;
    ssize_t n;
    do n = read(r->fd, r->in, IN_CHUNK); while (n < 0 && errno == EINTR);
    if (n < 0) { snprintf(err, errlen, "read: %s", strerror(errno)); return -1; }
    r->in_len = (size_t)n;
    r->in_pos = 0;
    if (n == 0) r->in_eof = 1;
    return 0;
}

/* Produce up to `room` bytes at dst. Returns bytes produced (0 = end), -1 error. */
static ssize_t produce(dw_reader *r, char *dst, size_t room, char *err, size_t errlen)
{
    if (r->codec == CODEC_PLAIN) {
        /* the magic bytes sniffed at open are staged in r->in */
        if (r->in_pos < r->in_len) {
            size_t k = r->in_len - r->in_pos;
            if (k > room) k = room;
            memcpy(dst, r->in + r->in_pos, k);
            r->in_pos += k;
            return (ssize_t)k;
        }
        ssize_t n;
        do n = read(r->fd, dst, room); while (n < 0 && errno == EINTR);
        if (n < 0) { snprintf(err, errlen, "read: %s", strerror(errno)); return -1; }
        return n;
    }
    for (;;) {
        if (fill_input(r, err, errlen) < 0) return -1;
        if (r->codec == CODEC_GZIP) {
            if (r->in_pos >= r->in_len && r->in_eof) {
                if (r->z_live) { snprintf(err, errlen, "gzip: truncated stream"); return -1; }
                return 0;
            }
            if (!r->z_live) {
                /* a new member starts here (or trailing garbage) */
                if (inflateReset(&r->z) != Z_OK) { snprintf(err, errlen, "gzip: reset failed"); return -1; }
                r->z_live = 1;
            }
            r->z.next_in = r->in + r->in_pos;
            r->z.avail_in = (uInt)(r->in_len - r->in_pos);
            r->z.next_out = (unsigned char *)dst;
            r->z.avail_out = (uInt)(room > (1u << 30) ? (1u << 30) : room);
            int rc = inflate(&r->z, Z_NO_FLUSH);
            r->in_pos = r->in_len - r->z.avail_in;
            size_t got = (size_t)((char *)r->z.next_out - dst);
            if (rc == Z_STREAM_END) r->z_live = 0;
            else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                snprintf(err, errlen, "gzip: %s", r->z.msg ? r->z.msg : "corrupt data");
                return -1;
            }
            if (got) return (ssize_t)got;
            if (rc == Z_BUF_ERROR && r->in_eof && r->in_pos >= r->in_len) {
                snprintf(err, errlen, "gzip: truncated stream");
                return -1;
            }
        } else {
            if (r->in_pos >= r->in_len && r->in_eof) return 0;
            ZSTD_inBuffer ib = {r->in, r->in_len, r->in_pos};
            ZSTD_outBuffer ob = {dst, room, 0};
            size_t rc = ZSTD_decompressStream(r->zs, &ob, &ib);
            r->in_pos = ib.pos;
            if (ZSTD_isError(rc)) { snprintf(err, errlen, "zstd: %s", ZSTD_getErrorName(rc)); return -1; }
            if (ob.pos) return (ssize_t)ob.pos;
            if (r->in_eof && r->in_pos >= r->in_len && rc != 0) {
                snprintf(err, errlen, "zstd: truncated stream");
                return -1;
            }
        }
    }
}

dw_reader *dw_reader_open(const char *path, size_t max_line, char *err, size_t errlen)
{
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return NULL; }
    dw_reader *r = calloc(1, sizeof *r);
    if (!r) { snprintf(err, errlen, "out of memory"); if (fd) close(fd); return NULL; }
    r->fd = fd;
    r->max_line = max_line < 4096 ? 4096 : max_line;
    r->cap = r->max_line + (1u << 20);
    r->buf = malloc(r->cap);
    r->in = malloc(IN_CHUNK);
    if (!r->buf || !r->in) { snprintf(err, errlen, "out of memory"); dw_reader_close(r); return NULL; }
    /* sniff the magic bytes */
    if (fill_input(r, err, errlen) < 0) { dw_reader_close(r); return NULL; }
    while (r->in_len < 4 && !r->in_eof) {
        ssize_t n = read(fd, r->in + r->in_len, IN_CHUNK - r->in_len);
        if (n <= 0) { if (n < 0 && errno == EINTR) continue; break; }
        r->in_len += (size_t)n;
    }
    const unsigned char *m = r->in;
    if (r->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        r->codec = CODEC_GZIP;
        if (inflateInit2(&r->z, 15 + 32) != Z_OK) { snprintf(err, errlen, "gzip: init failed"); dw_reader_close(r); return NULL; }
        r->z_live = 1;
    } else if (r->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        r->codec = CODEC_ZSTD;
        r->zs = ZSTD_createDStream();
        if (!r->zs || ZSTD_isError(ZSTD_initDStream(r->zs))) { snprintf(err, errlen, "zstd: init failed"); dw_reader_close(r); return NULL; }
    }
    return r;
}

void dw_reader_close(dw_reader *r)
{
    if (!r) return;
    if (r->fd > 0) close(r->fd);
    if (r->codec == CODEC_GZIP) inflateEnd(&r->z);
    if (r->zs) ZSTD_freeDStream(r->zs);
    free(r->buf);
    free(r->in);
    free(r);
}

/* Hand out s[0..n) as the next piece of a line and consume `used` bytes of
 * the buffer; `partial`: the line goes on after this piece. */
static int piece(dw_reader *r, char *s, size_t n, size_t used, int partial,
                 const char **line, size_t *len, int *flags, uint64_t *lineno)
{
    *line = s;
    *len = n;
    *flags = (partial ? DW_LINE_PARTIAL : 0) | (r->in_partial ? DW_LINE_CONT : 0);
    if (!r->in_partial) r->lineno++;
    r->in_partial = partial;
    *lineno = r->lineno;
    r->start += used;
    return 1;
}

int dw_reader_next(dw_reader *r, const char **line, size_t *len, int *flags, uint64_t *lineno,
                   char *err, size_t errlen)
{
    for (;;) {
        char *s = r->buf + r->start;
        size_t avail = r->end - r->start;
        size_t from = r->no_newline < avail ? r->no_newline : 0;
        char *nl = avail > from ? memchr(s + from, '\n', avail - from) : NULL;
        r->no_newline = 0;
        if (nl && (size_t)(nl - s) > r->max_line) {
            /* too long, though it arrived whole: the same pieces as if it had
             * not, so that what is quarantined does not depend on where a
             * refill happened to end */
            return piece(r, s, r->max_line, r->max_line, 1, line, len, flags, lineno);
        }
        if (nl)
            return piece(r, s, (size_t)(nl - s), (size_t)(nl - s) + 1, 0, line, len, flags, lineno);
        if (avail > r->max_line) /* an over-long line: hand out what we have as a piece */
            return piece(r, s, avail, avail, 1, line, len, flags, lineno);
        if (r->eof) {
            if (avail == 0) {
                if (r->in_partial) { /* the long line ended at EOF */
                    r->in_partial = 0;
                    *line = s; *len = 0; *flags = DW_LINE_CONT; *lineno = r->lineno;
                    return 1;
                }
                return 0;
            }
            return piece(r, s, avail, avail, 0, line, len, flags, lineno); /* a last line without '\n' */
        }
        /* refill: move the partial line to the front, read more behind it */
        if (r->start) {
            memmove(r->buf, r->buf + r->start, avail);
            r->start = 0;
            r->end = avail;
        }
        r->no_newline = avail;
        size_t room = r->cap - r->end;
        ssize_t got = produce(r, r->buf + r->end, room < READ_CHUNK ? room : READ_CHUNK, err, errlen);
        if (got < 0) return -1;
        if (got == 0) r->eof = 1;
        r->end += (size_t)got;
        r->bytes += (uint64_t)got;
    }
}

uint64_t dw_reader_bytes(const dw_reader *r) { return r->bytes; }

const char *dw_reader_codec(const dw_reader *r)
{
    return r->codec == CODEC_GZIP ? "gzip" : r->codec == CODEC_ZSTD ? "zstd" : "plain";
}
