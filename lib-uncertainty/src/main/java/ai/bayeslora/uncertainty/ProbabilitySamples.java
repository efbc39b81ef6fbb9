package ai.bayeslora.uncertainty;

import java.util.Arrays;
import java.util.List;

/**
 * Class probabilities of S posterior members or samples for B examples over C classes, [S, B, C], as plain Java
 * doubles (small: C is the number of answer classes). Immutable. This is what every {@link PosteriorPredictive}
 * returns, so metrics and the decomposition work on ensembles, SWAG, MC dropout and Laplace alike.
 */
public final class ProbabilitySamples {
    private final double[] p;
    private final int samples;
    private final int batch;
    private final int classes;
    private final List<String> classLabels;

    /**
     * Probabilities of S samples (members) for B examples over C classes.
     *
     * @param data row-major [S, B, C]; copied
     * @param classLabels C labels, e.g. A–D, possibly ending in "other"
     * @param samples S, at least 1
     * @param batch B, at least 0
     * @param classes C, at least 1
     * @throws IllegalArgumentException if sizes disagree, a value is outside [0, 1] or NaN, or a row does not sum to 1
     *     within 1e-4
     */
    public ProbabilitySamples(double[] data, int samples, int batch, int classes, List<String> classLabels) {
        if (samples <= 0 || batch < 0 || classes <= 0) {
            throw new IllegalArgumentException("need S > 0, B >= 0, C > 0; got S=" + samples + ", B=" + batch
                    + ", C=" + classes);
        }
        if ((long) samples * batch * classes != data.length) {
            throw new IllegalArgumentException("data has " + data.length + " values, expected S·B·C = "
                    + samples + "·" + batch + "·" + classes);
        }
        if (classLabels.size() != classes) {
            throw new IllegalArgumentException(classLabels.size() + " class labels for " + classes + " classes");
        }
        this.p = data.clone();
        this.samples = samples;
        this.batch = batch;
        this.classes = classes;
        this.classLabels = List.copyOf(classLabels);
        for (int s = 0; s < samples; s++) {
            for (int b = 0; b < batch; b++) {
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    double v = p[(s * batch + b) * classes + c];
                    if (!Double.isFinite(v)) {
                        throw new ai.bayeslora.core.mcqa.NonFiniteScoresException("class probability " + v
                                + " at sample " + s + ", example " + b + ", class " + classLabels.get(c) + ": the "
                                + "model's weights, its config.json or the posterior produce NaN or infinite values");
                    }
                    if (!(v >= 0 && v <= 1)) {
                        throw new IllegalArgumentException("probability " + v + " outside [0, 1] at sample " + s
                                + ", example " + b + ", class " + classLabels.get(c));
                    }
                    sum += v;
                }
                if (Math.abs(sum - 1) > 1e-4) {
                    throw new IllegalArgumentException("probabilities of sample " + s + ", example " + b
                            + " sum to " + sum + ", not 1");
                }
            }
        }
    }

    /** {@return the number of members or samples S} */
    public int samples() {
        return samples;
    }

    /** {@return the number of examples B} */
    public int batchSize() {
        return batch;
    }

    /** {@return the number of classes C} */
    public int numClasses() {
        return classes;
    }

    /** {@return the class labels, one per class} */
    public List<String> classLabels() {
        return classLabels;
    }

    /**
     * p_s(class c | example b).
     *
     * @param sample the sample s, in [0, S)
     * @param example the example b, in [0, B)
     * @param cls the class c, in [0, C)
     * @return the probability
     */
    public double get(int sample, int example, int cls) {
        return p[(sample * batch + example) * classes + cls];
    }

    /** {@return the predictive mean p̄ = (1/S) Σ_s p_s, [B][C]} */
    public double[][] mean() {
        double[][] m = new double[batch][classes];
        for (int s = 0; s < samples; s++) {
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < classes; c++) {
                    m[b][c] += get(s, b, c) / samples;
                }
            }
        }
        return m;
    }

    /**
     * {@return the sample s as [B][C]}
     *
     * @param s the sample, in [0, S)
     */
    public double[][] sample(int s) {
        double[][] out = new double[batch][];
        for (int b = 0; b < batch; b++) {
            out[b] = Arrays.copyOfRange(p, (s * batch + b) * classes, (s * batch + b + 1) * classes);
        }
        return out;
    }

    /** {@return a copy of the flat row-major [S, B, C] data} */
    public double[] toArray() {
        return p.clone();
    }

    /**
     * Concatenates along the batch axis (same S and classes).
     *
     * @param parts at least one part, all with the same S and classes
     * @return the samples of every part, in order
     */
    public static ProbabilitySamples concat(List<ProbabilitySamples> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        ProbabilitySamples first = parts.get(0);
        int total = parts.stream().mapToInt(ProbabilitySamples::batchSize).sum();
        double[] out = new double[first.samples * total * first.classes];
        int offset = 0;
        for (ProbabilitySamples part : parts) {
            if (part.samples != first.samples || part.classes != first.classes) {
                throw new IllegalArgumentException("parts disagree on samples or classes");
            }
            for (int s = 0; s < part.samples; s++) {
                System.arraycopy(part.p, s * part.batch * part.classes, out,
                        (s * total + offset) * part.classes, part.batch * part.classes);
            }
            offset += part.batch;
        }
        return new ProbabilitySamples(out, first.samples, total, first.classes, first.classLabels);
    }
}
