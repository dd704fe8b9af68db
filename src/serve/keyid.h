/*
 * keyid.h -- account ids derived from API keys.
 *
 * A gateway often knows the caller only by its API key.  The key itself must
 * not become an account id (it would sit in the store, in /metrics labels of
 * other tools, in logs), so serve can hash it: the id is DW_KEYID_PREFIX
 * followed by the first 16 bytes of HMAC-SHA256(secret, key) in lowercase
 * hex.  A keyed MAC rather than a plain hash because API keys are often
 * short or structured enough to be guessed offline from a bare SHA-256; the
 * secret is what a reader of the store lacks.  The log pipeline computes the
 * same ids with `distillwatch keyid`, which is this function.
 */
#ifndef DW_SERVE_KEYID_H
#define DW_SERVE_KEYID_H

#include <stddef.h>

#define DW_KEYID_PREFIX "kh_"
/* prefix + 32 hex digits + NUL */
#define DW_KEYID_LEN (sizeof DW_KEYID_PREFIX - 1 + 32)

/* HMAC-SHA256(secret, msg) into mac[32].  0, or -1 when libcrypto fails. */
int dw_hmac_sha256(const void *secret, size_t slen, const void *msg, size_t mlen, unsigned char mac[32]);

/* The account id of API key `key`, NUL-terminated into out (cap >=
 * DW_KEYID_LEN + 1).  Returns DW_KEYID_LEN, or -1 on failure. */
int dw_keyid(const char *secret, size_t slen, const char *key, size_t klen, char *out, size_t cap);

#endif
