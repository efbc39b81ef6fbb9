package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.data.EncodedBatch;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The log marginal likelihood of Kronecker and low-rank posteriors against a dense computation on the same curvature
 * (log det of the materialised S⊗A blocks + λI by LU in EJML), and the prior-precision maximisers against a fine grid.
 */
class LaplaceEvidenceTest {
    static TinySetup t;
    static List<EncodedBatch> train;

    @BeforeAll
    static void setup() {
        t = new TinySetup(List.of("v_proj", "lm_head"), 2, 0.2, 5);
        train = t.batches(0, 16, 8);
    }

    @AfterAll
    static void close() {
        t.close();
    }

    private static double denseEvidence(LaplacePosterior la, double lambda) {
        try (PointerScope s = new PointerScope()) {
            Tensor theta = BlockLayoutAccess.theta(la);
            double thetaSq = theta.dot(theta).item_double();
            long p = la.parameterCount();
            double logdet = Ejml.logDet(Ejml.plusDiagonal(Ejml.of(la.precisionModel().dense()), lambda));
            return la.logLikelihood() - 0.5 * lambda * thetaSq + 0.5 * p * Math.log(lambda) - 0.5 * logdet;
        }
    }

    @Test
    void kroneckerAndLowRankLogDeterminantsMatchDenseOnes() {
        try (LaplacePosterior kfac = LaplaceLoRA.fit(t.scorer, t.adapter, train).structure(Structure.KFAC).run();
             LaplacePosterior low = LaplaceLoRA.fit(t.scorer, t.adapter, train).structure(Structure.KFAC_LOWRANK)
                     .rank(3).lowRankThreshold(30).run();
             LaplacePosterior diag = LaplaceLoRA.fit(t.scorer, t.adapter, train).structure(Structure.DIAG).run()) {
            for (LaplacePosterior la : List.of(kfac, low, diag)) {
                Tensor g = la.precisionModel().dense();
                double eta = Bounds.eta(la.parameterCount());
                for (double lambda : new double[] {0.01, 1, 250}) {
                    double want = denseEvidence(la, lambda);
                    // |δ log det Λ| ≤ ‖Λ⁻¹‖_F ‖δΛ‖_F with ‖Λ⁻¹‖_F ≤ √P/λ (G ⪰ 0): δΛ holds the backward errors of the
                    // factor eigendecompositions (2η‖G‖_F for a Kronecker product), of the dense reconstruction and
                    // of the oracle's LU (η‖Λ‖_F each); the log-likelihood and ‖θ‖² are the same numbers on both sides
                    double normLam = Ejml.fro(Ejml.plusDiagonal(Ejml.of(g), lambda));
                    double bound = 0.5 * Math.sqrt(la.parameterCount()) / lambda * 4 * eta * normLam
                            + eta * (Math.abs(want) + la.parameterCount() * (Math.abs(Math.log(lambda))
                            + Math.abs(Math.log(normLam)))); // the sums of P logarithms on both sides
                    assertThat(la.logMarginalLikelihood(lambda)).as(la.structure() + " λ=" + lambda)
                            .isCloseTo(want, within(bound));
                }
            }
            // the low-rank factors really are truncated (lm_head A's input side 64 ≥ 30 → rank 3)
            assertThat(low.logMarginalLikelihood(1)).isNotCloseTo(kfac.logMarginalLikelihood(1), within(1e-3));
        }
    }

    @Test
    void lineSearchFindsTheGridMaximumAndAdamGetsClose() {
        try (LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, train).structure(Structure.KFAC).run()) {
            PriorTuning.Result best = la.tunePriorPrecision();
            double lstar = best.lambda();
            int n = 4001;
            double bestGrid = Double.NEGATIVE_INFINITY;
            double argGrid = 0;
            for (int i = 0; i < n; i++) {
                double l = Math.exp(Math.log(1e-4) + (Math.log(1e6) - Math.log(1e-4)) * i / (n - 1));
                double e = la.logMarginalLikelihood(l);
                if (e > bestGrid) {
                    bestGrid = e;
                    argGrid = l;
                }
            }
            double step = (Math.log(1e6) - Math.log(1e-4)) / (n - 1);
            // the same E(λ), computed in Java from the same spectra on both sides, so no rounding bound is needed:
            // 1e-9 is the line search's own stopping tolerance, far below the grid's resolution
            assertThat(best.logEvidence()).isGreaterThanOrEqualTo(bestGrid - 1e-9);
            assertThat(Math.abs(Math.log(lstar) - Math.log(argGrid))).isLessThanOrEqualTo(step);
            assertThat(la.priorPrecision()).isEqualTo(lstar);
            assertThat(best.curve()).hasSize(61);
            System.out.printf("λ* = %.6g, log evidence %.6f (grid max %.6f at %.6g)%n", lstar, best.logEvidence(),
                    bestGrid, argGrid);

            PriorTuning.Result adam = la.tunePriorPrecision(PriorTuning.Options.defaults()
                    .withMethod(PriorTuning.Method.ADAM));
            System.out.printf("Adam (lr 0.1, 100 steps from 1): λ = %.6g, log evidence %.6f%n", adam.lambda(),
                    adam.logEvidence());
            assertThat(adam.logEvidence()).isCloseTo(best.logEvidence(), within(1e-2 * Math.abs(best.logEvidence())));

            PriorTuning.Result grid = la.tunePriorPrecision(PriorTuning.Options.defaults()
                    .withMethod(PriorTuning.Method.GRID));
            double gmax = grid.curve().stream().mapToDouble(c -> c[1]).max().orElseThrow();
            assertThat(grid.logEvidence()).isEqualTo(gmax);

            PriorTuning.Result perBlock = la.tunePriorPrecision(PriorTuning.Options.defaults().withPerBlock(true));
            assertThat(perBlock.logEvidence()).isGreaterThanOrEqualTo(best.logEvidence() - 1e-9);
            // each block at its own optimum: nudging any one block's λ lowers the evidence
            double[] l = perBlock.lambdas();
            for (int b = 0; b < l.length; b++) {
                for (double f : new double[] {0.99, 1.01}) {
                    double[] m = l.clone();
                    m[b] *= f;
                    la.setPriorPrecisions(m);
                    assertThat(la.logMarginalLikelihood()).isLessThanOrEqualTo(perBlock.logEvidence() + 1e-12);
                }
            }
        }
    }

    /** Test access to θ*. */
    static final class BlockLayoutAccess {
        static Tensor theta(LaplacePosterior la) {
            return la.theta().to(ScalarType.Double);
        }
    }
}
