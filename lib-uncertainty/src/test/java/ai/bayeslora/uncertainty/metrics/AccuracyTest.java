package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Accuracy on hand-checked cases. */
class AccuracyTest {

    @Test
    void countsArgmaxHitsWithTiesGoingToTheLowestClass() {
        double[][] p = {
            {0.7, 0.2, 0.1},  // predicted 0, label 0: correct
            {0.2, 0.5, 0.3},  // predicted 1, label 2: wrong
            {0.1, 0.1, 0.8},  // predicted 2, label 2: correct
            {0.4, 0.4, 0.2},  // tie 0/1 -> predicted 0, label 1: wrong (0.75 if ties went to the last maximum)
        };
        int[] y = {0, 2, 2, 1};
        // 2 correct of 4
        assertThat(Accuracy.compute(p, y)).isEqualTo(0.5);
    }

    @Test
    void allRightAndAllWrong() {
        double[][] p = {{0.9, 0.1}, {0.2, 0.8}, {0.6, 0.4}};
        assertThat(Accuracy.compute(p, new int[] {0, 1, 0})).isEqualTo(1.0);
        assertThat(Accuracy.compute(p, new int[] {1, 0, 1})).isEqualTo(0.0);
        // 1 of 3 right
        assertThat(Accuracy.compute(p, new int[] {0, 0, 1})).isEqualTo(1.0 / 3);
    }
}
