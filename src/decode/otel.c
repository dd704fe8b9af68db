/*
 * otel.c -- OpenTelemetry GenAI spans in OTLP/JSON, one
 * ExportTraceServiceRequest per line (the Collector's file exporter).
 *
 * One line can carry many spans, so this adapter emits events through the
 * callback rather than filling a single one.  Only spans that carry GenAI
 * attributes become events; the rest (HTTP, DB spans in the same export) are
 * skipped, not quarantined.  Both generations of the semantic conventions
 * are read: gen_ai.input.messages / gen_ai.system_instructions /
 * gen_ai.output.messages (JSON documents inside string attributes, with
 * `parts`), and the older gen_ai.prompt / gen_ai.completion (JSON or plain
 * text, also as indexed gen_ai.prompt.N.role/content attributes and as span
 * events).  The account is user.id, else enduser.id, from the span or else
 * its resource.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode/decode_int.h"
#include "common/util.h"

int dw_map_apply(dw_decoder *d, dw_event *ev, char *err, size_t errlen);

/* The scalar inside an AnyValue. */
static int32_t anyval(const dw_json_doc *doc, int32_t v)
{
    if (v < 0 || doc->toks[v].type != DW_JSON_OBJECT) return -1;
    static const char *const kinds[] = {"stringValue", "intValue", "doubleValue", "boolValue", NULL};
    for (int i = 0; kinds[i]; i++) {
        int32_t t = dw_json_get(doc, v, kinds[i]);
        if (t >= 0) return t;
    }
    return -1;
}

/*
 * The attributes a span (or its resource, or one of its events) is read
 * for, filed by name in one walk over the list.  Looking each name up with
 * its own walk cost some 25 walks a span, and 512 more for the old
 * convention's indexed prompts (gen_ai.prompt.N.role / .content), so a span
 * with many attributes cost their number squared: a 2.8 MB line of 60,000
 * attributes took 0.65 s, a 16 MB one would take seconds.  The first
 * attribute of a name wins, even when it has no value.
 */
enum { A_OPERATION, A_REQUEST_MODEL, A_SYSTEM, A_PROVIDER, A_USER_ID, A_ENDUSER_ID, A_RESPONSE_ID,
       A_CLIENT_ADDRESS, A_USER_AGENT, A_RESPONSE_MODEL, A_MAX_TOKENS, A_TEMPERATURE, A_CHOICE_COUNT,
       A_INPUT_TOKENS, A_PROMPT_TOKENS, A_OUTPUT_TOKENS, A_COMPLETION_TOKENS, A_FINISH_REASONS,
       A_SYSTEM_INSTRUCTIONS, A_INPUT_MESSAGES, A_PROMPT, A_OUTPUT_MESSAGES, A_COMPLETION, A_COMPLETION_0,
       A__COUNT };
static const char *const attr_names[A__COUNT] = {
    "gen_ai.operation.name", "gen_ai.request.model", "gen_ai.system", "gen_ai.provider.name", "user.id",
    "enduser.id", "gen_ai.response.id", "client.address", "user_agent.original", "gen_ai.response.model",
    "gen_ai.request.max_tokens", "gen_ai.request.temperature", "gen_ai.request.choice.count",
    "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "gen_ai.usage.output_tokens",
    "gen_ai.usage.completion_tokens", "gen_ai.response.finish_reasons", "gen_ai.system_instructions",
    "gen_ai.input.messages", "gen_ai.prompt", "gen_ai.output.messages", "gen_ai.completion",
    "gen_ai.completion.0.content"};

#define NOT_SEEN (-2) /* below every token index, and distinct from "seen, no value" (-1) */
#define MAX_INDEXED 256

typedef struct {
    int32_t value[A__COUNT]; /* the first attribute's `value`: a token, -1, or NOT_SEEN */
} attr_table;

typedef struct {
    int32_t role[MAX_INDEXED], content[MAX_INDEXED]; /* gen_ai.prompt.N.*, as value[] */
} indexed_table;

/* N of "gen_ai.prompt.N.role" (*role = 1) or "gen_ai.prompt.N.content"
 * (*role = 0), N written as "%d" writes 0..255; otherwise -1. */
static int indexed_key(const dw_json_doc *doc, int32_t key, int *role)
{
    char buf[32];
    const dw_json_tok *t = &doc->toks[key];
    const char *s = doc->src + t->start;
    size_t n = t->len, i = 14;
    int v = 0;
    if (t->escaped) {
        long m = dw_json_str(doc, key, buf, sizeof buf);
        if (m < 0 || (size_t)m >= sizeof buf) return -1;
        s = buf;
        n = (size_t)m;
    }
    if (n < 20 || memcmp(s, "gen_ai.prompt.", 14) != 0) return -1;
    for (; i < n && i < 17 && s[i] >= '0' && s[i] <= '9'; i++) v = v * 10 + (s[i] - '0');
    if (i == 14 || (i > 15 && s[14] == '0') || v >= MAX_INDEXED) return -1;
    if (n - i == 5 && memcmp(s + i, ".role", 5) == 0) *role = 1;
    else if (n - i == 8 && memcmp(s + i, ".content", 8) == 0) *role = 0;
    else return -1;
    return v;
}

void dw_otel_plan(dw_decoder *d)
{
    dw_json_keyset_of(&d->otel_attrs, attr_names, A__COUNT);
}

static void attr_walk(dw_decoder *d, int32_t list, attr_table *t, indexed_table *ix)
{
    const dw_json_doc *doc = &d->doc;
    for (int k = 0; k < A__COUNT; k++) t->value[k] = NOT_SEEN;
    if (ix)
        for (int i = 0; i < MAX_INDEXED; i++) ix->role[i] = ix->content[i] = NOT_SEEN;
    if (list < 0 || doc->toks[list].type != DW_JSON_ARRAY) return;
    for (int32_t a = dw_json_first(doc, list); a >= 0; a = dw_json_next(doc, list, a)) {
        if (doc->toks[a].type != DW_JSON_OBJECT) continue;
        int32_t key = dw_json_get(doc, a, "key");
        int k = dw_json_keyset_find(doc, &d->otel_attrs, key), role, i;
        if (k >= 0) {
            if (t->value[k] == NOT_SEEN) t->value[k] = dw_json_get(doc, a, "value");
        } else if (ix && key >= 0 && doc->toks[key].type == DW_JSON_STRING &&
                   (i = indexed_key(doc, key, &role)) >= 0) {
            int32_t *slot = role ? &ix->role[i] : &ix->content[i];
            if (*slot == NOT_SEEN) *slot = dw_json_get(doc, a, "value");
        }
    }
}

/* The scalar of attribute k: the span's, else (res != NULL) its resource's. */
static int32_t attr2(const dw_json_doc *doc, const attr_table *span, const attr_table *res, int k)
{
    int32_t v = anyval(doc, span->value[k]);
    return v >= 0 || !res ? v : anyval(doc, res->value[k]);
}

/* The scalar of attribute k in a span event's list (prompt and completion
 * as events, the oldest convention). */
static int32_t event_attr(dw_decoder *d, int32_t list, int k)
{
    attr_table t;
    attr_walk(d, list, &t, NULL);
    return anyval(&d->doc, t.value[k]);
}

/* Join the text parts of a new-convention message ({"parts":[{"type":"text","content":..}]})
 * or read an old-style {"content": ...}. */
static dw_str message_text(dw_decoder *d, const dw_json_doc *doc, int32_t m)
{
    int32_t parts = dw_json_get(doc, m, "parts");
    if (parts >= 0) return dw_dec_content(d, doc, parts);
    return dw_dec_content(d, doc, dw_json_get(doc, m, "content"));
}

/* Parse a JSON document held in a string attribute into d->inner.  The
 * decoded string lives in scratch, which never moves during a line. */
static int inner_parse(dw_decoder *d, int32_t tok, dw_str *text)
{
    *text = dw_dec_str(d, &d->doc, tok);
    if (!text->p || text->n == 0) return -1;
    const char *p = text->p;
    while (text->n && (*p == ' ' || *p == '\n')) p++;
    if (*p != '[' && *p != '{') return -1;
    return dw_json_parse(&d->inner, text->p, text->n);
}

static void input_messages(dw_decoder *d, int32_t tok, dw_event *ev)
{
    dw_str raw;
    if (inner_parse(d, tok, &raw) < 0) { /* plain text prompt */
        if (raw.p) { ev->prompt = raw; ev->user_turns = 1; }
        return;
    }
    const dw_json_doc *in = &d->inner;
    if (in->toks[0].type != DW_JSON_ARRAY) return;
    int32_t last_user = -1;
    for (int32_t m = dw_json_first(in, 0); m >= 0; m = dw_json_next(in, 0, m)) {
        if (in->toks[m].type != DW_JSON_OBJECT) continue;
        int32_t role = dw_json_get(in, m, "role");
        if (dw_json_str_eq(in, role, "user")) { ev->user_turns++; last_user = m; }
        else if (dw_json_str_eq(in, role, "assistant")) ev->assistant_turns++;
        else if (dw_json_str_eq(in, role, "tool")) ev->tool_messages++;
        else if ((dw_json_str_eq(in, role, "system") || dw_json_str_eq(in, role, "developer")) && !ev->system_prompt.p)
            ev->system_prompt = message_text(d, in, m);
    }
    if (last_user >= 0) ev->prompt = message_text(d, in, last_user);
}

static void output_messages(dw_decoder *d, int32_t tok, dw_event *ev)
{
    dw_str raw;
    if (inner_parse(d, tok, &raw) < 0) { if (raw.p) ev->response_text = raw; return; }
    const dw_json_doc *in = &d->inner;
    int32_t m = in->toks[0].type == DW_JSON_ARRAY ? dw_json_at(in, 0, 0) : 0;
    if (m < 0 || in->toks[m].type != DW_JSON_OBJECT) return;
    int32_t parts = dw_json_get(in, m, "parts");
    if (parts >= 0 && in->toks[parts].type == DW_JSON_ARRAY)
        for (int32_t p = dw_json_first(in, parts); p >= 0; p = dw_json_next(in, parts, p))
            if (dw_json_str_eq(in, dw_json_get(in, p, "type"), "reasoning")) ev->has_reasoning = 1;
    if (dw_json_str_eq(in, dw_json_get(in, m, "finish_reason"), "length")) ev->finish_length = 1;
    ev->response_text = message_text(d, in, m);
}

static void system_instructions(dw_decoder *d, int32_t tok, dw_event *ev)
{
    dw_str raw;
    if (inner_parse(d, tok, &raw) < 0) { if (raw.p) ev->system_prompt = raw; return; }
    ev->system_prompt = dw_dec_content(d, &d->inner, 0);
}

/* Older OpenLLMetry style: gen_ai.prompt.0.role / gen_ai.prompt.0.content ... */
static void indexed_prompts(dw_decoder *d, const indexed_table *ix, const attr_table *at, dw_event *ev)
{
    const dw_json_doc *doc = &d->doc;
    for (int i = 0; i < MAX_INDEXED; i++) {
        int32_t role = anyval(doc, ix->role[i]), content = anyval(doc, ix->content[i]);
        if (role < 0 && content < 0) break;
        if (dw_json_str_eq(doc, role, "system") && !ev->system_prompt.p) ev->system_prompt = dw_dec_str(d, doc, content);
        else if (dw_json_str_eq(doc, role, "assistant")) ev->assistant_turns++;
        else { ev->user_turns++; ev->prompt = dw_dec_str(d, doc, content); }
    }
    int32_t c = anyval(doc, at->value[A_COMPLETION_0]);
    if (c >= 0 && !ev->response_text.p) ev->response_text = dw_dec_str(d, doc, c);
}

static int span_event(dw_decoder *d, int32_t span, const attr_table *res, dw_event *ev, char *err, size_t errlen)
{
    const dw_json_doc *doc = &d->doc;
    attr_table at;
    indexed_table ix;
    attr_walk(d, dw_json_get(doc, span, "attributes"), &at, &ix);
    if (at.value[A_OPERATION] < 0 && at.value[A_REQUEST_MODEL] < 0 && at.value[A_SYSTEM] < 0 &&
        at.value[A_PROVIDER] < 0)
        return 0; /* not a GenAI span */
    dw_event_init(ev);
    int32_t start = dw_json_get(doc, span, "startTimeUnixNano");
    double s_ns, e_ns;
    /* 1e20 ns is the year 5138: anything larger is not a time (and would not fit an int64) */
    if (!dw_dec_f64(doc, start, &s_ns) || s_ns <= 0 || s_ns >= 1e20) {
        snprintf(err, errlen, "GenAI span without a valid startTimeUnixNano");
        return -1;
    }
    ev->ts_ms = (int64_t)(s_ns / 1e6);
    if (dw_dec_f64(doc, dw_json_get(doc, span, "endTimeUnixNano"), &e_ns) && e_ns >= s_ns && e_ns - s_ns < 2e15)
        ev->latency_ms = (int32_t)((e_ns - s_ns) / 1e6);
    int32_t acct = attr2(doc, &at, res, A_USER_ID);
    if (acct < 0) acct = attr2(doc, &at, res, A_ENDUSER_ID);
    ev->account_id = dw_dec_str(d, doc, acct);
    ev->request_id = dw_dec_str(d, doc, attr2(doc, &at, NULL, A_RESPONSE_ID));
    if (!ev->request_id.p) ev->request_id = dw_dec_str(d, doc, dw_json_get(doc, span, "spanId"));
    ev->client_ip = dw_dec_str(d, doc, attr2(doc, &at, res, A_CLIENT_ADDRESS));
    ev->user_agent = dw_dec_str(d, doc, attr2(doc, &at, res, A_USER_AGENT));
    ev->model = dw_dec_str(d, doc, attr2(doc, &at, NULL, A_REQUEST_MODEL));
    if (!ev->model.p) ev->model = dw_dec_str(d, doc, attr2(doc, &at, NULL, A_RESPONSE_MODEL));
    dw_dec_i32(doc, attr2(doc, &at, NULL, A_MAX_TOKENS), &ev->max_tokens);
    dw_dec_f64(doc, attr2(doc, &at, NULL, A_TEMPERATURE), &ev->temperature);
    dw_dec_i32(doc, attr2(doc, &at, NULL, A_CHOICE_COUNT), &ev->n);
    if (!dw_dec_i32(doc, attr2(doc, &at, NULL, A_INPUT_TOKENS), &ev->prompt_tokens))
        dw_dec_i32(doc, attr2(doc, &at, NULL, A_PROMPT_TOKENS), &ev->prompt_tokens);
    if (!dw_dec_i32(doc, attr2(doc, &at, NULL, A_OUTPUT_TOKENS), &ev->completion_tokens))
        dw_dec_i32(doc, attr2(doc, &at, NULL, A_COMPLETION_TOKENS), &ev->completion_tokens);
    int32_t fr = at.value[A_FINISH_REASONS];
    int32_t arr = fr >= 0 ? dw_json_path(doc, fr, "arrayValue.values") : -1;
    if (arr >= 0)
        for (int32_t v = dw_json_first(doc, arr); v >= 0; v = dw_json_next(doc, arr, v))
            if (dw_json_str_eq(doc, anyval(doc, v), "length")) ev->finish_length = 1;

    int32_t t;
    if ((t = attr2(doc, &at, NULL, A_SYSTEM_INSTRUCTIONS)) >= 0) system_instructions(d, t, ev);
    if ((t = attr2(doc, &at, NULL, A_INPUT_MESSAGES)) >= 0) input_messages(d, t, ev);
    else if ((t = attr2(doc, &at, NULL, A_PROMPT)) >= 0) input_messages(d, t, ev);
    else indexed_prompts(d, &ix, &at, ev);
    if ((t = attr2(doc, &at, NULL, A_OUTPUT_MESSAGES)) >= 0) output_messages(d, t, ev);
    else if ((t = attr2(doc, &at, NULL, A_COMPLETION)) >= 0) output_messages(d, t, ev);

    /* older convention: prompt and completion as span events */
    int32_t events = dw_json_get(doc, span, "events");
    if (events >= 0 && doc->toks[events].type == DW_JSON_ARRAY)
        for (int32_t e = dw_json_first(doc, events); e >= 0; e = dw_json_next(doc, events, e)) {
            int32_t name = dw_json_get(doc, e, "name");
            int32_t eattrs = dw_json_get(doc, e, "attributes");
            if (dw_json_str_eq(doc, name, "gen_ai.content.prompt")) {
                if (!ev->prompt.p && (t = event_attr(d, eattrs, A_PROMPT)) >= 0) input_messages(d, t, ev);
            } else if (dw_json_str_eq(doc, name, "gen_ai.content.completion")) {
                if (!ev->response_text.p && (t = event_attr(d, eattrs, A_COMPLETION)) >= 0) output_messages(d, t, ev);
            }
        }
    if (d->nmap && dw_map_apply(d, ev, err, errlen) < 0) return -1;
    if (dw_event_check(ev, err, errlen) < 0) return -1;
    return 1;
}

int dw_decode_otel(dw_decoder *d, dw_event_fn fn, void *ud, char *err, size_t errlen)
{
    const dw_json_doc *doc = &d->doc;
    int32_t rs = dw_json_get(doc, 0, "resourceSpans");
    if (rs < 0 || doc->toks[rs].type != DW_JSON_ARRAY) {
        snprintf(err, errlen, "not an OTLP trace export: no resourceSpans array");
        return -1;
    }
    /* decode every span first and emit only if all are valid, so that a
     * quarantined line never leaves half of its events counted */
    uint32_t count = 0;
    for (int32_t r = dw_json_first(doc, rs); r >= 0; r = dw_json_next(doc, rs, r)) {
        attr_table res; /* shared by the resource's spans */
        attr_walk(d, dw_json_path(doc, r, "resource.attributes"), &res, NULL);
        int32_t ss = dw_json_get(doc, r, "scopeSpans");
        if (ss < 0) ss = dw_json_get(doc, r, "instrumentationLibrarySpans");
        if (ss < 0 || doc->toks[ss].type != DW_JSON_ARRAY) continue;
        for (int32_t s = dw_json_first(doc, ss); s >= 0; s = dw_json_next(doc, ss, s)) {
            int32_t spans = dw_json_get(doc, s, "spans");
            if (spans < 0 || doc->toks[spans].type != DW_JSON_ARRAY) continue;
            for (int32_t sp = dw_json_first(doc, spans); sp >= 0; sp = dw_json_next(doc, spans, sp)) {
                if (doc->toks[sp].type != DW_JSON_OBJECT) continue;
                if (count == d->evcap) {
                    uint32_t cap = d->evcap ? d->evcap * 2 : 8;
                    dw_event *nb = realloc(d->evbuf, cap * sizeof *nb);
                    if (!nb) { snprintf(err, errlen, "out of memory"); return -1; }
                    d->evbuf = nb;
                    d->evcap = cap;
                }
                int rc = span_event(d, sp, &res, &d->evbuf[count], err, errlen);
                if (rc < 0) return -1;
                count += (uint32_t)rc;
            }
        }
    }
    for (uint32_t i = 0; i < count; i++)
        if (fn && fn(ud, &d->evbuf[i]) < 0) return -1;
    return (int)count;
}
