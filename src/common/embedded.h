/* embedded.h -- data files compiled into the binary (see tools/embed.c). */
#ifndef DW_EMBEDDED_H
#define DW_EMBEDDED_H
#include <stddef.h>

typedef struct dw_embedded_file {
    const char *name;   /* base name, e.g. "cot.pack" */
    const char *data;   /* NUL-terminated copy of the file */
    size_t len;         /* length without the terminator */
} dw_embedded_file;

extern const dw_embedded_file dw_embedded_files[];
extern const size_t dw_embedded_count;

/* The embedded file called `name`, or NULL. */
const dw_embedded_file *dw_embedded_find(const char *name);

#endif
