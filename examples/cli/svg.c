/* SVG charts of the `retention` tool: plain SVG 1.1 text, no scripts, no external resources, so
 * the files render anywhere (browsers, GitHub, image viewers). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Text with &, < and > escaped (a file name can contain them). */
static void svg_text(FILE *out, const char *s)
{
    for (; *s; ++s) {
        if (*s == '&')
            fputs("&amp;", out);
        else if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else
            fputc(*s, out);
    }
}

void svg_nps(FILE *out, const uint64_t hist[11], double nps, double ci_low, double ci_high,
             double confidence, const char *title)
{
    const int width = 640, height = 360, left = 60, right = 20, top = 70, bottom = 50;
    const int plot_w = width - left - right, plot_h = height - top - bottom;
    uint64_t max = 1, n = 0;
    for (int v = 0; v <= 10; ++v) {
        n += hist[v];
        if (hist[v] > max)
            max = hist[v];
    }
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">\n",
            width, height, width, height);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height);
    fprintf(out, "<text x=\"%d\" y=\"28\" font-size=\"18\" font-weight=\"bold\">NPS %+.1f</text>\n",
            left, nps);
    fprintf(out,
            "<text x=\"%d\" y=\"50\" font-size=\"13\" fill=\"#555555\">%.0f%% interval %+.1f to "
            "%+.1f; %llu responses; ",
            left, 100 * confidence, ci_low, ci_high, (unsigned long long)n);
    svg_text(out, title);
    fputs("</text>\n", out);
    const double bar_w = plot_w / 11.0;
    for (int v = 0; v <= 10; ++v) {
        /* detractors red, passives grey, promoters green: the NPS categories */
        const char *fill = v <= 6 ? "#d9534f" : v <= 8 ? "#aaaaaa" : "#3c9d5d";
        double h = (double)plot_h * (double)hist[v] / (double)max;
        double x = left + v * bar_w + 4, y = top + plot_h - h;
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                "<title>score %d: %llu</title></rect>\n",
                x, y, bar_w - 8, h, fill, v, (unsigned long long)hist[v]);
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%d</text>\n",
                x + (bar_w - 8) / 2, top + plot_h + 18, v);
        fprintf(out,
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
                "fill=\"#333333\">%llu</text>\n",
                x + (bar_w - 8) / 2, y - 4, (unsigned long long)hist[v]);
    }
    fprintf(out,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n"
            "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">score (0-6 "
            "detractors, 7-8 passives, 9-10 promoters)</text>\n</svg>\n",
            left, top + plot_h, left + plot_w, top + plot_h, left + plot_w / 2, height - 10);
}

/* ---- Kaplan-Meier curves ------------------------------------------------------------------------ */

/* A polyline in tenths of a pixel that drops repeated points and merges straight horizontal or
 * vertical runs, so a curve of a million steps draws in a few thousand points. */
typedef struct svg_path {
    long *x, *y;
    size_t n, cap;
} svg_path;

static void path_point(svg_path *p, double x, double y)
{
    long px = lround(10 * x), py = lround(10 * y);
    if (p->n > 0 && p->x[p->n - 1] == px && p->y[p->n - 1] == py)
        return;
    if (p->n > 1 && ((p->x[p->n - 2] == px && p->x[p->n - 1] == px) ||
                     (p->y[p->n - 2] == py && p->y[p->n - 1] == py))) {
        p->x[p->n - 1] = px; /* the run goes on: move its end */
        p->y[p->n - 1] = py;
        return;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        long *nx = realloc(p->x, cap * sizeof *nx), *ny = nx ? realloc(p->y, cap * sizeof *ny) : NULL;
        if (!nx || !ny)
            cli_fail("out of memory");
        p->x = nx;
        p->y = ny;
        p->cap = cap;
    }
    p->x[p->n] = px;
    p->y[p->n++] = py;
}

/* Writes the path's d attribute ("M x,y L x,y ..."), ten points a line, and empties it. */
static void path_write(FILE *out, svg_path *p, const char *close)
{
    for (size_t i = 0; i < p->n; ++i)
        fprintf(out, "%s%ld.%ld,%ld.%ld", i == 0 ? "M" : i % 10 ? " L" : "\nL", p->x[i] / 10,
                p->x[i] % 10, p->y[i] / 10, p->y[i] % 10);
    fputs(close, out);
    p->n = 0;
}

typedef struct km_frame {
    int left, top, w, h;
    double xmax;
} km_frame;

static double km_x(const km_frame *f, double t) { return f->left + f->w * t / f->xmax; }
static double km_y(const km_frame *f, double s) { return f->top + f->h * (1 - s); }

/* A bound for the band: NaN where S = 1 (log-log) is the degenerate bound 1. */
static double km_bound(double b) { return isnan(b) ? 1.0 : b; }

/* The confidence band of c up to the first time where S = 0 (where the bounds end). */
static void km_band(FILE *out, svg_path *p, const km_frame *f, const svg_curve *c,
                    const char *colour)
{
    size_t m = 0;
    while (m < c->rows && c->survival[m] > 0)
        ++m;
    if (m == 0)
        return;
    double end = km_x(f, m < c->rows ? c->time[m] : c->time[c->rows - 1]), prev = 1;
    path_point(p, km_x(f, 0), km_y(f, 1));
    for (size_t j = 0; j < m; ++j) {
        path_point(p, km_x(f, c->time[j]), km_y(f, prev));
        prev = km_bound(c->upper[j]);
        path_point(p, km_x(f, c->time[j]), km_y(f, prev));
    }
    path_point(p, end, km_y(f, prev));
    path_point(p, end, km_y(f, km_bound(c->lower[m - 1])));
    for (size_t j = m; j-- > 0;) {
        path_point(p, km_x(f, c->time[j]), km_y(f, km_bound(c->lower[j])));
        path_point(p, km_x(f, c->time[j]), km_y(f, j ? km_bound(c->lower[j - 1]) : 1));
    }
    path_point(p, km_x(f, 0), km_y(f, 1));
    fprintf(out, "<path fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" d=\"", colour);
    path_write(out, p, " Z\"/>\n");
}

/* The step function of c, and a tick where subjects were censored. */
static void km_line(FILE *out, svg_path *p, const km_frame *f, const svg_curve *c,
                    const char *colour)
{
    double prev = 1;
    path_point(p, km_x(f, 0), km_y(f, 1));
    for (size_t j = 0; j < c->rows; ++j) {
        path_point(p, km_x(f, c->time[j]), km_y(f, prev));
        prev = c->survival[j];
        path_point(p, km_x(f, c->time[j]), km_y(f, prev));
    }
    fprintf(out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"", colour);
    path_write(out, p, "\">");
    if (c->label) {
        fputs("<title>", out);
        svg_text(out, c->label);
        fputs("</title>", out);
    }
    fputs("</path>\n", out);
    fprintf(out, "<path fill=\"none\" stroke=\"%s\" d=\"", colour);
    long last = -1;
    int ticks = 0;
    for (size_t j = 0; j < c->rows; ++j) {
        long x = lround(10 * km_x(f, c->time[j])), y = lround(10 * km_y(f, c->survival[j]));
        if (!(c->censored[j] > 0) || (last >= 0 && x - last < 20))
            continue; /* ticks at least 2 pixels apart */
        fprintf(out, "%sM%ld.%ld,%ld.%ld v8", ticks == 0 ? "" : ticks % 10 ? " " : "\n", x / 10,
                x % 10, (y - 40) / 10, (y - 40) % 10);
        last = x;
        ++ticks;
    }
    fputs("\"/>\n", out);
}

void svg_km(FILE *out, const svg_curve *curves, size_t k, const char *subtitle,
            const char *note, const char *xlabel)
{
    static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                          "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};
    const int width = 720, height = 460;
    km_frame f = {70, 84, width - 70 - 24, height - 84 - 56, 0};
    for (size_t i = 0; i < k; ++i)
        if (curves[i].rows > 0 && curves[i].time[curves[i].rows - 1] > f.xmax)
            f.xmax = curves[i].time[curves[i].rows - 1];
    /* x ticks every 1, 2, 2.5 or 5 times a power of ten, about six of them */
    double raw = f.xmax > 0 ? f.xmax / 6 : 1.0 / 6, mag = pow(10, floor(log10(raw)));
    double step = mag * (raw <= mag ? 1 : raw <= 2 * mag ? 2 : raw <= 2.5 * mag ? 2.5
                                       : raw <= 5 * mag ? 5 : 10);
    int nticks = (int)ceil(f.xmax / step - 1e-9);
    if (nticks < 1)
        nticks = 1;
    f.xmax = nticks * step;

    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
            "<text x=\"%d\" y=\"28\" font-size=\"18\" font-weight=\"bold\">Customer survival "
            "(Kaplan-Meier)</text>\n<text x=\"%d\" y=\"50\" font-size=\"13\" fill=\"#555555\">",
            width, height, width, height, width, height, f.left, f.left);
    svg_text(out, subtitle);
    fprintf(out, "</text>\n<text x=\"%d\" y=\"68\" font-size=\"12\" fill=\"#777777\">", f.left);
    svg_text(out, note);
    fputs("; ticks: censored</text>\n", out);
    for (int i = 0; i <= 4; ++i) { /* survival grid: 0 %, 25 %, ... 100 %; 50 % dashed */
        double y = km_y(&f, i / 4.0);
        fprintf(out,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"%s/>\n"
                "<text x=\"%d\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\">%d%%</text>\n",
                f.left, y, f.left + f.w, y, i == 2 ? "#999999" : "#e5e5e5",
                i == 2 ? " stroke-dasharray=\"4 3\"" : "", f.left - 6, y + 4, 25 * i);
    }
    for (int i = 0; i <= nticks; ++i) {
        double x = km_x(&f, i * step);
        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\"/>\n"
                "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%g</text>\n",
                x, f.top + f.h, x, f.top + f.h + 5, x, f.top + f.h + 19, i * step);
    }
    fprintf(out,
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n"
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n"
            "<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">",
            f.left, f.top + f.h, f.left + f.w, f.top + f.h, f.left, f.top, f.left, f.top + f.h,
            f.left + f.w / 2, height - 14);
    svg_text(out, xlabel);
    fprintf(out,
            "</text>\n<text transform=\"translate(18,%d) rotate(-90)\" font-size=\"13\" "
            "text-anchor=\"middle\">still a customer</text>\n",
            f.top + f.h / 2);

    svg_path p = {NULL, NULL, 0, 0};
    for (size_t i = 0; i < k; ++i)
        km_band(out, &p, &f, &curves[i], colours[i % 8]);
    for (size_t i = 0; i < k; ++i)
        km_line(out, &p, &f, &curves[i], colours[i % 8]);
    free(p.x);
    free(p.y);

    if (k > 0 && curves[0].label) { /* the legend, bottom left: where survival curves are not */
        size_t longest = 0;
        for (size_t i = 0; i < k; ++i) {
            size_t len = strlen(curves[i].label) + strlen(curves[i].legend) + 2;
            longest = len > longest ? len : longest;
        }
        int y0 = f.top + f.h - 14 - 20 * (int)k;
        fprintf(out,
                "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%d\" fill=\"#ffffff\" "
                "fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n",
                f.left + 10, y0, 36 + 6.5 * (double)longest, 20 * (int)k + 8);
        for (size_t i = 0; i < k; ++i) {
            int y = y0 + 8 + 20 * (int)i;
            fprintf(out,
                    "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"10\" fill=\"%s\"/>\n"
                    "<text x=\"%d\" y=\"%d\" font-size=\"12\">",
                    f.left + 18, y + 1, colours[i % 8], f.left + 42, y + 10);
            svg_text(out, curves[i].label);
            fputs(": ", out);
            svg_text(out, curves[i].legend);
            fputs("</text>\n", out);
        }
    }
    fputs("</svg>\n", out);
}
