package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.laplace.internal.KfacPrecision;
import java.util.Collections;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * K-FAC where its Kronecker structure is exact, against FULL's diagonal blocks (FULL is checked against the dense
 * oracle in {@link LaplaceFullOracleTest}): a last-layer posterior (lm_head LoRA, one position, no RMSNorm in the
 * backward) with one example, and with one example repeated — which pins the (1/N)(Σ a aᵀ) ⊗ (Σ g gᵀ) normalisation.
 * Also: DIAG = diag(FULL), KFAC_LOWRANK with a rank covering every side = KFAC.
 *
 * <p>Tolerances are rounding bounds ({@link Bounds}, docs/DEVELOPING.md "Tolerances"), with η = γ_P per float64
 * stage.
 */
class LaplaceKfacTest {
    static TinySetup head;

    @BeforeAll
    static void setup() {
        head = new TinySetup(List.of("lm_head"), 2, 0.2, 11);
    }

    @AfterAll
    static void close() {
        head.close();
    }

    private static double relFro(Tensor a, Tensor b) {
        return a.sub(b).norm().item_double() / b.norm().item_double();
    }

    private static LaplacePosterior fit(TinySetup t, List<EncodedBatch> data, Structure s, KfacPositions pos) {
        return LaplaceLoRA.fit(t.scorer, t.adapter, data).structure(s).positions(pos).run();
    }

    /**
     * Each K-FAC block against the same block of FULL. Both are sums of PSD terms: K-FAC's from activations and
     * output gradients (η each), the two factor sums and their eigen-reconstructions (η each); FULL's from Jacobians
     * (2η), the sum and the eigen-reconstruction (η each). So 10η per term, scaled by {@link Bounds#psdSpread}.
     */
    private static void assertBlocksEqual(LaplacePosterior kfac, LaplacePosterior full) {
        Tensor g = full.precisionModel().dense();
        KfacPrecision k = (KfacPrecision) kfac.precisionModel();
        double eta = Bounds.eta(full.parameterCount());
        for (int b = 0; b < kfac.blocks().size(); b++) {
            ParameterBlock pb = kfac.blocks().get(b);
            Tensor want = g.narrow(0, pb.offset(), pb.size()).narrow(1, pb.offset(), pb.size());
            assertThat(relFro(k.denseBlock(b), want)).as(pb.key()).isLessThan(10 * eta * Bounds.psdSpread(want));
        }
    }

    @Test
    void oneExampleLastLayerIsExactForEveryPositionsMode() {
        try (PointerScope s = new PointerScope()) {
            List<EncodedBatch> one = List.of(head.single(3));
            try (LaplacePosterior full = fit(head, one, Structure.FULL, KfacPositions.REDUCE)) {
                for (KfacPositions pos : KfacPositions.values()) {
                    try (LaplacePosterior kfac = fit(head, one, Structure.KFAC, pos)) {
                        assertBlocksEqual(kfac, full);
                    }
                }
            }
        }
    }

    @Test
    void repeatedExampleFixesTheOneOverNNormalisation() {
        try (PointerScope s = new PointerScope()) {
            McqaExample e = head.data.get(5);
            // three copies: exact GGN = 3 G_1; K-FAC = (1/3)(3 a aᵀ) ⊗ (3 S) = 3 a aᵀ ⊗ S
            List<EncodedBatch> three = List.of(head.batcher.encode(Collections.nCopies(2, e)),
                    head.batcher.encode(List.of(e)));
            try (LaplacePosterior full = fit(head, three, Structure.FULL, KfacPositions.REDUCE);
                 LaplacePosterior kfac = fit(head, three, Structure.KFAC, KfacPositions.REDUCE)) {
                assertBlocksEqual(kfac, full);
            }
        }
    }

    @Test
    void diagIsTheDiagonalOfFull() {
        try (PointerScope s = new PointerScope();
             TinySetup qv = TinySetup.qv();
             LaplacePosterior full = fit(qv, qv.batches(0, 8, 3), Structure.FULL, KfacPositions.REDUCE);
             LaplacePosterior diag = fit(qv, qv.batches(0, 8, 3), Structure.DIAG, KfacPositions.REDUCE)) {
            Tensor dense = full.precisionModel().dense();
            Tensor want = dense.diagonal();
            double eta = Bounds.eta(full.parameterCount());
            // DIAG's entries are sums of squares (2η per term for the gradients, η for the sum: no cancellation);
            // FULL's diagonal also carries its eigen-reconstruction error, at most η‖G‖_F in Frobenius norm
            assertThat(relFro(diag.precisionModel().dense().diagonal(), want))
                    .isLessThan(6 * eta + eta * dense.norm().item_double() / want.norm().item_double());
            EncodedBatch test = qv.batcher.encode(qv.data.examples().subList(20, 24));
            // predictive of DIAG against the dense formula J diag(1/(d+λ)) Jᵀ
            LogitGaussian g = diag.linearized(qv.scorer).gaussian(test);
            for (int r = 0; r < 4; r++) {
                Tensor j = DenseOracle.jacobian(qv, qv.single(20 + r), qv.adapter.parameters());
                Tensor w = diag.precisionModel().dense().diagonal().add(new org.bytedeco.pytorch.Scalar(1.0)).reciprocal();
                double[] sigma = ai.bayeslora.core.Tensors.toDoubles(j.mul(w).matmul(j.t()));
                // the same weights w on both sides: |δσ_ab| ≤ (2·2η + γ_P) Σ_i |J_ai||J_bi| w_i, and by
                // Cauchy–Schwarz Σ_i |J_ai||J_bi| w_i ≤ √(σ_aa σ_bb)
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        assertThat(g.covariance(r)[a][b]).isCloseTo(sigma[a * 4 + b], org.assertj.core.data.Offset
                                .offset(5 * eta * Math.sqrt(sigma[a * 4 + a] * sigma[b * 4 + b])));
                    }
                }
            }
        }
    }

    @Test
    void lowRankWithFullRankEqualsKfac() {
        try (PointerScope s = new PointerScope();
             TinySetup t = new TinySetup(List.of("v_proj", "lm_head"), 2, 0.2, 5)) {
            List<EncodedBatch> data = t.batches(0, 12, 4);
            EncodedBatch test = t.batcher.encode(t.data.examples().subList(30, 35));
            try (LaplacePosterior kfac = LaplaceLoRA.fit(t.scorer, t.adapter, data).structure(Structure.KFAC).run();
                 LaplacePosterior low = LaplaceLoRA.fit(t.scorer, t.adapter, data).structure(Structure.KFAC_LOWRANK)
                         .rank(1000).lowRankThreshold(1).run()) {
                long p = kfac.parameterCount();
                double eta = Bounds.eta(p);
                double lambda = kfac.priorPrecision();
                Tensor gK = kfac.precisionModel().dense();
                Tensor gL = low.precisionModel().dense();
                // both from the same captured factors: eigendecompositions of the factor sums (η for the sums, η for
                // each reconstruction) against SVDs of the buffered rows (η each, and for the reconstruction)
                assertThat(relFro(gL, gK)).isLessThan(6 * eta * Bounds.psdSpread(gK));
                // |δ log det Λ| ≤ ‖Λ⁻¹‖_F ‖δΛ‖_F ≤ (√P/λ)(‖δG‖_F + 2η‖Λ‖_F); the log-likelihood and θ are shared
                DMatrixRMaj lam = Ejml.plusDiagonal(Ejml.of(gK), lambda);
                double normLam = Ejml.fro(lam);
                double dG = gL.sub(gK).norm().item_double();
                assertThat(low.logMarginalLikelihood()).isCloseTo(kfac.logMarginalLikelihood(),
                        org.assertj.core.data.Offset.offset(0.5 * Math.sqrt(p) / lambda * (dG + 2 * eta * normLam)));
                LogitGaussian a = kfac.linearized(t.scorer).gaussian(test);
                LogitGaussian b = low.linearized(t.scorer).gaussian(test);
                for (int r = 0; r < 5; r++) {
                    Tensor j = DenseOracle.jacobian(t, t.single(30 + r), t.adapter.parameters());
                    Tensor k = Ejml.toTensor(Ejml.solveSpd(lam, Ejml.of(j.t().contiguous()))).t();
                    double bound = Bounds.covariance(eta, j.norm().item_double(), k.norm().item_double(), dG, normLam,
                            lambda);
                    double err = 0;
                    for (int i = 0; i < 4; i++) {
                        for (int jj = 0; jj < 4; jj++) {
                            err += Math.pow(b.covariance(r)[i][jj] - a.covariance(r)[i][jj], 2);
                        }
                    }
                    assertThat(Math.sqrt(err)).as("prompt %d: ‖δΣ‖_F against its bound", r).isLessThan(bound);
                }
            }
        }
    }
}
