/*
 * texts.h -- the words behind the hashes, for people.
 *
 * Linking works on hashes; a reviewer needs the system prompt, the template
 * and the user agent in words.  Request text is only in view while its
 * event is being decoded, so the engine offers each event's texts here
 * before the event is reordered, and the store keeps the first 240 bytes of
 * a value the *second* time it is offered (a doorkeeper of recently seen
 * hashes filters values seen once -- most prompts -- at the cost of one
 * array slot).  Total size is capped (DW_TEXTS_MAX_BYTES); past the cap new
 * values are not kept and outputs show the hash alone.  Texts are untrusted
 * and escaped by every writer that prints them.
 */
#ifndef DW_LINK_TEXTS_H
#define DW_LINK_TEXTS_H

#include <stddef.h>
#include <stdint.h>

#define DW_TEXTS_MAX_BYTES (4u << 20)
#define DW_TEXTS_KEEP 240

typedef struct dw_text_slot {
    uint64_t key;
    uint32_t off, len;
} dw_text_slot;

typedef struct dw_texts {
    uint64_t *door;
    uint32_t door_mask;
    dw_text_slot *slots;
    uint32_t cap, used;
    char *arena;
    size_t len, arena_cap;
} dw_texts;

void dw_texts_init(dw_texts *t);
void dw_texts_free(dw_texts *t);
/* Offer the text of value `key` (kept on its second offer). */
void dw_texts_offer(dw_texts *t, uint64_t key, const char *s, size_t n);
/* The first half of an offer, for callers whose text costs something to cut
 * out: 1 when the text of `key` should be put now (dw_texts_put), 0 when it
 * is kept already or this is its first sighting (recorded). */
int dw_texts_wanted(dw_texts *t, uint64_t key);
/* Keep the text of `key` now (values restored from a store). */
void dw_texts_put(dw_texts *t, uint64_t key, const char *s, size_t n);
/* The text of `key`, NUL-terminated, or NULL. */
const char *dw_texts_get(const dw_texts *t, uint64_t key);
size_t dw_texts_memory(const dw_texts *t);

#endif
