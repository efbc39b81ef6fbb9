package ai.bayeslora.uncertainty;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.text.AnswerTokens;
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
     * {@return per-member or per-sample class probabilities [S, B, C] for a batch; their mean over S is the predictive}
     *
     * @param batch an encoded batch of prompts
     */
    ProbabilitySamples predict(EncodedBatch batch);

    /**
     * Class labels of the predictive (the dataset's letters, plus "other" under the full-vocabulary reduction).
     *
     * @return the labels, one per class
     */
    List<String> classLabels();

    /** {@return how the predictive turns logits into class probabilities, (a) or (b) of docs/METHODS.md §1} */
    ClassReduction reduction();

    /**
     * Short name for reports, e.g. "ensemble (M=5)", "swag (S=15)".
     *
     * @return the name
     */
    String name();

    /**
     * The same posterior scoring another answer set or reduction: the class set belongs to the dataset (train on
     * CommonsenseQA with A–E, evaluate on MMLU with A–D, docs/METHODS.md §1). Every posterior of this library
     * implements it; the default, for user posteriors with a fixed class set, refuses.
     *
     * @param answers the new class set's answer tokens
     * @param reduction the new reduction
     * @return the rescored posterior (sharing the model and the posterior's parameters)
     * @throws UnsupportedOperationException if this posterior has a fixed class set
     */
    default PosteriorPredictive rescored(AnswerTokens answers, ClassReduction reduction) {
        throw new UnsupportedOperationException(name() + " has a fixed class set " + classLabels()
                + " and cannot score " + answers.labels() + " with " + reduction);
    }
}
