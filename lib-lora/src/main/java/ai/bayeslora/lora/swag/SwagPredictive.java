package ai.bayeslora.lora.swag;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.internal.ClassProbabilities;
import ai.bayeslora.lora.internal.ParameterLayout;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * The SWAG posterior predictive (docs/METHODS.md §5): for each batch, S weight samples θ_s are bound to the forward
 * ({@link LoraAdapter#bindingAt}) and scored without gradients and without dropout; the result is p_s [S, B, C], whose
 * mean is the predictive. Sample s is drawn from a generator seeded by {@code seed}, identically for every batch, so the
 * S samples are S fixed networks across a dataset (like ensemble members) and the same seed gives the same numbers.
 * The S samples are drawn once and kept on the model's device by the posterior (within a memory budget, see
 * {@link SwagPosterior#cachedSampleBytes}); beyond it they are drawn again for every batch, with the same numbers.
 * Neither the adapter nor the model is changed, so predictions may run from several threads at once.
 *
 * <p>Created by {@link SwagPosterior#predictive}. Borrows the posterior, adapter and scorer.
 */
public final class SwagPredictive implements PosteriorPredictive {
    private final SwagPosterior posterior;
    private final LoraAdapter adapter;
    private final AnswerScorer scorer;
    private final int samples;
    private final long seed;
    private final List<String> labels;

    SwagPredictive(SwagPosterior posterior, LoraAdapter adapter, AnswerScorer scorer, int samples, long seed) {
        this.posterior = Objects.requireNonNull(posterior, "posterior");
        this.adapter = Objects.requireNonNull(adapter, "adapter");
        this.scorer = Objects.requireNonNull(scorer, "scorer");
        if (samples < 1) {
            throw new IllegalArgumentException("SWAG predictive needs S >= 1 samples, got " + samples);
        }
        ParameterLayout here = ParameterLayout.of(adapter);
        posterior.layout().mismatch(here).ifPresent(m -> {
            throw new IllegalArgumentException("the adapter does not match the SWAG posterior's parameters: " + m);
        });
        this.samples = samples;
        this.seed = seed;
        this.labels = scorer.classLabels();
    }

    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        ClassProbabilities.checkModel(adapter, scorer);
        posterior.checkOpen();
        int b = batch.batchSize();
        int c = labels.size();
        double[] out = new double[samples * b * c];
        Tensor like = adapter.parameters().get(0);
        Optional<List<Tensor>> cached = posterior.cachedSamples(seed, samples, adapter.model().device(), like);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int s = 0; s < samples; s++) {
            int offset = s * b * c;
            int index = s;
            NativeScope.run(() -> {
                Tensor theta = cached.isPresent() ? cached.get().get(index) : SwagSampleCache.draw(posterior, rng, like);
                ClassProbabilities.score(scorer, batch, adapter.bindingAt(theta), out, offset);
            });
        }
        return new ProbabilitySamples(out, samples, b, c, labels);
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
        return "swag (S=" + samples + ")";
    }

    @Override
    public PosteriorPredictive rescored(ai.bayeslora.core.text.AnswerTokens answers,
                                        ai.bayeslora.core.mcqa.ClassReduction reduction) {
        return new SwagPredictive(posterior, adapter, scorer.rescored(answers, reduction), samples, seed);
    }

    /**
     * S.
     *
     * @return the number of weight samples S
     */
    public int samples() {
        return samples;
    }

    /** {@return the seed the samples are drawn from} */
    public long seed() {
        return seed;
    }
}
