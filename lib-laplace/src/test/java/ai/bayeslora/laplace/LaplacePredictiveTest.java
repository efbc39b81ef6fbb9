package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Probabilities from the logit Gaussian (probit vs Monte Carlo vs quadrature) and the weight-space samples against
 * the linearised covariance.
 */
class LaplacePredictiveTest {

    /** E[softmax] for C = 2 by 200-point Gauss–Hermite-free trapezoid quadrature over the logit difference. */
    private static double twoClassExact(double[] mu, double[][] cov) {
        double m = mu[0] - mu[1];
        double v = cov[0][0] + cov[1][1] - 2 * cov[0][1];
        double sd = Math.sqrt(v);
        double sum = 0;
        int n = 20001;
        double h = 16.0 / (n - 1);
        for (int i = 0; i < n; i++) {
            double z = -8 + i * h;
            double w = (i == 0 || i == n - 1 ? 0.5 : 1) * h * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
            sum += w / (1 + Math.exp(-(m + sd * z)));
        }
        return sum;
    }

    @Test
    void monteCarloConvergesToQuadratureAndProbitStaysWithinItsKnownGap() {
        double[][] mu = {{0.3, -0.4}, {2.0, 0.0}, {0.0, 0.0}};
        double[][][] cov = {{{0.5, 0.1}, {0.1, 0.8}}, {{2.0, -0.5}, {-0.5, 1.5}}, {{4.0, 0.0}, {0.0, 4.0}}};
        LogitGaussian g = new LogitGaussian(mu, cov);
        int s = 400_000;
        double[][] mc = g.monteCarlo(s, 1);
        double[][] probit = g.probit();
        for (int b = 0; b < 3; b++) {
            double exact = twoClassExact(mu[b], cov[b]);
            double se = Math.sqrt(exact * (1 - exact) / s);
            // MC: within 5 standard errors of the quadrature value
            assertThat(mc[b][0]).isCloseTo(exact, within(5 * se));
            // probit (softmax of per-class scaled means, correlations ignored) is an approximation, not an
            // estimator: its gap does not shrink with samples. Measured here: 0.012, 0.050, 0.0 (by symmetry);
            // tolerance 0.06. The largest gap is the anti-correlated case, whose logit difference has variance 4.5
            // while the per-class scaling sees 2 and 1.5.
            assertThat(probit[b][0]).isCloseTo(exact, within(0.06));
        }
        // zero covariance: both are the plain softmax
        LogitGaussian point = new LogitGaussian(new double[][] {{1, 2, 3}}, new double[1][3][3]);
        double[] sm = LogitGaussian.softmax(new double[] {1, 2, 3});
        for (int c = 0; c < 3; c++) {
            assertThat(point.probit()[0][c]).isCloseTo(sm[c], within(1e-15));
            assertThat(point.monteCarlo(10, 0)[0][c]).isCloseTo(sm[c], within(1e-15));
        }
    }

    @Test
    void weightSamplesReproduceTheLinearisedCovarianceAndSamplersRestoreTheMap() {
        try (PointerScope s = new PointerScope();
             TinySetup t = new TinySetup(List.of("v_proj", "lm_head"), 2, 0.2, 5)) {
            List<EncodedBatch> train = t.batches(0, 12, 6);
            for (Structure st : new Structure[] {Structure.FULL, Structure.DIAG, Structure.KFAC, Structure.KFAC_LOWRANK}) {
                try (LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, train).structure(st).rank(3)
                        .lowRankThreshold(30).priorPrecision(2.0).run()) {
                    EncodedBatch one = t.single(20);
                    LogitGaussian g = la.linearized(t.scorer).gaussian(one);
                    Tensor j = DenseOracle.jacobian(t, one, t.adapter.parameters()); // [C, P], θ order = layout order
                    int n = 20000;
                    Tensor d = la.precisionModel().sample(la.priorPrecisions(), n, new SplittableRandom(3));
                    Tensor f = d.matmul(j.t()); // [S, C] = J δ_s
                    Tensor centred = f.sub(f.mean(new long[] {0}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
                    double[] emp = Tensors.toDoubles(centred.t().matmul(centred).div(new org.bytedeco.pytorch.Scalar(n - 1)));
                    double num = 0;
                    double den = 0;
                    for (int a = 0; a < 4; a++) {
                        for (int b = 0; b < 4; b++) {
                            num += Math.pow(emp[a * 4 + b] - g.covariance(0)[a][b], 2);
                            den += Math.pow(g.covariance(0)[a][b], 2);
                        }
                    }
                    // sampling error of a covariance from 20000 draws: ~√(2/S) ≈ 1% relative
                    assertThat(Math.sqrt(num / den)).as(st.toString()).isLessThan(0.05);
                }
            }
            // the weight-space predictive: [S, B, C], and θ* is back in the adapter afterwards
            try (LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, train).structure(Structure.KFAC).run()) {
                double[] before = t.adapter.parameterValues();
                EncodedBatch test = t.batcher.encode(t.data.examples().subList(20, 25));
                try (SampledPredictive sp = la.sampled(t.scorer, 7, 1)) {
                    ProbabilitySamples ps = sp.predict(test);
                    assertThat(ps.samples()).isEqualTo(7);
                    assertThat(ps.batchSize()).isEqualTo(5);
                    assertThat(ps.classLabels()).containsExactly("A", "B", "C", "D");
                    // deltaValues: sample k is the adapter's own forward (LoraAdapter.bindingAt) at θ* + δ_k; every
                    // layer is selected, so δ has the adapter's layout. The two bindings view differently built θ
                    // tensors (observed: 1-ulp differences), so compare within one float64 forward's bound
                    double[][] deltas = sp.deltaValues();
                    assertThat(deltas).hasNumberOfRows(7);
                    assertThat(deltas[0]).hasSize(before.length);
                    double tol = TestDevices.bitwiseReproducible() ? RoundingBounds.tinyProbabilities(2)
                            : TestDevices.float32Tolerance();
                    for (int k = 0; k < 7; k++) {
                        double[] theta = before.clone();
                        for (int i = 0; i < theta.length; i++) {
                            theta[i] += deltas[k][i];
                        }
                        double[][] direct = NativeScope.noGrad(() -> t.scorer.probabilities(test, t.adapter.bindingAt(
                                Tensors.ofDoubles(theta, theta.length).to(t.model.device().torchDevice(),
                                        org.bytedeco.pytorch.global.torch.ScalarType.Double))));
                        double[][] viaPredictive = ps.sample(k);
                        for (int b = 0; b < 5; b++) {
                            assertThat(viaPredictive[b]).as("sample %d, row %d", k, b)
                                    .containsExactly(direct[b], within(tol));
                        }
                    }
                }
                assertThat(t.adapter.parameterValues()).containsExactly(before);
                // an overwhelming prior collapses both predictives onto the MAP softmax
                la.setPriorPrecision(1e12);
                double[][] map = new LogitGaussian(la.linearized(t.scorer).gaussian(test).meanArray(),
                        new double[5][4][4]).probit();
                try (SampledPredictive sp = la.sampled(t.scorer, 3, 2)) {
                    double[][] pbar = sp.predict(test).mean();
                    for (int b = 0; b < 5; b++) {
                        for (int c = 0; c < 4; c++) {
                            assertThat(pbar[b][c]).isCloseTo(map[b][c], within(1e-5));
                        }
                    }
                }
                ProbabilitySamples lin = la.linearized(t.scorer).predict(test);
                assertThat(lin.samples()).isEqualTo(100);
                for (int b = 0; b < 5; b++) {
                    for (int c = 0; c < 4; c++) {
                        assertThat(lin.mean()[b][c]).isCloseTo(map[b][c], within(1e-5));
                    }
                }
            }
        }
    }
}
