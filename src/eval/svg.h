/*
 * svg.h -- small inline SVG line charts for eval.html and sweep.html.
 *
 * The reports must be self-contained (no scripts, fonts or images fetched),
 * so charts are drawn as SVG text straight into the page.  One function, a
 * few options: linear or log axes, numeric or categorical x.  All labels
 * pass through the HTML escaper.
 */
#ifndef DW_EVAL_SVG_H
#define DW_EVAL_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

typedef struct dwe_series {
    const char *name;
    const double *x, *y;   /* NaN or infinite points are skipped (a gap) */
    size_t n;
} dwe_series;

typedef struct dwe_chart {
    const char *title, *xlabel, *ylabel;
    bool logx, logy;
    double xmin, xmax, ymin, ymax;    /* xmin == xmax: fit to data */
    const char *const *xticks;        /* categorical labels for x = 0..nxticks-1, or NULL */
    size_t nxticks;
} dwe_chart;

void dwe_svg_chart(dw_buf *b, const dwe_chart *c, const dwe_series *s, size_t ns);

#endif
