/*
 * litellm.c -- LiteLLM's StandardLoggingPayload, one per line (what its
 * generic_api / file callbacks export).
 *
 * The account is the paying principal, never the reseller's end user: the
 * key's organisation, else its team, else its user, else the key hash
 * itself.  The end user stays in end_user, where the hydra stage can see a
 * reseller's fan-out without mistaking its customers for one operator.
 */
#include <stdio.h>
#include <string.h>
#include "decode/decode_int.h"

int dw_map_apply(dw_decoder *d, dw_event *ev, char *err, size_t errlen);

static dw_str first_present(dw_decoder *d, const dw_json_doc *doc, int32_t obj, const char *const *keys)
{
    dw_str none = {NULL, 0};
    if (obj < 0) return none;
    for (; *keys; keys++) {
        dw_str s = dw_dec_str(d, doc, dw_json_get(doc, obj, *keys));
        if (s.p && s.n) return s;
    }
    return none;
}

int dw_decode_litellm(dw_decoder *d, dw_event *ev, char *err, size_t errlen)
{
    const dw_json_doc *doc = &d->doc;
    int32_t root = 0;
    int32_t st = dw_json_get(doc, root, "startTime");
    if (st < 0) { snprintf(err, errlen, "missing startTime"); return -1; }
    if (!dw_dec_ts(doc, st, &ev->ts_ms)) { snprintf(err, errlen, "startTime is not a time"); return -1; }
    double t0, t1;
    if (dw_dec_f64(doc, st, &t0) && dw_dec_f64(doc, dw_json_get(doc, root, "endTime"), &t1) && t1 >= t0 &&
        t1 - t0 < 2e6) /* a latency that fits int32 milliseconds */
        ev->latency_ms = (int32_t)((t1 - t0) * 1000.0);

    int32_t md = dw_json_get(doc, root, "metadata");
    if (md >= 0 && doc->toks[md].type != DW_JSON_OBJECT) md = -1;
    static const char *const account_keys[] = {"user_api_key_org_id", "user_api_key_team_id",
                                               "user_api_key_user_id", "user_api_key_hash", NULL};
    ev->account_id = first_present(d, doc, md, account_keys);
    if (!ev->account_id.p) { snprintf(err, errlen, "no account: metadata has none of user_api_key_org_id/team_id/user_id/hash"); return -1; }
    static const char *const key_keys[] = {"user_api_key_hash", "user_api_key_alias", NULL};
    ev->api_key_id = first_present(d, doc, md, key_keys);
    ev->request_id = dw_dec_str(d, doc, dw_json_get(doc, root, "id"));
    ev->client_ip = dw_dec_str(d, doc, dw_json_get(doc, root, "requester_ip_address"));
    if (!ev->client_ip.p && md >= 0) ev->client_ip = dw_dec_str(d, doc, dw_json_get(doc, md, "requester_ip_address"));
    if (md >= 0) {
        ev->user_agent = dw_dec_str(d, doc, dw_json_get(doc, md, "user_agent"));
        int32_t hdrs = dw_json_get(doc, md, "headers");
        if (hdrs < 0) hdrs = dw_json_path(doc, md, "requester_metadata.headers");
        dw_dec_headers(d, doc, hdrs, ev);
    }
    ev->end_user = dw_dec_str(d, doc, dw_json_get(doc, root, "end_user"));
    ev->model = dw_dec_str(d, doc, dw_json_get(doc, root, "model"));
    if (!ev->model.p) ev->model = dw_dec_str(d, doc, dw_json_get(doc, root, "model_group"));
    dw_dec_messages(d, doc, dw_json_get(doc, root, "messages"), ev);
    dw_dec_params(doc, dw_json_get(doc, root, "model_parameters"), ev);
    dw_dec_response(d, doc, dw_json_get(doc, root, "response"), ev);
    dw_dec_i32(doc, dw_json_get(doc, root, "prompt_tokens"), &ev->prompt_tokens);
    dw_dec_i32(doc, dw_json_get(doc, root, "completion_tokens"), &ev->completion_tokens);
    int32_t status = dw_json_get(doc, root, "status");
    if (dw_json_str_eq(doc, status, "success")) ev->status = 200;
    else if (dw_json_str_eq(doc, status, "failure")) ev->status = 500;
    if (d->nmap && dw_map_apply(d, ev, err, errlen) < 0) return -1;
    return 0;
}
