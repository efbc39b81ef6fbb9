package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Invalid inputs are rejected with an {@link InvalidMetricInputException} naming the fault. */
class InputValidationTest {

    @Test
    void probabilitiesOutsideTheUnitIntervalOrNaN() {
        assertThatThrownBy(() -> Accuracy.compute(new double[][] {{0.5, 0.5}, {1.2, -0.2}}, new int[] {0, 1}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("probability 1.2 of example 1, class 0 is outside [0, 1]");
        assertThatThrownBy(() -> BrierScore.compute(new double[][] {{Double.NaN, 1}}, new int[] {0}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("probability of example 0, class 0 is NaN");
    }

    @Test
    void rowSumsCheckedWithTheDefaultToleranceOf1e4() {
        assertThatThrownBy(() -> NegativeLogLikelihood.compute(new double[][] {{0.5, 0.4}}, new int[] {0}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("probabilities of example 0 sum to 0.9, not 1 (tolerance 1.0E-4)");
        // 1 + 5e-5 is inside the default tolerance, 1 + 2e-4 is not
        assertThat(Accuracy.compute(new double[][] {{0.5, 0.50005}}, new int[] {1})).isEqualTo(1.0);
        assertThatThrownBy(() -> Accuracy.compute(new double[][] {{0.5, 0.5002}}, new int[] {1}))
                .isInstanceOf(InvalidMetricInputException.class).hasMessageContaining("sum to 1.0002");
        // an explicit tolerance
        assertThat(LabeledProbabilities.of(new double[][] {{0.5, 0.5002}}, new int[] {1}, 1e-3).size()).isEqualTo(1);
        assertThatThrownBy(() -> LabeledProbabilities.of(new double[][] {{1, 0}}, new int[] {0}, -1))
                .isInstanceOf(InvalidMetricInputException.class).hasMessageContaining("tolerance");
    }

    @Test
    void labelsOutOfRange() {
        double[][] p = {{0.2, 0.3, 0.5}, {0.1, 0.1, 0.8}};
        assertThatThrownBy(() -> Accuracy.compute(p, new int[] {0, 3}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("label 3 of example 1 is outside [0, 2] (C = 3 classes)");
        assertThatThrownBy(() -> Accuracy.compute(p, new int[] {-1, 0}))
                .isInstanceOf(InvalidMetricInputException.class).hasMessageContaining("label -1 of example 0");
    }

    @Test
    void emptyMismatchedAndRaggedInput() {
        assertThatThrownBy(() -> Accuracy.compute(new double[0][], new int[0]))
                .isInstanceOf(InvalidMetricInputException.class).hasMessage("no examples: need at least one for the metrics");
        assertThatThrownBy(() -> Accuracy.compute(new double[][] {{1, 0}, {0, 1}}, new int[] {0, 1, 1}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("probability rows (2) and labels (3) differ in length");
        assertThatThrownBy(() -> Accuracy.compute(new double[][] {{1, 0}, {0, 0, 1}}, new int[] {0, 1}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("example 1 has 3 class probabilities, example 0 has 2");
        assertThatThrownBy(() -> Auroc.compute(new double[0], new boolean[0]))
                .isInstanceOf(InvalidMetricInputException.class).hasMessageContaining("no examples");
        assertThatThrownBy(() -> Aupr.compute(new double[] {0.1, 0.2}, new boolean[] {true}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("scores (2) and positive flags (1) differ in length");
        assertThatThrownBy(() -> SelectivePrediction.compute(new double[] {0.1}, new boolean[] {true, false}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("confidences (1) and correctness flags (2) differ in length");
    }

    @Test
    void nanScoresAndConfidences() {
        assertThatThrownBy(() -> Auroc.compute(new double[] {0.1, Double.NaN}, new boolean[] {true, false}))
                .isInstanceOf(InvalidMetricInputException.class).hasMessage("score of example 1 is NaN");
        assertThatThrownBy(() -> Aupr.compute(new double[] {Double.NaN, 0.3}, new boolean[] {true, false}))
                .isInstanceOf(InvalidMetricInputException.class).hasMessage("score of example 0 is NaN");
        assertThatThrownBy(() -> SelectivePrediction.compute(new double[] {Double.NaN}, new boolean[] {true}))
                .isInstanceOf(InvalidMetricInputException.class).hasMessage("confidence of example 0 is NaN");
    }

    @Test
    void eceBinsAndConfidenceRange() {
        assertThatThrownBy(() -> ExpectedCalibrationError.compute(new double[][] {{1, 0}}, new int[] {0}, 0))
                .isInstanceOf(InvalidMetricInputException.class).hasMessage("ECE needs at least 1 bin, got 0");
        assertThatThrownBy(() -> ExpectedCalibrationError.compute(new double[] {1.5}, new boolean[] {true}, 10))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("confidence 1.5 of example 0 is outside [0, 1]");
    }

    @Test
    void samplesBasedInputs() {
        ProbabilitySamples empty = new ProbabilitySamples(new double[0], 2, 0, 2, List.of("A", "B"));
        assertThatThrownBy(() -> UncertaintyDecomposition.of(empty))
                .isInstanceOf(InvalidMetricInputException.class).hasMessageContaining("no examples");
        ProbabilitySamples one = new ProbabilitySamples(new double[] {0.5, 0.5}, 1, 1, 2, List.of("A", "B"));
        assertThatThrownBy(() -> Metrics.evaluate(one, new int[] {0, 1}))
                .isInstanceOf(InvalidMetricInputException.class)
                .hasMessage("examples of the samples (1) and labels (2) differ in length");
        assertThatThrownBy(() -> Metrics.evaluate(one, new int[] {2}))
                .isInstanceOf(InvalidMetricInputException.class).hasMessageContaining("label 2 of example 0");
        assertThatThrownBy(() -> Metrics.evaluate(one, new int[] {0}, 0))
                .isInstanceOf(InvalidMetricInputException.class).hasMessageContaining("at least 1 bin");
    }

    @Test
    void inputsAreCopied() {
        double[][] p = {{0.9, 0.1}};
        int[] y = {0};
        LabeledProbabilities data = LabeledProbabilities.of(p, y);
        p[0][0] = 0.1;
        p[0][1] = 0.9;
        y[0] = 1;
        data.labels()[0] = 1;
        data.probabilities()[0][0] = 0;
        assertThat(Accuracy.compute(data)).isEqualTo(1.0);
        assertThat(data.probability(0, 0)).isEqualTo(0.9);
    }
}
