package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.laplace.internal.KfacPrecision;
import java.util.Collections;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * K-FAC where its Kronecker structure is exact, against FULL's diagonal blocks (FULL is checked against the dense
 * oracle in {@link LaplaceFullOracleTest}): a last-layer posterior (lm_head LoRA, one position, no RMSNorm in the
 * backward) with one example, and with one example repeated — which pins the (1/N)(Σ a aᵀ) ⊗ (Σ g gᵀ) normalisation.
 * Also: DIAG = diag(FULL), KFAC_LOWRANK with a rank covering every side = KFAC.
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

    /** Each K-FAC block against the same block of FULL. */
    private static void assertBlocksEqual(LaplacePosterior kfac, LaplacePosterior full, double tol) {
        Tensor g = full.precisionModel().dense();
        KfacPrecision k = (KfacPrecision) kfac.precisionModel();
        for (int b = 0; b < kfac.blocks().size(); b++) {
            ParameterBlock pb = kfac.blocks().get(b);
            Tensor want = g.narrow(0, pb.offset(), pb.size()).narrow(1, pb.offset(), pb.size());
            assertThat(relFro(k.denseBlock(b), want)).as(pb.key()).isLessThan(tol);
        }
    }

    @Test
    void oneExampleLastLayerIsExactForEveryPositionsMode() {
        try (PointerScope s = new PointerScope()) {
            List<EncodedBatch> one = List.of(head.single(3));
            try (LaplacePosterior full = fit(head, one, Structure.FULL, KfacPositions.REDUCE)) {
                for (KfacPositions pos : KfacPositions.values()) {
                    try (LaplacePosterior kfac = fit(head, one, Structure.KFAC, pos)) {
                        assertBlocksEqual(kfac, full, 1e-10);
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
                assertBlocksEqual(kfac, full, 1e-10);
            }
        }
    }

    @Test
    void diagIsTheDiagonalOfFull() {
        try (PointerScope s = new PointerScope();
             TinySetup qv = TinySetup.qv();
             LaplacePosterior full = fit(qv, qv.batches(0, 8, 3), Structure.FULL, KfacPositions.REDUCE);
             LaplacePosterior diag = fit(qv, qv.batches(0, 8, 3), Structure.DIAG, KfacPositions.REDUCE)) {
            Tensor want = full.precisionModel().dense().diagonal();
            assertThat(relFro(diag.precisionModel().dense().diagonal(), want)).isLessThan(1e-10);
            EncodedBatch test = qv.batcher.encode(qv.data.examples().subList(20, 24));
            // predictive of DIAG against the dense formula J diag(1/(d+λ)) Jᵀ
            LogitGaussian g = diag.linearized(qv.scorer).gaussian(test);
            for (int r = 0; r < 4; r++) {
                Tensor j = DenseOracle.jacobian(qv, qv.single(20 + r), qv.adapter.parameters());
                Tensor w = diag.precisionModel().dense().diagonal().add(new org.bytedeco.pytorch.Scalar(1.0)).reciprocal();
                double[] sigma = ai.bayeslora.core.Tensors.toDoubles(j.mul(w).matmul(j.t()));
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        assertThat(g.covariance(r)[a][b]).isCloseTo(sigma[a * 4 + b],
                                org.assertj.core.data.Offset.offset(1e-8 * Math.abs(sigma[a * 4 + a])));
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
                assertThat(relFro(low.precisionModel().dense(), kfac.precisionModel().dense())).isLessThan(1e-10);
                assertThat(low.logMarginalLikelihood()).isCloseTo(kfac.logMarginalLikelihood(),
                        org.assertj.core.data.Offset.offset(1e-8 * Math.abs(kfac.logMarginalLikelihood())));
                LogitGaussian a = kfac.linearized(t.scorer).gaussian(test);
                LogitGaussian b = low.linearized(t.scorer).gaussian(test);
                for (int r = 0; r < 5; r++) {
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < 4; j++) {
                            assertThat(b.covariance(r)[i][j]).isCloseTo(a.covariance(r)[i][j],
                                    org.assertj.core.data.Offset.offset(1e-9 * a.covariance(r)[i][i]));
                        }
                    }
                }
            }
        }
    }
}
