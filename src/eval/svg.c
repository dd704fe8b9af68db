/*
 * svg.c -- axes, ticks, polylines and a legend, nothing more.
 *
 * Coordinates are printed with one decimal so the page bytes are stable for
 * a given set of numbers.
 */
#include "eval/svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define W 640.0
#define H 320.0
#define ML 60.0
#define MR 200.0
#define MT 30.0
#define MB 45.0

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                                     "#17becf"};

static void text(dw_buf *b, double x, double y, const char *anchor, const char *s, int size)
{
    dw_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">", x, y, anchor, size);
    dw_buf_html_escaped(b, s, strlen(s));
    dw_buf_puts(b, "</text>");
}

static double tr(double v, bool lg) { return lg ? log10(v) : v; }

static bool usable(double v, bool lg) { return isfinite(v) && (!lg || v > 0); }

void dwe_svg_chart(dw_buf *b, const dwe_chart *c, const dwe_series *s, size_t ns)
{
    double x0 = c->xmin, x1 = c->xmax, y0 = c->ymin, y1 = c->ymax;
    if (x0 == x1 || y0 == y1) {
        double ax = INFINITY, bx = -INFINITY, ay = INFINITY, by = -INFINITY;
        for (size_t k = 0; k < ns; k++)
            for (size_t i = 0; i < s[k].n; i++) {
                if (!usable(s[k].x[i], c->logx) || !usable(s[k].y[i], c->logy)) continue;
                if (s[k].x[i] < ax) ax = s[k].x[i];
                if (s[k].x[i] > bx) bx = s[k].x[i];
                if (s[k].y[i] < ay) ay = s[k].y[i];
                if (s[k].y[i] > by) by = s[k].y[i];
            }
        if (!isfinite(ax)) { ax = c->logx ? 1 : 0; bx = c->logx ? 10 : 1; }
        if (!isfinite(ay)) { ay = c->logy ? 1 : 0; by = c->logy ? 10 : 1; }
        if (x0 == x1) { x0 = ax; x1 = bx; }
        if (y0 == y1) { y0 = ay; y1 = by; }
        if (x0 == x1) { x0 = c->logx ? x0 / 2 : x0 - 1; x1 = c->logx ? x1 * 2 : x1 + 1; }
        if (y0 == y1) { y0 = c->logy ? y0 / 2 : y0 - 1; y1 = c->logy ? y1 * 2 : y1 + 1; }
    }
    double tx0 = tr(x0, c->logx), tx1 = tr(x1, c->logx), ty0 = tr(y0, c->logy), ty1 = tr(y1, c->logy);
    double pw = W - ML - MR, ph = H - MT - MB;
#define PX(v) (ML + (tr((v), c->logx) - tx0) / (tx1 - tx0) * pw)
#define PY(v) (MT + ph - (tr((v), c->logy) - ty0) / (ty1 - ty0) * ph)
    dw_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                     "font-family=\"sans-serif\">", W, H, W, H);
    dw_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" stroke=\"#999\"/>", ML,
                  MT, pw, ph);
    if (c->title) text(b, W / 2, 18, "middle", c->title, 14);
    if (c->xlabel) text(b, ML + pw / 2, H - 8, "middle", c->xlabel, 12);
    if (c->ylabel) {
        dw_buf_printf(b, "<g transform=\"translate(14 %.1f) rotate(-90)\">", MT + ph / 2);
        text(b, 0, 0, "middle", c->ylabel, 12);
        dw_buf_puts(b, "</g>");
    }
    /* y ticks: 5 evenly (or per decade on log axes) */
    char lab[64];
    for (int i = 0; i <= 4; i++) {
        double t = ty0 + (ty1 - ty0) * i / 4.0;
        double v = c->logy ? pow(10, t) : t;
        double py = MT + ph - (t - ty0) / (ty1 - ty0) * ph;
        dw_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", ML, py, ML + pw, py);
        snprintf(lab, sizeof lab, fabs(v) >= 100 ? "%.0f" : "%.2g", v);
        text(b, ML - 6, py + 4, "end", lab, 11);
    }
    if (c->xticks) {
        for (size_t i = 0; i < c->nxticks; i++) {
            double px = PX((double)i);
            text(b, px, MT + ph + 16, "middle", c->xticks[i], 11);
        }
    } else {
        for (int i = 0; i <= 4; i++) {
            double t = tx0 + (tx1 - tx0) * i / 4.0;
            double v = c->logx ? pow(10, t) : t;
            double px = ML + (t - tx0) / (tx1 - tx0) * pw;
            snprintf(lab, sizeof lab, fabs(v) >= 100 ? "%.0f" : "%.2g", v);
            text(b, px, MT + ph + 16, "middle", lab, 11);
        }
    }
    for (size_t k = 0; k < ns; k++) {
        const char *col = colors[k % (sizeof colors / sizeof *colors)];
        bool open = false;
        for (size_t i = 0; i < s[k].n; i++) {
            bool ok = usable(s[k].x[i], c->logx) && usable(s[k].y[i], c->logy);
            if (!ok) {
                if (open) dw_buf_puts(b, "\"/>");
                open = false;
                continue;
            }
            double px = PX(s[k].x[i]), py = PY(s[k].y[i]);
            if (py < MT) py = MT;
            if (py > MT + ph) py = MT + ph;
            if (!open) {
                dw_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
                open = true;
            }
            dw_buf_printf(b, "%.1f,%.1f ", px, py);
        }
        if (open) dw_buf_puts(b, "\"/>");
        /* markers only where they can be told apart */
        for (size_t i = 0; i < s[k].n && s[k].n <= 60; i++) {
            if (!usable(s[k].x[i], c->logx) || !usable(s[k].y[i], c->logy)) continue;
            double py = PY(s[k].y[i]);
            if (py < MT) py = MT;
            if (py > MT + ph) py = MT + ph;
            dw_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", PX(s[k].x[i]), py, col);
        }
        double ly = MT + 14 + 18.0 * (double)k;
        dw_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>",
                      ML + pw + 10, ly - 4, ML + pw + 28, ly - 4, col);
        text(b, ML + pw + 32, ly, "start", s[k].name ? s[k].name : "", 11);
    }
    dw_buf_puts(b, "</svg>");
#undef PX
#undef PY
}
