package ai.bayeslora.lora.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.train.internal.GradientClipping;
import java.util.List;
import java.util.OptionalDouble;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** Learning-rate schedules at chosen steps against transformers' formulas, and global-norm clipping by hand. */
class TrainerScheduleTest {
    private static final double TOL = 1e-15;

    @Test
    void warmupRisesLinearlyFromZeroForEveryKind() {
        for (LearningRateSchedule s : List.of(new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 4, 0),
                LearningRateSchedule.linear(4), LearningRateSchedule.cosine(4))) {
            assertThat(s.multiplier(0, 20)).as(s.describe()).isEqualTo(0.0);
            assertThat(s.multiplier(1, 20)).isCloseTo(0.25, within(TOL));
            assertThat(s.multiplier(3, 20)).isCloseTo(0.75, within(TOL));
            assertThat(s.multiplier(4, 20)).isCloseTo(1.0, within(TOL)); // the end of warm-up is the peak
        }
    }

    @Test
    void linearDecaysToZeroAtTheLastStep() {
        LearningRateSchedule s = LearningRateSchedule.linear(4);
        // (T − k) / (T − W) with T = 20, W = 4
        assertThat(s.multiplier(12, 20)).isCloseTo(8.0 / 16, within(TOL));
        assertThat(s.multiplier(19, 20)).isCloseTo(1.0 / 16, within(TOL));
        assertThat(s.multiplier(20, 20)).isEqualTo(0.0);
        assertThat(LearningRateSchedule.linear(0).multiplier(0, 10)).isEqualTo(1.0);
        assertThat(LearningRateSchedule.linear(0).multiplier(5, 10)).isCloseTo(0.5, within(TOL));
    }

    @Test
    void cosineFollowsHalfACosine() {
        LearningRateSchedule s = LearningRateSchedule.cosine(4);
        // ½(1 + cos(π (k − W)/(T − W)))
        assertThat(s.multiplier(8, 20)).isCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.25)), within(TOL));
        assertThat(s.multiplier(12, 20)).isCloseTo(0.5, within(1e-15));
        assertThat(s.multiplier(16, 20)).isCloseTo(0.5 * (1 + Math.cos(Math.PI * 0.75)), within(TOL));
        assertThat(s.multiplier(20, 20)).isCloseTo(0.0, within(TOL));
    }

    @Test
    void constantStaysAtOneAndWarmupRatioRoundsUp() {
        assertThat(LearningRateSchedule.constant().multiplier(0, 7)).isEqualTo(1.0);
        assertThat(LearningRateSchedule.constant().multiplier(6, 7)).isEqualTo(1.0);
        LearningRateSchedule r = LearningRateSchedule.linear(0).withWarmupRatio(0.1);
        assertThat(r.warmupSteps(25)).isEqualTo(3); // ⌈2.5⌉ as transformers' get_warmup_steps
        assertThat(r.multiplier(2, 25)).isCloseTo(2.0 / 3, within(TOL));
        assertThat(r.multiplier(3, 25)).isCloseTo(1.0, within(TOL));
    }

    @Test
    void configAppliesTheScheduleToTheBaseRate() {
        TrainingConfig c = TrainingConfig.builder().learningRate(0.2).schedule(LearningRateSchedule.linear(2))
                .batchSize(3).gradientAccumulationSteps(2).epochs(2).build();
        assertThat(c.stepsPerEpoch(13)).isEqualTo(3); // ⌈13 / 6⌉
        assertThat(c.totalSteps(13)).isEqualTo(6);
        assertThat(c.learningRateAt(1, 6)).isCloseTo(0.1, within(TOL));
        assertThat(c.learningRateAt(4, 6)).isCloseTo(0.2 * 2 / 4, within(TOL));
        assertThat(c.toBuilder().maxSteps(4).build().totalSteps(13)).isEqualTo(4);
        assertThatThrownBy(() -> LearningRateSchedule.linear(0).multiplier(-1, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @SuppressWarnings("try")
    void clippingScalesByMaxOverGlobalNorm() {
        try (PointerScope s = new PointerScope()) {
            // ‖(3, 4, 12)‖ = 13 over two tensors
            Tensor a = Tensors.ofDoubles(new double[] {3, 4}, 2);
            Tensor b = Tensors.ofDoubles(new double[] {12}, 1);
            double norm = GradientClipping.clip(List.of(a, b), OptionalDouble.of(6.5));
            assertThat(norm).isCloseTo(13, within(1e-13));
            double coef = 6.5 / (13 + 1e-6);
            assertThat(Tensors.toDoubles(a)).containsExactly(new double[] {3 * coef, 4 * coef}, within(1e-14));
            assertThat(Tensors.toDoubles(b)[0]).isCloseTo(12 * coef, within(1e-14));

            Tensor c = Tensors.ofDoubles(new double[] {3, 4}, 2);
            assertThat(GradientClipping.clip(List.of(c), OptionalDouble.of(20))).isCloseTo(5, within(1e-14));
            assertThat(Tensors.toDoubles(c)).containsExactly(3, 4); // under the limit: untouched
            assertThat(GradientClipping.clip(List.of(c), OptionalDouble.empty())).isCloseTo(5, within(1e-14));

            Tensor bad = Tensors.ofDoubles(new double[] {1, Double.NaN}, 2);
            assertThat(GradientClipping.clip(List.of(bad), OptionalDouble.of(1))).isNaN();
        }
    }
}
