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

/* Members of the record and of its metadata, each object read in one walk
 * (dw_json_get_many), as native.c does; the order of the names is the order
 * of the enums.  The account and key candidates are in order of preference. */
enum { L_START, L_END, L_METADATA, L_ID, L_IP, L_END_USER, L_MODEL, L_MODEL_GROUP, L_MESSAGES, L_PARAMS,
       L_RESPONSE, L_PROMPT_TOKENS, L_COMPLETION_TOKENS, L_STATUS, L__COUNT };
static const char *const root_keys[L__COUNT] = {
    "startTime", "endTime", "metadata", "id", "requester_ip_address", "end_user", "model", "model_group",
    "messages", "model_parameters", "response", "prompt_tokens", "completion_tokens", "status"};
enum { M_ORG, M_TEAM, M_USER, M_KEY_HASH, M_KEY_ALIAS, M_IP, M_USER_AGENT, M_HEADERS, M__COUNT };
static const char *const meta_keys[M__COUNT] = {
    "user_api_key_org_id", "user_api_key_team_id", "user_api_key_user_id", "user_api_key_hash",
    "user_api_key_alias", "requester_ip_address", "user_agent", "headers"};

void dw_litellm_plan(dw_decoder *d)
{
    dw_json_keyset_of(&d->litellm_root, root_keys, L__COUNT);
    dw_json_keyset_of(&d->litellm_meta, meta_keys, M__COUNT);
}

/* The first of the metadata members `which` (a -1-terminated list of M_*)
 * that is a non-empty string. */
static dw_str first_present(dw_decoder *d, const dw_json_doc *doc, const int32_t *m, const int *which)
{
    dw_str none = {NULL, 0};
    for (; *which >= 0; which++) {
        dw_str s = dw_dec_str(d, doc, m[*which]);
        if (s.p && s.n) return s;
    }
    return none;
}

int dw_decode_litellm(dw_decoder *d, dw_event *ev, char *err, size_t errlen)
{
    const dw_json_doc *doc = &d->doc;
    int32_t r[DW_JSON_KEYSET_MAX], m[DW_JSON_KEYSET_MAX];
    dw_json_get_many(doc, 0, &d->litellm_root, r);
    int32_t st = r[L_START];
    if (st < 0) { snprintf(err, errlen, "missing startTime"); return -1; }
    if (!dw_dec_ts(d, doc, st, &ev->ts_ms)) { snprintf(err, errlen, "startTime is not a time"); return -1; }
    double t0, t1;
    if (dw_dec_f64(doc, st, &t0) && dw_dec_f64(doc, r[L_END], &t1) && t1 >= t0 &&
        t1 - t0 < 2e6) /* a latency that fits int32 milliseconds */
        ev->latency_ms = (int32_t)((t1 - t0) * 1000.0);

    int32_t md = r[L_METADATA];
    if (md >= 0 && doc->toks[md].type != DW_JSON_OBJECT) md = -1;
    dw_json_get_many(doc, md, &d->litellm_meta, m); /* all -1 when there is no metadata object */
    static const int account_keys[] = {M_ORG, M_TEAM, M_USER, M_KEY_HASH, -1};
    ev->account_id = first_present(d, doc, m, account_keys);
    if (!ev->account_id.p) { snprintf(err, errlen, "no account: metadata has none of user_api_key_org_id/team_id/user_id/hash"); return -1; }
    static const int key_keys[] = {M_KEY_HASH, M_KEY_ALIAS, -1};
    ev->api_key_id = first_present(d, doc, m, key_keys);
    ev->request_id = dw_dec_str(d, doc, r[L_ID]);
    ev->client_ip = dw_dec_str(d, doc, r[L_IP]);
    if (!ev->client_ip.p) ev->client_ip = dw_dec_str(d, doc, m[M_IP]);
    if (md >= 0) {
        ev->user_agent = dw_dec_str(d, doc, m[M_USER_AGENT]);
        int32_t hdrs = m[M_HEADERS];
        if (hdrs < 0) hdrs = dw_json_path(doc, md, "requester_metadata.headers");
        dw_dec_headers(d, doc, hdrs, ev);
    }
    ev->end_user = dw_dec_str(d, doc, r[L_END_USER]);
    ev->model = dw_dec_str(d, doc, r[L_MODEL]);
    if (!ev->model.p) ev->model = dw_dec_str(d, doc, r[L_MODEL_GROUP]);
    dw_dec_messages(d, doc, r[L_MESSAGES], ev);
    dw_dec_params(doc, r[L_PARAMS], ev);
    dw_dec_response(d, doc, r[L_RESPONSE], ev);
    dw_dec_i32(doc, r[L_PROMPT_TOKENS], &ev->prompt_tokens);
    dw_dec_i32(doc, r[L_COMPLETION_TOKENS], &ev->completion_tokens);
    int32_t status = r[L_STATUS];
    if (dw_json_str_eq(doc, status, "success")) ev->status = 200;
    else if (dw_json_str_eq(doc, status, "failure")) ev->status = 500;
    if (d->nmap && dw_map_apply(d, ev, err, errlen) < 0) return -1;
    return 0;
}
