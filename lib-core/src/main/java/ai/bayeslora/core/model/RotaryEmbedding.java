package ai.bayeslora.core.model;

import ai.bayeslora.core.Tensors;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Rotary position embeddings (RoPE) with transformers' numerics: inverse frequencies and angles are computed in
 * float32 ({@code 1/θ^(2i/d)}, angle = position × inv_freq), and cos/sin are cast to the compute dtype afterwards.
 * Supports default, linear, dynamic-NTK and llama3 scaling, and partial rotary dimensions.
 */
public final class RotaryEmbedding {
    private final RopeConfig rope;
    private final int rotaryDim;
    private final float[] baseInvFreq;

    /**
     * Precomputes the (scaled) inverse frequencies.
     *
     * @param rope the RoPE parameters
     * @param rotaryDim dimensions rotated per head, even
     */
    public RotaryEmbedding(RopeConfig rope, int rotaryDim) {
        this.rope = rope;
        this.rotaryDim = rotaryDim;
        this.baseInvFreq = scaled(invFreq(rope.theta(), rotaryDim));
    }

    /**
     * Dimensions rotated per head.
     *
     * @return the rotary dimension
     */
    public int rotaryDim() {
        return rotaryDim;
    }

    /** {@return the inverse frequencies in use for sequences within the original context (float32 values)} */
    public float[] inverseFrequencies() {
        return baseInvFreq.clone();
    }

    /**
     * cos and sin tables for the given positions.
     *
     * @param positionIds int64 [B, L]
     * @param dtype compute dtype of the result
     * @return {cos, sin}, each [B, L, rotaryDim]
     */
    public Tensor[] cosSin(Tensor positionIds, ScalarType dtype) {
        float[] inv = baseInvFreq;
        if (rope.type() == RopeConfig.Type.DYNAMIC) {
            long seqLen = positionIds.max().item_long() + 1;
            if (seqLen > rope.originalMaxPositions()) {
                // Dynamic NTK (transformers): θ' = θ·((f·L/L₀) − (f − 1))^(d/(d−2)), evaluated per call.
                double d = rotaryDim;
                double base = rope.theta() * Math.pow(rope.factor() * seqLen / rope.originalMaxPositions()
                        - (rope.factor() - 1), d / (d - 2));
                inv = invFreq(base, rotaryDim);
            }
        }
        Tensor invT = Tensors.ofFloats(inv, 1, 1, inv.length).to(positionIds.device(), ScalarType.Float);
        Tensor freqs = positionIds.to(ScalarType.Float).unsqueeze(-1).mul(invT); // [B, L, d/2] in float32
        Tensor emb = torch.cat(new TensorVector(freqs, freqs), -1);
        return new Tensor[] {emb.cos().to(dtype), emb.sin().to(dtype)};
    }

    /**
     * Rotates the first {@code rotaryDim} features of {@code x} [B, H, L, D]: {@code x·cos + rotate_half(x)·sin}.
     *
     * @param x [B, H, L, D]
     * @param cos the cosine table of {@link #cosSin} for the batch's positions
     * @param sin the matching sine table
     * @return the rotated tensor, same shape as {@code x}
     */
    public Tensor apply(Tensor x, Tensor cos, Tensor sin) {
        Tensor c = cos.unsqueeze(1);
        Tensor s = sin.unsqueeze(1);
        long d = x.size(-1);
        if (rotaryDim == d) {
            return x.mul(c).add(rotateHalf(x).mul(s));
        }
        Tensor rot = x.narrow(-1, 0, rotaryDim);
        Tensor pass = x.narrow(-1, rotaryDim, d - rotaryDim);
        Tensor r = rot.mul(c).add(rotateHalf(rot).mul(s));
        return torch.cat(new TensorVector(r, pass), -1);
    }

    private static Tensor rotateHalf(Tensor x) {
        long half = x.size(-1) / 2;
        Tensor x1 = x.narrow(-1, 0, half);
        Tensor x2 = x.narrow(-1, half, half);
        return torch.cat(new TensorVector(x2.neg(), x1), -1);
    }

    /** 1/θ^(arange(0, d, 2)/d), evaluated by libtorch in float32 exactly as transformers does. */
    private static float[] invFreq(double theta, int dim) {
        return ai.bayeslora.core.NativeScope.compute(() -> {
            Tensor exps = torch.arange(new Scalar(0), new Scalar(dim), new Scalar(2), new TensorOptions(ScalarType.Long))
                    .to(ScalarType.Float).div(new Scalar((double) dim));
            return Tensors.toFloats(torch.reciprocal(torch.pow(new Scalar(theta), exps)));
        });
    }

    /** Static scalings of the inverse frequencies (linear, llama3); dynamic is applied per call. */
    private float[] scaled(float[] inv) {
        float[] out = inv.clone();
        switch (rope.type()) {
            case LINEAR:
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) (inv[i] / rope.factor());
                }
                return out;
            case LLAMA3: {
                // Llama 3.1: long wavelengths divided by factor, short ones kept, a smooth blend between.
                double factor = rope.factor();
                double oldCtx = rope.originalMaxPositions();
                double lowWavelen = oldCtx / rope.lowFreqFactor();
                double highWavelen = oldCtx / rope.highFreqFactor();
                for (int i = 0; i < out.length; i++) {
                    float f = inv[i];
                    double wavelen = (float) (2 * Math.PI / f);
                    float llama = wavelen > lowWavelen ? (float) (f / factor) : f;
                    boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
                    if (medium) {
                        double smooth = (oldCtx / wavelen - rope.lowFreqFactor())
                                / (rope.highFreqFactor() - rope.lowFreqFactor());
                        llama = (float) ((1 - smooth) * llama / factor + smooth * llama);
                    }
                    out[i] = llama;
                }
                return out;
            }
            default:
                return out;
        }
    }
}
