package ai.bayeslora.core.mcqa;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NonFiniteScoresExceptionTest {
    @Test
    void nanOrPlusInfinityStopsNamingTheExampleWhileLogZeroIsAProbability() {
        double[] logp = {-0.1, Double.NEGATIVE_INFINITY, -2.5, -1.0, Double.NaN, -3.0};
        assertThatThrownBy(() -> NonFiniteScoresException.check(logp, 3, List.of("q1", "q2"), "log-probabilities"))
                .isInstanceOf(NonFiniteScoresException.class).hasMessageContainingAll("'q2'", "NaN", "weights");
        assertThatCode(() -> NonFiniteScoresException.check(new double[] {-0.1, Double.NEGATIVE_INFINITY}, 2,
                List.of("q1"), "log-probabilities")).doesNotThrowAnyException();
        assertThatThrownBy(() -> NonFiniteScoresException.check(new double[] {0.5, Double.NEGATIVE_INFINITY}, 2,
                null, "class probabilities")).hasMessageContaining("row 0");
    }
}
