/* commands.c -- the command table (one line per command). */
#include <stddef.h>
#include "cli/commands.h"

const dw_command dw_commands[] = {
    {"scan", dw_cmd_scan},
    {NULL, NULL},
};
