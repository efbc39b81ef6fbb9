package ai.bayeslora.laplace.internal;

/**
 * The curvature eigenvalues of one prior-precision group (a set of parameter blocks sharing λ): G restricted to the
 * group has eigenvalues {@code eigenvalues} plus {@code size − eigenvalues.length} zeros, so
 * log det(G + λI) = Σ_i log(e_i + λ) + (size − k) log λ (METHODS.md §6).
 *
 * @param blocks indices of the parameter blocks in the group
 * @param size number of parameters in the group
 * @param eigenvalues the represented eigenvalues (≥ 0)
 */
public record Spectrum(int[] blocks, long size, double[] eigenvalues) {

    /** log det(G + λI) of the group. */
    public double logDet(double lambda) {
        double s = 0;
        for (double e : eigenvalues) {
            s += Math.log(e + lambda);
        }
        return s + (size - eigenvalues.length) * Math.log(lambda);
    }

    /** d/dλ log det(G + λI) = Σ 1/(e_i + λ) + (size − k)/λ. */
    public double logDetDerivative(double lambda) {
        double s = 0;
        for (double e : eigenvalues) {
            s += 1 / (e + lambda);
        }
        return s + (size - eigenvalues.length) / lambda;
    }
}
