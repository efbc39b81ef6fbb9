package ai.bayeslora.uncertainty.plot;

import java.util.Arrays;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Histogram of a per-example uncertainty (predictive entropy or mutual information) split into correctly and
 * incorrectly predicted examples, with each group's mean (dashed) and median (dotted) marked, as two outlines in one
 * panel. Reports draw the LoRA-ensemble paper's Figures 2–4 with {@link HistogramGrid} instead (epochs as columns,
 * correct and incorrect as rows, bars coloured by count); this single panel remains for quick looks.
 */
public final class UncertaintyHistogram {
    private UncertaintyHistogram() {
    }

    /**
     * A histogram of an uncertainty per example, correct and incorrect predictions overlaid.
     *
     * @param quantity x-axis label, e.g. "predictive entropy (nats)"
     * @param values per-example values
     * @param correct per-example correctness
     * @param bins number of equal-width bins over [0, max]
     * @param name file stem of the figure
     * @param title the chart's heading
     * @return the figure
     */
    public static Figure render(String name, String title, String quantity, double[] values, boolean[] correct,
                                int bins) {
        if (values.length != correct.length) {
            throw new IllegalArgumentException(values.length + " values but " + correct.length + " correctness flags");
        }
        if (values.length == 0 || bins <= 0) {
            throw new IllegalArgumentException("histogram needs values and a positive bin count");
        }
        double max = Arrays.stream(values).max().orElse(1.0);
        double hi = max > 1e-9 ? max * 1.0001 : 1.0; // all ~0 (e.g. MI of identical members): a unit axis
        XYChart chart = new XYChartBuilder().width(640).height(440).title(title).xAxisTitle(quantity)
                .yAxisTitle("examples").build();
        Style.apply(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
        double peak = 1;
        for (int group = 0; group < 2; group++) {
            boolean want = group == 0;
            double[] sel = select(values, correct, want);
            if (sel.length == 0) {
                continue;
            }
            double[][] steps = stepOutline(histogram(sel, bins, hi), hi);
            peak = Math.max(peak, Arrays.stream(steps[1]).max().orElse(1));
            java.awt.Color color = want ? Style.CORRECT : Style.INCORRECT;
            String label = (want ? "correct" : "incorrect") + " (n=" + sel.length + ")";
            XYSeries s = chart.addSeries(label, steps[0], steps[1]);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(color);
            s.setLineWidth(2f);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea); // closed outline; no x-order check
            s.setFillColor(new java.awt.Color(color.getRed(), color.getGreen(), color.getBlue(), 60));
            double mean = Arrays.stream(sel).average().orElse(0);
            double median = median(sel);
            vertical(chart, String.format(Locale.ROOT, "%s mean %.3f", want ? "correct" : "incorrect", mean), mean,
                    peak, color, Style.DASHED);
            vertical(chart, String.format(Locale.ROOT, "%s median %.3f", want ? "correct" : "incorrect", median),
                    median, peak, color, Style.DOTTED);
        }
        return new Figure(name, chart);
    }

    private static void vertical(XYChart chart, String label, double x, double height, java.awt.Color color,
                                 java.awt.BasicStroke stroke) {
        XYSeries s = chart.addSeries(label, new double[] {x, x}, new double[] {0, height});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(stroke);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    }

    static long[] histogram(double[] v, int bins, double hi) {
        long[] h = new long[bins];
        for (double x : v) {
            int b = (int) Math.floor(x / hi * bins);
            h[Math.max(0, Math.min(bins - 1, b))]++;
        }
        return h;
    }

    /**
     * Step outline (x, y) of a histogram over [0, hi]. The x values never decrease (xchart's area series require it):
     * the last point repeats the last bin edge {@code hi·n/n}, which can round one ulp above {@code hi}.
     */
    static double[][] stepOutline(long[] h, double hi) {
        int n = h.length;
        double[] x = new double[2 * n + 2];
        double[] y = new double[2 * n + 2];
        x[0] = 0;
        y[0] = 0;
        for (int b = 0; b < n; b++) {
            x[2 * b + 1] = hi * b / n;
            y[2 * b + 1] = h[b];
            x[2 * b + 2] = hi * (b + 1) / n;
            y[2 * b + 2] = h[b];
        }
        x[2 * n + 1] = x[2 * n];
        y[2 * n + 1] = 0;
        return new double[][] {x, y};
    }

    private static double[] select(double[] v, boolean[] flags, boolean want) {
        return java.util.stream.IntStream.range(0, v.length).filter(i -> flags[i] == want).mapToDouble(i -> v[i])
                .toArray();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
