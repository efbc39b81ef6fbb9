package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.metrics.internal.Checks;

/**
 * Expected and maximum calibration error with equal-width confidence bins (METHODS.md §7).
 *
 * <p>The confidence of an example is max_c p̄_c and it is correct when the arg-max is the label. With B bins, bin b
 * (0-based) holds the confidences in (b/B, (b+1)/B], following torchmetrics' edges as METHODS.md fixes them; a
 * confidence of exactly 0 goes to bin 0. The edges are the doubles nearest to k/B, and a confidence equal to an edge
 * goes to the bin below it: with B = 5, 0.6 falls in (0.4, 0.6], and with B = 25, 0.28 in (0.24, 0.28]. (The
 * product 0.28 · 25 rounds to 7.000000000000001, and the double just above 1/3 times 3 rounds to exactly 1, so the bin
 * is found by comparing with the edges, not by {@code ceil(c · B)}.) The comparison is in double precision: float32
 * inputs are widened exactly, so 0.6f = 0.6000000238… lies above the edge 0.6 and goes to (0.6, 0.8] with B = 5.
 * Then, with n_b examples in bin b, acc_b their fraction correct and conf_b their mean confidence:
 * <pre>
 *   ECE = Σ_b (n_b / N) |acc_b − conf_b|        (empty bins contribute nothing)
 *   MCE = max_{b : n_b > 0} |acc_b − conf_b|
 * </pre>
 * The number of bins differs between codebases (15 torchmetrics, BLoB and Laplace-LoRA; 20 swag-lora; 10 the
 * LoRA-ensemble paper), so it is a parameter, {@value #DEFAULT_BINS} by default, and part of the result.
 */
public final class ExpectedCalibrationError {
    /** Default number of bins: 15, as torchmetrics, BLoB and Laplace-LoRA. */
    public static final int DEFAULT_BINS = 15;

    private ExpectedCalibrationError() {
    }

    /**
     * ECE and MCE with {@value #DEFAULT_BINS} bins.
     *
     * @param data predictive probabilities with labels
     * @return ECE, MCE and the per-bin reliability data
     */
    public static CalibrationResult compute(LabeledProbabilities data) {
        return compute(data, DEFAULT_BINS);
    }

    /**
     * ECE and MCE with the given number of bins (≥ 1).
     *
     * @param data predictive probabilities with labels
     * @param bins the number of equal-width confidence bins B
     * @return ECE, MCE and the per-bin reliability data
     */
    public static CalibrationResult compute(LabeledProbabilities data, int bins) {
        return compute(data.confidences(), data.correctness(), bins);
    }

    /**
     * Probabilities [N][C] and labels [N]; see {@link LabeledProbabilities#of(double[][], int[])} for validation.
     *
     * @param probabilities p̄ [N][C], rows summing to 1
     * @param labels true classes [N], in [0, C)
     * @param bins the number of equal-width confidence bins B, at least 1
     * @return ECE, MCE and the per-bin reliability data
     */
    public static CalibrationResult compute(double[][] probabilities, int[] labels, int bins) {
        return compute(LabeledProbabilities.of(probabilities, labels), bins);
    }

    /**
     * From confidences in [0, 1] and correctness flags directly, for a confidence other than max_c p̄_c.
     *
     * @param confidences one confidence per example, in [0, 1]
     * @param correct whether each example's prediction is right
     * @param bins the number of equal-width confidence bins B
     * @return ECE, MCE and the per-bin reliability data
     * @throws InvalidMetricInputException if empty, the lengths differ, bins &lt; 1, or a confidence is NaN or outside
     *     [0, 1]
     */
    public static CalibrationResult compute(double[] confidences, boolean[] correct, int bins) {
        if (bins < 1) {
            throw new InvalidMetricInputException("ECE needs at least 1 bin, got " + bins);
        }
        int n = confidences.length;
        Checks.nonEmpty(n, "ECE");
        Checks.sameLength(n, "confidences", correct.length, "correctness flags");
        Checks.scores(confidences, "confidence");
        int[] counts = new int[bins];
        double[] correctSum = new double[bins];
        double[] confidenceSum = new double[bins];
        for (int i = 0; i < n; i++) {
            double c = confidences[i];
            if (c < 0 || c > 1) {
                throw new InvalidMetricInputException("confidence " + c + " of example " + i + " is outside [0, 1]");
            }
            int b = bin(c, bins);
            counts[b]++;
            correctSum[b] += correct[i] ? 1 : 0;
            confidenceSum[b] += c;
        }
        double ece = 0;
        double mce = 0;
        double[] accuracy = new double[bins];
        double[] confidence = new double[bins];
        for (int b = 0; b < bins; b++) {
            if (counts[b] == 0) {
                accuracy[b] = Double.NaN;
                confidence[b] = Double.NaN;
                continue;
            }
            accuracy[b] = correctSum[b] / counts[b];
            confidence[b] = confidenceSum[b] / counts[b];
            double gap = Math.abs(accuracy[b] - confidence[b]);
            ece += (double) counts[b] / n * gap;
            mce = Math.max(mce, gap);
        }
        return new CalibrationResult(bins, n, ece, mce, counts, accuracy, confidence);
    }

    /** Edge k/B as a double. */
    static double edge(int k, int bins) {
        return (double) k / bins;
    }

    /**
     * The bin of a confidence: b with b/B &lt; c ≤ (b + 1)/B (edges as doubles), c = 0 in bin 0; the binning of this
     * metric, for code that counts bins elsewhere (lib-spark's aggregations).
     *
     * @param c the confidence, in [0, 1]
     * @param bins the number of equal-width bins B, at least 1
     * @return the bin, in [0, B)
     */
    public static int bin(double c, int bins) {
        int b = Math.max(0, Math.min(bins - 1, (int) Math.ceil(c * bins) - 1)); // first guess, may be off by one
        while (b > 0 && c <= edge(b, bins)) {
            b--;
        }
        while (b < bins - 1 && c > edge(b + 1, bins)) {
            b++;
        }
        return b;
    }
}
