package ai.bayeslora.laplace.internal;

import ai.bayeslora.laplace.FisherEstimate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Square roots of the per-example output curvature M_n = Σ_j r_{n,j} r_{n,j}ᵀ (r ∈ R^C), so that the curvature
 * Σ_n J_nᵀ M_n J_n = Σ_n Σ_j (J_nᵀ r_{n,j})(J_nᵀ r_{n,j})ᵀ is a sum of outer products of "virtual gradients"
 * J_nᵀ r_{n,j}; note J_nᵀ(e_c − p_n) = ∇_θ log p_c(x_n):
 * <ul>
 *   <li>EXACT: r_{n,c} = √p_{n,c} (e_c − p_n), c = 1..C, so M_n = diag(p) − p pᵀ = H_n (the GGN);</li>
 *   <li>MC_SAMPLED: r_{n,s} = (e_{y_s} − p_n)/√S with y_s ~ p_n (bayesian_lora's Fisher);</li>
 *   <li>EMPIRICAL: r_n = e_{y_n} − p_n (the empirical Fisher).</li>
 * </ul>
 * Each root is one backward pass of Σ_n Σ_c r_{n,j,c} f_c(x_n). Since every r sums to zero (M_n 1 = 0), M_n has rank at
 * most C − 1, and {@link #passes} refactors any number of roots into at most C − 1 with the same M_n: the exact
 * Fisher costs C − 1 backward passes, a one-sample Fisher one (docs/LAPLACE.md, "Costs").
 */
public final class LabelWeights {
    private LabelWeights() {
    }

    /**
     * @param p probabilities, row-major [N, C]
     * @param labels true labels (EMPIRICAL only)
     * @return roots [m][N·C]: {@code roots[j][n·C + k]} is component k of r_{n,j}
     */
    public static double[][] roots(FisherEstimate fisher, double[] p, int n, int c, int[] labels, int mcSamples,
                                   SplittableRandom rng) {
        List<double[]> out = new ArrayList<>();
        switch (fisher) {
            case EXACT:
                for (int j = 0; j < c; j++) {
                    double[] r = new double[n * c];
                    for (int i = 0; i < n; i++) {
                        double w = Math.sqrt(p[i * c + j]);
                        for (int k = 0; k < c; k++) {
                            r[i * c + k] = w * ((j == k ? 1 : 0) - p[i * c + k]);
                        }
                    }
                    out.add(r);
                }
                break;
            case MC_SAMPLED:
                for (int s = 0; s < mcSamples; s++) {
                    double[] r = new double[n * c];
                    for (int i = 0; i < n; i++) {
                        int y = sample(p, i, c, rng);
                        for (int k = 0; k < c; k++) {
                            r[i * c + k] = ((y == k ? 1 : 0) - p[i * c + k]) / Math.sqrt(mcSamples);
                        }
                    }
                    out.add(r);
                }
                break;
            case EMPIRICAL: {
                double[] r = new double[n * c];
                for (int i = 0; i < n; i++) {
                    for (int k = 0; k < c; k++) {
                        r[i * c + k] = (labels[i] == k ? 1 : 0) - p[i * c + k];
                    }
                }
                out.add(r);
                break;
            }
            default:
                throw new IllegalStateException(fisher.toString());
        }
        return out.toArray(new double[0][]);
    }

    /**
     * At most C − 1 roots with the same per-example curvature M_n = Σ_j r_j r_jᵀ: the roots as given when there are
     * no more than C − 1, otherwise √μ_k q_k for the C − 1 largest eigenpairs (μ_k, q_k) of each M_n (its smallest
     * eigenvalue is 0, along the ones vector). Fewer backward passes, the same curvature up to rounding.
     *
     * @param roots [m][N·C]
     * @param n examples N
     * @param c classes C
     * @return [min(m, C − 1)][N·C]
     */
    public static double[][] passes(double[][] roots, int n, int c) {
        if (roots.length <= Math.max(1, c - 1)) {
            return roots;
        }
        int k = c - 1;
        double[][] out = new double[k][n * c];
        org.ejml.data.DMatrixRMaj m = new org.ejml.data.DMatrixRMaj(c, c);
        org.ejml.interfaces.decomposition.EigenDecomposition_F64<org.ejml.data.DMatrixRMaj> eig =
                org.ejml.dense.row.factory.DecompositionFactory_DDRM.eig(c, true, true);
        for (int i = 0; i < n; i++) {
            m.zero();
            for (double[] r : roots) {
                for (int a = 0; a < c; a++) {
                    for (int b = 0; b < c; b++) {
                        m.add(a, b, r[i * c + a] * r[i * c + b]);
                    }
                }
            }
            if (!eig.decompose(m.copy())) {
                throw new IllegalStateException("eigendecomposition of a " + c + "×" + c + " curvature failed");
            }
            Integer[] order = new Integer[c];
            for (int j = 0; j < c; j++) {
                order[j] = j;
            }
            java.util.Arrays.sort(order, (x, y) -> Double.compare(eig.getEigenvalue(y).real,
                    eig.getEigenvalue(x).real));
            for (int j = 0; j < k; j++) {
                double mu = Math.max(0, eig.getEigenvalue(order[j]).real);
                org.ejml.data.DMatrixRMaj v = eig.getEigenVector(order[j]);
                double norm = 0;
                for (int a = 0; a < c; a++) {
                    norm += v.get(a, 0) * v.get(a, 0);
                }
                double scale = Math.sqrt(mu / norm);
                for (int a = 0; a < c; a++) {
                    out[j][i * c + a] = scale * v.get(a, 0);
                }
            }
        }
        return out;
    }

    private static int sample(double[] p, int row, int c, SplittableRandom rng) {
        double u = rng.nextDouble();
        double acc = 0;
        for (int k = 0; k < c; k++) {
            acc += p[row * c + k];
            if (u < acc) {
                return k;
            }
        }
        return c - 1;
    }
}
