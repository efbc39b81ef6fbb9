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
 * The virtual gradients are formed in the compute dtype from the C per-class logit gradients, not by backpropagating
 * r: in float32 or bfloat16 compute, backpropagation is linear only to the dtype's precision, and combining after the
 * backward keeps the curvature the dense Jᵀ H J of the per-class Jacobians (docs/LAPLACE.md).
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
