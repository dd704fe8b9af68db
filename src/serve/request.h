/*
 * request.h -- the parsing `serve` does on untrusted request bytes, as pure
 * functions (no sockets, no engine), so that fuzz/fuzz_serve.c can drive
 * every one of them directly.  See request.c for why each is built so.
 */
#ifndef DW_SERVE_REQUEST_H
#define DW_SERVE_REQUEST_H

#include <stddef.h>
#include <stdint.h>

/* Longest account id serve accepts from a header, a path or a JSON body. */
#define DW_SERVE_MAX_ID 256

/* "Bearer TOKEN" against the configured token, in time independent of where
 * they differ.  1 = authorised, 0 = not (also when either is NULL). */
int dw_serve_bearer_ok(const char *authorization, const char *token);

/* A Content-Length value: digits only, no sign, no overflow.  0 / -1. */
int dw_serve_content_length(const char *s, uint64_t *out);

/* "/v1/accounts/ID" -> ID, percent-decoded, into out (NUL-terminated).
 * Returns the id length, 0 when url is not an accounts path, -1 when it is
 * one but the id is empty, too long, badly escaped or holds a NUL. */
int dw_serve_account_path(const char *url, char *out, size_t cap);

/* An account id taken from a header: printable ASCII, 1..DW_SERVE_MAX_ID. */
int dw_serve_valid_id(const char *s, size_t n);

/* LiteLLM generic guardrail request: the account is the first present of
 * request_data.metadata.user_api_key_org_id, .user_api_key_team_id,
 * .user_api_key_user_id, request_data.user.  Returns the id length (copied,
 * NUL-terminated, into out), 0 when the body is JSON but names no account,
 * -1 when the body is not a JSON object. */
int dw_serve_guardrail_account(const char *body, size_t n, char *out, size_t cap);

#endif
