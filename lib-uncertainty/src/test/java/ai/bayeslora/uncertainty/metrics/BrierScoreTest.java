package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Brier = (1/N) Σ_n Σ_c (p̄_c − 1[y=c])² on hand-checked cases. */
class BrierScoreTest {

    @Test
    void threeClassExample() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.1, 0.8}, {0.4, 0.4, 0.2}};
        int[] y = {0, 2, 2, 1};
        // row 0, y=0: 0.3² + 0.2² + 0.1² = 0.09 + 0.04 + 0.01 = 0.14
        // row 1, y=2: 0.2² + 0.5² + 0.7² = 0.04 + 0.25 + 0.49 = 0.78
        // row 2, y=2: 0.1² + 0.1² + 0.2² = 0.01 + 0.01 + 0.04 = 0.06
        // row 3, y=1: 0.4² + 0.6² + 0.2² = 0.16 + 0.36 + 0.04 = 0.56
        // (0.14 + 0.78 + 0.06 + 0.56) / 4 = 1.54 / 4 = 0.385
        assertThat(BrierScore.compute(p, y)).isCloseTo(0.385, within(1e-15));
    }

    @Test
    void extremesAreZeroAndTwo() {
        // sum over classes, not mean: a certain wrong answer costs 1² + 1² = 2
        assertThat(BrierScore.compute(new double[][] {{0, 1, 0}}, new int[] {1})).isEqualTo(0.0);
        assertThat(BrierScore.compute(new double[][] {{0, 1, 0}}, new int[] {2})).isEqualTo(2.0);
        // uniform over 4 classes: (3/4)² + 3 · (1/4)² = 9/16 + 3/16 = 0.75
        assertThat(BrierScore.compute(new double[][] {{0.25, 0.25, 0.25, 0.25}}, new int[] {3})).isEqualTo(0.75);
    }
}
