package ai.bayeslora.core.model;

import java.util.Objects;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A frozen linear map {@code y = x Wᵀ + b} addressed by its HF module name (for example
 * {@code model.layers.3.self_attn.q_proj}). Immutable: the adapter of a call comes from that call's
 * {@link AdapterBinding}, so the layer is safe to share between threads.
 */
public final class LinearLayer {
    private final String name;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * @param name HF module name
     * @param weight [out, in]
     * @param bias [out] or null
     */
    public LinearLayer(String name, Tensor weight, Tensor bias) {
        this.name = Objects.requireNonNull(name, "name");
        this.weight = Objects.requireNonNull(weight, "weight");
        this.bias = bias;
    }

    /** {@return the HF module name} */
    public String name() {
        return name;
    }

    /** {@return the frozen weight [out, in]; shared, do not close} */
    public Tensor weight() {
        return weight;
    }

    /** {@return the frozen bias or null} */
    public Tensor bias() {
        return bias;
    }

    /**
     * Input features (columns of the weight).
     *
     * @return the number of input features
     */
    public long inFeatures() {
        return weight.size(1);
    }

    /**
     * Output features (rows of the weight).
     *
     * @return the number of output features
     */
    public long outFeatures() {
        return weight.size(0);
    }

    /**
     * {@code x Wᵀ + b}, then the adapter {@code binding} gives this module, if any.
     *
     * @param x input [..., in]
     * @param binding the adapters of this call
     * @return [..., out]
     */
    public Tensor forward(Tensor x, AdapterBinding binding) {
        Tensor y = bias == null ? torch.linear(x, weight) : torch.linear(x, weight, new TensorOptional(bias));
        LinearAdapter a = binding.adapterFor(name);
        return a == null ? y : a.forward(x, y, null);
    }

    /**
     * Only the output features {@code rows}: {@code x W[rows]ᵀ + b[rows]}, then the bound adapter.
     *
     * @param x input [..., in]
     * @param rows int64 index of the output features to compute
     * @param binding the adapters of this call
     * @return [..., rows]
     */
    public Tensor forwardRows(Tensor x, Tensor rows, AdapterBinding binding) {
        Tensor w = weight.index_select(0, rows);
        Tensor y = bias == null ? torch.linear(x, w) : torch.linear(x, w, new TensorOptional(bias.index_select(0, rows)));
        LinearAdapter a = binding.adapterFor(name);
        return a == null ? y : a.forward(x, y, rows);
    }

    /** The same layer with another weight (merged copies); shares the bias. */
    LinearLayer withWeight(Tensor newWeight) {
        return new LinearLayer(name, newWeight, bias);
    }
}
