package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Risk–coverage curve and AURC, sorted by confidence descending with ties in input order. */
class SelectivePredictionTest {

    /**
     * Slow path: repeatedly take the most confident remaining example (the lowest index among equals) and recompute
     * the error rate of the selected set from scratch; AURC = mean of those rates.
     */
    static double bruteForceAurc(double[] conf, boolean[] correct) {
        int n = conf.length;
        boolean[] taken = new boolean[n];
        double sum = 0;
        for (int k = 1; k <= n; k++) {
            int best = -1;
            for (int i = 0; i < n; i++) {
                if (!taken[i] && (best < 0 || conf[i] > conf[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            int errors = 0;
            for (int i = 0; i < n; i++) {
                errors += taken[i] && !correct[i] ? 1 : 0;
            }
            sum += (double) errors / k;
        }
        return sum / n;
    }

    @Test
    void tiedConfidencesKeepInputOrder() {
        double[] conf = {0.9, 0.6, 0.9, 0.5, 0.6};
        boolean[] ok = {false, true, true, false, true};
        // stable descending order: 0 (0.9), 2 (0.9), 1 (0.6), 4 (0.6), 3 (0.5); correctness F T T T F
        // risk(1..5) = 1/1, 1/2, 1/3, 1/4, 2/5
        // AURC = (1 + 1/2 + 1/3 + 1/4 + 2/5) / 5 = (149/60) / 5 = 149/300 = 0.49666...
        // (had example 2 come first: risks 0, 1/2, 1/3, 1/4, 2/5 and AURC 89/300 — so the order matters)
        RiskCoverageCurve r = SelectivePrediction.compute(conf, ok);
        assertThat(r.order()).containsExactly(0, 2, 1, 4, 3);
        assertThat(r.coverage()).containsExactly(0.2, 0.4, 0.6, 0.8, 1.0);
        assertThat(r.risk()).containsExactly(1.0, 0.5, 1.0 / 3, 0.25, 0.4);
        assertThat(r.accuracy()).containsExactly(0.0, 0.5, 2.0 / 3, 0.75, 0.6);
        assertThat(r.aurc()).isCloseTo(149.0 / 300, within(1e-15));
    }

    @Test
    void fromProbabilities() {
        double[][] p = {{0.8, 0.2}, {0.3, 0.7}, {0.6, 0.4}, {0.2, 0.8}};
        int[] y = {0, 0, 0, 1};
        // conf 0.8 (✓), 0.7 (✗), 0.6 (✓), 0.8 (✓); order 0, 3, 1, 2 -> correctness T T F T
        // risk = 0, 0, 1/3, 1/4; AURC = (1/3 + 1/4) / 4 = 7/48
        RiskCoverageCurve r = SelectivePrediction.compute(p, y);
        assertThat(r.order()).containsExactly(0, 3, 1, 2);
        assertThat(r.aurc()).isCloseTo(7.0 / 48, within(1e-15));
        // risk at full coverage is the error rate
        assertThat(r.risk()[3]).isEqualTo(1 - Accuracy.compute(p, y));
    }

    @Test
    void perfectRankingAndAllCorrect() {
        // errors at the lowest confidences: risk 0, 0, 1/3 -> AURC 1/9
        RiskCoverageCurve r = SelectivePrediction.compute(new double[] {0.9, 0.2, 0.8},
                new boolean[] {true, false, true});
        assertThat(r.aurc()).isCloseTo(1.0 / 9, within(1e-15));
        assertThat(SelectivePrediction.compute(new double[] {0.5, 0.5}, new boolean[] {true, true}).aurc())
                .isEqualTo(0.0);
    }

    @Test
    void matchesBruteForceOnRandomTiedConfidences() {
        Random rnd = new Random(99);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(25);
            double[] conf = new double[n];
            boolean[] ok = new boolean[n];
            for (int i = 0; i < n; i++) {
                conf[i] = rnd.nextInt(4) / 3.0;
                ok[i] = rnd.nextBoolean();
            }
            assertThat(SelectivePrediction.compute(conf, ok).aurc()).as("trial %d", trial)
                    .isCloseTo(bruteForceAurc(conf, ok), within(1e-12));
        }
    }
}
