package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.metrics.internal.Checks;
import ai.bayeslora.uncertainty.metrics.internal.Ranks;

/**
 * Selective prediction (METHODS.md §7, Geifman et al. 2018): sort the examples by confidence, descending, with ties
 * keeping the input order (a stable sort; this fixes the curve inside a tie block, which otherwise depends on the
 * sort implementation). For k = 1 … N the risk at coverage k/N is the error rate among the k first examples:
 * <pre>
 *   risk(k) = (1/k) Σ_{i ≤ k} 1[example order_i is wrong],     AURC = (1/N) Σ_{k=1..N} risk(k)
 * </pre>
 * The default confidence is max_c p̄_c; any other (e.g. −entropy) can be passed with correctness flags.
 */
public final class SelectivePrediction {
    private SelectivePrediction() {
    }

    /**
     * Curve and AURC with confidence max_c p̄_c and correctness arg max = label.
     *
     * @param data predictive probabilities with labels
     * @return the risk–coverage curve
     */
    public static RiskCoverageCurve compute(LabeledProbabilities data) {
        return compute(data.confidences(), data.correctness());
    }

    /**
     * Probabilities [N][C] and labels [N]; see {@link LabeledProbabilities#of(double[][], int[])} for validation.
     *
     * @param probabilities p̄ [N][C], rows summing to 1
     * @param labels true classes [N], in [0, C)
     * @return the risk–coverage curve
     */
    public static RiskCoverageCurve compute(double[][] probabilities, int[] labels) {
        return compute(LabeledProbabilities.of(probabilities, labels));
    }

    /**
     * From any confidence (higher = more confident, NaN rejected, ±∞ allowed) and correctness flags.
     *
     * @param confidences one confidence per example
     * @param correct whether each example's prediction is right
     * @return the risk–coverage curve
     * @throws InvalidMetricInputException if empty, the lengths differ or a confidence is NaN
     */
    public static RiskCoverageCurve compute(double[] confidences, boolean[] correct) {
        int n = confidences.length;
        Checks.nonEmpty(n, "selective prediction");
        Checks.sameLength(n, "confidences", correct.length, "correctness flags");
        Checks.scores(confidences, "confidence");
        Integer[] sorted = Ranks.stableOrder(confidences, true);
        int[] order = new int[n];
        double[] coverage = new double[n];
        double[] risk = new double[n];
        double[] accuracy = new double[n];
        int errors = 0;
        double riskSum = 0;
        for (int k = 1; k <= n; k++) {
            int idx = sorted[k - 1];
            order[k - 1] = idx;
            errors += correct[idx] ? 0 : 1;
            coverage[k - 1] = (double) k / n;
            risk[k - 1] = (double) errors / k;
            accuracy[k - 1] = (double) (k - errors) / k;
            riskSum += risk[k - 1];
        }
        return new RiskCoverageCurve(order, coverage, risk, accuracy, riskSum / n);
    }
}
