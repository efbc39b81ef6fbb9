package ai.bayeslora.lora.mcdropout;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.internal.ClassProbabilities;
import ai.bayeslora.lora.train.internal.DropoutRng;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import java.util.Objects;

/**
 * MC dropout over the LoRA branch (docs/METHODS.md §4, "any sample-based posterior"): each of S forward passes keeps
 * LoRA dropout active, so every pass sees a different dropout mask on the adapted layers' inputs; p_s [S, B, C] are
 * the passes' class probabilities and their mean the predictive. The base model has no dropout.
 *
 * <p>Reproducible and thread-safe: each {@link #predict} call draws its masks from a private generator seeded with
 * {@code seed} on the model's device (a CPU generator on the CPU, a CUDA one on CUDA), so a given batch gets the same
 * passes every time and from any thread; no global generator and no shared state is touched. The CPU and CUDA
 * generators are different algorithms, so the same seed gives other masks on a GPU than on the CPU.
 */
public final class McDropoutPredictive implements PosteriorPredictive {
    /** Default number of passes S. */
    public static final int DEFAULT_PASSES = 10;

    private final LoraAdapter adapter;
    private final AnswerScorer scorer;
    private final int passes;
    private final long seed;
    private final List<String> labels;

    /**
     * MC dropout with S passes.
     *
     * @param adapter an adapter with lora_dropout &gt; 0, attached to the scorer's model
     * @param passes S
     * @param scorer scores the classes (its model is the adapter's)
     * @param seed seeds the dropout masks of every {@link #predict} call
     * @throws IllegalArgumentException if the adapter's lora_dropout is 0 (every pass would be the same), or S &lt; 1
     */
    public McDropoutPredictive(LoraAdapter adapter, AnswerScorer scorer, int passes, long seed) {
        this.adapter = Objects.requireNonNull(adapter, "adapter");
        this.scorer = Objects.requireNonNull(scorer, "scorer");
        if (adapter.config().dropout() <= 0) {
            throw new IllegalArgumentException("MC dropout needs LoRA dropout, but the adapter's lora_dropout is "
                    + adapter.config().dropout() + ": every pass would give the same probabilities. Train (or load) "
                    + "the adapter with lora_dropout > 0, e.g. 0.1");
        }
        if (passes < 1) {
            throw new IllegalArgumentException("MC dropout needs S >= 1 passes, got " + passes);
        }
        this.passes = passes;
        this.seed = seed;
        this.labels = scorer.classLabels();
    }

    /**
     * S = {@value #DEFAULT_PASSES} passes.
     *
     * @param adapter an adapter with lora_dropout &gt; 0, attached to the scorer's model
     * @param scorer scores the classes (its model is the adapter's)
     * @param seed seeds the dropout masks of every {@link #predict} call
     */
    public McDropoutPredictive(LoraAdapter adapter, AnswerScorer scorer, long seed) {
        this(adapter, scorer, DEFAULT_PASSES, seed);
    }

    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        ClassProbabilities.checkModel(adapter, scorer);
        int b = batch.batchSize();
        int c = labels.size();
        double[] out = new double[passes * b * c];
        // masks are drawn where the model runs: no host-to-device copy of a [B, L, in] mask per adapted layer and pass
        try (DropoutRng rng = DropoutRng.seeded(seed, adapter.model().device().torchDevice())) {
            AdapterBinding binding = adapter.dropoutBinding(rng.generator());
            for (int s = 0; s < passes; s++) {
                ClassProbabilities.score(scorer, batch, binding, out, s * b * c);
            }
        }
        return new ProbabilitySamples(out, passes, b, c, labels);
    }

    @Override
    public List<String> classLabels() {
        return labels;
    }

    @Override
    public ai.bayeslora.core.mcqa.ClassReduction reduction() {
        return scorer.reduction();
    }

    @Override
    public String name() {
        return "mc-dropout (S=" + passes + ", p=" + adapter.config().dropout() + ")";
    }

    /** S. */
    @Override
    public ai.bayeslora.uncertainty.PosteriorPredictive rescored(ai.bayeslora.core.text.AnswerTokens answers,
                                                                 ai.bayeslora.core.mcqa.ClassReduction reduction) {
        return new McDropoutPredictive(adapter, scorer.rescored(answers, reduction), passes, seed);
    }

    /** {@return S, the number of passes} */
    public int passes() {
        return passes;
    }
}
