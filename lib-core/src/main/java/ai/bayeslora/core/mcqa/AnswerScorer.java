package ai.bayeslora.core.mcqa;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.text.AnswerTokens;
import java.util.Objects;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Multiple-choice QA as next-token classification (METHODS.md §1): reads the model's last-token logits at the answer
 * tokens and turns them into class log-probabilities by a {@link ClassReduction}. Differentiable, so the trainer uses
 * it for the loss too.
 */
public final class AnswerScorer {
    private final CausalLM model;
    private final AnswerTokens answers;
    private final ClassReduction reduction;
    private final long[] answerIds;

    public AnswerScorer(CausalLM model, AnswerTokens answers, ClassReduction reduction) {
        this.model = Objects.requireNonNull(model, "model");
        this.answers = Objects.requireNonNull(answers, "answers");
        this.reduction = Objects.requireNonNull(reduction, "reduction");
        this.answerIds = answers.ids();
        for (long id : answerIds) {
            if (id >= model.config().vocabSize()) {
                throw new IllegalArgumentException("answer token id " + id + " is outside the model's vocab_size "
                        + model.config().vocabSize());
            }
        }
    }

    public CausalLM model() {
        return model;
    }

    public AnswerTokens answers() {
        return answers;
    }

    public ClassReduction reduction() {
        return reduction;
    }

    /** Number of predictive classes: C, or C + 1 with "other". */
    public int numClasses() {
        return reduction.numClasses(answers.numClasses());
    }

    /** Class log-probabilities [B, numClasses()] for an encoded batch. */
    public Tensor logProbs(EncodedBatch batch) {
        return logProbs(new ModelInput(batch.inputIdsTensor(), batch.attentionMaskTensor(), batch.positionIdsTensor()));
    }

    /** Class log-probabilities [B, numClasses()] for a model input. */
    public Tensor logProbs(ModelInput input) {
        return logProbsFromHidden(model.lastTokenHidden(input));
    }

    /** Class log-probabilities from final-normed last-token hidden states [B, H]. */
    public Tensor logProbsFromHidden(Tensor hidden) {
        Tensor ids = ai.bayeslora.core.Tensors.ofLongs(answerIds, answerIds.length);
        if (reduction == ClassReduction.ANSWER_TOKENS) {
            return torch.log_softmax(model.headAtLastToken(hidden, ids), 1);
        }
        Tensor logp = torch.log_softmax(model.headAtLastToken(hidden, null), 1)
                .index_select(1, ids.to(hidden.device(), ScalarType.Long));
        // log(1 − Σ p_c), clamped so that an "other" mass of exactly 0 stays finite
        Tensor rest = torch.log1p(logp.exp().sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
                .neg().clamp(new ScalarOptional(), new ScalarOptional(new Scalar(-1e-12))));
        return torch.cat(new TensorVector(logp, rest), 1);
    }

    /** Class logits (not normalised) at the answer tokens [B, C]: the quantity Laplace linearises. */
    public Tensor answerLogits(ModelInput input) {
        return model.lastTokenLogits(input, ai.bayeslora.core.Tensors.ofLongs(answerIds, answerIds.length));
    }
}
