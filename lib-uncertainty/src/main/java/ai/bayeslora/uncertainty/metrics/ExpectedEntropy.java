package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.ProbabilitySamples;
import ai.bayeslora.uncertainty.metrics.internal.Entropy;
import ai.bayeslora.uncertainty.metrics.internal.SampleView;

/**
 * Expected entropy, the aleatoric part of METHODS.md §4: (1/S) Σ_s H[p_s] per example, in nats, with 0 · log 0 = 0.
 * It lies in [0, log C] and never exceeds the {@link PredictiveEntropy} (entropy is concave).
 */
public final class ExpectedEntropy {
    private ExpectedEntropy() {
    }

    /**
     * (1/S) Σ_s H[p_s(· | b)] for each example b.
     *
     * @param samples the posterior's samples [S, B, C]
     * @return the expected entropy in nats, one per example
     */
    public static double[] perExample(ProbabilitySamples samples) {
        return perExample(SampleView.of(samples));
    }

    static double[] perExample(SampleView v) {
        double[] h = new double[v.batch()];
        for (int i = 0; i < h.length; i++) {
            double sum = 0;
            for (int s = 0; s < v.samples(); s++) {
                sum += Entropy.of(v.row(s, i));
            }
            h[i] = sum / v.samples();
        }
        return h;
    }
}
