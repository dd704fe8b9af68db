/*
 * accounts_file.c -- the optional accounts file (DESIGN.md): what the
 * provider knows about each account beyond its traffic.
 *
 * Metadata is attached to the account's state (creation time, programme,
 * verification) or interned next to it (payment fingerprint, which the link
 * stage needs as text for indicators).  Malformed lines take the same path
 * as malformed log lines: counted, reported with file and line, quarantined.
 */
#include <string.h>
#include "pipeline/engine_int.h"
#include "decode/json.h"
#include "source/reader.h"
#include "common/util.h"

static int program_of(const dw_json_doc *d, int32_t t)
{
    if (dw_json_str_eq(d, t, "standard")) return DW_PROG_STANDARD;
    if (dw_json_str_eq(d, t, "education")) return DW_PROG_EDUCATION;
    if (dw_json_str_eq(d, t, "startup")) return DW_PROG_STARTUP;
    if (dw_json_str_eq(d, t, "research")) return DW_PROG_RESEARCH;
    return DW_PROG_UNKNOWN;
}

static int apply_line(dw_engine *e, dw_json_doc *d, const char *line, size_t len, char *why, size_t whylen, size_t *off)
{
    *off = 0;
    if (dw_json_parse(d, line, len) < 0) { snprintf(why, whylen, "invalid JSON: %s", d->err_msg); *off = d->err_off; return -1; }
    if (d->toks[0].type != DW_JSON_OBJECT) { snprintf(why, whylen, "record is not a JSON object"); return -1; }
    int32_t id = dw_json_get(d, 0, "account_id");
    char idbuf[DW_ACCOUNT_ID_MAX + 1];
    /* dw_json_str returns the whole decoded length, so a longer id is
     * refused by length before its cut copy is read */
    long n = id >= 0 && d->toks[id].type == DW_JSON_STRING ? dw_json_str(d, id, idbuf, sizeof idbuf) : -1;
    const char *fault = dw_account_id_fault(n > 0 ? idbuf : NULL, n > 0 ? (size_t)n : 0);
    if (fault) { snprintf(why, whylen, "%s", fault); return -1; }
    int64_t created = DW_TS_NONE;
    int32_t c = dw_json_get(d, 0, "created_at");
    if (c >= 0 && d->toks[c].type != DW_JSON_NULL) {
        const dw_json_tok *t = &d->toks[c];
        double v;
        if (t->type == DW_JSON_STRING && !t->escaped && dw_parse_rfc3339(d->src + t->start, t->len, &created)) {}
        else if (dw_json_f64(d, c, &v) && v > 0 && (created = dw_epoch_to_ms(v)) != DW_TS_NONE) {}
        else { snprintf(why, whylen, "created_at is not a time"); return -1; }
    }
    /* an account serve left in the store (account cap) keeps its state */
    uint32_t i = dw_engine_find_or_reload(e, idbuf, (size_t)n);
    if (i == UINT32_MAX) i = dw_accounts_intern(&e->accts, idbuf, (size_t)n, NULL);
    dw_account *a = &e->accts.v[i];
    a->has_meta = 1;
    a->dirty = 1;
    a->created_ms = created;
    a->program = (uint8_t)program_of(d, dw_json_get(d, 0, "signup_program"));
    int32_t v = dw_json_get(d, 0, "verified");
    a->verified = dw_json_type_of(d, v) == DW_JSON_TRUE ? 1 : dw_json_type_of(d, v) == DW_JSON_FALSE ? 0 : 0xff;
    char buf[512];
    int32_t pay = dw_json_get(d, 0, "payment_fingerprint");
    long pn = pay >= 0 && d->toks[pay].type == DW_JSON_STRING ? dw_json_str(d, pay, buf, sizeof buf) : -1;
    if (pn > 0) {
        size_t pl = (size_t)pn < sizeof buf ? (size_t)pn : sizeof buf - 1;
        if (a->slot & (DW_SLOT_ID_HEAP | DW_SLOT_PAY_HEAP)) dw_accounts_set_payment(&e->accts, i, buf, pl); /* a reused slot */
        else a->payment = dw_arena_strndup(&e->accts.strings, buf, pl);
    }
    int32_t dom = dw_json_get(d, 0, "email_domain");
    long dn = dom >= 0 && d->toks[dom].type == DW_JSON_STRING ? dw_json_str(d, dom, buf, sizeof buf) : -1;
    if (dn > 0) a->email_domain_hash = dw_hash(buf, (size_t)dn < sizeof buf ? (size_t)dn : sizeof buf - 1);
    return 0;
}

int dw_engine_load_accounts(dw_engine *e, const char *path, char *err, size_t errlen)
{
    dw_reader *r = dw_reader_open(path, e->cfg.max_line_bytes, err, errlen);
    if (!r) return -1;
    dw_json_doc d;
    dw_json_init(&d);
    const char *line;
    size_t len;
    int flags, rc;
    uint64_t lineno;
    while ((rc = dw_reader_next(r, &line, &len, &flags, &lineno, err, errlen)) > 0) {
        if (flags) { dw_engine_quarantine(e, path, lineno, 0, "line too long", line, len, flags); continue; }
        size_t k = 0;
        while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')) k++;
        if (k == len) continue;
        char why[256];
        size_t off;
        if (apply_line(e, &d, line, len, why, sizeof why, &off) < 0) dw_engine_quarantine(e, path, lineno, off, why, line, len, 0);
    }
    dw_json_free(&d);
    dw_reader_close(r);
    return rc < 0 ? -1 : 0;
}
