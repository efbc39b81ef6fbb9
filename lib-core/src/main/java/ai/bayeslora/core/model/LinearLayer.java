package ai.bayeslora.core.model;

import java.util.Objects;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A frozen linear map {@code y = x Wᵀ + b} addressed by its HF module name (for example
 * {@code model.layers.3.self_attn.q_proj}), with an optional {@link LinearAdapter} applied on top.
 */
public final class LinearLayer {
    private final String name;
    private final Tensor weight;
    private final Tensor bias;
    private volatile LinearAdapter adapter;

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

    public String name() {
        return name;
    }

    /** The frozen weight [out, in]; shared, do not close. */
    public Tensor weight() {
        return weight;
    }

    /** The frozen bias or null. */
    public Tensor bias() {
        return bias;
    }

    public long inFeatures() {
        return weight.size(1);
    }

    public long outFeatures() {
        return weight.size(0);
    }

    /** The adapter currently applied, or null. */
    public LinearAdapter adapter() {
        return adapter;
    }

    /** Installs (or with null removes) the adapter. */
    public void setAdapter(LinearAdapter adapter) {
        this.adapter = adapter;
    }

    /** {@code x Wᵀ + b}, then the adapter. */
    public Tensor forward(Tensor x) {
        Tensor y = bias == null ? torch.linear(x, weight) : torch.linear(x, weight, new TensorOptional(bias));
        LinearAdapter a = adapter;
        return a == null ? y : a.forward(x, y, null);
    }

    /** Only the output features {@code rows} (int64 index): {@code x W[rows]ᵀ + b[rows]}, then the adapter. */
    public Tensor forwardRows(Tensor x, Tensor rows) {
        Tensor w = weight.index_select(0, rows);
        Tensor y = bias == null ? torch.linear(x, w) : torch.linear(x, w, new TensorOptional(bias.index_select(0, rows)));
        LinearAdapter a = adapter;
        return a == null ? y : a.forward(x, y, rows);
    }
}
