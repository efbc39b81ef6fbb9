package ai.bayeslora.laplace;

import ai.bayeslora.core.testing.RoundingBounds;
import org.bytedeco.pytorch.Tensor;

/**
 * Rounding-error bounds shared by the Laplace tests (docs/DEVELOPING.md, "Tolerances"). They hold for any BLAS kernel,
 * thread count and summation order, so a test that uses them passes on every machine and still fails on a real bug.
 */
final class Bounds {
    private Bounds() {
    }

    /**
     * η = γ_P, the error budget of one float64 stage (the forward and backward that give a Jacobian, a factorisation,
     * a matrix product) of a posterior over P parameters: every test posterior has P ≥ 384, longer than every sum in
     * the tiny models (hidden 64, MLP 176, vocabulary 400, prompts of a few dozen tokens).
     */
    static double eta(long parameters) {
        return RoundingBounds.gamma(parameters);
    }

    /**
     * tr(G) / ‖G‖_F for a positive semi-definite G. A sum of PSD terms T_n computed with relative error e per term has
     * ‖δG‖_F ≤ e·Σ‖T_n‖_F ≤ e·Σ tr(T_n) = e·tr(G), so its relative Frobenius error is at most e times this ratio.
     */
    static double psdSpread(Tensor g) {
        return g.trace().item_double() / g.norm().item_double();
    }

    /**
     * A bound on ‖δΣ‖_F for Σ = J Λ⁻¹ Jᵀ computed two ways, to first order: δΣ = δJ Kᵀ + K δJᵀ − K δΛ Kᵀ plus the
     * rounding of the products, with K = J Λ⁻¹. Each path's J carries η (2η between them), each factorisation or
     * solve a backward error η‖Λ‖_F, and a product in an eigenbasis scaled by 1/(g + λ) up to 2η‖J‖²/λ_min.
     *
     * @param normJ ‖J‖_F
     * @param normK ‖J Λ⁻¹‖_F
     * @param deltaLambda ‖δΛ‖_F measured between the two paths' precisions (0 if they share it)
     * @param normLambda ‖Λ‖_F
     * @param lambdaMin a lower bound on Λ's eigenvalues (the prior precision: G ⪰ 0)
     */
    static double covariance(double eta, double normJ, double normK, double deltaLambda, double normLambda,
                             double lambdaMin) {
        return 4 * eta * normJ * normK + normK * normK * (deltaLambda + 2 * eta * normLambda)
                + 2 * eta * normJ * normJ / lambdaMin;
    }
}
