package ai.bayeslora.spark.internal;

/**
 * The ECE bin of a confidence, as lib-uncertainty's ExpectedCalibrationError bins it (package-private there): bins
 * (k/B, (k+1)/B] with bin 0 closed at 0, the boundary decided by comparing with the edge k/B in double arithmetic.
 */
public final class CalibrationBins {
    private CalibrationBins() {
    }

    /**
     * {@return the bin of confidence {@code c} among {@code bins} equal-width bins of [0, 1]}
     *
     * @param c the confidence, in [0, 1]
     * @param bins the number of bins, at least 1
     */
    public static int bin(double c, int bins) {
        int b = Math.max(0, Math.min(bins - 1, (int) Math.ceil(c * bins) - 1)); // a guess, corrected below
        while (b > 0 && c <= (double) b / bins) {
            b--;
        }
        while (b < bins - 1 && c > (double) (b + 1) / bins) {
            b++;
        }
        return b;
    }
}
