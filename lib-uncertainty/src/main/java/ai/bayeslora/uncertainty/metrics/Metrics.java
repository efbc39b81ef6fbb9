package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.MemberAveraging;
import ai.bayeslora.uncertainty.ProbabilitySamples;

/**
 * Entry point computing the standard metrics of a sample-based predictive in one call: accuracy, NLL, Brier, ECE and
 * MCE on the predictive mean p̄ = (1/S) Σ_s p_s, and the entropy decomposition over the samples (METHODS.md §4, §7).
 */
public final class Metrics {
    private Metrics() {
    }

    /**
     * {@link #evaluate(ProbabilitySamples, int[], int)} with {@value ExpectedCalibrationError#DEFAULT_BINS} ECE bins.
     *
     * @param samples per-member or per-sample probabilities [S, N, C]
     * @param labels true classes [N], in [0, C)
     * @return every metric
     */
    public static MetricReport evaluate(ProbabilitySamples samples, int[] labels) {
        return evaluate(samples, labels, ExpectedCalibrationError.DEFAULT_BINS);
    }

    /**
     * All metrics of samples [S, N, C] against labels [N].
     *
     * @param samples per-member or per-sample probabilities [S, N, C]
     * @param labels true classes [N], in [0, C)
     * @param eceBins the number of ECE bins, at least 1
     * @return every metric
     * @throws InvalidMetricInputException if N = 0, the label count differs from N, a label is outside [0, C) or
     *     {@code eceBins < 1}
     */
    public static MetricReport evaluate(ProbabilitySamples samples, int[] labels, int eceBins) {
        return evaluate(samples, labels, eceBins, MemberAveraging.PROBABILITIES);
    }

    /**
     * All metrics of samples [S, N, C] against labels [N], on the predictive that combines the samples by
     * {@code averaging} (docs/METHODS.md §4, "Averaging members"); the decomposition as
     * {@link UncertaintyDecomposition#of(ProbabilitySamples, MemberAveraging)}.
     *
     * @param samples per-member or per-sample probabilities [S, N, C]
     * @param labels true classes [N], in [0, C)
     * @param eceBins the number of ECE bins, at least 1
     * @param averaging how the samples are combined into the predictive
     * @return every metric
     * @throws InvalidMetricInputException as {@link #evaluate(ProbabilitySamples, int[], int)}
     */
    public static MetricReport evaluate(ProbabilitySamples samples, int[] labels, int eceBins,
                                        MemberAveraging averaging) {
        if (eceBins < 1) {
            throw new InvalidMetricInputException("ECE needs at least 1 bin, got " + eceBins);
        }
        LabeledProbabilities predictive = LabeledProbabilities.fromSamples(samples, labels, averaging);
        return new MetricReport(predictive.size(), predictive.numClasses(), samples.samples(),
                Accuracy.compute(predictive), NegativeLogLikelihood.compute(predictive),
                BrierScore.compute(predictive), ExpectedCalibrationError.compute(predictive, eceBins),
                UncertaintyDecomposition.of(samples, averaging));
    }
}
