package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.metrics.internal.Ranks;

/**
 * Area under the precision–recall curve as average precision (METHODS.md §7), the definition of scikit-learn's
 * {@code average_precision_score}, with positives = OOD (or misclassified) examples and a higher score meaning more
 * positive:
 * <pre>
 *   AP = Σ_k (R_k − R_{k−1}) P_k,   R_0 = 0
 * </pre>
 * over the distinct score thresholds t_1 > t_2 > … in decreasing order, where at threshold t_k every example with
 * score ≥ t_k is called positive, P_k = TP_k / (TP_k + FP_k) and R_k = TP_k / n₊. Tied scores form one threshold, so
 * a tie block enters with its pooled precision (no interpolation). The chance level is the positive fraction n₊ / N.
 *
 * <p>Unlike scikit-learn, which returns 1.0 when there are no negatives and warns when there are no positives, both
 * cases throw {@link UndefinedMetricException}: a detection metric with a single class measures nothing.
 */
public final class Aupr {
    private Aupr() {
    }

    /**
     * Average precision of the problem's scores.
     *
     * @param problem scores with their positive flags
     * @return the average precision, in [0, 1]
     * @throws UndefinedMetricException if only one class is present
     */
    public static double compute(DetectionProblem problem) {
        problem.requireBothClasses("AUPR");
        double[] s = problem.scores();
        Integer[] order = Ranks.stableOrder(s, true);
        int positives = problem.positiveCount();
        double ap = 0;
        int tp = 0;
        int seen = 0;
        int i = 0;
        while (i < order.length) {
            int tpBefore = tp;
            double threshold = s[order[i]];
            while (i < order.length && s[order[i]] == threshold) { // one threshold per distinct score
                tp += problem.positive(order[i]) ? 1 : 0;
                seen++;
                i++;
            }
            // (R_k − R_{k−1}) · P_k = ((TP_k − TP_{k−1}) / n₊) · (TP_k / (TP_k + FP_k))
            ap += (double) (tp - tpBefore) / positives * ((double) tp / seen);
        }
        return ap;
    }

    /**
     * Scores and positive flags; see {@link DetectionProblem#of}.
     *
     * @param scores detection scores (higher = more likely positive)
     * @param positives the true positives
     * @return the average precision, in [0, 1]
     */
    public static double compute(double[] scores, boolean[] positives) {
        return compute(DetectionProblem.of(scores, positives));
    }
}
