package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.uncertainty.MemberAveraging;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import ai.bayeslora.uncertainty.metrics.internal.Checks;
import ai.bayeslora.uncertainty.metrics.internal.SampleView;
import java.util.Arrays;

/**
 * Validated input of the classification metrics: the predictive class probabilities p̄ of N examples over C classes
 * and the true labels. Immutable (inputs and outputs are copied). Validation, done once here:
 * <ul>
 *   <li>N ≥ 1 and C ≥ 1, every row has C entries, as many labels as rows;</li>
 *   <li>every probability in [0, 1] (NaN rejected) and every row sums to 1 within a tolerance, by default
 *       {@value #DEFAULT_TOLERANCE} (absolute, |Σ_c p_c − 1| ≤ tolerance), the same as {@link ProbabilitySamples};</li>
 *   <li>every label in [0, C).</li>
 * </ul>
 * The predicted class is the arg-max of the row; when several classes share the maximum, the lowest class index wins
 * (as {@code numpy.argmax}). The confidence is the maximum probability.
 */
public final class LabeledProbabilities {
    /** Default absolute tolerance on |Σ_c p_c − 1|: 1e-4, loose enough for float32 softmax outputs. */
    public static final double DEFAULT_TOLERANCE = 1e-4;

    private final double[][] p;
    private final int[] labels;
    private final int classes;

    private LabeledProbabilities(double[][] p, int[] labels, int classes) {
        this.p = p;
        this.labels = labels;
        this.classes = classes;
    }

    /**
     * Probabilities [N][C] and labels [N], rows checked with the default tolerance {@value #DEFAULT_TOLERANCE}.
     *
     * @param probabilities p̄ [N][C], rows summing to 1; copied
     * @param labels true classes [N], in [0, C)
     * @return the validated data
     */
    public static LabeledProbabilities of(double[][] probabilities, int[] labels) {
        return of(probabilities, labels, DEFAULT_TOLERANCE);
    }

    /**
     * Probabilities [N][C] and labels [N] with an explicit row-sum tolerance.
     *
     * @param probabilities p̄ [N][C]; copied
     * @param labels true classes [N], in [0, C)
     * @param tolerance the largest accepted |Σ_c p̄_c − 1| of a row
     * @return the validated data
     * @throws InvalidMetricInputException naming the example (and class) at fault
     */
    public static LabeledProbabilities of(double[][] probabilities, int[] labels, double tolerance) {
        long[] wide = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            wide[i] = labels[i];
        }
        return validated(probabilities, wide, tolerance);
    }

    /**
     * {@return the predictive mean p̄ = (1/S) Σ_s p_s of posterior samples, with labels} The mean is computed as (Σ_s
     * p_s) / S, so that it stays in [0, 1] exactly; its rows sum to 1 within the samples' own tolerance.
     *
     * @param samples the posterior's samples [S, N, C]
     * @param labels true classes [N]
     */
    public static LabeledProbabilities fromSamples(ProbabilitySamples samples, int[] labels) {
        return fromSamples(samples, labels, MemberAveraging.PROBABILITIES);
    }

    /**
     * {@return the predictive of posterior samples combined by {@code averaging} (docs/METHODS.md §4), with labels; for
     * {@link MemberAveraging#PROBABILITIES} the same as {@link #fromSamples(ProbabilitySamples, int[])}}
     *
     * @param samples the posterior's samples [S, N, C]
     * @param labels true classes [N]
     * @param averaging how the samples are combined
     */
    public static LabeledProbabilities fromSamples(ProbabilitySamples samples, int[] labels,
                                                   MemberAveraging averaging) {
        SampleView view = SampleView.of(samples);
        int n = view.batch();
        Checks.sameLength(n, "examples of the samples", labels.length, "labels");
        double[][] mean = new double[n][];
        for (int i = 0; i < n; i++) {
            Checks.label(labels[i], i, view.classes());
            mean[i] = view.predictive(i, averaging);
        }
        return new LabeledProbabilities(mean, labels.clone(), view.classes());
    }

    private static LabeledProbabilities validated(double[][] probabilities, long[] labels, double tolerance) {
        int c = Checks.probabilityMatrix(probabilities, tolerance);
        int n = probabilities.length;
        Checks.sameLength(n, "probability rows", labels.length, "labels");
        double[][] copy = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            Checks.label(labels[i], i, c);
            copy[i] = probabilities[i].clone();
            y[i] = (int) labels[i];
        }
        return new LabeledProbabilities(copy, y, c);
    }

    /** {@return the number of examples N} */
    public int size() {
        return p.length;
    }

    /** {@return the number of classes C} */
    public int numClasses() {
        return classes;
    }

    /**
     * p̄(class c | example n).
     *
     * @param example the example n, in [0, N)
     * @param cls the class c, in [0, C)
     * @return the probability
     */
    public double probability(int example, int cls) {
        return p[example][cls];
    }

    /**
     * {@return a copy of the probabilities of one example}
     *
     * @param example the example n, in [0, N)
     */
    public double[] row(int example) {
        return p[example].clone();
    }

    /**
     * {@return the true label of example n}
     *
     * @param example the example n, in [0, N)
     */
    public int label(int example) {
        return labels[example];
    }

    /** {@return a copy of the labels} */
    public int[] labels() {
        return labels.clone();
    }

    /** {@return a copy of the probabilities [N][C]} */
    public double[][] probabilities() {
        double[][] out = new double[p.length][];
        for (int i = 0; i < p.length; i++) {
            out[i] = p[i].clone();
        }
        return out;
    }

    /**
     * arg max_c p̄_c of example n; ties go to the lowest class index.
     *
     * @param example the example n, in [0, N)
     * @return the predicted class index
     */
    public int predicted(int example) {
        double[] row = p[example];
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }

    /**
     * {@return the confidence max_c p̄_c of example n}
     *
     * @param example the example n, in [0, N)
     */
    public double confidence(int example) {
        return p[example][predicted(example)];
    }

    /**
     * {@return whether the predicted class of example n is its label}
     *
     * @param example the example n, in [0, N)
     */
    public boolean correct(int example) {
        return predicted(example) == labels[example];
    }

    /**
     * Confidences max_c p̄_c of all examples.
     *
     * @return a new array [N]
     */
    public double[] confidences() {
        double[] out = new double[p.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = confidence(i);
        }
        return out;
    }

    /** {@return whether each prediction is correct} */
    public boolean[] correctness() {
        boolean[] out = new boolean[p.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = correct(i);
        }
        return out;
    }

    /** {@return whether each prediction is wrong: the positives of misclassification detection} */
    public boolean[] misclassified() {
        boolean[] out = new boolean[p.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = !correct(i);
        }
        return out;
    }

    @Override
    public String toString() {
        return "LabeledProbabilities[N=" + p.length + ", C=" + classes + ", labels=" + Arrays.toString(
                Arrays.copyOf(labels, Math.min(labels.length, 8))) + (labels.length > 8 ? "…" : "") + "]";
    }
}
