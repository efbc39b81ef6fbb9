package ai.bayeslora.uncertainty;

import ai.bayeslora.uncertainty.metrics.Aupr;
import ai.bayeslora.uncertainty.metrics.Auroc;
import ai.bayeslora.uncertainty.metrics.DetectionProblem;
import ai.bayeslora.uncertainty.metrics.MetricReport;
import ai.bayeslora.uncertainty.metrics.RiskCoverageCurve;
import ai.bayeslora.uncertainty.metrics.SelectivePrediction;
import ai.bayeslora.uncertainty.metrics.UndefinedMetricException;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Every metric of a posterior on a labelled dataset (METHODS.md §7) plus the per-example table: accuracy, NLL, Brier,
 * ECE/MCE with the bin count, mean entropies, misclassification AUROC/AUPR per score, the risk–coverage curve and
 * AURC. Immutable.
 */
public final class EvaluationReport {
    private final String posterior;
    private final String dataset;
    private final Prediction prediction;
    private final int[] labels;
    private final MetricReport metrics;
    private final RiskCoverageCurve selective;
    private final Map<DetectionScore, double[]> misclassification; // {AUROC, AUPR}, NaN when undefined

    EvaluationReport(String posterior, String dataset, Prediction prediction, int[] labels, MetricReport metrics) {
        this.posterior = posterior;
        this.dataset = dataset;
        this.prediction = prediction;
        this.labels = labels.clone();
        this.metrics = metrics;
        boolean[] correct = new boolean[labels.length];
        int[] pred = prediction.predicted();
        boolean[] wrong = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) {
            correct[i] = pred[i] == labels[i];
            wrong[i] = !correct[i];
        }
        this.selective = SelectivePrediction.compute(prediction.confidence(), correct);
        this.misclassification = new EnumMap<>(DetectionScore.class);
        for (DetectionScore s : DetectionScore.values()) {
            double[] scores = s.scores(prediction.uncertainty(), prediction.confidence());
            misclassification.put(s, detection(DetectionProblem.of(scores, wrong)));
        }
    }

    static double[] detection(DetectionProblem p) {
        try {
            return new double[] {Auroc.compute(p), Aupr.compute(p)};
        } catch (UndefinedMetricException e) {
            return new double[] {Double.NaN, Double.NaN}; // all correct or all wrong: undefined
        }
    }

    /** {@return the name of the evaluated posterior} */
    public String posterior() {
        return posterior;
    }

    /** {@return the name of the dataset} */
    public String dataset() {
        return dataset;
    }

    /** {@return the predictive on every example (per-member probabilities, mean, decomposition)} */
    public Prediction prediction() {
        return prediction;
    }

    /** {@return the true class indices} */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * Accuracy, NLL, Brier, ECE/MCE and the uncertainty decomposition.
     *
     * @return the metrics of the predictive
     */
    public MetricReport metrics() {
        return metrics;
    }

    /**
     * Accuracy–coverage curve and AURC.
     *
     * @return the risk–coverage curve
     */
    public RiskCoverageCurve selectivePrediction() {
        return selective;
    }

    /**
     * Misclassification-detection AUROC with this score; empty when every prediction is right (or every one wrong).
     *
     * @param score the uncertainty score (higher = more likely wrong)
     * @return the AUROC, or empty when undefined
     */
    public OptionalDouble misclassificationAuroc(DetectionScore score) {
        double v = misclassification.get(score)[0];
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * Misclassification-detection AUPR (misclassified = positive) with this score.
     *
     * @param score the uncertainty score (higher = more likely wrong)
     * @return the AUPR, or empty when undefined (as for the AUROC)
     */
    public OptionalDouble misclassificationAupr(DetectionScore score) {
        double v = misclassification.get(score)[1];
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** {@return whether example i was predicted correctly} */
    public boolean[] correct() {
        int[] pred = prediction.predicted();
        boolean[] c = new boolean[labels.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = pred[i] == labels[i];
        }
        return c;
    }

    /** {@return how the members or samples were combined into the predictive (docs/METHODS.md §4)} */
    public MemberAveraging averaging() {
        return prediction.averaging();
    }

    /** {@return one line: accuracy, NLL, ECE (bins), Brier, mean entropies, AURC and the averaging} */
    public String summary() {
        return String.format(Locale.ROOT, "%s on %s: acc %.4f  NLL %.4f  ECE(%d bins) %.4f  Brier %.4f  "
                        + "H %.4f  E[H] %.4f  MI %.4f  AURC %.4f  (averaging %s)", posterior, dataset,
                metrics.accuracy(), metrics.nll(), metrics.eceBins(), metrics.ece(), metrics.brier(),
                metrics.meanPredictiveEntropy(), metrics.meanExpectedEntropy(), metrics.meanMutualInformation(),
                selective.aurc(), averaging().cliName());
    }

    /** {@return the names of the columns of {@link #rows()}} */
    public List<String> columns() {
        List<String> cols = new java.util.ArrayList<>(List.of("id", "label", "predicted", "correct", "confidence",
                "predictive_entropy", "expected_entropy", "mutual_information"));
        for (String l : prediction.classLabels()) {
            cols.add("p_" + l);
        }
        return cols;
    }

    /** {@return the per-example table, one row per example, values aligned with {@link #columns()}} */
    public List<List<Object>> rows() {
        List<List<Object>> rows = new java.util.ArrayList<>();
        double[][] mean = prediction.mean();
        double[] conf = prediction.confidence();
        int[] pred = prediction.predicted();
        var u = prediction.uncertainty();
        double[] tot = u.total();
        double[] ale = u.aleatoric();
        double[] epi = u.epistemic();
        List<String> labelsText = prediction.classLabels();
        for (int i = 0; i < labels.length; i++) {
            List<Object> r = new java.util.ArrayList<>();
            r.add(prediction.exampleIds().isEmpty() ? String.valueOf(i) : prediction.exampleIds().get(i));
            r.add(labelsText.get(labels[i]));
            r.add(labelsText.get(pred[i]));
            r.add(pred[i] == labels[i]);
            r.add(conf[i]);
            r.add(tot[i]);
            r.add(ale[i]);
            r.add(epi[i]);
            for (double v : mean[i]) {
                r.add(v);
            }
            rows.add(r);
        }
        return rows;
    }
}
