/*
 * map.c -- `--map canonical=dotted.path,...`: read any flat (or nested) JSON
 * log without writing an adapter.
 *
 * In `--format map` every canonical field is looked up under its own name
 * unless the spec maps it elsewhere, so a log that already uses our names
 * needs no spec at all and one that differs needs only the differences
 * (Glasswally: `--map asn=asn_number,completion_tokens=token_count`).  With
 * another format the spec overrides that adapter's choice field by field.
 * Unknown canonical names are refused when the decoder is created: a typo in
 * a mapping must not silently blind a signal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode/decode_int.h"

int dw_map_apply(dw_decoder *d, dw_event *ev, char *err, size_t errlen);

int dw_map_parse(dw_decoder *d, const char *spec, char *err, size_t errlen)
{
    const char *p = spec;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (!eq || eq == p || eq == p + n - 1) {
            snprintf(err, errlen, "--map: '%.*s' is not canonical=path", (int)n, p);
            return -1;
        }
        size_t kn = (size_t)(eq - p);
        int field = -1;
        for (int i = 0; i < CF__COUNT; i++)
            if (strlen(dw_canon_names[i]) == kn && memcmp(dw_canon_names[i], p, kn) == 0) field = i;
        if (field < 0) {
            snprintf(err, errlen, "--map: unknown canonical field '%.*s' (known: timestamp, account_id, "
                     "request_id, api_key_id, client_ip, asn, user_agent, model, system_prompt, prompt, "
                     "messages, response_text, max_tokens, temperature, logprobs, top_logprobs, n, "
                     "prompt_tokens, completion_tokens, status, end_user)", (int)kn, p);
            return -1;
        }
        for (int i = 0; i < d->nmap; i++)
            if (d->map[i].field == field) {
                snprintf(err, errlen, "--map: '%s' mapped twice", dw_canon_names[field]);
                return -1;
            }
        if (d->nmap >= DW_MAP_FIELDS) { snprintf(err, errlen, "--map: too many entries"); return -1; }
        d->map[d->nmap].field = field;
        d->map[d->nmap].path = strndup(eq + 1, n - kn - 1);
        d->nmap++;
        p += n;
        if (*p == ',') p++;
    }
    d->map_planned = 0;
    return 0;
}

_Static_assert(CF__COUNT <= DW_MAP_FIELDS && CF__COUNT <= DW_JSON_KEYSET_MAX && CF__COUNT <= 32,
               "map tables too small (and fields must fit the bits of a uint32_t)");

/* Where each canonical field comes from: a top-level key (most logs are
 * flat, so nearly every field), a dotted path, or nowhere (-2: unmapped, the
 * adapter's value stands).  The top-level keys go into one keyset, so a
 * record costs one walk over its members instead of one per field. */
static void map_plan(dw_decoder *d, bool defaults)
{
    dw_json_keyset_init(&d->map_keys);
    d->map_path_fields = d->map_all_fields = 0;
    for (int f = 0; f < CF__COUNT; f++) {
        const char *src = defaults ? dw_canon_names[f] : NULL;
        d->map_key_of[f] = -2;
        for (int i = 0; i < d->nmap; i++)
            if (d->map[i].field == f) src = d->map[i].path;
        if (!src) continue;
        d->map_all_fields |= 1u << f;
        if (strchr(src, '.')) {
            d->map_key_of[f] = -1;
            d->map_path_fields |= 1u << f;
        } else {
            int k = dw_json_keyset_add(&d->map_keys, src);
            d->map_key_of[f] = (int8_t)k;
            d->map_field_of[k] = (int8_t)f;
        }
    }
    d->map_planned = defaults ? 1 : 2;
}

static const char *map_path(const dw_decoder *d, int field)
{
    for (int i = 0; i < d->nmap; i++)
        if (d->map[i].field == field) return d->map[i].path;
    return NULL;
}

/* Fill ev from the mapping; with defaults, unmapped fields use their own name. */
static int map_fill(dw_decoder *d, dw_event *ev, bool defaults, char *err, size_t errlen)
{
    const dw_json_doc *doc = &d->doc;
    int32_t t, found[DW_JSON_KEYSET_MAX];
    if (d->map_planned != (defaults ? 1 : 2)) map_plan(d, defaults);
    uint32_t present = dw_json_get_many(doc, 0, &d->map_keys, found);
    /* The fields to visit, as bits in canonical order (the order matters:
     * messages, when mapped, recount the turns a prompt set).  On a fresh
     * event only the fields present, plus the timestamp, which must be; an
     * override (dw_map_apply) visits every mapped field, to clear what the
     * adapter found where the mapping finds nothing. */
    uint32_t visit = d->map_all_fields;
    if (defaults) {
        visit = d->map_path_fields | (d->map_all_fields & (1u << CF_TIMESTAMP));
        for (; present; present &= present - 1)
            visit |= 1u << d->map_field_of[__builtin_ctz(present)];
    }
    for (; visit; visit &= visit - 1) {
        int f = __builtin_ctz(visit), k = d->map_key_of[f];
        t = k >= 0 ? found[k] : dw_json_path(doc, 0, map_path(d, f));
        if (t >= 0 && doc->toks[t].type == DW_JSON_NULL) t = -1;
        if (t < 0 && defaults && f != CF_TIMESTAMP) continue;
        switch ((dw_canon_field)f) {
        case CF_TIMESTAMP:
            if (t < 0) { snprintf(err, errlen, "missing timestamp"); return -1; }
            if (!dw_dec_ts(d, doc, t, &ev->ts_ms)) { snprintf(err, errlen, "timestamp is neither RFC 3339 nor an epoch number"); return -1; }
            break;
        case CF_ACCOUNT_ID: ev->account_id = dw_dec_str(d, doc, t); break;
        case CF_REQUEST_ID: ev->request_id = dw_dec_str(d, doc, t); break;
        case CF_API_KEY_ID: ev->api_key_id = dw_dec_str(d, doc, t); break;
        case CF_CLIENT_IP: ev->client_ip = dw_dec_str(d, doc, t); break;
        case CF_ASN: {
            int32_t v = 0;
            if (!dw_dec_i32(doc, t, &v)) {
                /* "AS24940" */
                dw_str s = dw_dec_str(d, doc, t);
                if (s.p && s.n > 2 && s.n < 16 && (s.p[0] == 'A' || s.p[0] == 'a')) {
                    char tmp[16]; /* views are not NUL-terminated */
                    memcpy(tmp, s.p + 2, s.n - 2);
                    tmp[s.n - 2] = 0;
                    long x = strtol(tmp, NULL, 10);
                    v = x > 0 && x <= INT32_MAX ? (int32_t)x : 0;
                }
            }
            ev->asn = v > 0 ? (uint32_t)v : 0;
            break;
        }
        case CF_USER_AGENT: ev->user_agent = dw_dec_str(d, doc, t); break;
        case CF_MODEL: ev->model = dw_dec_str(d, doc, t); break;
        case CF_SYSTEM_PROMPT: ev->system_prompt = dw_dec_content(d, doc, t); break;
        case CF_PROMPT:
            if (t >= 0) { ev->prompt = dw_dec_content(d, doc, t); if (!ev->user_turns) ev->user_turns = 1; }
            break;
        case CF_MESSAGES:
            if (t >= 0) { ev->user_turns = ev->assistant_turns = 0; dw_dec_messages(d, doc, t, ev); }
            break;
        case CF_RESPONSE_TEXT: ev->response_text = dw_dec_content(d, doc, t); break;
        case CF_MAX_TOKENS: dw_dec_i32(doc, t, &ev->max_tokens); break;
        case CF_TEMPERATURE: dw_dec_f64(doc, t, &ev->temperature); break;
        case CF_LOGPROBS: { int b = dw_dec_bool(doc, t); if (b >= 0) ev->logprobs = (int8_t)b; break; }
        case CF_TOP_LOGPROBS: dw_dec_i32(doc, t, &ev->top_logprobs); break;
        case CF_N: dw_dec_i32(doc, t, &ev->n); break;
        case CF_PROMPT_TOKENS: dw_dec_i32(doc, t, &ev->prompt_tokens); break;
        case CF_COMPLETION_TOKENS: dw_dec_i32(doc, t, &ev->completion_tokens); break;
        case CF_STATUS: dw_dec_i32(doc, t, &ev->status); break;
        case CF_END_USER: ev->end_user = dw_dec_str(d, doc, t); break;
        default: break;
        }
    }
    return 0;
}

int dw_map_apply(dw_decoder *d, dw_event *ev, char *err, size_t errlen)
{
    return map_fill(d, ev, false, err, errlen);
}

/* ev is fresh from dw_event_init(): map_fill() leaves absent fields alone. */
int dw_decode_map(dw_decoder *d, dw_event *ev, char *err, size_t errlen)
{
    return map_fill(d, ev, true, err, errlen);
}
