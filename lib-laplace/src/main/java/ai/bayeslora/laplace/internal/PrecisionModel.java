package ai.bayeslora.laplace.internal;

import ai.bayeslora.laplace.Structure;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;

/**
 * The fitted curvature G in one {@link Structure}, with the operations the posterior N(θ*, (G + λI)⁻¹) needs for any
 * prior precision: log determinants (via {@link #spectra()}), predictive covariances J Λ⁻¹ Jᵀ, and samples. λ is
 * given per parameter block ({@code lambdas[b]}); structures that cannot separate blocks require them equal.
 *
 * <p>Implementations own float64 tensors outside any scope; {@link #close()} releases them. Results of the methods
 * belong to the caller's scope.
 */
public interface PrecisionModel extends AutoCloseable {
    Structure structure();

    BlockLayout layout();

    /** Eigenvalues of G per prior-precision group. */
    List<Spectrum> spectra();

    /**
     * Σ = J Λ⁻¹ Jᵀ for a batch: {@code jac.get(b)} is block b's Jacobian [N, C, m_b, cols_b] restricted to rows
     * {@code rows.get(b)} (null = all rows). Returns [N, C, C], float64.
     */
    Tensor covariance(List<Tensor> jac, List<long[]> rows, double[] lambdas);

    /** S draws from N(0, Λ⁻¹) as [S, P], float64. */
    Tensor sample(double[] lambdas, int samples, SplittableRandom rng);

    /** The state to persist: name → float64/int64 tensor (names are unique within the model). */
    Map<String, Tensor> state();

    /** Computes now what the predictive would compute on first use (K-FAC's deferred eigenvectors); idempotent. */
    default void prepare() {
    }

    /** G itself as a dense [P, P] float64 matrix (tests and error measurements; small P only). */
    Tensor dense();

    @Override
    void close();

    /** Throws unless all λ are equal; returns that λ. */
    static double scalar(double[] lambdas, Structure s) {
        for (double l : lambdas) {
            if (l != lambdas[0]) {
                throw new IllegalArgumentException(s + " supports a scalar prior precision only, got per-block values");
            }
        }
        return lambdas[0];
    }

    /**
     * Standard normal draws [S, P] in float64 from a seeded Java generator (the same values on every platform and
     * device), on {@code device}.
     */
    static Tensor gaussian(int samples, long p, SplittableRandom rng, org.bytedeco.pytorch.Device device) {
        double[] z = new double[Math.toIntExact(samples * p)];
        for (int i = 0; i < z.length; i += 2) {
            // Box–Muller pair
            double u1 = 1 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            z[i] = r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < z.length) {
                z[i + 1] = r * Math.sin(2 * Math.PI * u2);
            }
        }
        Tensor t = ai.bayeslora.core.Tensors.ofDoubles(z, samples, p);
        return device.is_cpu() ? t : t.to(device, org.bytedeco.pytorch.global.torch.ScalarType.Double);
    }
}
