package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.ProbabilitySamples;
import ai.bayeslora.uncertainty.metrics.internal.SampleView;

/**
 * Mutual information between the label and the posterior sample, the epistemic part of METHODS.md §4:
 * MI = H[p̄] − (1/S) Σ_s H[p_s] per example, in nats.
 *
 * <p>MI ≥ 0 exactly (Jensen: −x log x is concave, so H of the mean is at least the mean of H, for any non-negative
 * rows). Computed as a difference of two floating-point sums it can come out as a tiny negative number (of the order
 * of 1e-16 · log C) when all samples agree; such values are clamped to 0, so the result is always ≥ 0. When every
 * sample is identical it is 0 up to that rounding (the mean (Σ_s p)/S need not reproduce p bit for bit).
 */
public final class MutualInformation {
    private MutualInformation() {
    }

    /**
     * max(0, H[p̄_b] − (1/S) Σ_s H[p_s(· | b)]) for each example b.
     *
     * @param samples per-member or per-sample probabilities [S, B, C]
     * @return the mutual information in nats, one per example
     */
    public static double[] perExample(ProbabilitySamples samples) {
        return perExample(SampleView.of(samples));
    }

    static double[] perExample(SampleView v) {
        return difference(PredictiveEntropy.perExample(v), ExpectedEntropy.perExample(v));
    }

    /** Element-wise total − aleatoric, negative rounding clamped to 0. */
    static double[] difference(double[] total, double[] aleatoric) {
        double[] mi = new double[total.length];
        for (int i = 0; i < mi.length; i++) {
            mi[i] = Math.max(0, total[i] - aleatoric[i]);
        }
        return mi;
    }
}
