package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.metrics.internal.Ranks;

/**
 * Area under the ROC curve of a detection score (METHODS.md §7), via the Mann–Whitney U statistic with average
 * ranks for ties:
 * <pre>
 *   AUROC = (R₊ − n₊(n₊ + 1)/2) / (n₊ n₋)
 * </pre>
 * where R₊ is the sum of the (1-based, ascending) mid-ranks of the positives. Equivalently, the probability that a
 * random positive scores higher than a random negative, counting ties as one half. It equals scikit-learn's
 * {@code roc_auc_score}. 0.5 is chance, 1 perfect separation. With only positives or only negatives the value is
 * undefined and {@link UndefinedMetricException} is thrown.
 */
public final class Auroc {
    private Auroc() {
    }

    /**
     * AUROC of the problem's scores.
     *
     * @param problem scores with their positive flags
     * @return the area under the ROC curve, in [0, 1]; ties count one half
     * @throws UndefinedMetricException if only one class is present
     */
    public static double compute(DetectionProblem problem) {
        problem.requireBothClasses("AUROC");
        double[] ranks = Ranks.averageRanks(problem.scores());
        double rankSum = 0;
        long pos = 0;
        for (int i = 0; i < ranks.length; i++) {
            if (problem.positive(i)) {
                rankSum += ranks[i];
                pos++;
            }
        }
        long neg = ranks.length - pos;
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    /**
     * Scores and positive flags; see {@link DetectionProblem#of}.
     *
     * @param scores detection scores (higher = more likely positive)
     * @param positives the true positives
     * @return the AUROC, in [0, 1]
     */
    public static double compute(double[] scores, boolean[] positives) {
        return compute(DetectionProblem.of(scores, positives));
    }
}
