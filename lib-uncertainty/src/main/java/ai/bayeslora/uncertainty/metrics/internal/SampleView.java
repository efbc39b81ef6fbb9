package ai.bayeslora.uncertainty.metrics.internal;

import ai.bayeslora.uncertainty.MemberAveraging;
import ai.bayeslora.uncertainty.ProbabilitySamples;

/**
 * Read access to validated class probabilities of S samples for B ≥ 1 examples over C classes, [S, B, C], from a
 * {@link ProbabilitySamples}, for the entropy metrics.
 */
public final class SampleView {
    private final ProbabilitySamples samples;
    private final int s;
    private final int b;
    private final int c;

    private SampleView(ProbabilitySamples samples, int s, int b, int c) {
        this.samples = samples;
        this.s = s;
        this.b = b;
        this.c = c;
    }

    /** A view of samples (already validated by {@link ProbabilitySamples}); B must be ≥ 1. */
    public static SampleView of(ProbabilitySamples samples) {
        Checks.nonEmpty(samples.batchSize(), "the metrics");
        return new SampleView(samples, samples.samples(), samples.batchSize(), samples.numClasses());
    }

    public int samples() {
        return s;
    }

    public int batch() {
        return b;
    }

    public int classes() {
        return c;
    }

    /** p_s(class c | example b). */
    public double get(int sample, int example, int cls) {
        return samples.get(sample, example, cls);
    }

    /** One sample's row for one example (a new array). */
    public double[] row(int sample, int example) {
        double[] out = new double[c];
        for (int j = 0; j < c; j++) {
            out[j] = get(sample, example, j);
        }
        return out;
    }

    /** The predictive mean p̄ = (Σ_s p_s) / S of one example (sum, then divide: stays in [0, 1] exactly). */
    public double[] mean(int example) {
        double[] out = new double[c];
        for (int k = 0; k < s; k++) {
            for (int j = 0; j < c; j++) {
                out[j] += get(k, example, j);
            }
        }
        for (int j = 0; j < c; j++) {
            out[j] /= s;
        }
        return out;
    }

    /** The predictive of one example under {@code averaging}: {@link #mean(int)} for probability averaging. */
    public double[] predictive(int example, MemberAveraging averaging) {
        if (averaging == MemberAveraging.PROBABILITIES) {
            return mean(example);
        }
        double[][] rows = new double[s][];
        for (int k = 0; k < s; k++) {
            rows[k] = row(k, example);
        }
        return averaging.combine(rows);
    }
}
