package ai.bayeslora.core.model;

import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * Grouped-query self-attention: q/k/v projections, RoPE on q and k, scaled dot-product attention with scale
 * {@code head_dim^-1/2} (key/value heads shared by {@code numHeads/numKvHeads} query heads), then o_proj.
 */
public final class Attention {
    private final LinearLayer q;
    private final LinearLayer k;
    private final LinearLayer v;
    private final LinearLayer o;
    private final int numHeads;
    private final int numKvHeads;
    private final int headDim;

    /**
     * An attention block over frozen projections.
     *
     * @param q query projection, [numHeads·headDim, hidden]
     * @param k key projection, [numKvHeads·headDim, hidden]
     * @param v value projection, [numKvHeads·headDim, hidden]
     * @param o output projection, [hidden, numHeads·headDim]
     * @param numHeads query heads
     * @param numKvHeads key/value heads; divides {@code numHeads}
     * @param headDim per-head width
     */
    public Attention(LinearLayer q, LinearLayer k, LinearLayer v, LinearLayer o, int numHeads, int numKvHeads,
                     int headDim) {
        this.q = q;
        this.k = k;
        this.v = v;
        this.o = o;
        this.numHeads = numHeads;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
    }

    /**
     * Attention on hidden states, with the adapters of {@code binding} on the projections.
     *
     * @param h [B, L, hidden]
     * @param mask additive mask [B, 1, L, L], or null for plain causal attention
     * @param binding the adapters of this call
     * @param cos RoPE cosines for the batch's positions ({@link RotaryEmbedding#cosSin})
     * @param sin RoPE sines, same shape as {@code cos}
     * @param rope the rotary embedding that applies {@code cos} and {@code sin}
     * @return [B, L, hidden], after o_proj
     */
    public Tensor forward(Tensor h, Tensor cos, Tensor sin, Tensor mask, RotaryEmbedding rope, AdapterBinding binding) {
        long b = h.size(0);
        long len = h.size(1);
        Tensor qs = q.forward(h, binding).view(b, len, numHeads, headDim).transpose(1, 2);
        Tensor ks = k.forward(h, binding).view(b, len, numKvHeads, headDim).transpose(1, 2);
        Tensor vs = v.forward(h, binding).view(b, len, numKvHeads, headDim).transpose(1, 2);
        qs = rope.apply(qs, cos, sin);
        ks = rope.apply(ks, cos, sin);
        if (numKvHeads != numHeads) {
            // kv head j serves query heads j·g … j·g+g−1 (transformers' repeat_kv)
            long g = numHeads / numKvHeads;
            ks = ks.repeat_interleave(g, new org.bytedeco.pytorch.LongOptional(1), new org.bytedeco.pytorch.LongOptional());
            vs = vs.repeat_interleave(g, new org.bytedeco.pytorch.LongOptional(1), new org.bytedeco.pytorch.LongOptional());
        }
        Tensor out = torch.scaled_dot_product_attention(qs, ks, vs,
                mask == null ? new TensorOptional() : new TensorOptional(mask), 0.0, mask == null,
                new DoubleOptional(1.0 / Math.sqrt(headDim)), false);
        out = out.transpose(1, 2).reshape(b, len, (long) numHeads * headDim);
        return o.forward(out, binding);
    }

    /** The same attention with each projection replaced by {@code f} of it. */
    Attention withLinears(java.util.function.UnaryOperator<LinearLayer> f) {
        return new Attention(f.apply(q), f.apply(k), f.apply(v), f.apply(o), numHeads, numKvHeads, headDim);
    }

    /** {@return the query projection} */
    public LinearLayer qProj() {
        return q;
    }

    /** {@return the key projection} */
    public LinearLayer kProj() {
        return k;
    }

    /** {@return the value projection} */
    public LinearLayer vProj() {
        return v;
    }

    /** {@return the output projection} */
    public LinearLayer oProj() {
        return o;
    }
}
