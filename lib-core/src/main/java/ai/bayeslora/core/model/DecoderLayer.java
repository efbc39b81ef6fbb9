package ai.bayeslora.core.model;

import org.bytedeco.pytorch.Tensor;

/** One pre-norm decoder block: {@code h += attn(norm₁(h)); h += mlp(norm₂(h))}. */
public final class DecoderLayer {
    private final int index;
    private final RmsNorm inputNorm;
    private final Attention attention;
    private final RmsNorm postAttentionNorm;
    private final Mlp mlp;

    public DecoderLayer(int index, RmsNorm inputNorm, Attention attention, RmsNorm postAttentionNorm, Mlp mlp) {
        this.index = index;
        this.inputNorm = inputNorm;
        this.attention = attention;
        this.postAttentionNorm = postAttentionNorm;
        this.mlp = mlp;
    }

    public int index() {
        return index;
    }

    public Tensor forward(Tensor h, Tensor cos, Tensor sin, Tensor mask, RotaryEmbedding rope) {
        Tensor a = attention.forward(inputNorm.forward(h), cos, sin, mask, rope);
        Tensor h1 = h.add(a);
        return h1.add(mlp.forward(postAttentionNorm.forward(h1)));
    }
}
