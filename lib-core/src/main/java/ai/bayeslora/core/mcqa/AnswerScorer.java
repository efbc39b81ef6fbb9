package ai.bayeslora.core.mcqa;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.text.AnswerTokens;
import java.util.List;
import java.util.Objects;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Multiple-choice QA as next-token classification (docs/METHODS.md §1): reads the model's last-token logits at the
 * answer tokens and turns them into class log-probabilities by a {@link ClassReduction}. The scorer owns the class
 * set: its answer tokens, its reduction and so its {@link #classLabels()}; {@link #rescored} gives the same model
 * scoring another class set. Differentiable, so the trainer uses it for the loss too.
 *
 * <p>Labels of several tokens (verbalizers such as " True") are scored by their continuation log-likelihood
 * ({@link ContinuationBatch}): every entry point taking a {@link ModelInput} or {@link EncodedBatch} handles them; the
 * {@code *FromHidden} methods, which read one last-token state, need {@link #singleToken()} labels.
 *
 * <p>Immutable and thread-safe: the adapters of a call come in as an {@link AdapterBinding}.
 */
public final class AnswerScorer {
    private final CausalLM model;
    private final AnswerTokens answers;
    private final ClassReduction reduction;
    private final long[] answerIds;
    private final List<String> classLabels;

    /**
     * @param model the shared base model
     * @param answers the answer tokens, one per class
     * @param reduction how logits become class probabilities
     */
    public AnswerScorer(CausalLM model, AnswerTokens answers, ClassReduction reduction) {
        this.model = Objects.requireNonNull(model, "model");
        this.answers = Objects.requireNonNull(answers, "answers");
        this.reduction = Objects.requireNonNull(reduction, "reduction");
        if (!answers.singleToken() && reduction == ClassReduction.FULL_VOCAB_WITH_OTHER) {
            // "other" = 1 − Σ_c p_c is a next-token mass; with multi-token labels there is no single next token
            answers.requireSingleToken("the full-vocabulary reduction (its \"other\" class is the next-token mass "
                    + "off the answer tokens)");
        }
        for (int c = 0; c < answers.numClasses(); c++) {
            for (long id : answers.sequence(c)) {
                if (id >= model.config().vocabSize()) {
                    throw new IllegalArgumentException("answer token id " + id + " (label \"" + answers.labels().get(c)
                            + "\") is outside the model's vocab_size " + model.config().vocabSize());
                }
            }
        }
        this.answerIds = answers.singleToken() ? answers.ids() : null;
        this.classLabels = reduction.classLabels(answers.labels());
    }

    /** {@return the base model} */
    public CausalLM model() {
        return model;
    }

    /** {@return the answer tokens, one per answer class} */
    public AnswerTokens answers() {
        return answers;
    }

    /** {@return the class reduction, (a) or (b)} */
    public ClassReduction reduction() {
        return reduction;
    }

    /** {@return the predictive's class labels: the answer labels, plus "other" under the full-vocabulary reduction} */
    public List<String> classLabels() {
        return classLabels;
    }

    /** {@return the number of predictive classes: C, or C + 1 with "other"} */
    public int numClasses() {
        return classLabels.size();
    }

    /**
     * The same model scoring another class set or reduction.
     *
     * @param newAnswers the answer tokens of the new class set
     * @param newReduction the reduction to use
     * @return a new scorer (this one if nothing changes)
     */
    public AnswerScorer rescored(AnswerTokens newAnswers, ClassReduction newReduction) {
        if (newAnswers.equals(answers) && newReduction == reduction) {
            return this;
        }
        return new AnswerScorer(model, newAnswers, newReduction);
    }

    /**
     * Class log-probabilities for an encoded batch.
     *
     * @param batch the prompts
     * @param binding the adapters of this call
     * @return [B, numClasses()]
     */
    public Tensor logProbs(EncodedBatch batch, AdapterBinding binding) {
        if (answerIds == null) {
            return torch.log_softmax(ContinuationBatch.of(batch, answers).scores(model, binding), 1);
        }
        return logProbs(new ModelInput(batch.inputIdsTensor(), batch.attentionMaskTensor(), batch.positionIdsTensor()),
                binding);
    }

    /**
     * Class probabilities for an encoded batch as Java arrays: the array form of {@link #logProbs(EncodedBatch,
     * AdapterBinding)} (exp of its entries), computed without gradients in a scope of its own, so no native tensor
     * outlives the call (docs/API.md, "Tensors in signatures").
     *
     * @param batch the prompts
     * @param binding the adapters of this call ({@link AdapterBinding#none()} for the base model)
     * @return [B][numClasses()] probabilities; each row sums to 1 up to rounding in the model's dtype
     */
    public double[][] probabilities(EncodedBatch batch, AdapterBinding binding) {
        int c = numClasses();
        double[] flat = ai.bayeslora.core.NativeScope.noGrad(() ->
                ai.bayeslora.core.Tensors.toDoubles(logProbs(batch, binding).exp()));
        double[][] rows = new double[flat.length / c][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = java.util.Arrays.copyOfRange(flat, r * c, (r + 1) * c);
        }
        return rows;
    }

    /**
     * Class log-probabilities for a model input.
     *
     * @param input token ids, attention mask and positions
     * @param binding the adapters of this call
     * @return [B, numClasses()]
     */
    public Tensor logProbs(ModelInput input, AdapterBinding binding) {
        if (answerIds == null) {
            return torch.log_softmax(classLogits(input, binding), 1);
        }
        return logProbsFromHidden(model.lastTokenHidden(input, binding), binding);
    }

    /** {@return whether every class label is one token, so a class is read at one last-token logit (the fast path)} */
    public boolean singleToken() {
        return answerIds != null;
    }

    /**
     * The batch expanded with each class's label tokens, for multi-token labels.
     *
     * @param batch the prompts
     * @return B·C rows ({@link ContinuationBatch})
     */
    public ContinuationBatch continuations(EncodedBatch batch) {
        return ContinuationBatch.of(batch, answers);
    }

    /**
     * Class logits of an expanded batch: the continuation log-likelihoods (reduction (a) only).
     *
     * @param batch the expanded prompts
     * @param binding the adapters of this call
     * @return [B, C]
     */
    public Tensor classLogits(ContinuationBatch batch, AdapterBinding binding) {
        return batch.scores(model, binding);
    }

    /**
     * Class log-probabilities from final-normed last-token hidden states: {@code log_softmax} of the
     * {@linkplain #classLogitsFromHidden class logits}.
     *
     * @param hidden [B, H]
     * @param binding the adapters of this call (lm_head's is used)
     * @return [B, numClasses()]
     */
    public Tensor logProbsFromHidden(Tensor hidden, AdapterBinding binding) {
        return torch.log_softmax(classLogitsFromHidden(hidden, binding), 1);
    }

    /**
     * The class logits g whose softmax is the class probabilities (docs/METHODS.md §1), in float32 (float64 in float64
     * mode) whatever the compute dtype. With multi-token labels, the C continuation log-likelihoods
     * ({@link ContinuationBatch}); otherwise under reduction (a) the C
     * answer-token logits; under (b) the C answer-token logits plus g_other = log Σ_{v ∉ answers} exp f_v, so that
     * softmax(g) gives p_c = exp f_c / Σ_v exp f_v and p_other = 1 − Σ_c p_c exactly, without cancellation. This is the
     * quantity Laplace linearises, for either reduction.
     *
     * @param input token ids, attention mask and positions
     * @param binding the adapters of this call
     * @return [B, numClasses()]
     */
    public Tensor classLogits(ModelInput input, AdapterBinding binding) {
        if (answerIds == null) {
            return ContinuationBatch.of(input, answers).scores(model, binding);
        }
        return classLogitsFromHidden(model.lastTokenHidden(input, binding), binding);
    }

    /**
     * {@link #classLogits} from final-normed last-token hidden states.
     *
     * @param hidden [B, H]
     * @param binding the adapters of this call (lm_head's is used)
     * @return [B, numClasses()]
     */
    public Tensor classLogitsFromHidden(Tensor hidden, AdapterBinding binding) {
        requireSingleToken();
        Tensor ids = ai.bayeslora.core.Tensors.ofLongs(answerIds, answerIds.length);
        // logits leave bf16/fp16 before any softmax or logsumexp: float32 (float64 in float64 mode)
        ScalarType acc = model.device().dtype().accumulation().scalarType();
        if (reduction == ClassReduction.ANSWER_TOKENS) {
            return model.headAtLastToken(hidden, ids, binding).to(acc);
        }
        Tensor full = model.headAtLastToken(hidden, null, binding).to(acc); // [B, V]
        Tensor onDevice = ids.to(hidden.device(), ScalarType.Long);
        Tensor answers = full.index_select(1, onDevice);
        Tensor rest = full.index_fill(1, onDevice, new Scalar(Double.NEGATIVE_INFINITY))
                .logsumexp(new long[] {1}, true);
        return torch.cat(new TensorVector(answers, rest), 1);
    }

    /**
     * Logits (not normalised) at the answer tokens, whatever the reduction (the class logits of reduction (a)).
     *
     * @param input token ids, attention mask and positions
     * @param binding the adapters of this call
     * @return [B, C]
     */
    public Tensor answerLogits(ModelInput input, AdapterBinding binding) {
        requireSingleToken();
        return model.lastTokenLogits(input, ai.bayeslora.core.Tensors.ofLongs(answerIds, answerIds.length), binding);
    }

    private void requireSingleToken() {
        if (answerIds == null) {
            answers.requireSingleToken("reading the classes at one last-token state");
        }
    }
}
