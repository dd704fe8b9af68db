/*
 * decode.c -- from one log line to canonical events: dispatch and the value
 * helpers every adapter shares.
 *
 * Why one shared set of helpers: the same OpenAI-compatible bodies show up
 * inside the native shape, LiteLLM payloads and mapped logs, and a prompt
 * must be extracted the same way whichever adapter found it -- otherwise a
 * signal's meaning would depend on the gateway that logged the request.
 * Adapters stay tolerant of optional fields (every signal degrades when its
 * field is absent) and strict about the two required ones.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode/decode_int.h"
#include "common/util.h"

const char *const dw_canon_names[CF__COUNT] = {
    "timestamp", "account_id", "request_id", "api_key_id", "client_ip", "asn", "user_agent",
    "model", "system_prompt", "prompt", "messages", "response_text", "max_tokens",
    "temperature", "logprobs", "top_logprobs", "n", "prompt_tokens", "completion_tokens",
    "status", "end_user"};

static const char *const format_names[] = {"native", "litellm", "otel", "map"};

int dw_format_parse(const char *name, dw_format *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, format_names[i]) == 0) { *out = (dw_format)i; return 0; }
    return -1;
}

const char *dw_format_name(dw_format f) { return (unsigned)f < 4 ? format_names[f] : "?"; }

dw_decoder *dw_decoder_new(dw_format fmt, const char *map_spec, char *err, size_t errlen)
{
    dw_decoder *d = calloc(1, sizeof *d);
    if (!d) { snprintf(err, errlen, "out of memory"); return NULL; }
    d->fmt = fmt;
    dw_json_init(&d->doc);
    dw_json_init(&d->inner);
    /* --format map without a spec reads every canonical field under its own name */
    if (map_spec && *map_spec && dw_map_parse(d, map_spec, err, errlen) < 0) {
        dw_decoder_free(d);
        return NULL;
    }
    if (fmt == DW_FMT_NATIVE) dw_native_plan(d);
    else if (fmt == DW_FMT_LITELLM) dw_litellm_plan(d);
    else if (fmt == DW_FMT_OTEL) dw_otel_plan(d);
    return d;
}

void dw_decoder_free(dw_decoder *d)
{
    if (!d) return;
    dw_json_free(&d->doc);
    dw_json_free(&d->inner);
    for (int i = 0; i < d->nmap; i++) free(d->map[i].path);
    free(d->scratch);
    free(d->evbuf);
    free(d);
}

void dw_event_init(dw_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->ts_ms = DW_TS_NONE;
    ev->max_tokens = ev->n = ev->top_logprobs = DW_UNKNOWN;
    ev->prompt_tokens = ev->completion_tokens = ev->status = ev->latency_ms = DW_UNKNOWN;
    ev->logprobs = DW_UNKNOWN;
    ev->temperature = NAN;
}

dw_str dw_dec_scratch_put(dw_decoder *d, const char *p, size_t n)
{
    dw_str s = {NULL, 0};
    if (d->scratch_len + n > d->scratch_cap) n = d->scratch_cap - d->scratch_len;
    s.p = d->scratch + d->scratch_len;
    memcpy(d->scratch + d->scratch_len, p, n);
    s.n = (uint32_t)n;
    d->scratch_len += n;
    return s;
}

dw_str dw_dec_raw(const dw_json_doc *doc, int32_t tok)
{
    dw_str s = {NULL, 0};
    if (tok < 0) return s;
    const dw_json_tok *t = &doc->toks[tok];
    s.p = doc->src + t->start;
    s.n = t->len;
    return s;
}

dw_str dw_dec_str(dw_decoder *d, const dw_json_doc *doc, int32_t tok)
{
    dw_str s = {NULL, 0};
    if (tok < 0) return s;
    const dw_json_tok *t = &doc->toks[tok];
    if (t->type == DW_JSON_NUMBER) return dw_dec_raw(doc, tok);
    if (t->type != DW_JSON_STRING) return s;
    if (!t->escaped) {
        s.p = doc->src + t->start;
        s.n = t->len;
        return s;
    }
    size_t room = d->scratch_cap - d->scratch_len;
    long n = dw_json_str(doc, tok, d->scratch + d->scratch_len, room);
    if (n < 0) return s;
    size_t used = (size_t)n < room ? (size_t)n : (room ? room - 1 : 0);
    s.p = d->scratch + d->scratch_len;
    s.n = (uint32_t)used;
    d->scratch_len += used;
    return s;
}

bool dw_dec_f64(const dw_json_doc *doc, int32_t tok, double *out)
{
    if (tok < 0) return false;
    const dw_json_tok *t = &doc->toks[tok];
    if (t->type == DW_JSON_NUMBER) return dw_json_f64(doc, tok, out);
    if (t->type == DW_JSON_STRING && !t->escaped && t->len > 0 && t->len < 40) {
        /* OTLP/JSON encodes 64-bit integers as strings */
        char tmp[48];
        memcpy(tmp, doc->src + t->start, t->len);
        tmp[t->len] = 0;
        char *end;
        double v = strtod(tmp, &end);
        if (*end == 0 && isfinite(v)) { *out = v; return true; }
    }
    return false;
}

bool dw_dec_i32(const dw_json_doc *doc, int32_t tok, int32_t *out)
{
    if (tok < 0) return false; /* absent: most optional fields, most of the time */
    /* Token counts, limits and ASNs are short integers: read their digits
     * (what the double path would give, exactly, below 10^9). */
    const dw_json_tok *t = &doc->toks[tok];
    if (t->type == DW_JSON_NUMBER && t->is_int && t->len <= 9) {
        const char *p = doc->src + t->start, *e = p + t->len;
        int neg = *p == '-';
        int32_t v = 0;
        for (p += neg; p < e; p++) v = v * 10 + (*p - '0');
        *out = neg ? -v : v;
        return true;
    }
    double v;
    if (!dw_dec_f64(doc, tok, &v)) return false;
    if (v < -2147483648.0 || v > 2147483647.0) return false;
    *out = (int32_t)v;
    return true;
}

int dw_dec_bool(const dw_json_doc *doc, int32_t tok)
{
    if (tok < 0) return -1;
    int ty = doc->toks[tok].type;
    if (ty == DW_JSON_TRUE) return 1;
    if (ty == DW_JSON_FALSE) return 0;
    if (ty == DW_JSON_NUMBER) { double v; return dw_json_f64(doc, tok, &v) && v > 0; }
    return -1;
}

bool dw_dec_ts(dw_decoder *d, const dw_json_doc *doc, int32_t tok, int64_t *ms)
{
    if (tok < 0) return false;
    const dw_json_tok *t = &doc->toks[tok];
    if (t->type == DW_JSON_STRING && !t->escaped) {
        const char *p = doc->src + t->start;
        if (t->len >= 19 && p[4] == '-') return dw_parse_rfc3339_memo(p, t->len, ms, &d->ts_memo);
    }
    double v;
    if (!dw_dec_f64(doc, tok, &v) || v <= 0) return false;
    *ms = dw_epoch_to_ms(v);
    return *ms != DW_TS_NONE;
}

dw_str dw_dec_content(dw_decoder *d, const dw_json_doc *doc, int32_t tok)
{
    dw_str none = {NULL, 0};
    if (tok < 0) return none;
    int ty = doc->toks[tok].type;
    if (ty == DW_JSON_STRING) return dw_dec_str(d, doc, tok);
    if (ty != DW_JSON_ARRAY) return none;
    /* join the text parts; copy each into scratch contiguously */
    size_t begin = d->scratch_len;
    int parts = 0;
    for (int32_t p = dw_json_first(doc, tok); p >= 0; p = dw_json_next(doc, tok, p)) {
        int32_t txt = -1;
        if (doc->toks[p].type == DW_JSON_STRING) txt = p;
        else if (doc->toks[p].type == DW_JSON_OBJECT) {
            int32_t type = dw_json_get(doc, p, "type");
            if (type >= 0 && !dw_json_str_eq(doc, type, "text") && !dw_json_str_eq(doc, type, "input_text") &&
                !dw_json_str_eq(doc, type, "output_text"))
                continue; /* images, audio, tool calls: not text */
            txt = dw_json_get(doc, p, "text");
            if (txt < 0) txt = dw_json_get(doc, p, "content");
        }
        if (txt < 0 || doc->toks[txt].type != DW_JSON_STRING) continue;
        if (parts++ && d->scratch_len < d->scratch_cap) d->scratch[d->scratch_len++] = '\n';
        dw_str s = dw_dec_str(d, doc, txt);
        if (s.p && s.p != d->scratch + d->scratch_len - s.n) dw_dec_scratch_put(d, s.p, s.n);
    }
    if (!parts) return none;
    dw_str out = {d->scratch + begin, (uint32_t)(d->scratch_len - begin)};
    return out;
}

void dw_dec_messages(dw_decoder *d, const dw_json_doc *doc, int32_t arr, dw_event *ev)
{
    if (arr < 0) return;
    if (doc->toks[arr].type == DW_JSON_STRING) { /* a bare prompt string */
        ev->prompt = dw_dec_str(d, doc, arr);
        ev->user_turns = 1;
        return;
    }
    if (doc->toks[arr].type == DW_JSON_OBJECT) { /* a single message */
        ev->prompt = dw_dec_content(d, doc, dw_json_get(doc, arr, "content"));
        ev->user_turns = 1;
        return;
    }
    if (doc->toks[arr].type != DW_JSON_ARRAY) return;
    int32_t last_user = -1;
    for (int32_t m = dw_json_first(doc, arr); m >= 0; m = dw_json_next(doc, arr, m)) {
        if (doc->toks[m].type != DW_JSON_OBJECT) continue;
        int32_t role = dw_json_get(doc, m, "role");
        if (dw_json_str_eq(doc, role, "user")) {
            if (ev->user_turns < UINT16_MAX) ev->user_turns++;
            last_user = m;
        } else if (dw_json_str_eq(doc, role, "assistant")) {
            if (ev->assistant_turns < UINT16_MAX) ev->assistant_turns++;
        } else if (dw_json_str_eq(doc, role, "tool") || dw_json_str_eq(doc, role, "function")) {
            if (ev->tool_messages < UINT16_MAX) ev->tool_messages++;
        } else if ((dw_json_str_eq(doc, role, "system") || dw_json_str_eq(doc, role, "developer")) &&
                   !ev->system_prompt.p) {
            ev->system_prompt = dw_dec_content(d, doc, dw_json_get(doc, m, "content"));
        }
    }
    if (last_user >= 0) ev->prompt = dw_dec_content(d, doc, dw_json_get(doc, last_user, "content"));
}

/* A lowered header name of n bytes against a lower-case literal. */
#define NAME_IS(low, n, lit) ((n) == sizeof(lit) - 1 && memcmp(low, lit, n) == 0)

void dw_dec_headers(dw_decoder *d, const dw_json_doc *doc, int32_t obj, dw_event *ev)
{
    if (obj < 0 || doc->toks[obj].type != DW_JSON_OBJECT) return;
    const dw_json_tok *t = doc->toks;
    uint64_t fp = 0;
    uint32_t k = (uint32_t)obj + 1; /* members: a key, then its value's subtree */
    for (uint32_t m = 0; m < t[obj].count; m++, k = t[k + 1].next) {
        int32_t v = (int32_t)k + 1;
        dw_str name = dw_dec_str(d, doc, (int32_t)k);
        if (!name.p) continue;
        char low[128];
        size_t n = name.n < sizeof low ? name.n : sizeof low;
        dw_ascii_lower(low, name.p, n);
        /* order-independent: the same header set hashes the same in any order */
        fp += dw_mix64(dw_hash(low, n));
        if (NAME_IS(low, n, "x-stainless-lang")) ev->sdk_lang = dw_dec_str(d, doc, v);
        else if (NAME_IS(low, n, "x-stainless-package-version")) ev->sdk_version = dw_dec_str(d, doc, v);
        else if (NAME_IS(low, n, "user-agent") && !ev->user_agent.p) ev->user_agent = dw_dec_str(d, doc, v);
    }
    ev->header_fp = fp;
}

void dw_dec_response(dw_decoder *d, const dw_json_doc *doc, int32_t obj, dw_event *ev)
{
    if (obj < 0) return;
    if (doc->toks[obj].type == DW_JSON_STRING) { ev->response_text = dw_dec_str(d, doc, obj); return; }
    if (doc->toks[obj].type != DW_JSON_OBJECT) return;
    int32_t ch = dw_json_path(doc, obj, "choices.0");
    if (ch >= 0) {
        int32_t msg = dw_json_get(doc, ch, "message");
        if (msg < 0) msg = dw_json_get(doc, ch, "delta");
        if (msg >= 0) {
            ev->response_text = dw_dec_content(d, doc, dw_json_get(doc, msg, "content"));
            int32_t r = dw_json_get(doc, msg, "reasoning_content");
            if (r < 0) r = dw_json_get(doc, msg, "reasoning");
            if (r >= 0 && doc->toks[r].type == DW_JSON_STRING && doc->toks[r].len > 0) ev->has_reasoning = 1;
        } else {
            ev->response_text = dw_dec_str(d, doc, dw_json_get(doc, ch, "text")); /* completions API */
        }
        int32_t fr = dw_json_get(doc, ch, "finish_reason");
        if (dw_json_str_eq(doc, fr, "length")) ev->finish_length = 1;
    }
    int32_t usage = dw_json_get(doc, obj, "usage");
    if (usage >= 0) {
        dw_dec_i32(doc, dw_json_get(doc, usage, "prompt_tokens"), &ev->prompt_tokens);
        dw_dec_i32(doc, dw_json_get(doc, usage, "completion_tokens"), &ev->completion_tokens);
        int32_t rt = dw_json_path(doc, usage, "completion_tokens_details.reasoning_tokens");
        int32_t v;
        if (dw_dec_i32(doc, rt, &v) && v > 0) ev->has_reasoning = 1;
    }
    if (!ev->model.p) ev->model = dw_dec_str(d, doc, dw_json_get(doc, obj, "model"));
}

/* The request parameters, read in one walk over the object; the keyset is
 * shared by every decoder and built once. */
enum { P_MAX_TOKENS, P_MAX_COMPLETION_TOKENS, P_TEMPERATURE, P_N, P_LOGPROBS, P_TOP_LOGPROBS, P_TOOLS,
       P_FUNCTIONS, P__COUNT };
static const char *const param_keys[P__COUNT] = {"max_tokens", "max_completion_tokens", "temperature", "n",
                                                 "logprobs", "top_logprobs", "tools", "functions"};
static dw_json_keyset param_set;
static pthread_once_t param_once = PTHREAD_ONCE_INIT;

static void param_plan(void)
{
    dw_json_keyset_of(&param_set, param_keys, P__COUNT);
}

void dw_dec_params(const dw_json_doc *doc, int32_t obj, dw_event *ev)
{
    if (obj < 0 || doc->toks[obj].type != DW_JSON_OBJECT) return;
    int32_t m[DW_JSON_KEYSET_MAX];
    pthread_once(&param_once, param_plan);
    dw_json_get_many(doc, obj, &param_set, m);
    if (!dw_dec_i32(doc, m[P_MAX_TOKENS], &ev->max_tokens))
        dw_dec_i32(doc, m[P_MAX_COMPLETION_TOKENS], &ev->max_tokens);
    dw_dec_f64(doc, m[P_TEMPERATURE], &ev->temperature);
    dw_dec_i32(doc, m[P_N], &ev->n);
    int b = dw_dec_bool(doc, m[P_LOGPROBS]);
    if (b >= 0) ev->logprobs = (int8_t)b;
    dw_dec_i32(doc, m[P_TOP_LOGPROBS], &ev->top_logprobs);
    int32_t tools = m[P_TOOLS];
    if (tools < 0) tools = m[P_FUNCTIONS];
    if (tools >= 0 && doc->toks[tools].type == DW_JSON_ARRAY && doc->toks[tools].count > 0) {
        dw_str raw = dw_dec_raw(doc, tools);
        ev->tools_fp = dw_hash(raw.p, raw.n) | 1;
    }
}

int dw_event_check(const dw_event *ev, char *err, size_t errlen)
{
    if (ev->ts_ms == DW_TS_NONE) { snprintf(err, errlen, "missing or invalid timestamp"); return -1; }
    const char *why = dw_account_id_fault(ev->account_id.p, ev->account_id.n);
    if (why) { snprintf(err, errlen, "%s", why); return -1; }
    return 0;
}

int dw_decode_line(dw_decoder *d, const char *line, size_t len, dw_event_fn fn, void *ud,
                   char *err, size_t errlen, size_t *err_off)
{
    *err_off = 0;
    if (len >= UINT32_MAX / 4) { snprintf(err, errlen, "record too large"); return -1; }
    size_t need = 3 * len + 256;
    if (need > d->scratch_cap) {
        char *p = realloc(d->scratch, need);
        if (!p) { snprintf(err, errlen, "out of memory"); return -1; }
        d->scratch = p;
        d->scratch_cap = need;
    }
    d->scratch_len = 0;
    if (dw_json_parse(&d->doc, line, len) < 0) {
        snprintf(err, errlen, "invalid JSON: %s", d->doc.err_msg);
        *err_off = d->doc.err_off;
        return -1;
    }
    if (d->doc.toks[0].type != DW_JSON_OBJECT) { snprintf(err, errlen, "record is not a JSON object"); return -1; }
    if (d->fmt == DW_FMT_OTEL) return dw_decode_otel(d, fn, ud, err, errlen);
    dw_event ev;
    dw_event_init(&ev);
    int rc;
    switch (d->fmt) {
    case DW_FMT_LITELLM: rc = dw_decode_litellm(d, &ev, err, errlen); break;
    case DW_FMT_MAP: rc = dw_decode_map(d, &ev, err, errlen); break;
    default: rc = dw_decode_native(d, &ev, err, errlen); break;
    }
    if (rc < 0 || dw_event_check(&ev, err, errlen) < 0) return -1;
    if (fn && fn(ud, &ev) < 0) return -1;
    return 1;
}
