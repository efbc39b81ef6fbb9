package ai.bayeslora.uncertainty.metrics;

/**
 * Mean negative log-likelihood of the labels under the predictive (METHODS.md §7): NLL = −(1/N) Σ_n log p̄_{n, y_n},
 * in nats, ≥ 0.
 *
 * <p>A probability of exactly 0 for a true class gives log 0 = −∞, so the NLL is {@code +Infinity}. This is the
 * correct value of the definition, not an error: a predictive that rules out an observed label is infinitely
 * surprised. No clamping or epsilon is applied (it would make the value depend on an arbitrary constant); callers who
 * average NLLs over runs should expect the infinity to propagate.
 */
public final class NegativeLogLikelihood {
    private NegativeLogLikelihood() {
    }

    /**
     * −(1/N) Σ_n log p̄_{n, y_n}; {@code +Infinity} if some p̄_{n, y_n} = 0.
     *
     * @param data predictive probabilities with labels
     * @return the mean NLL in nats, ≥ 0
     */
    public static double compute(LabeledProbabilities data) {
        double sum = 0;
        for (int i = 0; i < data.size(); i++) {
            sum -= Math.log(data.probability(i, data.label(i)));
        }
        return sum / data.size();
    }

    /**
     * Probabilities [N][C] and labels [N]; see {@link LabeledProbabilities#of(double[][], int[])} for validation.
     *
     * @param probabilities p̄ [N][C], rows summing to 1
     * @param labels true classes [N], in [0, C)
     * @return the mean NLL in nats, ≥ 0
     */
    public static double compute(double[][] probabilities, int[] labels) {
        return compute(LabeledProbabilities.of(probabilities, labels));
    }
}
