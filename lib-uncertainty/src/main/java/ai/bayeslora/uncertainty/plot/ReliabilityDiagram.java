package ai.bayeslora.uncertainty.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Reliability diagram: per confidence bin, the accuracy against the mean confidence, with the diagonal of perfect
 * calibration and per-bin gap bars. Equal-width bins (b/B, (b+1)/B] as in METHODS.md §7. The title states ECE and the
 * number of bins, since ECE depends on it. A panel below, on the same confidence axis, shows each bin's share of the
 * examples as a bar with its count written above it, so a large gap in a bin of three examples reads as such.
 */
public final class ReliabilityDiagram {
    private ReliabilityDiagram() {
    }

    /**
     * A reliability diagram: accuracy against confidence per bin, with the diagonal of perfect calibration.
     *
     * @param title e.g. the posterior's name
     * @param accuracy per bin, NaN for empty bins
     * @param confidence mean confidence per bin, NaN for empty bins
     * @param counts examples per bin
     * @param ece the expected calibration error for the title
     * @param name file stem of the figure
     * @return the figure
     */
    public static Figure render(String name, String title, double[] accuracy, double[] confidence, long[] counts,
                                double ece) {
        int bins = accuracy.length;
        if (confidence.length != bins || counts.length != bins || bins == 0) {
            throw new IllegalArgumentException("accuracy, confidence and counts must have the same non-zero length");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(TOP_HEIGHT)
                .title(String.format(Locale.ROOT, "%s: ECE %.4f (%d bins)", title, ece, bins))
                .xAxisTitle("confidence").yAxisTitle("accuracy").build();
        Style.apply(chart.getStyler());
        chart.getStyler().setXAxisTitleVisible(false);
        chart.getStyler().setYAxisDecimalPattern(Y_PATTERN);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        XYSeries diag = chart.addSeries("perfect calibration", new double[] {0, 1}, new double[] {0, 1});
        diag.setMarker(SeriesMarkers.NONE);
        diag.setLineStyle(Style.DASHED);
        diag.setLineColor(java.awt.Color.GRAY);
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<Double> gx = new ArrayList<>();
        List<Double> gy = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            if (counts[b] == 0) {
                continue;
            }
            double center = (b + 0.5) / bins;
            xs.add(center);
            ys.add(accuracy[b]);
            // gap bar from accuracy to confidence at the bin centre, drawn as a vertical segment
            gx.add(center);
            gy.add(accuracy[b]);
            gx.add(center);
            gy.add(confidence[b]);
            gx.add(Double.NaN);
            gy.add(Double.NaN);
        }
        if (!xs.isEmpty()) {
            XYSeries acc = chart.addSeries("accuracy per bin", xs, ys);
            acc.setMarker(SeriesMarkers.SQUARE);
            acc.setLineColor(Style.PALETTE[0]);
            acc.setMarkerColor(Style.PALETTE[0]);
            XYSeries gap = chart.addSeries("gap to confidence", gx, gy);
            gap.setMarker(SeriesMarkers.NONE);
            gap.setLineColor(Style.PALETTE[1]);
            gap.setLineWidth(3f);
        }
        XYChart panel = countPanel(counts);
        return new Figure(name, new Figure.Canvas() {
            @Override
            public int width() {
                return WIDTH;
            }

            @Override
            public int height() {
                return TOP_HEIGHT + PANEL_HEIGHT;
            }

            @Override
            public void paint(java.awt.Graphics2D g) {
                chart.paint(g, WIDTH, TOP_HEIGHT);
                java.awt.Graphics2D below = (java.awt.Graphics2D) g.create();
                below.translate(0, TOP_HEIGHT);
                panel.paint(below, WIDTH, PANEL_HEIGHT);
                below.dispose();
            }
        });
    }

    private static final int WIDTH = 640;
    private static final int TOP_HEIGHT = 470;
    private static final int PANEL_HEIGHT = 190;
    /**
     * Both panels label their y ticks with this pattern: the tick labels then have the same width, so the two plot
     * areas start at the same x and the bins line up (the panels are separate charts).
     */
    private static final String Y_PATTERN = "0.00";

    /** Share of the examples per bin as bars over the bin, the count above each non-empty bar. */
    private static XYChart countPanel(long[] counts) {
        int bins = counts.length;
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double maxShare = 0;
        for (long c : counts) {
            maxShare = Math.max(maxShare, total == 0 ? 0 : (double) c / total);
        }
        double yMax = Math.max(0.1, Math.ceil(maxShare * 1.25 * 10) / 10);
        XYChart panel = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT).xAxisTitle("confidence")
                .yAxisTitle("share").build();
        Style.apply(panel.getStyler());
        panel.getStyler().setLegendVisible(false).setChartTitleVisible(false);
        panel.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(yMax);
        panel.getStyler().setYAxisDecimalPattern(Y_PATTERN);
        panel.getStyler().setAnnotationTextFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN,
                bins > 20 ? 8 : 10));
        boolean any = false;
        for (int b = 0; b < bins; b++) {
            if (counts[b] == 0) {
                continue;
            }
            any = true;
            double share = (double) counts[b] / total;
            double lo = (double) b / bins;
            double hi = (double) (b + 1) / bins;
            XYSeries bar = panel.addSeries("bin " + b, new double[] {lo, lo, hi, hi}, new double[] {0, share, share, 0});
            bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            bar.setMarker(SeriesMarkers.NONE);
            bar.setFillColor(new java.awt.Color(0x9ecae1));
            bar.setLineColor(java.awt.Color.WHITE);
            bar.setLineWidth(0.5f);
            panel.addAnnotation(new org.knowm.xchart.AnnotationText(Long.toString(counts[b]), (lo + hi) / 2,
                    share + 0.08 * yMax, false));
        }
        if (!any) {
            XYSeries none = panel.addSeries("no examples", new double[] {0, 1}, new double[] {0, 0});
            none.setMarker(SeriesMarkers.NONE);
            none.setLineColor(java.awt.Color.GRAY);
        }
        return panel;
    }
}
