package ai.bayeslora.uncertainty.metrics;

import java.util.Locale;

/**
 * Result of {@link ExpectedCalibrationError}: ECE and MCE with the number of bins they were computed with, and the
 * per-bin statistics of a reliability diagram. Immutable; array accessors return copies.
 *
 * <p>Bin b (0-based, b = 0 … B−1) holds the confidences in (b/B, (b+1)/B]; bin 0 also holds a confidence of exactly 0.
 * For an empty bin the count is 0 and the accuracy and confidence are NaN (there is nothing to average); empty bins
 * contribute nothing to ECE and are skipped by MCE.
 */
public final class CalibrationResult {
    private final int bins;
    private final int examples;
    private final double ece;
    private final double mce;
    private final int[] counts;
    private final double[] accuracy;
    private final double[] confidence;

    CalibrationResult(int bins, int examples, double ece, double mce, int[] counts, double[] accuracy,
            double[] confidence) {
        this.bins = bins;
        this.examples = examples;
        this.ece = ece;
        this.mce = mce;
        this.counts = counts.clone();
        this.accuracy = accuracy.clone();
        this.confidence = confidence.clone();
    }

    /** {@return the number of equal-width bins B; print it with the value, codebases differ (METHODS.md §7)} */
    public int bins() {
        return bins;
    }

    /** {@return the number of examples N} */
    public int examples() {
        return examples;
    }

    /**
     * ECE = Σ_b (n_b / N) |acc_b − conf_b|, in [0, 1].
     *
     * @return the ECE
     */
    public double ece() {
        return ece;
    }

    /**
     * MCE = max over non-empty bins of |acc_b − conf_b|, in [0, 1].
     *
     * @return the MCE
     */
    public double mce() {
        return mce;
    }

    /**
     * n_b, the number of examples per bin (a copy).
     *
     * @return the counts, one per bin
     */
    public int[] counts() {
        return counts.clone();
    }

    /**
     * acc_b, the fraction correct per bin; NaN for an empty bin (a copy).
     *
     * @return the accuracies, one per bin
     */
    public double[] accuracy() {
        return accuracy.clone();
    }

    /**
     * conf_b, the mean confidence per bin; NaN for an empty bin (a copy).
     *
     * @return the mean confidences, one per bin
     */
    public double[] confidence() {
        return confidence.clone();
    }

    /**
     * Lower edge b/B of bin b (exclusive, except that bin 0 includes 0).
     *
     * @param bin the bin b, in [0, B)
     * @return b/B
     */
    public double lowerEdge(int bin) {
        return ExpectedCalibrationError.edge(bin, bins);
    }

    /**
     * Upper edge (b+1)/B of bin b (inclusive).
     *
     * @param bin the bin b, in [0, B)
     * @return (b+1)/B
     */
    public double upperEdge(int bin) {
        return ExpectedCalibrationError.edge(bin + 1, bins);
    }

    /** For example {@code ECE(15 bins)=0.0431 MCE=0.2100}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ECE(%d bins)=%.4f MCE=%.4f", bins, ece, mce);
    }
}
