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
}
