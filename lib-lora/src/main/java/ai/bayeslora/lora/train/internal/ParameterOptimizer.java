package ai.bayeslora.lora.train.internal;

import ai.bayeslora.lora.train.OptimizerConfig;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * An optimizer over a fixed list of parameters, with its state exposed as named tensors so that a checkpoint can
 * store it in safetensors and a resumed run continues bit for bit.
 *
 * <p>Why not libtorch's {@code torch::optim::AdamW}: the JavaCPP preset binds its {@code save}/{@code load} to
 * {@code OutputArchive}/{@code InputArchive} (a TorchScript archive, not safetensors) but not the per-parameter state
 * map, so the moments could neither be written next to the adapter in the project's format nor inspected in tests.
 * The update rules here are a handful of in-place tensor ops per parameter and follow {@code torch.optim} exactly.
 */
public interface ParameterOptimizer extends AutoCloseable {

    /** A new optimizer for {@code config}. */
    static ParameterOptimizer create(OptimizerConfig config) {
        if (config instanceof OptimizerConfig.AdamW a) {
            return new AdamWOptimizer(a);
        }
        if (config instanceof OptimizerConfig.Sgd s) {
            return new SgdOptimizer(s);
        }
        throw new IllegalArgumentException("unknown optimizer " + config);
    }

    /**
     * One update of {@code params} in place, without recording gradients.
     *
     * @param params the parameters (leaf tensors); the same list, in the same order, at every call
     * @param grads their gradients, aligned with {@code params}
     * @param lr the learning rate of this step
     */
    void step(List<Tensor> params, List<Tensor> grads, double lr);

    /** Optimizer steps taken so far (AdamW's t). */
    long steps();

    /** A short name stored in the trainer state: {@code adamw} or {@code sgd}. */
    String type();

    /**
     * The state tensors of parameter {@code index}, keyed by PyTorch's names ({@code exp_avg}, {@code exp_avg_sq},
     * {@code momentum_buffer}); empty before the first step. The tensors stay owned by the optimizer.
     */
    Map<String, Tensor> state(int index);

    /**
     * Restores the state saved from {@link #steps()} and {@link #state(int)}: copies the tensors (the caller keeps
     * ownership of its arguments).
     *
     * @param steps the step count
     * @param state per parameter, the tensors of {@link #state(int)}
     * @param params the parameters the state belongs to, for dtype, device and shape
     */
    void load(long steps, List<Map<String, Tensor>> state, List<Tensor> params);

    /** Releases the state tensors. */
    @Override
    void close();
}
