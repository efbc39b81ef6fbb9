package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** NLL = −(1/N) Σ log p̄_y on hand-checked cases. */
class NegativeLogLikelihoodTest {

    @Test
    void twoClassTrivialCases() {
        // uniform over 2 classes: −log(1/2) = log 2 whichever the label
        assertThat(NegativeLogLikelihood.compute(new double[][] {{0.5, 0.5}}, new int[] {1}))
                .isCloseTo(Math.log(2), within(1e-15));
        // certain and right: −log 1 = 0
        assertThat(NegativeLogLikelihood.compute(new double[][] {{1, 0}}, new int[] {0})).isEqualTo(0.0);
        // −(log 0.75 + log 0.1) / 2 = −log(0.075) / 2 = 1.2951...
        assertThat(NegativeLogLikelihood.compute(new double[][] {{0.25, 0.75}, {0.9, 0.1}}, new int[] {1, 1}))
                .isCloseTo(-Math.log(0.075) / 2, within(1e-15));
    }

    @Test
    void threeClassExample() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.1, 0.8}, {0.4, 0.4, 0.2}};
        int[] y = {0, 2, 2, 1};
        // p̄_y = 0.7, 0.3, 0.8, 0.4: NLL = −log(0.7·0.3·0.8·0.4)/4 = −log(0.0672)/4 = 0.67502050786325...
        // (the decimal 0.6750205078632583 from numpy's −log(0.0672)/4)
        assertThat(NegativeLogLikelihood.compute(p, y)).isCloseTo(0.6750205078632583, within(1e-14));
    }

    @Test
    void zeroProbabilityForTheTrueClassIsInfinite() {
        // −log 0 = +∞; the mean with a finite term stays +∞ (documented, not clamped)
        double nll = NegativeLogLikelihood.compute(new double[][] {{1, 0}, {0.5, 0.5}}, new int[] {1, 0});
        assertThat(nll).isEqualTo(Double.POSITIVE_INFINITY);
    }
}
