/*
 * render.h -- turning a composed request into a native-shape log line.
 */
#ifndef DW_SIM_RENDER_H
#define DW_SIM_RENDER_H

#include "common/buf.h"
#include "sim/world.h"

/* Append one JSON line (with its newline) to out. */
void dws_render(const dws_world *w, const dws_account *a, const dws_event *e, const dws_req *q,
                const char *request_id, dw_buf *out);
/* The api_key_id of key number `key` of an account ("key_" + 12 hex). */
void dws_api_key_id(const dws_account *a, int key, char *out);

#endif
