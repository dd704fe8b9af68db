/*
 * packdb.c -- precompile the pattern packs at build time.
 *
 * Compiling several hundred multilingual patterns into one vectorscan
 * database takes seconds; every `distillwatch` start, every test and every
 * fuzz iteration would pay it.  This tool compiles the embedded packs once,
 * at build time, and writes the serialized database (prefixed with the
 * identity of the pattern set) for tools/embed.c to compile in.  At run time
 * dw_patterns_load() uses it only when the identity matches and vectorscan
 * accepts it for the CPU; otherwise it compiles as before.
 *
 *   packdb OUT.hsdb
 */
#include <stdio.h>
#include <stdlib.h>
#include "enrich/patterns.h"

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: packdb OUT.hsdb\n"); return 2; }
    char err[512];
    dw_patterns *p = dw_patterns_load(NULL, err, sizeof err);
    if (!p) { fprintf(stderr, "packdb: %s\n", err); return 1; }
    char *bytes;
    size_t len;
    if (dw_patterns_serialize(p, &bytes, &len) < 0) { fprintf(stderr, "packdb: nothing to serialize\n"); return 1; }
    FILE *f = fopen(argv[1], "wb");
    if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) { perror(argv[1]); return 1; }
    free(bytes);
    dw_patterns_free(p);
    return 0;
}
