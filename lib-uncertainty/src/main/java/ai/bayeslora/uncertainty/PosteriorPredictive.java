package ai.bayeslora.uncertainty;

import ai.bayeslora.core.data.EncodedBatch;
import java.util.List;

/**
 * A sample-based posterior predictive over the answer classes of an MCQA task: a deep ensemble (one sample per
 * member), SWAG or Laplace weight samples, MC dropout passes, or a single MAP model (S = 1). Every method implements
 * this, so {@code UncertaintyEstimator}, the metrics and the reports work on any of them.
 *
 * <p>Implementations run the model without gradients and free their native tensors before returning.
 */
public interface PosteriorPredictive {
    /**
     * Per-member or per-sample class probabilities [S, B, C] for a batch; their mean over S is the predictive.
     */
    ProbabilitySamples predict(EncodedBatch batch);

    /** Class labels of the predictive (the dataset's letters, plus "other" under the full-vocabulary reduction). */
    List<String> classLabels();

    /** Short name for reports, e.g. "ensemble (M=5)", "swag (S=15)". */
    String name();
}
