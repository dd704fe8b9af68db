/*
 * native.c -- the native request-log shape of DESIGN.md: gateway metadata
 * around OpenAI-compatible request and response bodies.
 *
 * The adapter reads what it knows and ignores the rest, so that a gateway
 * logging extra fields needs no configuration.  Where two spellings exist in
 * the wild (max_tokens / max_completion_tokens, reasoning_content /
 * reasoning, request.user / end_user) both are read.
 */
#include <stdio.h>
#include "decode/decode_int.h"

int dw_map_apply(dw_decoder *d, dw_event *ev, char *err, size_t errlen);

/* Members of the record and of its request object, each object read in one
 * walk (dw_json_get_many); the order of the names is the order of the enums. */
enum { R_TIMESTAMP, R_ACCOUNT_ID, R_REQUEST_ID, R_API_KEY_ID, R_CLIENT_IP, R_USER_AGENT, R_ENDPOINT,
       R_END_USER, R_ASN, R_HEADERS, R_REQUEST, R_RESPONSE, R_STATUS, R_LATENCY_MS, R__COUNT };
static const char *const root_keys[R__COUNT] = {
    "timestamp", "account_id", "request_id", "api_key_id", "client_ip", "user_agent", "endpoint",
    "end_user", "asn", "headers", "request", "response", "status", "latency_ms"};
enum { Q_MODEL, Q_MESSAGES, Q_INPUT, Q_PROMPT, Q_INSTRUCTIONS, Q_USER, Q__COUNT };
static const char *const req_keys[Q__COUNT] = {"model", "messages", "input", "prompt", "instructions", "user"};

void dw_native_plan(dw_decoder *d)
{
    dw_json_keyset_of(&d->native_root, root_keys, R__COUNT);
    dw_json_keyset_of(&d->native_req, req_keys, Q__COUNT);
}

int dw_decode_native(dw_decoder *d, dw_event *ev, char *err, size_t errlen)
{
    const dw_json_doc *doc = &d->doc;
    int32_t m[DW_JSON_KEYSET_MAX], q[DW_JSON_KEYSET_MAX];
    dw_json_get_many(doc, 0, &d->native_root, m);
    if (m[R_TIMESTAMP] < 0) { snprintf(err, errlen, "missing timestamp"); return -1; }
    if (!dw_dec_ts(d, doc, m[R_TIMESTAMP], &ev->ts_ms)) { snprintf(err, errlen, "timestamp is neither RFC 3339 nor an epoch number"); return -1; }
    ev->account_id = dw_dec_str(d, doc, m[R_ACCOUNT_ID]);
    ev->request_id = dw_dec_str(d, doc, m[R_REQUEST_ID]);
    ev->api_key_id = dw_dec_str(d, doc, m[R_API_KEY_ID]);
    ev->client_ip = dw_dec_str(d, doc, m[R_CLIENT_IP]);
    ev->user_agent = dw_dec_str(d, doc, m[R_USER_AGENT]);
    ev->endpoint = dw_dec_str(d, doc, m[R_ENDPOINT]);
    ev->end_user = dw_dec_str(d, doc, m[R_END_USER]);
    int32_t asn;
    if (dw_dec_i32(doc, m[R_ASN], &asn) && asn > 0) ev->asn = (uint32_t)asn;
    dw_dec_headers(d, doc, m[R_HEADERS], ev);

    int32_t req = m[R_REQUEST];
    if (req >= 0 && doc->toks[req].type == DW_JSON_OBJECT) {
        dw_json_get_many(doc, req, &d->native_req, q);
        ev->model = dw_dec_str(d, doc, q[Q_MODEL]);
        int32_t msgs = q[Q_MESSAGES];
        if (msgs < 0) msgs = q[Q_INPUT];    /* Responses API */
        if (msgs < 0) msgs = q[Q_PROMPT];   /* legacy completions */
        dw_dec_messages(d, doc, msgs, ev);
        if (!ev->system_prompt.p && q[Q_INSTRUCTIONS] >= 0) ev->system_prompt = dw_dec_str(d, doc, q[Q_INSTRUCTIONS]);
        dw_dec_params(doc, req, ev);
        if (!ev->end_user.p) ev->end_user = dw_dec_str(d, doc, q[Q_USER]);
    }
    dw_dec_response(d, doc, m[R_RESPONSE], ev);
    dw_dec_i32(doc, m[R_STATUS], &ev->status);
    dw_dec_i32(doc, m[R_LATENCY_MS], &ev->latency_ms);
    if (d->nmap && dw_map_apply(d, ev, err, errlen) < 0) return -1;
    return 0;
}
