package ai.bayeslora.uncertainty.report;

import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.uncertainty.Comparison;
import ai.bayeslora.uncertainty.DetectionScore;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.OodReport;
import ai.bayeslora.uncertainty.plot.EpochCurves;
import ai.bayeslora.uncertainty.plot.Figure;
import ai.bayeslora.uncertainty.plot.ReliabilityDiagram;
import ai.bayeslora.uncertainty.plot.UncertaintyHistogram;
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
 * A report folder: {@code report.json} (every metric), one CSV per evaluation with the per-example table, figures as
 * PNG and SVG under {@code figures/}, and a self-contained {@code report.html} with the figures embedded. Built with
 * {@link #builder(String)}; {@link #writeTo(Path)} writes into a temporary sibling folder and moves it into place.
 */
public final class UncertaintyReport {
    private final String title;
    private final List<String> notes;
    private final List<EvaluationReport> evaluations;
    private final List<OodReport> oodReports;
    private final Comparison comparison;
    private final List<EpochSeries> epochSeries;
    private final List<EpochHistograms> histograms;

    /** A metric per epoch for several named series (e.g. M=1, M=5): the paper's Figure 1 panels. */
    public record EpochSeries(String metric, int[] epochs, Map<String, double[]> series) {
    }

    /** Per-epoch evaluations of one posterior on one dataset, for the entropy and MI histograms (Figures 2–4). */
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
    }

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

        private Builder(String title) {
            this.title = title;
        }

        /** A paragraph shown at the top (e.g. "the bundled model is tiny and random"). */
        public Builder note(String text) {
            notes.add(text);
            return this;
        }

        public Builder evaluation(EvaluationReport r) {
            evaluations.add(r);
            return this;
        }

        public Builder ood(OodReport r) {
            ood.add(r);
            return this;
        }

        /** A comparison; its evaluations and OOD reports are added too. */
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

        public Builder epochSeries(EpochSeries s) {
            epochSeries.add(s);
            return this;
        }

        public Builder epochHistograms(EpochHistograms h) {
            histograms.add(h);
            return this;
        }

        public UncertaintyReport build() {
            return new UncertaintyReport(this);
        }
    }

    /**
     * Writes the report folder atomically and returns the path of {@code report.html}. An existing folder is replaced
     * only if this library wrote it (or it is empty).
     *
     * @throws ai.bayeslora.core.io.OutputConflictException if {@code dir} is a file or a folder of other files
     */
    public Path writeTo(Path dir) {
        return writeTo(dir, AtomicOutput.Replace.OWN);
    }

    /** As {@link #writeTo(Path)}, with {@code replace} saying which existing folder may be replaced. */
    public Path writeTo(Path dir, AtomicOutput.Replace replace) {
        AtomicOutput.writeFolder(dir, "uncertainty-report", replace, tmp -> {
            List<Figure> figures = figures();
            for (Figure f : figures) {
                f.writeTo(tmp.resolve("figures"));
            }
            for (int i = 0; i < evaluations.size(); i++) {
                EvaluationReport r = evaluations.get(i);
                AtomicOutput.writeString(tmp.resolve(csvName(i, r)), Csv.of(r.columns(), r.rows()));
            }
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            AtomicOutput.writeString(tmp.resolve("report.json"), json.writeValueAsString(toJson()));
            AtomicOutput.writeString(tmp.resolve("report.html"), Html.render(title, notes, comparison, evaluations,
                    oodReports, figures));
        });
        return dir.resolve("report.html");
    }

    /** Every figure of the report. */
    public List<Figure> figures() {
        List<Figure> out = new ArrayList<>();
        for (int i = 0; i < evaluations.size(); i++) {
            EvaluationReport r = evaluations.get(i);
            String key = key(i, r);
            var cal = r.metrics().calibration();
            out.add(ReliabilityDiagram.render("reliability-" + key,
                    r.posterior() + " on " + r.dataset(), cal.accuracy(), cal.confidence(), toLong(cal.counts()),
                    cal.ece()));
            out.add(UncertaintyHistogram.render("entropy-" + key,
                    "Predictive entropy: " + r.posterior() + " on " + r.dataset(), "predictive entropy (nats)",
                    r.prediction().uncertainty().total(), r.correct(), 20));
            if (r.prediction().samples().samples() > 1) {
                out.add(UncertaintyHistogram.render("mi-" + key,
                        "Mutual information: " + r.posterior() + " on " + r.dataset(), "mutual information (nats)",
                        r.prediction().uncertainty().epistemic(), r.correct(), 20));
            }
        }
        for (EpochSeries s : epochSeries) {
            out.add(EpochCurves.render("epochs-" + slug(s.metric()), s.metric() + " per epoch", s.metric(), s.epochs(),
                    s.series()));
        }
        for (EpochHistograms h : histograms) {
            for (int i = 0; i < h.epochs().size(); i++) {
                EvaluationReport r = h.reports().get(i);
                int epoch = h.epochs().get(i);
                out.add(UncertaintyHistogram.render("entropy-" + slug(h.label()) + "-epoch-" + epoch,
                        "Predictive entropy, " + h.label() + ", epoch " + epoch, "predictive entropy (nats)",
                        r.prediction().uncertainty().total(), r.correct(), 20));
                out.add(UncertaintyHistogram.render("mi-" + slug(h.label()) + "-epoch-" + epoch,
                        "Mutual information, " + h.label() + ", epoch " + epoch, "mutual information (nats)",
                        r.prediction().uncertainty().epistemic(), r.correct(), 20));
            }
        }
        return out;
    }

    private Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("title", title);
        root.put("notes", notes);
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
        return root;
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

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

}
