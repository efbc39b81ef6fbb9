package ai.bayeslora.lora.train;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.lora.LoraAdapter;
import java.util.Objects;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The loss the trainer minimises (see {@link Prior} and {@link TrainingConfig}): per optimizer step over examples B,
 * {@code (1/|B|) Σ_{n∈B} NLL_n + penalty(θ)} with NLL_n = −log p(y_n | x_n) from the {@link AnswerScorer}'s class
 * log-probabilities (reduction (a) or (b) of METHODS.md §1; with (b) the extra "other" class is never a label, so its
 * mass only lowers p(y)). A step may span several micro-batches: {@link #dataTerm} of each with the step's |B| as
 * denominator, plus {@link #penalty} once, sum to the step objective.
 *
 * <p>Returned tensors are created in the caller's scope (the innermost open
 * {@link ai.bayeslora.core.NativeScope}) and are freed when it closes.
 */
public final class TrainingObjective {
    private final AnswerScorer scorer;
    private final Prior prior;
    private final long datasetSize;

    /**
     * @param scorer the model and class set whose log-probabilities the loss reads
     * @param prior the penalty
     * @param datasetSize N, the number of training examples (scales the Gaussian prior)
     */
    public TrainingObjective(AnswerScorer scorer, Prior prior, long datasetSize) {
        this.scorer = Objects.requireNonNull(scorer, "scorer");
        this.prior = Objects.requireNonNull(prior, "prior");
        if (datasetSize < 1) {
            throw new IllegalArgumentException("datasetSize must be positive, got " + datasetSize);
        }
        this.datasetSize = datasetSize;
    }

    /**
     * The data term of one micro-batch.
     *
     * @param batch the micro-batch; every label must be known (≥ 0)
     * @param binding the adapter of this forward (e.g. {@code adapter.dropoutBinding(generator)} in training)
     * @param stepExamples |B|, the number of examples of the whole optimizer step
     * @return Σ_{n ∈ batch} NLL_n / stepExamples and the class log-probabilities [b, classes]
     */
    public DataTerm dataTerm(EncodedBatch batch, AdapterBinding binding, long stepExamples) {
        if (stepExamples < batch.batchSize()) {
            throw new IllegalArgumentException("stepExamples " + stepExamples + " < micro-batch size "
                    + batch.batchSize());
        }
        // a row with fewer choices than the classes is scored over its own (METHODS §1)
        Tensor logProbs = ai.bayeslora.core.mcqa.ClassMask.logProbs(scorer.logProbs(batch, binding),
                batch.classCounts(), 1, scorer.reduction());
        Tensor labels = batch.labelsTensor().to(logProbs.device(), org.bytedeco.pytorch.global.torch.ScalarType.Long);
        return dataTerm(logProbs, labels, stepExamples);
    }

    /**
     * The data term from class log-probabilities computed elsewhere (e.g. one ensemble member's rows of a stacked
     * forward): the same arithmetic as {@link #dataTerm(EncodedBatch, AdapterBinding, long)}.
     *
     * @param logProbs class log-probabilities [b, classes]
     * @param labels int64 labels [b] on {@code logProbs}' device
     * @param stepExamples |B|, the number of examples of the whole optimizer step
     * @return the data term
     */
    public static DataTerm dataTerm(Tensor logProbs, Tensor labels, long stepExamples) {
        Tensor nllSum = logProbs.gather(1, labels.view(-1, 1)).sum().neg();
        return new DataTerm(nllSum.div(new Scalar((double) stepExamples)), logProbs, labels);
    }

    /**
     * {@return the prior's per-step penalty ({@link Prior#stepPenalty}) for this objective's N}
     *
     * @param adapter the adapter being trained
     */
    public Tensor penalty(LoraAdapter adapter) {
        return prior.stepPenalty(adapter, datasetSize);
    }

    /** {@return the scorer whose class log-probabilities the data term uses} */
    public AnswerScorer scorer() {
        return scorer;
    }

    /** {@return the prior behind the penalty} */
    public Prior prior() {
        return prior;
    }

    /** {@return N, the number of training examples} */
    public long datasetSize() {
        return datasetSize;
    }

    /**
     * A micro-batch's share of the step objective.
     *
     * @param loss Σ NLL over the micro-batch divided by the step's example count (0-dim, differentiable)
     * @param logProbs class log-probabilities [b, classes]
     * @param labels the labels, int64 [b]
     */
    public record DataTerm(Tensor loss, Tensor logProbs, Tensor labels) {
        /** {@return how many rows the arg-max class gets right (the "other" class counts as wrong)} */
        public long correct() {
            return correctCount().item_long();
        }

        /**
         * {@link #correct()} as a 0-dim tensor, without a host synchronisation.
         *
         * @return the count, a 0-dim int64 tensor
         */
        public Tensor correctCount() {
            return logProbs.argmax(new org.bytedeco.pytorch.LongOptional(1), false).eq(labels).sum();
        }
    }
}
