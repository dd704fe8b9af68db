/*
 * main.c -- `distillwatch COMMAND ...`: the command dispatcher.
 *
 * Each command lives in its own file and takes (argc, argv) with argv[0] the
 * command name, so that it reads like a small program of its own.
 */
#include <stdio.h>
#include <string.h>
#include "distillwatch.h"
#include "cli/commands.h"

static void usage(FILE *f)
{
    fputs("usage: distillwatch COMMAND [OPTIONS]\n"
          "\n"
          "Detect unauthorized distillation of a language model in API request logs.\n"
          "\n"
          "commands:\n"
          "  scan       read request logs, write per-account verdicts with reasons and alerts\n"
          "  simulate   write a labeled synthetic traffic mix (benign users and campaigns)\n"
          "  eval       score a scan against the simulator's ground truth\n"
          "  wm         watermark scoring and the radioactivity experiment (provenance)\n"
          "  attribute  rank candidate source models of a text by lexical fingerprints\n"
          "  serve      the pipeline as a daemon: HTTP ingest and the gateway's per-account check\n"
          "  keyid      account ids from API keys (HMAC-SHA256), as serve derives them\n"
          "  version    print the version\n"
          "\n"
          "`distillwatch COMMAND --help` describes each command.\n", f);
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return 2; }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) { usage(stdout); return 0; }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) { printf("distillwatch %s\n", DW_VERSION); return 0; }
    for (const dw_command *c = dw_commands; c->name; c++)
        if (strcmp(cmd, c->name) == 0) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "distillwatch: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
