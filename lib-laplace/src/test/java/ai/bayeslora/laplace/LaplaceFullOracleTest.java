package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.lora.interop.AdapterTensors;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.testing.RoundingBounds;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FULL against {@link DenseOracle} on the tiny Llama in float64 with a random LoRA r=2, α=4 on q_proj and v_proj
 * (P = 896): the GGN, the log-likelihood, the log marginal likelihood and the linearised predictive (means and
 * covariances, padded batch, chunk sizes 1, 3 and automatic).
 *
 * <p>Every tolerance is a rounding-error bound computed from the matrices at hand (docs/DEVELOPING.md, "Tolerances"),
 * so it holds for any BLAS kernel, thread count and summation order. The error budget of one float64 stage (the
 * forward and backward that give a Jacobian, a factorisation, a matrix product) is η = γ_P: P = 896 is longer than
 * every sum in this model (hidden 64, MLP 176, vocabulary 400, every prompt) and than every
 * factorised dimension. Observed errors are about 10⁻⁵ of these bounds; a float32 rounding anywhere in the float64
 * path (which RMSNorm once had) exceeds the predictive bound 50-fold, a wrong λ by 10⁸.
 */
class LaplaceFullOracleTest {
    static final double LAMBDA = 0.7;
    static final int TRAIN = 10;
    static TinySetup t;
    static Tensor gOracle;
    static double llOracle;
    /** Σ_n ‖J_nᵀ H_n J_n‖_F: the scale of the sum that forms G. */
    static double termNormSum;
    /** Σ_n ‖f_n‖_∞: the scale of the log-likelihood's logits. */
    static double logitScale;
    static double eta;

    @BeforeAll
    static void oracle() {
        t = TinySetup.qv();
        try (PointerScope s = new PointerScope()) {
            long p = t.adapter.parameterCount();
            eta = Bounds.eta(p);
            Tensor g = torch.zeros(new long[] {p, p}, new TensorOptions(ScalarType.Double));
            double ll = 0;
            for (int i = 0; i < TRAIN; i++) {
                EncodedBatch one = t.single(i);
                Tensor j = DenseOracle.jacobian(t, one, t.adapter.parameters());
                double[] logits = DenseOracle.logits(t, one);
                Tensor f = Tensors.ofDoubles(logits, j.size(0));
                Tensor term = j.t().matmul(DenseOracle.hessian(f)).matmul(j);
                termNormSum += term.norm().item_double();
                logitScale += java.util.Arrays.stream(logits).map(Math::abs).max().orElseThrow();
                g = g.add(term);
                ll += torch.log_softmax(f, 0).select(0, one.labels()[0]).item_double();
            }
            g.retainReference();
            gOracle = g;
            llOracle = ll;
        }
    }

    @AfterAll
    static void close() {
        gOracle.releaseReference();
        t.close();
    }

    private static double relFro(Tensor a, Tensor b) {
        return a.sub(b).norm().item_double() / b.norm().item_double();
    }

    private static double fro(Tensor a) {
        return a.norm().item_double();
    }

    @Test
    void ggnLikelihoodAndEvidenceMatchTheDenseComputation() {
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, TRAIN, 4))
                     .structure(Structure.FULL).priorPrecision(LAMBDA).run()) {
            assertThat(la.parameterCount()).isEqualTo(896);
            assertThat(la.examples()).isEqualTo(TRAIN);
            long p = la.parameterCount();
            // G = Σ_n J_nᵀ H_n J_n: each path's Jacobians carry η, so each term 2η per path, plus γ_{N·C} for the sum
            // over examples and classes (and the eigen-reconstruction of dense(), another η); relative to ‖G‖_F the
            // bound is scaled by Σ‖term‖ / ‖Σ term‖
            double gBound = (4 * eta + RoundingBounds.gamma(TRAIN * 4L) + eta) * termNormSum / fro(gOracle);
            Tensor gFit = la.precisionModel().dense();
            assertThat(relFro(gFit, gOracle)).isLessThan(gBound);
            // ll = Σ_n log softmax(f_n)_y: |δ log softmax| ≤ 2 max|δf| with |δf| ≤ 2η‖f‖_∞ (two forwards)
            assertThat(la.logLikelihood()).isCloseTo(llOracle, within(4 * eta * logitScale
                    + RoundingBounds.gamma(TRAIN) * Math.abs(llOracle)));

            double dG = fro(gFit.sub(gOracle));
            Tensor theta = AdapterTensors.flatten(t.adapter, ScalarType.Double);
            double thetaSq = theta.dot(theta).item_double();
            for (double lambda : new double[] {LAMBDA, 3.0}) {
                double evidence = llOracle - 0.5 * lambda * thetaSq + 0.5 * p * Math.log(lambda)
                        - 0.5 * Ejml.logDet(Ejml.plusDiagonal(Ejml.of(gOracle), lambda));
                // |δ log det Λ| ≈ |tr(Λ⁻¹ δΛ)| ≤ ‖Λ⁻¹‖_F ‖δΛ‖_F with ‖Λ⁻¹‖_F ≤ √P/λ (G ⪰ 0) and δΛ = δG plus the
                // backward errors of the code's eigendecomposition and the oracle's LU (η‖Λ‖_F each)
                double normLam = Ejml.fro(Ejml.plusDiagonal(Ejml.of(gOracle), lambda));
                double logDetBound = Math.sqrt(p) / lambda * (dG + 2 * eta * normLam);
                double bound = 4 * eta * logitScale + RoundingBounds.gamma(TRAIN) * Math.abs(llOracle)
                        + lambda * eta * thetaSq + 0.5 * logDetBound;
                assertThat(la.logMarginalLikelihood(lambda)).as("λ = %s", lambda).isCloseTo(evidence, within(bound));
            }
            assertThat(la.logMarginalLikelihood()).isEqualTo(la.logMarginalLikelihood(LAMBDA));
        }
    }

    /**
     * Σ = J Λ⁻¹ Jᵀ per test prompt. The oracle solves Λ X = Jᵀ by Cholesky (K = Xᵀ = J Λ⁻¹) instead of forming Λ⁻¹,
     * and the bound is {@link Bounds#covariance} for each prompt, with δΛ = G_fit − G_oracle measured: relative to
     * ‖Σ‖_F about η·κ(Λ) (κ = 331 here).
     */
    @Test
    void linearisedPredictiveMatchesTheDenseComputationAtAnyChunkSize() {
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, TRAIN, 4))
                     .structure(Structure.FULL).priorPrecision(LAMBDA).run()) {
            DMatrixRMaj lam = Ejml.plusDiagonal(Ejml.of(gOracle), LAMBDA);
            double normLam = Ejml.fro(lam);
            double dG = fro(la.precisionModel().dense().sub(gOracle));
            EncodedBatch test = t.batcher.encode(t.data.examples().subList(10, 17)); // left-padded, 7 prompts
            double worst = 0;
            for (int chunk : new int[] {0, 1, 3}) {
                LogitGaussian g = la.linearized(t.scorer, LinearizedPredictive.Options.defaults().withChunkSize(chunk))
                        .gaussian(test);
                assertThat(g.batchSize()).isEqualTo(7);
                for (int r = 0; r < 7; r++) {
                    EncodedBatch one = t.single(10 + r);
                    Tensor j = DenseOracle.jacobian(t, one, t.adapter.parameters());
                    Tensor k = Ejml.toTensor(Ejml.solveSpd(lam, Ejml.of(j.t().contiguous()))).t(); // J Λ⁻¹ [4, P]
                    Tensor sigma = k.matmul(j.t());
                    double nj = fro(j);
                    double nk = fro(k);
                    double bound = Bounds.covariance(eta, nj, nk, dG, normLam, LAMBDA);
                    double[][] got = g.covariance(r);
                    double[] want = Tensors.toDoubles(sigma);
                    double err = 0;
                    for (int a = 0; a < 4; a++) {
                        for (int b = 0; b < 4; b++) {
                            err += Math.pow(got[a][b] - want[a * 4 + b], 2);
                        }
                    }
                    err = Math.sqrt(err);
                    worst = Math.max(worst, err / bound);
                    assertThat(err).as("chunk %d prompt %d: ‖δΣ‖_F against its bound", chunk, r).isLessThan(bound);
                    // the mean is the MAP logits: two float64 forwards of the same prompt, |δf| ≤ 2η·max(1, ‖f‖_∞)
                    double[] mu = DenseOracle.logits(t, one);
                    double scale = Math.max(1, java.util.Arrays.stream(mu).map(Math::abs).max().orElseThrow());
                    for (int a = 0; a < 4; a++) {
                        assertThat(g.mean(r)[a]).as("chunk %d prompt %d mean %d", chunk, r, a)
                                .isCloseTo(mu[a], within(2 * eta * scale));
                    }
                }
            }
            System.out.printf("linearised predictive: worst ‖δΣ‖_F / bound = %.2e (η = %.2e)%n", worst, eta);
        }
    }

    @Test
    void lastLayerSelectionIsTheMatchingSubMatrix() {
        // modules("v_proj") keeps only v_proj's A and B: G must be the corresponding principal submatrix
        try (PointerScope s = new PointerScope();
             LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, TRAIN, 5))
                     .structure(Structure.FULL).modules("v_proj").run()) {
            List<Tensor> all = t.adapter.parameters();
            List<String> names = t.adapter.parameterNames();
            long offset = 0;
            List<Tensor> idx = new java.util.ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                long n = all.get(i).numel();
                if (names.get(i).contains("v_proj")) {
                    idx.add(torch.arange(new Scalar(offset), new Scalar(offset + n), new TensorOptions(ScalarType.Long)));
                }
                offset += n;
            }
            Tensor sel = torch.cat(new org.bytedeco.pytorch.TensorVector(idx.toArray(new Tensor[0])), 0);
            Tensor sub = gOracle.index_select(0, sel).index_select(1, sel);
            assertThat(la.parameterCount()).isEqualTo(sel.size(0));
            // as for G above; a principal submatrix's terms are no larger than the full ones
            double bound = (5 * eta + RoundingBounds.gamma(TRAIN * 4L)) * termNormSum / fro(sub);
            assertThat(relFro(la.precisionModel().dense(), sub)).isLessThan(bound);
        }
    }
}
