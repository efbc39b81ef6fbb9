package ai.bayeslora.uncertainty.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The LoRA-ensemble paper's Figures 2–4 (docs/METHODS.md §7): a grid of histograms of one per-example uncertainty
 * (predictive entropy, expected entropy or mutual information), one column per epoch (or per evaluation) and one row
 * per group of examples: correct and incorrect predictions, or a single row "all" for data without labels (an OOD
 * set). Each bar's colour is its count on one viridis scale for the whole grid, shown by the colour bar on the right;
 * each cell marks its group's mean (dashed) and median (dotted), both named with their value in the cell's legend, and
 * gives n in its title. The bins and the x range (the smallest to the largest value of the whole grid, numpy's and
 * matplotlib's default histogram range) are shared by every cell, the y range by the cells of a row. {@link #compute} returns the numbers ({@link Data}); {@link #render} draws them.
 */
public final class HistogramGrid {
    /** Equal-width bins per cell unless the caller asks for others. */
    public static final int DEFAULT_BINS = 20;
    /** Row name for correctly predicted examples. */
    public static final String CORRECT = "correct";
    /** Row name for incorrectly predicted examples. */
    public static final String INCORRECT = "incorrect";
    /** Row name for examples without labels (no correct/incorrect split). */
    public static final String ALL = "all";

    private static final int MIN_WIDTH = 560;
    private static final int CELL_W = 250;
    private static final int CELL_H = 240;
    private static final int TITLE_H = 54;
    private static final int BAR_W = 110;
    private static final int PAD = 10;
    private static final Color MEAN = new Color(0xe41a1c);
    private static final Color MEDIAN = Color.BLACK;

    private HistogramGrid() {
    }

    /**
     * One column of the grid.
     *
     * @param title column heading, e.g. "epoch 3"
     * @param values per-example values, finite
     * @param correct per-example correctness, or null for data without labels (one row "all")
     */
    public record Column(String title, double[] values, boolean[] correct) {
        /**
         * Checks the lengths and copies the arrays.
         *
         * @param title column heading, e.g. "epoch 3"
         * @param values per-example values, finite
         * @param correct per-example correctness, or null for data without labels (one row "all")
         */
        public Column {
            if (correct != null && correct.length != values.length) {
                throw new IllegalArgumentException("column '" + title + "': " + values.length + " values but "
                        + correct.length + " correctness flags");
            }
            for (int i = 0; i < values.length; i++) {
                if (!Double.isFinite(values[i])) {
                    throw new IllegalArgumentException("column '" + title + "', example " + i + ": value "
                            + values[i] + " is not finite");
                }
            }
            values = values.clone();
            correct = correct == null ? null : correct.clone();
        }

        /** {@return a copy of the values} */
        @Override
        public double[] values() {
            return values.clone();
        }

        /** {@return a copy of the correctness flags, or null without labels} */
        @Override
        public boolean[] correct() {
            return correct == null ? null : correct.clone();
        }
    }

    /**
     * One cell: the examples of one column in one group.
     *
     * @param column the column's title
     * @param row the group: {@link #CORRECT}, {@link #INCORRECT} or {@link #ALL}
     * @param n examples in the group
     * @param counts examples per bin
     * @param mean mean value of the group, NaN when n = 0
     * @param median median value (the mean of the two middle values for even n), NaN when n = 0
     */
    public record Cell(String column, String row, int n, long[] counts, double mean, double median) {
        /**
         * Copies the counts.
         *
         * @param column the column's title
         * @param row the group: {@link #CORRECT}, {@link #INCORRECT} or {@link #ALL}
         * @param n examples in the group
         * @param counts examples per bin
         * @param mean mean value of the group, NaN when n = 0
         * @param median median value (the mean of the two middle values for even n), NaN when n = 0
         */
        public Cell {
            counts = counts.clone();
        }

        /** {@return a copy of the counts per bin} */
        @Override
        public long[] counts() {
            return counts.clone();
        }
    }

    /**
     * The numbers behind a grid.
     *
     * @param quantity what is histogrammed, with its unit (the x-axis title)
     * @param columns column titles, left to right
     * @param rows row names, top to bottom
     * @param bins bins per cell
     * @param lower the left edge of the first bin: the smallest value of the grid
     * @param upper the right edge of the last bin: the largest value of the grid. Bin k is [edge(k), edge(k + 1)),
     *     the last bin closed. When every value is the same v, the range is [max(0, v − ½), that + 1] (numpy
     *     widens a zero-width range by ½ on each side; these quantities are never negative)
     * @param maxCount the largest count of any bin of the grid: the top of the shared colour scale
     * @param cells row-major: {@code cells.get(row * columns.size() + column)}
     */
    public record Data(String quantity, List<String> columns, List<String> rows, int bins, double lower,
                       double upper, long maxCount, List<Cell> cells) {
        /**
         * Copies the lists.
         *
         * @param quantity what is histogrammed, with its unit (the x-axis title)
         * @param columns column titles, left to right
         * @param rows row names, top to bottom
         * @param bins bins per cell
         * @param lower the left edge of the first bin: the smallest value of the grid
         * @param upper the right edge of the last bin: the largest value of the grid. Bin k is [edge(k), edge(k + 1)),
         *     the last bin closed. When every value is the same v, the range is [max(0, v − ½), that + 1] (numpy widens
         *     a zero-width range by ½ on each side; these quantities are never negative)
         * @param maxCount the largest count of any bin of the grid: the top of the shared colour scale
         * @param cells row-major: {@code cells.get(row * columns.size() + column)}
         */
        public Data {
            columns = List.copyOf(columns);
            rows = List.copyOf(rows);
            cells = List.copyOf(cells);
        }

        /**
         * {@return the cell of row {@code row} (0 = top) and column {@code column} (0 = left)}
         *
         * @param row the row index, in [0, rows)
         * @param column the column index, in [0, columns)
         */
        public Cell cell(int row, int column) {
            return cells.get(row * columns.size() + column);
        }

        /**
         * Edge k of the bins, k = 0..bins: lower + (upper − lower)·k/bins (edge(bins) is upper exactly).
         *
         * @param k the edge index, in [0, bins]
         * @return the edge's value
         */
        public double edge(int k) {
            return k == bins ? upper : lower + (upper - lower) * k / bins;
        }
    }

    /**
     * Bins every column's values, split into correct and incorrect (or one row "all" when the columns have no
     * labels), with shared bins from the smallest to the largest value of the grid.
     *
     * @param quantity x-axis title, e.g. "predictive entropy (nats)"
     * @param columns at least one; all with correctness flags or all without
     * @param bins positive
     * @return the counts of every cell and the shared bins
     */
    public static Data compute(String quantity, List<Column> columns, int bins) {
        if (columns.isEmpty() || bins <= 0) {
            throw new IllegalArgumentException("a histogram grid needs at least one column and a positive bin count");
        }
        boolean labelled = columns.get(0).correct != null;
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (Column c : columns) {
            if ((c.correct != null) != labelled) {
                throw new IllegalArgumentException("column '" + c.title() + "' " + (labelled ? "has no" : "has")
                        + " correctness flags but column '" + columns.get(0).title() + "' "
                        + (labelled ? "has" : "has none") + ": a grid is split by correctness in every column or none");
            }
            for (double v : c.values) {
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
        }
        if (min > max) {
            throw new IllegalArgumentException("a histogram grid needs at least one value; every column is empty");
        }
        double lower = min;
        double upper = max;
        if (!(upper > lower)) {
            // one value everywhere (e.g. the MI 0 of identical members): a unit range instead of an empty one
            lower = Math.max(0, min - 0.5);
            upper = lower + 1;
        }
        List<String> rows = labelled ? List.of(CORRECT, INCORRECT) : List.of(ALL);
        List<Cell> cells = new ArrayList<>();
        long maxCount = 0;
        for (String row : rows) {
            for (Column c : columns) {
                double[] sel = select(c, row);
                long[] counts = new long[bins];
                for (double v : sel) {
                    int k = (int) Math.floor((v - lower) / (upper - lower) * bins);
                    counts[Math.max(0, Math.min(bins - 1, k))]++;
                }
                for (long n : counts) {
                    maxCount = Math.max(maxCount, n);
                }
                double mean = sel.length == 0 ? Double.NaN : Arrays.stream(sel).sum() / sel.length;
                cells.add(new Cell(c.title(), row, sel.length, counts, mean, median(sel)));
            }
        }
        return new Data(quantity, columns.stream().map(Column::title).toList(), rows, bins, lower, upper, maxCount,
                cells);
    }

    private static double[] select(Column c, String row) {
        if (row.equals(ALL)) {
            return c.values.clone();
        }
        boolean want = row.equals(CORRECT);
        return java.util.stream.IntStream.range(0, c.values.length).filter(i -> c.correct[i] == want)
                .mapToDouble(i -> c.values[i]).toArray();
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * Draws the grid: the title on top, the cells below (columns left to right, rows top to bottom), the colour bar of
     * the counts on the right.
     *
     * @param name file stem, e.g. {@code grid-entropy-cqa}
     * @param title the figure's heading
     * @param data the grid's numbers, from {@link #compute}
     * @return the figure
     */
    public static Figure render(String name, String title, Data data) {
        int cols = data.columns().size();
        int rows = data.rows().size();
        int cellW = Math.max(CELL_W, (MIN_WIDTH - BAR_W - 2 * PAD) / cols);
        int width = 2 * PAD + cols * cellW + BAR_W;
        int height = TITLE_H + rows * CELL_H + PAD;
        List<XYChart> charts = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            long rowMax = 1;
            for (int c = 0; c < cols; c++) {
                for (long n : data.cell(r, c).counts) {
                    rowMax = Math.max(rowMax, n);
                }
            }
            double yMax = Math.ceil(rowMax * 1.12);
            for (int c = 0; c < cols; c++) {
                charts.add(cell(data, data.cell(r, c), cellW, yMax, r == rows - 1, c == 0));
            }
        }
        return new Figure(name, new Figure.Canvas() {
            @Override
            public int width() {
                return width;
            }

            @Override
            public int height() {
                return height;
            }

            @Override
            public void paint(Graphics2D g) {
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
                FontMetrics fm = g.getFontMetrics();
                g.drawString(title, Math.max(PAD, (width - BAR_W - fm.stringWidth(title)) / 2), PAD + fm.getAscent());
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                String sub = "colour = examples per bin (one scale for the grid); dashed: mean, dotted: median";
                fm = g.getFontMetrics();
                g.setColor(Color.DARK_GRAY);
                g.drawString(sub, Math.max(PAD, (width - BAR_W - fm.stringWidth(sub)) / 2), TITLE_H - 10);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        Graphics2D cg = (Graphics2D) g.create();
                        cg.translate(PAD + c * cellW, TITLE_H + r * CELL_H);
                        XYChart chart = charts.get(r * cols + c);
                        chart.paint(cg, chart.getWidth(), chart.getHeight());
                        cg.dispose();
                    }
                }
                colourBar(g, PAD + cols * cellW + 24, TITLE_H + 30, TITLE_H + rows * CELL_H - 60, data.maxCount());
            }
        });
    }

    private static XYChart cell(Data data, Cell cell, int width, double yMax, boolean bottom, boolean left) {
        XYChart chart = new XYChartBuilder().width(width).height(CELL_H)
                .title((cell.column().isEmpty() ? "" : cell.column() + " · ") + cell.row() + " (n=" + cell.n() + ")")
                .xAxisTitle(data.quantity()).yAxisTitle("examples").build();
        var st = chart.getStyler();
        Style.apply(st);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setLegendBorderColor(Color.WHITE);
        st.setLegendPadding(7);
        st.setChartPadding(6);
        st.setXAxisTitleVisible(bottom);
        st.setYAxisTitleVisible(left);
        st.setXAxisMin(data.lower()).setXAxisMax(data.upper());
        st.setYAxisMin(0.0).setYAxisMax(yMax);
        st.setYAxisDecimalPattern("#,##0");
        st.setXAxisTickMarkSpacingHint(60);
        double[] edge = new double[data.bins() + 1];
        for (int k = 0; k <= data.bins(); k++) {
            edge[k] = data.edge(k);
        }
        for (int k = 0; k < data.bins(); k++) {
            long n = cell.counts[k];
            if (n == 0) {
                continue;
            }
            Color fill = Style.viridis((double) n / data.maxCount());
            XYSeries bar = chart.addSeries("bin " + k, new double[] {edge[k], edge[k], edge[k + 1], edge[k + 1]},
                    new double[] {0, n, n, 0});
            bar.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            bar.setMarker(SeriesMarkers.NONE);
            bar.setFillColor(fill);
            bar.setLineColor(Color.WHITE);
            bar.setLineWidth(0.5f);
            bar.setShowInLegend(false);
        }
        if (cell.n() == 0) {
            XYSeries none = chart.addSeries("no examples", new double[] {data.lower(), data.upper()},
                    new double[] {0, 0});
            none.setMarker(SeriesMarkers.NONE);
            none.setLineColor(Color.GRAY);
            none.setShowInLegend(false);
            st.setLegendVisible(false);
            st.setXAxisTicksVisible(false); // an empty cell's own ticks can print the range's raw digits
            chart.addAnnotation(new AnnotationText("no examples", (data.lower() + data.upper()) / 2, yMax / 2,
                    false));
            return chart;
        }
        // enough decimals to tell values a bin apart: a narrow range (entropies all near log C) needs more
        double binWidth = (data.upper() - data.lower()) / data.bins();
        // (significant digits, so that values far below 1, like a tiny model's MI, do not all print as 0.000000)
        int decimals = Math.max(2, Math.min(6, (int) Math.ceil(-Math.log10(binWidth))));
        double scale = Math.max(Math.abs(cell.mean()), Math.abs(cell.median()));
        String fmt = scale > 0 && scale < 1e-3 ? "%s %.3g" : "%s %." + decimals + "f";
        vertical(chart, String.format(Locale.ROOT, fmt, "mean", cell.mean()), cell.mean(), yMax, MEAN, Style.DASHED);
        vertical(chart, String.format(Locale.ROOT, fmt, "median", cell.median()), cell.median(), yMax, MEDIAN,
                Style.DOTTED);
        return chart;
    }

    private static void vertical(XYChart chart, String label, double x, double height, Color color,
                                 java.awt.BasicStroke stroke) {
        XYSeries s = chart.addSeries(label, new double[] {x, x}, new double[] {0, height});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new java.awt.BasicStroke(2f, stroke.getEndCap(), stroke.getLineJoin(), stroke.getMiterLimit(),
                stroke.getDashArray(), 0f));
    }

    /**
     * Colour-bar ticks for counts 0..max: multiples of a step of 1, 2 or 5 times a power of ten (at most about six
     * ticks), and max itself at the top unless it would crowd the last multiple.
     */
    static java.util.TreeSet<Long> ticks(long max) {
        double raw = Math.max(1.0, max / 5.0);
        long mag = 1;
        while (mag * 10 <= raw) {
            mag *= 10; // 10^floor(log10 raw)
        }
        long best = mag * 10;
        for (long m : new long[] {1, 2, 5}) {
            if (mag * m >= raw) {
                best = mag * m;
                break;
            }
        }
        java.util.TreeSet<Long> t = new java.util.TreeSet<>();
        for (long v = 0; v <= max; v += best) {
            t.add(v);
        }
        if (max - t.last() >= 0.3 * best) {
            t.add(max);
        }
        return t;
    }

    /** A vertical viridis bar from 0 (bottom) to {@code max} (top) with integer ticks. */
    private static void colourBar(Graphics2D g, int x, int top, int bottom, long max) {
        int w = 16;
        int h = Math.max(40, bottom - top);
        int steps = 128;
        for (int i = 0; i < steps; i++) {
            int y0 = top + h - (int) Math.round((i + 1) * (double) h / steps);
            int y1 = top + h - (int) Math.round(i * (double) h / steps);
            g.setColor(Style.viridis((i + 0.5) / steps));
            g.fillRect(x, y0, w, y1 - y0);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, top, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        g.drawString("examples", x - 8, top - 20);
        g.drawString("per bin", x - 8, top - 20 + fm.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        fm = g.getFontMetrics();
        long top1 = Math.max(1, max);
        java.util.TreeSet<Long> ticks = ticks(top1);
        for (long t : ticks) {
            int y = top + h - (int) Math.round((double) t / top1 * h);
            g.drawLine(x + w, y, x + w + 4, y);
            g.drawString(String.format(Locale.ROOT, "%,d", t), x + w + 7, y + fm.getAscent() / 2 - 1);
        }
    }
}
