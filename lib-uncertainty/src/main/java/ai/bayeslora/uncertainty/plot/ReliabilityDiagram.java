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
 * number of bins, since ECE depends on it.
 */
public final class ReliabilityDiagram {
    private ReliabilityDiagram() {
    }

    /**
     * @param title e.g. the posterior's name
     * @param accuracy per bin, NaN for empty bins
     * @param confidence mean confidence per bin, NaN for empty bins
     * @param counts examples per bin
     * @param ece the expected calibration error for the title
     */
    public static Figure render(String name, String title, double[] accuracy, double[] confidence, long[] counts,
                                double ece) {
        int bins = accuracy.length;
        if (confidence.length != bins || counts.length != bins || bins == 0) {
            throw new IllegalArgumentException("accuracy, confidence and counts must have the same non-zero length");
        }
        XYChart chart = new XYChartBuilder().width(640).height(560)
                .title(String.format(Locale.ROOT, "%s: ECE %.4f (%d bins)", title, ece, bins))
                .xAxisTitle("confidence").yAxisTitle("accuracy").build();
        Style.apply(chart.getStyler());
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
        return new Figure(name, chart);
    }
}
