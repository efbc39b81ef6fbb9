package ai.bayeslora.uncertainty.metrics.internal;

import ai.bayeslora.uncertainty.MemberAveraging;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import org.bytedeco.pytorch.Tensor;

/**
 * Read access to validated class probabilities of S samples for B ≥ 1 examples over C classes, [S, B, C], from a
 * {@link ProbabilitySamples} or a tensor, so the entropy metrics have one code path for both.
 */
public final class SampleView {
    private final double[] flat;
    private final ProbabilitySamples samples;
    private final int s;
    private final int b;
    private final int c;

    private SampleView(double[] flat, ProbabilitySamples samples, int s, int b, int c) {
        this.flat = flat;
        this.samples = samples;
        this.s = s;
        this.b = b;
        this.c = c;
    }

    /** A view of samples (already validated by {@link ProbabilitySamples}); B must be ≥ 1. */
    public static SampleView of(ProbabilitySamples samples) {
        Checks.nonEmpty(samples.batchSize(), "the metrics");
        return new SampleView(null, samples, samples.samples(), samples.batchSize(), samples.numClasses());
    }

    /**
     * A view of a [S, B, C] floating tensor; every row checked as by {@link Checks#probabilityRow} with the given
     * tolerance.
     */
    public static SampleView of(Tensor samples, double tolerance) {
        Checks.tolerance(tolerance);
        int[] shape = new int[3];
        double[] flat = TensorInputs.cube(samples, "probability samples", shape);
        if (shape[0] < 1 || shape[2] < 1) {
            throw new ai.bayeslora.uncertainty.metrics.InvalidMetricInputException(
                    "probability samples need S >= 1 and C >= 1, got shape [" + shape[0] + ", " + shape[1] + ", "
                            + shape[2] + "]");
        }
        Checks.nonEmpty(shape[1], "the metrics");
        int c = shape[2];
        double[] row = new double[c];
        for (int k = 0; k < shape[0]; k++) {
            for (int i = 0; i < shape[1]; i++) {
                System.arraycopy(flat, (k * shape[1] + i) * c, row, 0, c);
                Checks.probabilityRow(row, tolerance, "sample " + k + ", example " + i);
            }
        }
        return new SampleView(flat, null, shape[0], shape[1], c);
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
        return flat != null ? flat[(sample * b + example) * c + cls] : samples.get(sample, example, cls);
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
