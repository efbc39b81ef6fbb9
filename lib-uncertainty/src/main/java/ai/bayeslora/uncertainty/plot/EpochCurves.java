package ai.bayeslora.uncertainty.plot;

import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A metric against the training epoch, one line per series (e.g. ensemble size M = 1, 5, 10): the LoRA-ensemble paper's
 * Figure 1 panels (accuracy, NLL, ECE per epoch).
 */
public final class EpochCurves {
    private EpochCurves() {
    }

    /**
     * A line chart of a metric against the epoch, one line per series.
     *
     * @param metric y-axis label, e.g. "NLL"
     * @param epochs x values (1-based epochs)
     * @param series name to values aligned with {@code epochs} (NaN for missing)
     * @param name file stem of the figure
     * @param title the chart's heading
     * @return the figure
     */
    public static Figure render(String name, String title, String metric, int[] epochs, Map<String, double[]> series) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no series to plot for " + title);
        }
        XYChart chart = new XYChartBuilder().width(640).height(440).title(title).xAxisTitle("epoch")
                .yAxisTitle(metric).build();
        Style.apply(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisDecimalPattern("0");
        double[] x = new double[epochs.length];
        for (int i = 0; i < epochs.length; i++) {
            x[i] = epochs[i];
        }
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            if (e.getValue().length != epochs.length) {
                throw new IllegalArgumentException("series '" + e.getKey() + "' has " + e.getValue().length
                        + " values for " + epochs.length + " epochs");
            }
            XYSeries s = chart.addSeries(e.getKey(), x, e.getValue());
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return new Figure(name, chart);
    }
}
