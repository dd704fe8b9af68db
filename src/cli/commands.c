/* commands.c -- the command table (one line per command). */
#include <stddef.h>
#include "cli/commands.h"
#include "sim/sim.h"
#include "eval/eval.h"

const dw_command dw_commands[] = {
    {"scan", dw_cmd_scan},
    {"simulate", dw_cmd_simulate},
    {"eval", dw_cmd_eval},
    {"wm", dw_cmd_wm},
    {"attribute", dw_cmd_attribute},
    {"serve", dw_cmd_serve},
    {"keyid", dw_cmd_keyid},
    {NULL, NULL},
};
