package ai.bayeslora.uncertainty.metrics;

import java.util.Locale;

/**
 * Result of {@link SelectivePrediction}: for k = 1 … N, keeping the k most confident examples, the coverage k/N, the
 * risk (error rate among them) and the accuracy (1 − risk), plus AURC. Index k − 1 of each array is coverage k/N.
 * Immutable; array accessors return copies.
 */
public final class RiskCoverageCurve {
    private final int[] order;
    private final double[] coverage;
    private final double[] risk;
    private final double[] accuracy;
    private final double aurc;

    RiskCoverageCurve(int[] order, double[] coverage, double[] risk, double[] accuracy, double aurc) {
        this.order = order.clone();
        this.coverage = coverage.clone();
        this.risk = risk.clone();
        this.accuracy = accuracy.clone();
        this.aurc = aurc;
    }

    /** {@return the number of examples N (= number of points on the curve)} */
    public int size() {
        return coverage.length;
    }

    /** {@return the example indices from most to least confident (ties in input order), a copy} */
    public int[] order() {
        return order.clone();
    }

    /**
     * Coverage k/N for k = 1 … N (a copy).
     *
     * @return the coverages [N]
     */
    public double[] coverage() {
        return coverage.clone();
    }

    /**
     * risk(k) = errors among the k most confident / k, for k = 1 … N (a copy).
     *
     * @return the risks [N]
     */
    public double[] risk() {
        return risk.clone();
    }

    /**
     * Accuracy among the k most confident, 1 − risk(k), for k = 1 … N (a copy): the accuracy–coverage curve.
     *
     * @return the accuracies [N]
     */
    public double[] accuracy() {
        return accuracy.clone();
    }

    /**
     * AURC = (1/N) Σ_{k=1..N} risk(k), in [0, 1]; lower is better.
     *
     * @return the AURC
     */
    public double aurc() {
        return aurc;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "RiskCoverageCurve[N=%d, AURC=%.4f, risk at full coverage=%.4f]",
                size(), aurc, risk[risk.length - 1]);
    }
}
