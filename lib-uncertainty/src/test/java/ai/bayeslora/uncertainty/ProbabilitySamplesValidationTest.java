package ai.bayeslora.uncertainty;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.mcqa.NonFiniteScoresException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A posterior that produces NaN cannot reach a metric: the samples refuse it with its place and likely cause. */
class ProbabilitySamplesValidationTest {
    @Test
    void nanProbabilitiesAreRefusedBeforeAnyMetric() {
        double[] p = {0.5, 0.5, Double.NaN, 0.5};
        assertThatThrownBy(() -> new ProbabilitySamples(p, 1, 2, 2, List.of("A", "B")))
                .isInstanceOf(NonFiniteScoresException.class).hasMessageContainingAll("example 1", "class A", "NaN");
        assertThatThrownBy(() -> new ProbabilitySamples(new double[] {1.5, -0.5}, 1, 1, 2, List.of("A", "B")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside [0, 1]");
    }
}
