package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.data.EncodedBatch;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Accumulates one curvature {@code Structure} from captured forwards and weighted backward passes, then hands over
 * the fitted {@link PrecisionModel}. Calls come inside the caller's per-batch {@code PointerScope}; state that
 * outlives the batch is retained by the builder.
 */
public interface CurvatureBuilder extends AutoCloseable {
    /** Called once per batch after the captured forward (input-side statistics, label independent). */
    void beginBatch(GradientEngine engine, EncodedBatch batch);

    /**
     * Called once per backward pass with the gradients of the pass's weighted scalar Σ_n w_n · log p(y | x_n) with
     * respect to every captured u and v (see {@link GradientEngine#outputGradients}).
     */
    void addPass(GradientEngine engine, EncodedBatch batch, List<Tensor[]> outputGradients);

    /** The fitted curvature after {@code examples} examples. The builder must not be used afterwards. */
    PrecisionModel finish(long examples);

    @Override
    void close();
}
