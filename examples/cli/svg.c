/* SVG charts of the `retention` tool: plain SVG 1.1 text, no scripts, no external resources, so
 * the files render anywhere (browsers, GitHub, image viewers). */
#include <math.h>

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
