/*
 * keyid.c -- API key -> account id, with OpenSSL's HMAC (see keyid.h).
 *
 * libcrypto rather than a hand-written SHA-256: it is the implementation
 * every Debian host already patches, and a hash is not code to maintain in
 * a detector.  Truncating the MAC to 128 bits keeps ids short in URLs and
 * logs; collisions between distinct keys stay out of reach (2^64 keys for
 * an even chance).  Nothing here is timing-sensitive: the id is not a
 * secret, and the key is only ever an input.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include "serve/keyid.h"

int dw_hmac_sha256(const void *secret, size_t slen, const void *msg, size_t mlen, unsigned char mac[32])
{
    unsigned int n = 0;
    /* HMAC() rejects a NULL key even when its length is 0 */
    static const unsigned char none[1] = {0};
    if (!HMAC(EVP_sha256(), slen ? secret : none, (int)slen, msg ? msg : none, mlen, mac, &n) || n != 32) return -1;
    return 0;
}

int dw_keyid(const char *secret, size_t slen, const char *key, size_t klen, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[32];
    if (cap < DW_KEYID_LEN + 1 || dw_hmac_sha256(secret, slen, key, klen, mac) < 0) return -1;
    size_t p = sizeof DW_KEYID_PREFIX - 1;
    memcpy(out, DW_KEYID_PREFIX, p);
    for (int i = 0; i < 16; i++) {
        out[p++] = hex[mac[i] >> 4];
        out[p++] = hex[mac[i] & 15];
    }
    out[p] = 0;
    return (int)DW_KEYID_LEN;
}
