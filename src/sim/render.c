/*
 * render.c -- one composed request as one line of the native log shape.
 *
 * Everything goes through the project's JSON writer (common/buf.h), which
 * escapes every string; numbers that are not integers are written with a
 * fixed number of decimals so the bytes never depend on float printing
 * subtleties.  Token counts and latency are derived here, from the text
 * actually logged and the model's speed, so every class gets them the same
 * way: a prompt's token count is a function of its length, not of its
 * class.
 */
#include "sim/render.h"

#include <stdio.h>
#include <string.h>

#include "sim/clock.h"

static int approx_tokens(size_t chars) { return (int)(chars / 4) + 1; }

/* Raw JSON held in a buffer that is not NUL-terminated. */
static void raw_buf(dw_jw *jw, const dw_buf *b)
{
    dw_buf c = {0};
    dw_buf_put(&c, b->p, b->len);
    dw_jw_raw(jw, dw_buf_cstr(&c));
    dw_buf_free(&c);
}

void dws_api_key_id(const dws_account *a, int key, char *out)
{
    char hex[17];
    dws_hex(hex, dws_mix64(a->seed ^ (0x6B65790000ULL + (uint64_t)key)), 12);
    snprintf(out, 24, "key_%s", hex);
}

void dws_render(const dws_world *w, const dws_account *a, const dws_event *e, const dws_req *q,
                const char *request_id, dw_buf *out)
{
    dw_jw jw;
    dw_jw_init(&jw, out);
    char ts[32], ip[48], ua[160], key[24];
    dws_time_format(e->ts, ts);
    dws_ip_format(&q->ip, ip);
    dws_sdk_ua(&q->sdk, ua, sizeof ua);
    dws_api_key_id(a, q->key, key);

    dw_jw_obj_begin(&jw);
    dw_jw_key(&jw, "request_id");
    dw_jw_str(&jw, request_id);
    dw_jw_key(&jw, "timestamp");
    dw_jw_str(&jw, ts);
    dw_jw_key(&jw, "account_id");
    dw_jw_str(&jw, a->id);
    dw_jw_key(&jw, "api_key_id");
    dw_jw_str(&jw, key);
    dw_jw_key(&jw, "client_ip");
    dw_jw_str(&jw, ip);
    if (q->ip.asn) {
        dw_jw_key(&jw, "asn");
        dw_jw_uint(&jw, q->ip.asn);
    }
    dw_jw_key(&jw, "user_agent");
    dw_jw_str(&jw, ua);
    dw_jw_key(&jw, "headers");
    dw_jw_obj_begin(&jw);
    dws_sdk_headers(&q->sdk, q->retry, &jw);
    dw_jw_obj_end(&jw);
    dw_jw_key(&jw, "endpoint");
    dw_jw_str(&jw, q->endpoint);
    if (q->end_user.len) {
        dw_jw_key(&jw, "end_user");
        dw_jw_strn(&jw, q->end_user.p, q->end_user.len);
    }

    /* request body */
    size_t prompt_chars = q->sys.len + q->tools.len;
    dw_jw_key(&jw, "request");
    dw_jw_obj_begin(&jw);
    dw_jw_key(&jw, "model");
    dw_jw_str(&jw, dws_model_name(q->model));
    dw_jw_key(&jw, "messages");
    dw_jw_arr_begin(&jw);
    if (q->sys.len) {
        dw_jw_obj_begin(&jw);
        dw_jw_key(&jw, "role");
        dw_jw_str(&jw, "system");
        dw_jw_key(&jw, "content");
        dw_jw_strn(&jw, q->sys.p, q->sys.len);
        dw_jw_obj_end(&jw);
    }
    for (int i = 0; i < q->nmsg; i++) {
        const dws_msg *m = &q->msgs[i];
        prompt_chars += m->text.len + m->tool_calls.len + 16;
        dw_jw_obj_begin(&jw);
        dw_jw_key(&jw, "role");
        dw_jw_str(&jw, m->role);
        dw_jw_key(&jw, "content");
        if (m->text.len || !m->tool_calls.len) dw_jw_strn(&jw, m->text.p ? m->text.p : "", m->text.len);
        else dw_jw_null(&jw);
        if (m->tool_calls.len) {
            dw_jw_key(&jw, "tool_calls");
            raw_buf(&jw, &m->tool_calls);
        }
        if (m->tool_call_id[0]) {
            dw_jw_key(&jw, "tool_call_id");
            dw_jw_str(&jw, m->tool_call_id);
        }
        dw_jw_obj_end(&jw);
    }
    dw_jw_arr_end(&jw);
    if (q->tools.len) {
        dw_jw_key(&jw, "tools");
        raw_buf(&jw, &q->tools);
    }
    if (q->max_tokens) {
        dw_jw_key(&jw, "max_tokens");
        dw_jw_int(&jw, q->max_tokens);
    }
    if (q->temperature >= 0) {
        dw_jw_key(&jw, "temperature");
        dw_jw_fixed(&jw, q->temperature, 1);
    }
    if (q->n) {
        dw_jw_key(&jw, "n");
        dw_jw_int(&jw, q->n);
    }
    if (q->logprobs) {
        dw_jw_key(&jw, "logprobs");
        dw_jw_bool(&jw, true);
        dw_jw_key(&jw, "top_logprobs");
        dw_jw_int(&jw, q->top_logprobs);
    }
    if (q->stream) {
        dw_jw_key(&jw, "stream");
        dw_jw_bool(&jw, true);
    }
    if (q->json_mode) {
        dw_jw_key(&jw, "response_format");
        dw_jw_raw(&jw, "{\"type\":\"json_object\"}");
    }
    if (q->end_user.len) {
        dw_jw_key(&jw, "user");
        dw_jw_strn(&jw, q->end_user.p, q->end_user.len);
    }
    dw_jw_obj_end(&jw);

    /* response body */
    dws_rng r;
    dws_rng_derive(&r, a->seed, 0x1A7E, (uint64_t)e->ts ^ e->conv);
    int prompt_tokens = approx_tokens(prompt_chars);
    int completion = q->completion_tokens ? q->completion_tokens
                                          : approx_tokens(q->answer.len + q->reasoning.len);
    dw_jw_key(&jw, "response");
    dw_jw_obj_begin(&jw);
    int latency;
    if (q->status != 200) {
        dw_jw_key(&jw, "error");
        dw_jw_obj_begin(&jw);
        dw_jw_key(&jw, "message");
        dw_jw_str(&jw, q->status == 429 ? "Rate limit reached for requests per minute. Please try again later."
                                        : "The server had an error while processing your request.");
        dw_jw_key(&jw, "type");
        dw_jw_str(&jw, q->status == 429 ? "requests" : "server_error");
        dw_jw_key(&jw, "code");
        dw_jw_str(&jw, q->status == 429 ? "rate_limit_exceeded" : "internal_error");
        dw_jw_obj_end(&jw);
        latency = 20 + (int)dws_rng_below(&r, 200);
    } else {
        char hex[17];
        dws_hex(hex, dws_rng_u64(&r), 16);
        dw_jw_key(&jw, "id");
        dw_buf idb = {0};
        dw_buf_printf(&idb, "chatcmpl-%s", hex);
        dw_jw_str(&jw, dw_buf_cstr(&idb));
        dw_buf_free(&idb);
        dw_jw_key(&jw, "model");
        dw_jw_str(&jw, dws_model_name(q->model));
        dw_jw_key(&jw, "choices");
        dw_jw_arr_begin(&jw);
        dw_jw_obj_begin(&jw);
        dw_jw_key(&jw, "index");
        dw_jw_int(&jw, 0);
        dw_jw_key(&jw, "message");
        dw_jw_obj_begin(&jw);
        dw_jw_key(&jw, "role");
        dw_jw_str(&jw, "assistant");
        dw_jw_key(&jw, "content");
        if (q->answer.len || !q->resp_tool_calls.len) dw_jw_strn(&jw, q->answer.p ? q->answer.p : "", q->answer.len);
        else dw_jw_null(&jw);
        if (q->reasoning.len) {
            dw_jw_key(&jw, "reasoning_content");
            dw_jw_strn(&jw, q->reasoning.p, q->reasoning.len);
        }
        if (q->resp_tool_calls.len) {
            dw_jw_key(&jw, "tool_calls");
            raw_buf(&jw, &q->resp_tool_calls);
        }
        dw_jw_obj_end(&jw);
        dw_jw_key(&jw, "finish_reason");
        dw_jw_str(&jw, q->finish ? q->finish : "stop");
        dw_jw_obj_end(&jw);
        dw_jw_arr_end(&jw);
        dw_jw_key(&jw, "usage");
        dw_jw_obj_begin(&jw);
        dw_jw_key(&jw, "prompt_tokens");
        dw_jw_int(&jw, prompt_tokens);
        dw_jw_key(&jw, "completion_tokens");
        dw_jw_int(&jw, completion);
        dw_jw_key(&jw, "total_tokens");
        dw_jw_int(&jw, prompt_tokens + completion);
        dw_jw_obj_end(&jw);
        static const double ms_per_tok[DWS_M_COUNT] = {18, 8, 22, 20};
        double lat = 250 + prompt_tokens * 0.05 + completion * ms_per_tok[q->model % DWS_M_COUNT];
        latency = (int)(lat * dws_rng_lognormal(&r, 1.0, 0.25));
    }
    dw_jw_obj_end(&jw);
    dw_jw_key(&jw, "status");
    dw_jw_int(&jw, q->status);
    dw_jw_key(&jw, "latency_ms");
    dw_jw_int(&jw, latency);
    dw_jw_obj_end(&jw);
    dw_buf_putc(out, '\n');
}
