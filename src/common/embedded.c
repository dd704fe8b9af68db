/* embedded.c -- look up data files compiled in by tools/embed.c. */
#include <string.h>
#include "common/embedded.h"

const dw_embedded_file *dw_embedded_find(const char *name)
{
    for (size_t i = 0; i < dw_embedded_count; i++)
        if (strcmp(dw_embedded_files[i].name, name) == 0)
            return &dw_embedded_files[i];
    return NULL;
}
