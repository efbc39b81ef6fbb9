package ai.bayeslora.uncertainty;

import ai.bayeslora.uncertainty.metrics.UncertaintyDecomposition;
import java.util.List;

/**
 * The predictive of a posterior for one batch: the per-member (or per-sample) probabilities, their mean p̄, the
 * predicted class and its confidence, and the decomposition of the predictive entropy (METHODS.md §4). The
 * predictive combines the samples by a {@link MemberAveraging} (probabilities by default); the samples themselves are
 * kept as they are. Immutable.
 */
public final class Prediction {
    private final List<String> exampleIds;
    private final ProbabilitySamples samples;
    private final double[][] mean;
    private final int[] predicted;
    private final double[] confidence;
    private final UncertaintyDecomposition uncertainty;
    private final MemberAveraging averaging;

    Prediction(List<String> exampleIds, ProbabilitySamples samples, MemberAveraging averaging) {
        this.exampleIds = List.copyOf(exampleIds);
        this.samples = samples;
        this.averaging = java.util.Objects.requireNonNull(averaging, "averaging");
        // probabilities: ProbabilitySamples.mean() as before, so default results keep their bits
        this.mean = averaging == MemberAveraging.PROBABILITIES ? samples.mean() : averaging.combine(samples);
        this.predicted = new int[mean.length];
        this.confidence = new double[mean.length];
        for (int b = 0; b < mean.length; b++) {
            int best = 0;
            for (int c = 1; c < mean[b].length; c++) {
                if (mean[b][c] > mean[b][best]) {
                    best = c; // ties go to the lowest class index
                }
            }
            predicted[b] = best;
            confidence[b] = mean[b][best];
        }
        this.uncertainty = UncertaintyDecomposition.of(samples, averaging);
    }

    /**
     * Creates a prediction from posterior samples (ids may be empty when unknown), averaging probabilities.
     *
     * @param exampleIds one id per example, or empty
     * @param samples per-member or per-sample probabilities [S, B, C]
     * @return the prediction
     */
    public static Prediction of(List<String> exampleIds, ProbabilitySamples samples) {
        return of(exampleIds, samples, MemberAveraging.PROBABILITIES);
    }

    /**
     * Creates a prediction whose predictive combines the samples by {@code averaging} (METHODS.md §4).
     *
     * @param exampleIds one id per example, or empty
     * @param samples per-member or per-sample probabilities [S, B, C]
     * @param averaging how the samples are combined into the predictive
     * @return the prediction
     */
    public static Prediction of(List<String> exampleIds, ProbabilitySamples samples, MemberAveraging averaging) {
        if (!exampleIds.isEmpty() && exampleIds.size() != samples.batchSize()) {
            throw new IllegalArgumentException(exampleIds.size() + " ids for " + samples.batchSize() + " examples");
        }
        return new Prediction(exampleIds, samples, averaging);
    }

    /** {@return how the samples were combined into {@link #mean()}} */
    public MemberAveraging averaging() {
        return averaging;
    }

    /** {@return the examples' ids, in batch order; empty when unknown} */
    public List<String> exampleIds() {
        return exampleIds;
    }

    /** {@return per-member / per-sample probabilities [S, B, C]} */
    public ProbabilitySamples samples() {
        return samples;
    }

    /** {@return the class labels, one per class} */
    public List<String> classLabels() {
        return samples.classLabels();
    }

    /** {@return the number of examples B} */
    public int size() {
        return mean.length;
    }

    /** {@return the predictive p̄ [B][C] under {@link #averaging()} (a copy)} */
    public double[][] mean() {
        double[][] out = new double[mean.length][];
        for (int b = 0; b < mean.length; b++) {
            out[b] = mean[b].clone();
        }
        return out;
    }

    /** {@return the index of the predicted class per example (arg-max of p̄; ties to the lowest index)} */
    public int[] predicted() {
        return predicted.clone();
    }

    /**
     * {@return the predicted class label of example b}
     *
     * @param b the example, in [0, B)
     */
    public String predictedLabel(int b) {
        return samples.classLabels().get(predicted[b]);
    }

    /**
     * max_c p̄_c per example.
     *
     * @return a new array [B]
     */
    public double[] confidence() {
        return confidence.clone();
    }

    /**
     * {@return the total H[p̄], aleatoric E_s H[p_s] and epistemic (the samples' mutual information) per example; see
     * {@link UncertaintyDecomposition#of(ProbabilitySamples, MemberAveraging)} for logit averaging}
     */
    public UncertaintyDecomposition uncertainty() {
        return uncertainty;
    }
}
