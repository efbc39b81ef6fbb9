package ai.bayeslora.lora.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.train.internal.AdamWOptimizer;
import ai.bayeslora.lora.train.internal.ParameterOptimizer;
import ai.bayeslora.lora.train.internal.SgdOptimizer;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The optimizers against their closed forms, computed here by hand in Java doubles from known gradients (float64
 * tensors, so the comparison is at 1e-14).
 */
class TrainerOptimizerTest {
    private static final double[] THETA0 = {0.5, -1.0, 2.0, 0.0};
    private static final double[] G1 = {0.1, -0.2, 0.3, 1e-3};
    private static final double[] G2 = {-0.4, 0.05, 0.3, -2.0};

    @Test
    @SuppressWarnings("try")
    void adamWFirstAndSecondStepMatchTheClosedForm() {
        double b1 = 0.9;
        double b2 = 0.99;
        double eps = 1e-8;
        double wd = 0.1;
        double lr1 = 0.01;
        double lr2 = 0.02;
        try (PointerScope s = new PointerScope();
             AdamWOptimizer opt = new AdamWOptimizer(new OptimizerConfig.AdamW(b1, b2, eps, wd))) {
            Tensor theta = Tensors.ofDoubles(THETA0.clone(), 2, 2);
            opt.step(List.of(theta), List.of(Tensors.ofDoubles(G1, 2, 2)), lr1);
            double[] m = new double[4];
            double[] v = new double[4];
            double[] expected = new double[4];
            for (int i = 0; i < 4; i++) {
                m[i] = (1 - b1) * G1[i];
                v[i] = (1 - b2) * G1[i] * G1[i];
                double mHat = m[i] / (1 - b1);
                double vHat = v[i] / (1 - b2);
                expected[i] = THETA0[i] - lr1 * wd * THETA0[i] - lr1 * mHat / (Math.sqrt(vHat) + eps);
            }
            assertClose(Tensors.toDoubles(theta), expected);
            assertClose(Tensors.toDoubles(opt.state(0).get("exp_avg")), m);
            assertClose(Tensors.toDoubles(opt.state(0).get("exp_avg_sq")), v);
            assertThat(opt.steps()).isEqualTo(1);

            double[] theta1 = expected.clone();
            opt.step(List.of(theta), List.of(Tensors.ofDoubles(G2, 2, 2)), lr2);
            for (int i = 0; i < 4; i++) {
                m[i] = b1 * m[i] + (1 - b1) * G2[i];
                v[i] = b2 * v[i] + (1 - b2) * G2[i] * G2[i];
                double mHat = m[i] / (1 - b1 * b1);
                double vHat = v[i] / (1 - b2 * b2);
                expected[i] = theta1[i] * (1 - lr2 * wd) - lr2 * mHat / (Math.sqrt(vHat) + eps);
            }
            assertClose(Tensors.toDoubles(theta), expected);
            assertClose(Tensors.toDoubles(opt.state(0).get("exp_avg")), m);
        }
    }

    @Test
    @SuppressWarnings("try")
    void adamWFirstStepMovesEachCoordinateByAboutTheLearningRate() {
        // Adam's well-known property: step 1 is lr·sign(g) up to ε (a second, formula-free oracle)
        try (PointerScope s = new PointerScope();
             AdamWOptimizer opt = new AdamWOptimizer(new OptimizerConfig.AdamW(0.9, 0.999, 1e-12, 0))) {
            Tensor theta = Tensors.ofDoubles(THETA0.clone(), 4);
            opt.step(List.of(theta), List.of(Tensors.ofDoubles(G1, 4)), 0.5);
            double[] got = Tensors.toDoubles(theta);
            for (int i = 0; i < 4; i++) {
                assertThat(got[i]).isCloseTo(THETA0[i] - 0.5 * Math.signum(G1[i]), within(1e-8));
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void sgdMomentumAndNesterovMatchTheClosedForm() {
        double mu = 0.8;
        double lr = 0.1;
        for (boolean nesterov : new boolean[] {false, true}) {
            try (PointerScope s = new PointerScope(); SgdOptimizer opt = new SgdOptimizer(new OptimizerConfig.Sgd(mu,
                    nesterov))) {
                Tensor theta = Tensors.ofDoubles(THETA0.clone(), 4);
                opt.step(List.of(theta), List.of(Tensors.ofDoubles(G1, 4)), lr);
                opt.step(List.of(theta), List.of(Tensors.ofDoubles(G2, 4)), lr);
                double[] expected = new double[4];
                for (int i = 0; i < 4; i++) {
                    double buf1 = G1[i];
                    double d1 = nesterov ? G1[i] + mu * buf1 : buf1;
                    double buf2 = mu * buf1 + G2[i];
                    double d2 = nesterov ? G2[i] + mu * buf2 : buf2;
                    expected[i] = THETA0[i] - lr * d1 - lr * d2;
                }
                assertClose(Tensors.toDoubles(theta), expected);
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void plainSgdIsGradientDescent() {
        try (PointerScope s = new PointerScope(); SgdOptimizer opt = new SgdOptimizer(new OptimizerConfig.Sgd(0,
                false))) {
            Tensor theta = Tensors.ofDoubles(THETA0.clone(), 4);
            opt.step(List.of(theta), List.of(Tensors.ofDoubles(G1, 4)), 0.3);
            double[] expected = new double[4];
            for (int i = 0; i < 4; i++) {
                expected[i] = THETA0[i] - 0.3 * G1[i];
            }
            assertClose(Tensors.toDoubles(theta), expected);
            assertThat(opt.state(0)).isEmpty();
        }
    }

    @Test
    @SuppressWarnings("try")
    void restoredStateContinuesExactlyLikeTheOriginal() {
        for (OptimizerConfig cfg : List.of(OptimizerConfig.adamW(0.05), OptimizerConfig.sgd(0.9, true))) {
            try (PointerScope s = new PointerScope();
                 ParameterOptimizer a = ParameterOptimizer.create(cfg);
                 ParameterOptimizer b = ParameterOptimizer.create(cfg)) {
                Tensor ta = Tensors.ofDoubles(THETA0.clone(), 4);
                a.step(List.of(ta), List.of(Tensors.ofDoubles(G1, 4)), 0.1);
                Tensor tb = ta.clone();
                b.load(a.steps(), List.of(Map.copyOf(a.state(0))), List.of(tb));
                a.step(List.of(ta), List.of(Tensors.ofDoubles(G2, 4)), 0.1);
                b.step(List.of(tb), List.of(Tensors.ofDoubles(G2, 4)), 0.1);
                assertThat(Tensors.toDoubles(tb)).as(cfg.describe()).containsExactly(Tensors.toDoubles(ta));
                assertThat(b.steps()).isEqualTo(2);
            }
        }
    }

    private static void assertClose(double[] got, double[] expected) {
        assertThat(got).hasSize(expected.length);
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).as("element %d", i).isCloseTo(expected[i], within(1e-14 * Math.max(1, Math.abs(expected[i]))));
        }
    }
}
