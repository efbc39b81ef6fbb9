package ai.bayeslora.core.model;

import org.bytedeco.pytorch.Tensor;

/** One pre-norm decoder block: {@code h += attn(norm₁(h)); h += mlp(norm₂(h))}. */
public final class DecoderLayer {
    private final int index;
    private final RmsNorm inputNorm;
    private final Attention attention;
    private final RmsNorm postAttentionNorm;
    private final Mlp mlp;

    /**
     * A decoder block from its parts.
     *
     * @param index the 0-based layer index
     * @param inputNorm the RMSNorm before attention
     * @param attention the self-attention block
     * @param postAttentionNorm the RMSNorm before the MLP
     * @param mlp the gated MLP
     */
    public DecoderLayer(int index, RmsNorm inputNorm, Attention attention, RmsNorm postAttentionNorm, Mlp mlp) {
        this.index = index;
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postAttentionNorm = postAttentionNorm;
        this.mlp = mlp;
    }

    /** {@return the 0-based layer index} */
    public int index() {
        return index;
    }

    /**
     * Runs the block on hidden states [B, L, H] with the adapters of {@code binding}.
     *
     * @param h [B, L, H]
     * @param cos RoPE cosines for the batch's positions
     * @param sin RoPE sines
     * @param mask additive attention mask [B, 1, L, L], or null for plain causal attention
     * @param rope the rotary embedding
     * @param binding the adapters of this call
     * @return [B, L, H]
     */
    public Tensor forward(Tensor h, Tensor cos, Tensor sin, Tensor mask, RotaryEmbedding rope, AdapterBinding binding) {
        Tensor a = attention.forward(inputNorm.forward(h), cos, sin, mask, rope, binding);
        Tensor h1 = h.add(a);
        return h1.add(mlp.forward(postAttentionNorm.forward(h1), binding));
    }

    /** The same block with each linear layer replaced by {@code f} of it (merged copies). */
    DecoderLayer withLinears(java.util.function.UnaryOperator<LinearLayer> f) {
        return new DecoderLayer(index, inputNorm, attention.withLinears(f), postAttentionNorm, mlp.withLinears(f));
    }
}
