package ai.bayeslora.uncertainty.metrics;

/**
 * Multi-class Brier score (METHODS.md §7): (1/N) Σ_n Σ_c (p̄_nc − 1[y_n = c])². It is summed over the classes, not
 * averaged, so it lies in [0, 2]; 0 is a certain correct prediction, 2 a certain wrong one.
 */
public final class BrierScore {
    private BrierScore() {
    }

    /**
     * (1/N) Σ_n Σ_c (p̄_nc − 1[y_n = c])².
     *
     * @param data predictive probabilities with labels
     * @return the Brier score, in [0, 2]
     */
    public static double compute(LabeledProbabilities data) {
        double sum = 0;
        for (int i = 0; i < data.size(); i++) {
            int y = data.label(i);
            for (int c = 0; c < data.numClasses(); c++) {
                double d = data.probability(i, c) - (c == y ? 1 : 0);
                sum += d * d;
            }
        }
        return sum / data.size();
    }

    /**
     * Probabilities [N][C] and labels [N]; see {@link LabeledProbabilities#of(double[][], int[])} for validation.
     *
     * @param probabilities p̄ [N][C], rows summing to 1
     * @param labels true classes [N], in [0, C)
     * @return the Brier score, in [0, 2]
     */
    public static double compute(double[][] probabilities, int[] labels) {
        return compute(LabeledProbabilities.of(probabilities, labels));
    }
}
