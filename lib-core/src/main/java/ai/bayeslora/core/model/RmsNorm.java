package ai.bayeslora.core.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * RMSNorm as transformers computes it for float32, bfloat16 and float16: normalise in float32, cast back to the input
 * dtype, then scale: {@code w · (x / √(mean(x²) + ε))}.
 *
 * <p>For float64 inputs the normalisation stays in float64. transformers casts float64 down to float32 here, which
 * puts a float32 rounding into every layer of an otherwise float64 forward: two mathematically equal inputs that
 * differ by one float64 ulp (a padded batch against a single prompt, or one BLAS kernel against another) can then
 * land on different float32 values, a relative difference of about 6e-8 instead of 1e-16. The float64 mode exists
 * for oracles and finite differences, which need float64 throughout (docs/DEVELOPING.md, "float64 mode").
 */
public final class RmsNorm {
    private final Tensor weight;
    private final double eps;

    /**
     * An RMSNorm.
     *
     * @param weight the scale w [H]
     * @param eps ε, added to the mean square
     */
    public RmsNorm(Tensor weight, double eps) {
        this.weight = weight;
        this.eps = eps;
    }

    /** {@return the scale w [H]} */
    public Tensor weight() {
        return weight;
    }

    /**
     * Normalises the last dimension (in float32, or float64 for float64 input) and scales it.
     *
     * @param x [..., H]
     * @return w · x / √(mean(x²) + ε), in the input's dtype
     */
    public Tensor forward(Tensor x) {
        ScalarType in = x.scalar_type();
        Tensor h = in.intern() == ScalarType.Double ? x : x.to(ScalarType.Float);
        Tensor variance = h.pow(new org.bytedeco.pytorch.Scalar(2.0)).mean(new long[] {-1}, true,
                new org.bytedeco.pytorch.ScalarTypeOptional());
        h = h.mul(variance.add(new org.bytedeco.pytorch.Scalar(eps)).rsqrt());
        return weight.mul(h.to(in));
    }
}
