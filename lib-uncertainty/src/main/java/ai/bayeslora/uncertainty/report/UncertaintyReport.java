package ai.bayeslora.uncertainty.report;

import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.uncertainty.Comparison;
import ai.bayeslora.uncertainty.DetectionScore;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.OodReport;
import ai.bayeslora.uncertainty.plot.Figure;
import ai.bayeslora.uncertainty.plot.HistogramGrid;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A report folder: {@code report.json} (the run's metadata, every metric, the reliability bins, the histogram grids'
 * numbers), one CSV per evaluation with the per-example table, figures as PNG under {@code figures/} (and SVG when
 * {@link Builder#svg(boolean)} asks for it), and a
 * self-contained {@code report.html} with the figures embedded, in sections with a table of contents: run metadata,
 * metrics, OOD detection, selective prediction, per-epoch evolution, figures by dataset and epoch (docs/GUIDE.md,
 * "Reports and figures"). Built with {@link #builder(String)}; {@link #writeTo(Path)} writes into a temporary sibling
 * folder and moves it into place.
 */
public final class UncertaintyReport {
    private final String title;
    private final List<String> notes;
    private final List<EvaluationReport> evaluations;
    private final List<OodReport> oodReports;
    private final Comparison comparison;
    private final List<EpochSeries> epochSeries;
    private final List<EpochHistograms> histograms;
    private final RunMetadata metadata;
    /** Whether figures are also written as SVG (default false: PNG only). */
    private final boolean svg;

    /** Coverages at which the selective-prediction table and report.json give the accuracy. */
    static final double[] COVERAGES = {0.5, 0.8, 0.9, 1.0};

    /** A metric per epoch for several named series (e.g. M=1, M=5): the paper's Figure 1 panels. */
    public record EpochSeries(String metric, int[] epochs, Map<String, double[]> series) {
    }

    /**
     * Per-epoch evaluations of one posterior on one dataset, for the histogram grids of predictive entropy, expected
     * entropy and mutual information (the ensemble paper's Figures 2–4: one column per epoch, correct and incorrect
     * predictions as rows).
     *
     * @param label the posterior and dataset, e.g. "ensemble (M=5) on cqa" (figure titles and names)
     * @param epochs the epochs, aligned with {@code reports}
     * @param reports the evaluation at each epoch, all on the same dataset
     */
    public record EpochHistograms(String label, List<Integer> epochs, List<EvaluationReport> reports) {
    }

    private UncertaintyReport(Builder b) {
        this.title = b.title;
        this.notes = List.copyOf(b.notes);
        this.evaluations = List.copyOf(b.evaluations);
        this.oodReports = List.copyOf(b.ood);
        this.comparison = b.comparison;
        this.epochSeries = List.copyOf(b.epochSeries);
        this.histograms = List.copyOf(b.histograms);
        this.metadata = b.metadata;
        this.svg = b.svg;
    }

    /** {@return whether figures are also written as SVG next to the PNGs ({@link Builder#svg(boolean)})} */
    public boolean svg() {
        return svg;
    }

    /**
     * {@return a builder for a report with this title}
     *
     * @param title the report's heading
     */
    public static Builder builder(String title) {
        return new Builder(title);
    }

    /** Collects the parts of a report. */
    public static final class Builder {
        private final String title;
        private final List<String> notes = new ArrayList<>();
        private final List<EvaluationReport> evaluations = new ArrayList<>();
        private final List<OodReport> ood = new ArrayList<>();
        private Comparison comparison;
        private final List<EpochSeries> epochSeries = new ArrayList<>();
        private final List<EpochHistograms> histograms = new ArrayList<>();
        private RunMetadata metadata;
        private boolean svg;

        private Builder(String title) {
            this.title = title;
        }

        /**
         * Adds a paragraph shown at the top (e.g. "the bundled model is tiny and random").
         *
         * @param text the paragraph
         * @return this builder
         */
        public Builder note(String text) {
            notes.add(text);
            return this;
        }

        /**
         * Sets what produced the report (command line, model, adapters, seeds, settings); none by default.
         *
         * @param m the run's metadata
         * @return this builder
         */
        public Builder metadata(RunMetadata m) {
            this.metadata = m;
            return this;
        }

        /**
         * Also write every figure as SVG next to its PNG (default false). The HTML embeds the PNGs either way; SVG
         * is for print-quality reuse and is about ten times larger (docs/GUIDE.md, "Reports and figures").
         *
         * @param on whether to write SVG files
         * @return this builder
         */
        public Builder svg(boolean on) {
            this.svg = on;
            return this;
        }

        /**
         * Adds an evaluation: a row of the metrics tables, its CSV, reliability diagram and histogram grids.
         *
         * @param r the evaluation
         * @return this builder
         */
        public Builder evaluation(EvaluationReport r) {
            evaluations.add(r);
            return this;
        }

        /**
         * Adds an OOD detection result: a row of the OOD table and in-domain against OOD grids.
         *
         * @param r the OOD result
         * @return this builder
         */
        public Builder ood(OodReport r) {
            ood.add(r);
            return this;
        }

        /**
         * Adds a comparison; its evaluations and OOD reports are added too.
         *
         * @param c the comparison
         * @return this builder
         */
        public Builder comparison(Comparison c) {
            this.comparison = c;
            for (Comparison.Entry e : c.entries()) {
                evaluations.add(e.evaluation());
                if (e.ood() != null) {
                    ood.add(e.ood());
                }
            }
            return this;
        }

        /**
         * Adds a metric per epoch: a table under "Per-epoch evolution" and a curve.
         *
         * @param s the series
         * @return this builder
         */
        public Builder epochSeries(EpochSeries s) {
            epochSeries.add(s);
            return this;
        }

        /**
         * Adds per-epoch evaluations of one posterior on one dataset: one histogram grid per quantity.
         *
         * @param h the evaluations
         * @return this builder
         */
        public Builder epochHistograms(EpochHistograms h) {
            histograms.add(h);
            return this;
        }

        /** {@return the report} */
        public UncertaintyReport build() {
            return new UncertaintyReport(this);
        }
    }

    /**
     * Writes the report folder atomically and returns the path of {@code report.html}. An existing folder is replaced
     * only if this library wrote it (or it is empty).
     *
     * @param dir the report folder
     * @return the path of {@code report.html}
     * @throws ai.bayeslora.core.io.OutputConflictException if {@code dir} is a file or a folder of other files
     */
    public Path writeTo(Path dir) {
        return writeTo(dir, AtomicOutput.Replace.OWN);
    }

    /**
     * As {@link #writeTo(Path)}, with {@code replace} saying which existing folder may be replaced.
     *
     * @param dir the report folder
     * @param replace which existing folder may be replaced
     * @return the path of {@code report.html}
     */
    public Path writeTo(Path dir, AtomicOutput.Replace replace) {
        AtomicOutput.writeFolder(dir, "uncertainty-report", replace, tmp -> {
            List<ReportFigures.Placed> placed = placedFigures();
            for (ReportFigures.Placed p : placed) {
                p.figure().writeTo(tmp.resolve("figures"), svg);
            }
            for (int i = 0; i < evaluations.size(); i++) {
                EvaluationReport r = evaluations.get(i);
                AtomicOutput.writeString(tmp.resolve(csvName(i, r)), Csv.of(r.columns(), r.rows()));
            }
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            AtomicOutput.writeString(tmp.resolve("report.json"), json.writeValueAsString(toJson(placed)));
            AtomicOutput.writeString(tmp.resolve("report.html"), new Html(this, placed).render());
        });
        return dir.resolve("report.html");
    }

    /** {@return every figure of the report, in the order of report.html} */
    public List<Figure> figures() {
        return placedFigures().stream().map(ReportFigures.Placed::figure).toList();
    }

    /** {@return the numbers of every histogram grid of the report (Figures 2–4), in the order of report.html} */
    public List<HistogramGrid.Data> histogramGrids() {
        return placedFigures().stream().map(ReportFigures.Placed::grid).filter(java.util.Objects::nonNull).toList();
    }

    List<ReportFigures.Placed> placedFigures() {
        return ReportFigures.build(evaluations, oodReports, epochSeries, histograms);
    }

    String title() {
        return title;
    }

    List<String> notes() {
        return notes;
    }

    List<EvaluationReport> evaluations() {
        return evaluations;
    }

    List<OodReport> oodReports() {
        return oodReports;
    }

    Comparison comparison() {
        return comparison;
    }

    List<EpochSeries> epochSeries() {
        return epochSeries;
    }

    /** {@return the run's metadata, or null when none was given} */
    public RunMetadata metadata() {
        return metadata;
    }

    private Map<String, Object> toJson(List<ReportFigures.Placed> placed) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("title", title);
        root.put("notes", notes);
        root.put("run", metadata == null ? null : metadata.toJson());
        List<Map<String, Object>> evals = new ArrayList<>();
        for (int i = 0; i < evaluations.size(); i++) {
            EvaluationReport r = evaluations.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            var x = r.metrics();
            m.put("posterior", r.posterior());
            m.put("dataset", r.dataset());
            m.put("examples", x.examples());
            m.put("classes", r.prediction().classLabels());
            m.put("samples", x.samples());
            m.put("averaging", r.averaging().cliName());
            m.put("accuracy", x.accuracy());
            m.put("nll", x.nll());
            m.put("brier", x.brier());
            m.put("ece", x.ece());
            m.put("mce", x.mce());
            m.put("ece_bins", x.eceBins());
            m.put("mean_predictive_entropy", x.meanPredictiveEntropy());
            m.put("mean_expected_entropy", x.meanExpectedEntropy());
            m.put("mean_mutual_information", x.meanMutualInformation());
            m.put("aurc", r.selectivePrediction().aurc());
            Map<String, Object> mis = new LinkedHashMap<>();
            for (DetectionScore s : DetectionScore.values()) {
                mis.put(s.label(), Map.of("auroc", nan(r.misclassificationAuroc(s)), "aupr",
                        nan(r.misclassificationAupr(s))));
            }
            m.put("misclassification_detection", mis);
            Map<String, Object> acc = new LinkedHashMap<>();
            for (double c : COVERAGES) {
                acc.put(String.format(Locale.ROOT, "%.2f", c), accuracyAtCoverage(r, c));
            }
            m.put("accuracy_at_coverage", acc);
            m.put("calibration_bins", calibrationBins(r));
            m.put("examples_csv", csvName(i, r));
            evals.add(m);
        }
        root.put("evaluations", evals);
        List<Map<String, Object>> oods = new ArrayList<>();
        for (OodReport o : oodReports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("posterior", o.posterior());
            m.put("in_domain", o.inDomain().size());
            m.put("out_of_domain", o.outOfDomain().size());
            for (DetectionScore s : DetectionScore.values()) {
                m.put(s.label(), Map.of("auroc", o.auroc(s), "aupr", o.aupr(s)));
            }
            oods.add(m);
        }
        root.put("ood_detection", oods);
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochSeries s : epochSeries) {
            epochs.add(Map.of("metric", s.metric(), "epochs", s.epochs(), "series", s.series()));
        }
        root.put("epoch_series", epochs);
        List<Map<String, Object>> grids = new ArrayList<>();
        for (ReportFigures.Placed p : placed) {
            if (p.grid() == null) {
                continue;
            }
            HistogramGrid.Data d = p.grid();
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("figure", p.figure().name());
            g.put("title", p.caption());
            g.put("dataset", p.group());
            g.put("quantity", d.quantity());
            g.put("bins", d.bins());
            g.put("lower", d.lower());
            g.put("upper", d.upper());
            g.put("max_count", d.maxCount());
            g.put("columns", d.columns());
            g.put("rows", d.rows());
            List<Map<String, Object>> cells = new ArrayList<>();
            for (HistogramGrid.Cell c : d.cells()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("column", c.column());
                x.put("row", c.row());
                x.put("n", c.n());
                x.put("mean", finiteOrNull(c.mean()));
                x.put("median", finiteOrNull(c.median()));
                x.put("counts", c.counts());
                cells.add(x);
            }
            g.put("cells", cells);
            grids.add(g);
        }
        root.put("histogram_grids", grids);
        return root;
    }

    /**
     * The reliability diagram's bins: edges, count, mean confidence and accuracy (null for an empty bin, where there
     * is nothing to average; docs/METHODS.md §7).
     */
    static List<Map<String, Object>> calibrationBins(EvaluationReport r) {
        var cal = r.metrics().calibration();
        int[] counts = cal.counts();
        double[] conf = cal.confidence();
        double[] acc = cal.accuracy();
        List<Map<String, Object>> bins = new ArrayList<>();
        for (int b = 0; b < counts.length; b++) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("lower", cal.lowerEdge(b));
            x.put("upper", cal.upperEdge(b));
            x.put("count", counts[b]);
            x.put("confidence", counts[b] == 0 ? null : conf[b]);
            x.put("accuracy", counts[b] == 0 ? null : acc[b]);
            bins.add(x);
        }
        return bins;
    }

    /**
     * Accuracy among the ⌈c·N⌉ most confident examples (the accuracy–coverage curve at coverage c; ties in confidence
     * keep the input order, docs/METHODS.md §7).
     */
    static double accuracyAtCoverage(EvaluationReport r, double c) {
        double[] acc = r.selectivePrediction().accuracy();
        int k = Math.max(1, (int) Math.ceil(c * acc.length - 1e-9));
        return acc[Math.min(acc.length, k) - 1];
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Object nan(java.util.OptionalDouble v) {
        return v.isPresent() ? (Object) v.getAsDouble() : "undefined";
    }

    /** File-name key of evaluation i: its position keeps names unique when posteriors share a name. */
    static String key(int i, EvaluationReport r) {
        return (i + 1) + "-" + slug(r.posterior() + "-" + r.dataset());
    }

    static String csvName(int i, EvaluationReport r) {
        return "examples-" + key(i, r) + ".csv";
    }

    static String slug(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

}
