package ai.bayeslora.core.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * RMSNorm as transformers computes it: normalise in float32, cast back to the input dtype, then scale:
 * {@code w · (x / √(mean(x²) + ε))}. The float32 step is kept even for float64 inputs, as transformers does, so that
 * float64 runs match transformers' float64 runs.
 */
public final class RmsNorm {
    private final Tensor weight;
    private final double eps;

    public RmsNorm(Tensor weight, double eps) {
        this.weight = weight;
        this.eps = eps;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor forward(Tensor x) {
        ScalarType in = x.scalar_type();
        Tensor h = x.to(ScalarType.Float);
        Tensor variance = h.pow(new org.bytedeco.pytorch.Scalar(2.0)).mean(new long[] {-1}, true,
                new org.bytedeco.pytorch.ScalarTypeOptional());
        h = h.mul(variance.add(new org.bytedeco.pytorch.Scalar(eps)).rsqrt());
        return weight.mul(h.to(in));
    }
}
