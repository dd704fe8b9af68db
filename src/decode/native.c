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

int dw_decode_native(dw_decoder *d, dw_event *ev, char *err, size_t errlen)
{
    const dw_json_doc *doc = &d->doc;
    int32_t root = 0;
    int32_t ts = dw_json_get(doc, root, "timestamp");
    if (ts < 0) { snprintf(err, errlen, "missing timestamp"); return -1; }
    if (!dw_dec_ts(doc, ts, &ev->ts_ms)) { snprintf(err, errlen, "timestamp is neither RFC 3339 nor an epoch number"); return -1; }
    ev->account_id = dw_dec_str(d, doc, dw_json_get(doc, root, "account_id"));
    ev->request_id = dw_dec_str(d, doc, dw_json_get(doc, root, "request_id"));
    ev->api_key_id = dw_dec_str(d, doc, dw_json_get(doc, root, "api_key_id"));
    ev->client_ip = dw_dec_str(d, doc, dw_json_get(doc, root, "client_ip"));
    ev->user_agent = dw_dec_str(d, doc, dw_json_get(doc, root, "user_agent"));
    ev->endpoint = dw_dec_str(d, doc, dw_json_get(doc, root, "endpoint"));
    ev->end_user = dw_dec_str(d, doc, dw_json_get(doc, root, "end_user"));
    int32_t asn;
    if (dw_dec_i32(doc, dw_json_get(doc, root, "asn"), &asn) && asn > 0) ev->asn = (uint32_t)asn;
    dw_dec_headers(d, doc, dw_json_get(doc, root, "headers"), ev);

    int32_t req = dw_json_get(doc, root, "request");
    if (req >= 0 && doc->toks[req].type == DW_JSON_OBJECT) {
        ev->model = dw_dec_str(d, doc, dw_json_get(doc, req, "model"));
        int32_t msgs = dw_json_get(doc, req, "messages");
        if (msgs < 0) msgs = dw_json_get(doc, req, "input");   /* Responses API */
        if (msgs < 0) msgs = dw_json_get(doc, req, "prompt");  /* legacy completions */
        dw_dec_messages(d, doc, msgs, ev);
        int32_t instr = dw_json_get(doc, req, "instructions");
        if (!ev->system_prompt.p && instr >= 0) ev->system_prompt = dw_dec_str(d, doc, instr);
        dw_dec_params(doc, req, ev);
        if (!ev->end_user.p) ev->end_user = dw_dec_str(d, doc, dw_json_get(doc, req, "user"));
    }
    dw_dec_response(d, doc, dw_json_get(doc, root, "response"), ev);
    dw_dec_i32(doc, dw_json_get(doc, root, "status"), &ev->status);
    dw_dec_i32(doc, dw_json_get(doc, root, "latency_ms"), &ev->latency_ms);
    if (d->nmap && dw_map_apply(d, ev, err, errlen) < 0) return -1;
    return 0;
}
