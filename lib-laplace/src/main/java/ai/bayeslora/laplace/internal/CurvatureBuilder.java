package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.data.EncodedBatch;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Accumulates one curvature {@code Structure} from captured forwards and weighted backward passes, then hands over
 * its float64 sums ({@link CurvatureTerms}; {@link CurvatureFinish} factorises them). Calls come inside the caller's per-batch {@code PointerScope}; state that
 * outlives the batch is retained by the builder.
 */
public interface CurvatureBuilder extends AutoCloseable {
    /** Called once per batch after the captured forward (input-side statistics, label independent). */
    void beginBatch(GradientEngine engine, EncodedBatch batch);

    /**
     * Called once per curvature root r (see {@link LabelWeights}) with the virtual output gradients
     * Σ_k r_{n,k} ∂f_k(x_n)/∂(u, v) of every example, per captured module ({u, v} pairs as from
     * {@link GradientEngine#outputGradients}); the curvature is the sum over roots of their outer products.
     */
    void addPass(GradientEngine engine, EncodedBatch batch, List<Tensor[]> outputGradients);

    /** The sums so far, copied to the Java heap (once, at the end of a pass). */
    CurvatureTerms terms();

    @Override
    void close();
}
