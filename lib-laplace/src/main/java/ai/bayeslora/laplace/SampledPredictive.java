package ai.bayeslora.laplace;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.laplace.internal.BlockLayout;
import ai.bayeslora.lora.LoraLayer;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The weight-space sampling predictive (docs/METHODS.md §6): S parameter draws θ_s = θ* + δ_s with δ_s ~ N(0, Λ⁻¹),
 * drawn once at creation (seeded) so every batch sees the same S networks, like an ensemble. {@link #predict} binds
 * each θ_s to a forward without gradients and returns the scorer's class probabilities per sample (either reduction);
 * neither the adapter nor the model is changed, so it may run from several threads. Slower than the linearised
 * predictive (S forwards) but the like-for-like comparison with ensembles. {@link #rescored} scores another class
 * set with the same draws.
 *
 * <p>Holds the draws as a native [S, P] tensor: {@link #close()} it (a rescored view shares them; close the original
 * only).
 */
public final class SampledPredictive implements PosteriorPredictive, AutoCloseable {
    private final LaplacePosterior posterior;
    private final AnswerScorer scorer;
    private final Tensor deltas;
    private final int samples;
    private final boolean owner;
    private boolean closed;

    SampledPredictive(LaplacePosterior posterior, AnswerScorer scorer, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("need at least one sample, got " + samples);
        }
        this.posterior = posterior;
        this.scorer = scorer;
        this.samples = samples;
        this.owner = true;
        try (NativeScope s = NativeScope.open()) {
            Tensor d = posterior.precisionModel().sample(posterior.priorPrecisions(), samples, new SplittableRandom(seed))
                    .contiguous();
            NativeScope.keep(d);
            this.deltas = d;
        }
    }

    private SampledPredictive(SampledPredictive draws, AnswerScorer scorer) {
        this.posterior = draws.posterior;
        this.scorer = scorer;
        this.samples = draws.samples;
        this.deltas = draws.deltas;
        this.owner = false;
    }

    /**
     * The weight-space draws as Java arrays: sample s evaluates the model at θ_MAP + δ_s over the posterior's selected
     * layers.
     *
     * @return δ [S][P], float64, in the layout of the selected layers' parameters
     */
    public double[][] deltaValues() {
        double[] flat = NativeScope.compute(() -> Tensors.toDoubles(deltas));
        int p = flat.length / samples;
        double[][] out = new double[samples][];
        for (int s = 0; s < samples; s++) {
            out[s] = java.util.Arrays.copyOfRange(flat, s * p, (s + 1) * p);
        }
        return out;
    }

    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        List<LoraLayer> layers = posterior.selectedLayers();
        BlockLayout layout = BlockLayout.of(layers);
        int b = batch.batchSize();
        int c = scorer.numClasses();
        double[] flat = new double[samples * b * c];
        for (int s = 0; s < samples; s++) {
            try (NativeScope scope = NativeScope.open(); NoGradGuard ng = new NoGradGuard()) {
                AdapterBinding binding = layout.binding(posterior.adapter(), layers,
                        posterior.theta().add(deltas.select(0, s)));
                Tensor logits = scorer.classLogits(new ModelInput(batch.inputIdsTensor(),
                        batch.attentionMaskTensor(), batch.positionIdsTensor()), binding);
                double[] p = Tensors.toDoubles(torch.softmax(logits.to(torch.ScalarType.Double), 1));
                System.arraycopy(p, 0, flat, s * b * c, b * c);
            }
        }
        return new ProbabilitySamples(flat, samples, b, c, classLabels());
    }

    @Override
    public List<String> classLabels() {
        return scorer.classLabels();
    }

    @Override
    public ClassReduction reduction() {
        return scorer.reduction();
    }

    /** The same draws scoring another class set or reduction; shares the draws (close this predictive only). */
    @Override
    public SampledPredictive rescored(AnswerTokens answers, ClassReduction reduction) {
        return new SampledPredictive(this, scorer.rescored(answers, reduction));
    }

    @Override
    public String name() {
        return "laplace " + posterior.structure().cliName() + " sampled (S=" + samples + ")";
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (owner) {
                NativeScope.release(deltas);
            }
        }
    }
}
