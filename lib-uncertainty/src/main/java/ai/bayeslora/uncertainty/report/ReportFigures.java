package ai.bayeslora.uncertainty.report;

import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.OodReport;
import ai.bayeslora.uncertainty.Prediction;
import ai.bayeslora.uncertainty.plot.EpochCurves;
import ai.bayeslora.uncertainty.plot.Figure;
import ai.bayeslora.uncertainty.plot.HistogramGrid;
import ai.bayeslora.uncertainty.plot.ReliabilityDiagram;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds a report's figures and says where each belongs: the per-epoch curves under "Per-epoch evolution", the
 * histogram grids (Figures 2–4) and reliability diagrams under "Figures", grouped by dataset, and the in-domain
 * against out-of-domain grids under their OOD pair.
 */
final class ReportFigures {
    /** Section keys of {@link Placed#section()}. */
    static final String EVOLUTION = "epochs";
    static final String FIGURES = "figures";

    /**
     * A figure and its place.
     *
     * @param figure the figure
     * @param section {@link #EVOLUTION} or {@link #FIGURES}
     * @param group the heading it goes under: a dataset's name, or "OOD: …" for an OOD pair
     * @param caption one line under the figure
     * @param grid the numbers of a histogram grid (for report.json), or null for other figures
     */
    record Placed(Figure figure, String section, String group, String caption, HistogramGrid.Data grid) {
    }

    /** A per-example uncertainty the grids show. */
    private record Quantity(String slug, String label, Function<Prediction, double[]> values, boolean needsSamples) {
    }

    private static final List<Quantity> QUANTITIES = List.of(
            new Quantity("entropy", "predictive entropy (nats)", p -> p.uncertainty().total(), false),
            new Quantity("expected-entropy", "expected entropy (nats)", p -> p.uncertainty().aleatoric(), true),
            new Quantity("mi", "mutual information (nats)", p -> p.uncertainty().epistemic(), true));

    private ReportFigures() {
    }

    static List<Placed> build(List<EvaluationReport> evaluations, List<OodReport> oods,
                              List<UncertaintyReport.EpochSeries> series,
                              List<UncertaintyReport.EpochHistograms> histograms) {
        List<Placed> out = new ArrayList<>();
        for (UncertaintyReport.EpochSeries s : series) {
            Figure f = EpochCurves.render("epochs-" + UncertaintyReport.slug(s.metric()), s.metric() + " per epoch",
                    s.metric(), s.epochs(), s.series());
            out.add(new Placed(f, EVOLUTION, "", s.metric() + " per epoch", null));
        }
        // evaluations that are a column of a per-epoch grid need no grid of their own
        Set<EvaluationReport> inGrids = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<String> names = new java.util.HashSet<>();
        for (UncertaintyReport.EpochHistograms h : histograms) {
            if (h.reports().size() != h.epochs().size()) {
                throw new IllegalArgumentException("epoch histograms '" + h.label() + "': " + h.reports().size()
                        + " evaluations for " + h.epochs().size() + " epochs");
            }
            if (h.reports().isEmpty()) {
                continue;
            }
            inGrids.addAll(h.reports());
            String dataset = h.reports().get(0).dataset();
            boolean sampled = h.reports().stream().allMatch(r -> r.prediction().samples().samples() > 1);
            for (Quantity q : QUANTITIES) {
                if (q.needsSamples() && !sampled) {
                    continue; // one sample: expected entropy equals the predictive entropy and MI is 0
                }
                List<HistogramGrid.Column> cols = new ArrayList<>();
                for (int i = 0; i < h.epochs().size(); i++) {
                    EvaluationReport r = h.reports().get(i);
                    cols.add(new HistogramGrid.Column("epoch " + h.epochs().get(i), q.values().apply(r.prediction()),
                            r.correct()));
                }
                HistogramGrid.Data d = HistogramGrid.compute(q.label(), cols, HistogramGrid.DEFAULT_BINS);
                String title = capitalised(q.label()) + " per epoch: " + h.label();
                String name = "grid-" + q.slug() + "-" + UncertaintyReport.slug(h.label());
                for (int k = 2; !names.add(name); k++) {
                    name = "grid-" + q.slug() + "-" + UncertaintyReport.slug(h.label()) + "-" + k; // a repeated label
                }
                out.add(new Placed(HistogramGrid.render(name, title, d), FIGURES, dataset, title, d));
            }
        }
        for (int i = 0; i < evaluations.size(); i++) {
            EvaluationReport r = evaluations.get(i);
            String key = UncertaintyReport.key(i, r);
            var cal = r.metrics().calibration();
            long[] counts = new long[cal.counts().length];
            for (int b = 0; b < counts.length; b++) {
                counts[b] = cal.counts()[b];
            }
            String what = r.posterior() + " on " + r.dataset();
            out.add(new Placed(ReliabilityDiagram.render("reliability-" + key, what, cal.accuracy(),
                    cal.confidence(), counts, cal.ece()), FIGURES, r.dataset(), "Reliability diagram: " + what, null));
            if (inGrids.contains(r)) {
                continue;
            }
            for (Quantity q : QUANTITIES) {
                if (q.needsSamples() && r.prediction().samples().samples() <= 1) {
                    continue;
                }
                HistogramGrid.Data d = HistogramGrid.compute(q.label(), List.of(new HistogramGrid.Column("",
                        q.values().apply(r.prediction()), r.correct())), HistogramGrid.DEFAULT_BINS);
                String title = capitalised(q.label()) + ": " + what;
                out.add(new Placed(HistogramGrid.render("grid-" + q.slug() + "-" + key, title, d), FIGURES,
                        r.dataset(), title, d));
            }
        }
        for (int i = 0; i < oods.size(); i++) {
            OodReport o = oods.get(i);
            // a comparison's OOD report shares the in-domain evaluation's prediction: that names the in-domain set
            String inName = "in-domain";
            for (EvaluationReport r : evaluations) {
                if (r.prediction() == o.inDomain()) {
                    inName = "in-domain (" + r.dataset() + ")";
                    break;
                }
            }
            boolean sampled = o.inDomain().samples().samples() > 1 && o.outOfDomain().samples().samples() > 1;
            for (Quantity q : QUANTITIES) {
                if (q.needsSamples() && !sampled) {
                    continue;
                }
                // no labels on the OOD side: one row "all", the in-domain set beside it on the same axis
                HistogramGrid.Data d = HistogramGrid.compute(q.label(), List.of(
                        new HistogramGrid.Column(inName, q.values().apply(o.inDomain()), null),
                        new HistogramGrid.Column("out-of-domain", q.values().apply(o.outOfDomain()), null)),
                        HistogramGrid.DEFAULT_BINS);
                String title = capitalised(q.label()) + ", OOD detection: " + o.posterior();
                out.add(new Placed(HistogramGrid.render("grid-ood-" + q.slug() + "-" + (i + 1) + "-"
                        + UncertaintyReport.slug(o.posterior()), title, d), FIGURES, "OOD detection", title, d));
            }
        }
        return out;
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1).replace(" (nats)", "");
    }
}
