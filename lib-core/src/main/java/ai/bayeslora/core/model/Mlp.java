package ai.bayeslora.core.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** Gated MLP: {@code down(act(gate(x)) ⊙ up(x))}, SwiGLU when the activation is SiLU. */
public final class Mlp {
    private final LinearLayer gate;
    private final LinearLayer up;
    private final LinearLayer down;
    private final String act;

    /**
     * A gated MLP from its projections.
     *
     * @param gate gate projection, [intermediate, hidden]
     * @param up up projection, [intermediate, hidden]
     * @param down down projection, [hidden, intermediate]
     * @param act the HF activation name (silu, gelu, gelu_pytorch_tanh, relu)
     */
    public Mlp(LinearLayer gate, LinearLayer up, LinearLayer down, String act) {
        this.gate = gate;
        this.up = up;
        this.down = down;
        this.act = act;
    }

    /**
     * {@code down(act(gate(x)) ⊙ up(x))} with the adapters of {@code binding}.
     *
     * @param x [B, L, hidden]
     * @param binding the adapters of this call
     * @return [B, L, hidden]
     */
    public Tensor forward(Tensor x, AdapterBinding binding) {
        return down.forward(activation(gate.forward(x, binding)).mul(up.forward(x, binding)), binding);
    }

    /** The same MLP with each projection replaced by {@code f} of it. */
    Mlp withLinears(java.util.function.UnaryOperator<LinearLayer> f) {
        return new Mlp(f.apply(gate), f.apply(up), f.apply(down), act);
    }

    private Tensor activation(Tensor x) {
        switch (act) {
            case "silu": case "swish": return torch.silu(x);
            case "gelu": return torch.gelu(x);
            case "gelu_pytorch_tanh": case "gelu_new": return torch.gelu(x, "tanh");
            case "relu": return torch.relu(x);
            default: throw new UnsupportedArchitectureException("unsupported hidden_act '" + act + "'");
        }
    }
}
