package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.MemberAveraging;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import ai.bayeslora.uncertainty.metrics.internal.Entropy;
import ai.bayeslora.uncertainty.metrics.internal.SampleView;
import java.util.Locale;

/**
 * The uncertainty decomposition of METHODS.md §4 for each example of a sample-based predictive (ensemble members,
 * SWAG / Laplace samples, MC dropout): total = {@link PredictiveEntropy} H[p̄], aleatoric = {@link ExpectedEntropy}
 * (1/S) Σ_s H[p_s], epistemic = {@link MutualInformation} = total − aleatoric (tiny negative rounding clamped to 0),
 * all in nats. With S = 1, epistemic is 0 and total = aleatoric. Immutable; array accessors return copies.
 *
 * <p>Under {@link MemberAveraging#LOGITS} (METHODS.md §4, "Averaging members") total is the entropy of the predictive
 * actually used, H[softmax((1/S) Σ_s z_s)], while aleatoric and epistemic stay those of the samples: the expected
 * entropy and the mutual information H[(1/S) Σ_s p_s] − (1/S) Σ_s H[p_s] ≥ 0, the members' disagreement. Then total
 * is not aleatoric + epistemic.
 */
public final class UncertaintyDecomposition {
    private final double[] total;
    private final double[] aleatoric;
    private final double[] epistemic;

    private UncertaintyDecomposition(double[] total, double[] aleatoric, double[] epistemic) {
        this.total = total;
        this.aleatoric = aleatoric;
        this.epistemic = epistemic;
    }

    /**
     * {@return the decomposition of samples [S, B, C], B ≥ 1}
     *
     * @param samples per-member or per-sample probabilities
     */
    public static UncertaintyDecomposition of(ProbabilitySamples samples) {
        return of(SampleView.of(samples));
    }

    /**
     * {@return the decomposition of samples [S, B, C], B ≥ 1, whose predictive combines the samples by {@code
     * averaging}: total = H[p̄] of that predictive; aleatoric and epistemic as in {@link #of(ProbabilitySamples)}
     * whatever the averaging} With {@link MemberAveraging#PROBABILITIES} this is {@link #of(ProbabilitySamples)}.
     *
     * @param samples per-member or per-sample probabilities
     * @param averaging how the samples are combined into the predictive
     */
    public static UncertaintyDecomposition of(ProbabilitySamples samples, MemberAveraging averaging) {
        SampleView v = SampleView.of(samples);
        if (averaging == MemberAveraging.PROBABILITIES) {
            return of(v);
        }
        double[] mixture = PredictiveEntropy.perExample(v);
        double[] aleatoric = ExpectedEntropy.perExample(v);
        double[] total = new double[v.batch()];
        for (int i = 0; i < total.length; i++) {
            total[i] = Entropy.of(v.predictive(i, averaging));
        }
        return new UncertaintyDecomposition(total, aleatoric, MutualInformation.difference(mixture, aleatoric));
    }

    private static UncertaintyDecomposition of(SampleView v) {
        double[] total = PredictiveEntropy.perExample(v);
        double[] aleatoric = ExpectedEntropy.perExample(v);
        return new UncertaintyDecomposition(total, aleatoric, MutualInformation.difference(total, aleatoric));
    }

    /** {@return the number of examples} */
    public int size() {
        return total.length;
    }

    /**
     * Predictive entropy H[p̄] per example, p̄ the predictive of the averaging (a copy).
     *
     * @return the total uncertainty in nats, one per example
     */
    public double[] total() {
        return total.clone();
    }

    /**
     * Expected entropy (1/S) Σ_s H[p_s] per example (a copy).
     *
     * @return the aleatoric uncertainty in nats, one per example
     */
    public double[] aleatoric() {
        return aleatoric.clone();
    }

    /**
     * Mutual information of the samples per example, ≥ 0, whatever the averaging (a copy).
     *
     * @return the epistemic uncertainty in nats, one per example
     */
    public double[] epistemic() {
        return epistemic.clone();
    }

    /** {@return the mean predictive entropy over the examples} */
    public double meanTotal() {
        return mean(total);
    }

    /** {@return the mean expected entropy over the examples} */
    public double meanAleatoric() {
        return mean(aleatoric);
    }

    /** {@return the mean mutual information over the examples} */
    public double meanEpistemic() {
        return mean(epistemic);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "UncertaintyDecomposition[N=%d, mean total=%.4f, aleatoric=%.4f, "
                + "epistemic=%.4f nats]", size(), meanTotal(), meanAleatoric(), meanEpistemic());
    }
}
