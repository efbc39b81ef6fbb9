package ai.bayeslora.core.testing;

/**
 * Floating-point error bounds that tests derive their tolerances from, instead of one machine's observed error
 * (docs/DEVELOPING.md, "Tolerances"). A BLAS kernel, a thread count or a batch shape changes the order in which sums
 * are formed; these bounds hold for every order.
 */
public final class RoundingBounds {
    /** Unit roundoff of float64, u = 2⁻⁵³. */
    public static final double U64 = 0x1.0p-53;
    /** Unit roundoff of float32, u = 2⁻²⁴. */
    public static final double U32 = 0x1.0p-24;

    private RoundingBounds() {
    }

    /**
     * γ_n = n·u / (1 − n·u) in float64: a computed inner product of length n satisfies
     * |fl(Σ xᵢyᵢ) − Σ xᵢyᵢ| ≤ γ_n Σ |xᵢyᵢ| whatever the summation order, and a backward-stable factorisation of an
     * n × n matrix (Cholesky, LU with small growth, a symmetric eigendecomposition) has a normwise backward error of
     * order γ_n.
     *
     * @param n the length of the longest sum (at least 1)
     * @return γ_n
     */
    public static double gamma(long n) {
        if (n < 1 || n * U64 >= 0.5) {
            throw new IllegalArgumentException("gamma(" + n + ") is not a useful bound");
        }
        return n * U64 / (1 - n * U64);
    }

    /**
     * Relative error budget of one float64 forward, or forward and backward, through a tiny fixture model with
     * {@code layers} decoder layers (hidden 64, MLP at most 176, vocabulary 400, the fixtures and
     * {@code RandomWeights} test models): each layer forms at most ten sums (four projections, the attention scores,
     * the value mix, three MLP products, the norm), the final norm and the head two more; each sum errs by at most
     * γ_400 relative to the magnitudes of its terms, which for these random weights exceed the result's by about
     * √400 = 20 (terms of random sign). So (10·layers + 2)·20·γ_400: 2.0e-11 for two layers. This is a worst-case
     * budget; observed differences between batch shapes and BLAS kernels are below 1e-15.
     *
     * @param layers the number of decoder layers
     * @return the relative error budget of the logits (and of their gradients)
     */
    public static double tinyModel(int layers) {
        return (10.0 * layers + 2) * 20 * gamma(400);
    }

    /**
     * A bound on |δp| between two float64 forwards of the same prompts through a tiny fixture model (different batch
     * shapes, members stacked or alone, other kernels): |δ log p| ≤ 2‖δf‖_∞, so |δp| ≤ 2p‖δf‖_∞, with each path's
     * ‖δf‖_∞ ≤ {@link #tinyModel}·‖f‖_∞ and ‖f‖_∞ ≤ 5 for these models (the transformers references' largest logit is
     * 4.1; test adapters are small). So 20·tinyModel: 3.9e-10 for two layers.
     *
     * @param layers the number of decoder layers
     * @return the bound on the absolute difference of a class probability
     */
    public static double tinyProbabilities(int layers) {
        return 20 * tinyModel(layers);
    }
}
