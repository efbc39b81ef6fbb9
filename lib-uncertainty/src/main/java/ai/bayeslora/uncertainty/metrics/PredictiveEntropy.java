package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.ProbabilitySamples;
import ai.bayeslora.uncertainty.metrics.internal.Checks;
import ai.bayeslora.uncertainty.metrics.internal.Entropy;
import ai.bayeslora.uncertainty.metrics.internal.SampleView;

/**
 * Predictive entropy, the total uncertainty of METHODS.md §4: H[p̄] = −Σ_c p̄_c log p̄_c per example, in nats, with
 * 0 · log 0 = 0. It lies in [0, log C]. From samples, p̄ = (1/S) Σ_s p_s.
 */
public final class PredictiveEntropy {
    private PredictiveEntropy() {
    }

    /**
     * H[p̄_b] for each example b, p̄ the mean over the samples.
     *
     * @param samples per-member or per-sample probabilities [S, B, C]
     * @return the entropy in nats, one per example
     */
    public static double[] perExample(ProbabilitySamples samples) {
        return perExample(SampleView.of(samples));
    }

    /**
     * H[p_n] for each row of a predictive [N][C] given directly (e.g. a single MAP model); rows checked as in
     * {@link LabeledProbabilities} with tolerance {@value LabeledProbabilities#DEFAULT_TOLERANCE}.
     *
     * @param probabilities the predictive [N][C]
     * @return the entropy in nats, one per example
     */
    public static double[] perExample(double[][] probabilities) {
        Checks.probabilityMatrix(probabilities, LabeledProbabilities.DEFAULT_TOLERANCE);
        double[] h = new double[probabilities.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = Entropy.of(probabilities[i]);
        }
        return h;
    }

    static double[] perExample(SampleView v) {
        double[] h = new double[v.batch()];
        for (int i = 0; i < h.length; i++) {
            h[i] = Entropy.of(v.mean(i));
        }
        return h;
    }
}
