package ai.bayeslora.laplace;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.model.ModelInput;
import ai.bayeslora.laplace.internal.BlockLayout;
import ai.bayeslora.lora.LoraLayer;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The weight-space sampling predictive (METHODS.md §6): S parameter draws θ_s = θ* + δ_s with δ_s ~ N(0, Λ⁻¹),
 * drawn once at creation (seeded) so every batch sees the same S networks, like an ensemble. {@link #predict} writes
 * each θ_s into the adapter, runs the network without gradients, and returns the softmax over the answer tokens
 * (reduction (a)) per sample; θ* is written back afterwards. Slower than the linearised predictive (S forwards) but
 * the like-for-like comparison with ensembles.
 *
 * <p>Holds the draws as a native [S, P] tensor: {@link #close()} it.
 */
public final class SampledPredictive implements PosteriorPredictive, AutoCloseable {
    private final LaplacePosterior posterior;
    private final AnswerScorer scorer;
    private final Tensor deltas;
    private final int samples;
    private boolean closed;

    SampledPredictive(LaplacePosterior posterior, AnswerScorer scorer, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("need at least one sample, got " + samples);
        }
        this.posterior = posterior;
        this.scorer = scorer;
        this.samples = samples;
        try (PointerScope s = new PointerScope()) {
            Tensor d = posterior.precisionModel().sample(posterior.priorPrecisions(), samples, new SplittableRandom(seed))
                    .contiguous();
            d.retainReference();
            this.deltas = d;
        }
    }

    /** The draws δ_s [S, P] (float64); shared, do not close. */
    public Tensor deltas() {
        return deltas;
    }

    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        List<LoraLayer> layers = posterior.selectedLayers();
        BlockLayout layout = BlockLayout.of(layers);
        int b = batch.batchSize();
        int c = scorer.answers().numClasses();
        double[] flat = new double[samples * b * c];
        posterior.adapter().attach().train(false);
        try {
            for (int s = 0; s < samples; s++) {
                try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
                    layout.assign(layers, posterior.theta().add(deltas.select(0, s)));
                    Tensor logits = scorer.answerLogits(new ModelInput(batch.inputIdsTensor(),
                            batch.attentionMaskTensor(), batch.positionIdsTensor()));
                    double[] p = Tensors.toDoubles(torch.softmax(logits.to(torch.ScalarType.Double), 1));
                    System.arraycopy(p, 0, flat, s * b * c, b * c);
                }
            }
        } finally {
            posterior.restoreMap();
        }
        return new ProbabilitySamples(flat, samples, b, c, classLabels());
    }

    @Override
    public List<String> classLabels() {
        return scorer.answers().labels();
    }

    @Override
    public String name() {
        return "laplace " + posterior.structure().cliName() + " sampled (S=" + samples + ")";
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            deltas.releaseReference();
        }
    }
}
