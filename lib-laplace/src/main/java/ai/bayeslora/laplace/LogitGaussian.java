package ai.bayeslora.laplace;

import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The linearised predictive over class logits of a batch: f(x_b) ~ N(μ_b, Σ_b) with μ_b = f_θ*(x_b) and
 * Σ_b = J_b Λ⁻¹ J_bᵀ (METHODS.md §6), and its two maps to probabilities. Immutable.
 */
public final class LogitGaussian {
    private final double[][] mean;
    private final double[][][] cov;

    /**
     * @param mean [B][C]
     * @param covariance [B][C][C], symmetric positive semi-definite
     */
    public LogitGaussian(double[][] mean, double[][][] covariance) {
        if (mean.length != covariance.length) {
            throw new IllegalArgumentException(mean.length + " means for " + covariance.length + " covariances");
        }
        this.mean = new double[mean.length][];
        this.cov = new double[mean.length][][];
        for (int b = 0; b < mean.length; b++) {
            this.mean[b] = mean[b].clone();
            this.cov[b] = new double[mean[b].length][];
            for (int c = 0; c < mean[b].length; c++) {
                this.cov[b][c] = covariance[b][c].clone();
            }
        }
    }

    /** {@return the number of prompts B} */
    public int batchSize() {
        return mean.length;
    }

    /** {@return the number of classes C} */
    public int numClasses() {
        return mean.length == 0 ? 0 : mean[0].length;
    }

    /**
     * μ_b, a copy.
     *
     * @param b the prompt, in [0, B)
     * @return μ_b [C]
     */
    public double[] mean(int b) {
        return mean[b].clone();
    }

    /** {@return all means [B][C], a copy} */
    public double[][] meanArray() {
        double[][] m = new double[mean.length][];
        for (int b = 0; b < m.length; b++) {
            m[b] = mean[b].clone();
        }
        return m;
    }

    /**
     * Σ_b, a copy.
     *
     * @param b the prompt, in [0, B)
     * @return Σ_b [C][C]
     */
    public double[][] covariance(int b) {
        double[][] c = new double[cov[b].length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = cov[b][i].clone();
        }
        return c;
    }

    /**
     * Probit approximation: softmax(μ / √(1 + π/8 · diag Σ)), [B][C].
     *
     * @return p [B][C]
     */
    public double[][] probit() {
        double[][] p = new double[mean.length][];
        for (int b = 0; b < mean.length; b++) {
            double[] z = new double[mean[b].length];
            for (int c = 0; c < z.length; c++) {
                z[c] = mean[b][c] / Math.sqrt(1 + Math.PI / 8 * cov[b][c][c]);
            }
            p[b] = softmax(z);
        }
        return p;
    }

    /**
     * Monte Carlo: the average softmax of S logit samples (seeded), [B][C].
     *
     * @param samples S, at least 1
     * @param seed seeds the draws
     * @return p [B][C]
     */
    public double[][] monteCarlo(int samples, long seed) {
        double[][][] s = samples(samples, seed);
        double[][] p = new double[mean.length][numClasses()];
        for (double[][] sample : s) {
            for (int b = 0; b < mean.length; b++) {
                double[] q = softmax(sample[b]);
                for (int c = 0; c < q.length; c++) {
                    p[b][c] += q[c] / samples;
                }
            }
        }
        return p;
    }

    /**
     * S logit samples [S][B][C]: μ_b + Σ_b^{1/2} z with the symmetric square root from an eigendecomposition
     * (negative rounding eigenvalues clipped to 0). The same seed gives the same samples on every platform.
     *
     * @param samples S, at least 1
     * @param seed seeds the draws
     * @return the samples [S][B][C]
     */
    public double[][][] samples(int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("need at least one sample, got " + samples);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int c = numClasses();
        double[][][] out = new double[samples][mean.length][c];
        for (int b = 0; b < mean.length; b++) {
            double[][] root = sqrt(cov[b]);
            for (int s = 0; s < samples; s++) {
                double[] z = new double[c];
                for (int i = 0; i < c; i++) {
                    z[i] = gaussian(rng);
                }
                for (int i = 0; i < c; i++) {
                    double v = mean[b][i];
                    for (int k = 0; k < c; k++) {
                        v += root[i][k] * z[k];
                    }
                    out[s][b][i] = v;
                }
            }
        }
        return out;
    }

    private static double[][] sqrt(double[][] a) {
        int n = a.length;
        DMatrixRMaj m = new DMatrixRMaj(a);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(m)) {
            throw new LaplaceException("eigendecomposition of a logit covariance failed");
        }
        double[][] r = new double[n][n];
        for (int k = 0; k < n; k++) {
            double lam = Math.sqrt(Math.max(eig.getEigenvalue(k).getReal(), 0));
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    r[i][j] += lam * v.get(i) * v.get(j);
                }
            }
        }
        return r;
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = 1 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Numerically stable softmax.
     *
     * @param z logits
     * @return softmax(z), computed after subtracting max z
     */
    public static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
