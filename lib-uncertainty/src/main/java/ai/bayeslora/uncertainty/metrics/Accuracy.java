package ai.bayeslora.uncertainty.metrics;

/**
 * Top-1 accuracy (METHODS.md §7): the fraction of examples whose arg-max class equals the label, in [0, 1]. Ties in
 * the arg-max go to the lowest class index (see {@link LabeledProbabilities#predicted(int)}).
 */
public final class Accuracy {
    private Accuracy() {
    }

    /**
     * (1/N) Σ_n 1[arg max_c p̄_nc = y_n].
     *
     * @param data predictive probabilities with labels
     * @return the fraction of examples whose most probable class is the label, in [0, 1]
     */
    public static double compute(LabeledProbabilities data) {
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            if (data.correct(i)) {
                correct++;
            }
        }
        return (double) correct / data.size();
    }

    /**
     * Probabilities [N][C] and labels [N]; see {@link LabeledProbabilities#of(double[][], int[])} for validation.
     *
     * @param probabilities p̄ [N][C], rows summing to 1
     * @param labels true classes [N], in [0, C)
     * @return the accuracy, in [0, 1]
     */
    public static double compute(double[][] probabilities, int[] labels) {
        return compute(LabeledProbabilities.of(probabilities, labels));
    }
}
