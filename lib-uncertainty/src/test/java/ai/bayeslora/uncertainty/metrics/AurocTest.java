package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** AUROC with average ranks, against hand computations and explicit pair counting. */
class AurocTest {

    /** Slow path: P(score₊ > score₋) + ½ P(tie) over all positive–negative pairs. */
    static double pairCounting(double[] s, boolean[] pos) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                if (pos[i] && !pos[j]) {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        return wins / pairs;
    }

    @Test
    void tiesGetAverageRanks() {
        double[] s = {0.2, 0.5, 0.5, 0.9, 0.5, 0.1};
        boolean[] pos = {false, true, false, true, false, true};
        // ascending: 0.1(+) rank 1, 0.2(−) rank 2, three 0.5s (one +, two −) ranks 3,4,5 -> 4 each, 0.9(+) rank 6
        // R₊ = 1 + 4 + 6 = 11, n₊ = n₋ = 3: U = 11 − 3·4/2 = 5, AUROC = 5/9
        // pairs: 0.5 beats 0.2 and ties two 0.5s (1 + ½ + ½ = 2), 0.9 beats all 3, 0.1 beats none: 5 of 9
        assertThat(Auroc.compute(s, pos)).isCloseTo(5.0 / 9, within(1e-15));
    }

    @Test
    void separationExtremes() {
        boolean[] pos = {false, false, true, true};
        assertThat(Auroc.compute(new double[] {0.1, 0.2, 0.3, 0.4}, pos)).isEqualTo(1.0);
        assertThat(Auroc.compute(new double[] {0.4, 0.3, 0.2, 0.1}, pos)).isEqualTo(0.0);
        // all tied: every pair counts ½
        assertThat(Auroc.compute(new double[] {0.7, 0.7, 0.7, 0.7}, pos)).isEqualTo(0.5);
        // infinities are ordered like any score
        assertThat(Auroc.compute(new double[] {Double.NEGATIVE_INFINITY, 0, 1, Double.POSITIVE_INFINITY}, pos))
                .isEqualTo(1.0);
    }

    @Test
    void outOfDistributionAndMisclassificationFactories() {
        // in-domain {0.1, 0.3} negatives, OOD {0.2, 0.9} positives: 0.2 beats 0.1, 0.9 beats both -> 3/4
        assertThat(Auroc.compute(DetectionProblem.outOfDistribution(new double[] {0.1, 0.3},
                new double[] {0.2, 0.9}))).isEqualTo(0.75);

        LabeledProbabilities preds = LabeledProbabilities.of(
                new double[][] {{0.9, 0.1}, {0.6, 0.4}, {0.55, 0.45}, {0.2, 0.8}}, new int[] {0, 1, 0, 0});
        // misclassified: examples 1 and 3. Score 1 − max p = 0.1, 0.4, 0.45, 0.2.
        // positives {0.4, 0.2} vs negatives {0.1, 0.45}: 0.4 beats 0.1, 0.2 beats 0.1 -> 2 of 4
        double[] score = {1 - 0.9, 1 - 0.6, 1 - 0.55, 1 - 0.8};
        assertThat(Auroc.compute(DetectionProblem.misclassification(score, preds))).isEqualTo(0.5);
    }

    @Test
    void rankFormulaMatchesPairCountingOnRandomTiedScores() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + rnd.nextInt(30);
            double[] s = new double[n];
            boolean[] pos = new boolean[n];
            for (int i = 0; i < n; i++) {
                s[i] = rnd.nextInt(5) / 4.0; // only 5 distinct values: many ties
                pos[i] = rnd.nextBoolean();
            }
            pos[0] = true;
            pos[1] = false;
            assertThat(Auroc.compute(s, pos)).as("trial %d", trial).isCloseTo(pairCounting(s, pos), within(1e-12));
        }
    }

    @Test
    void oneClassIsUndefined() {
        assertThatThrownBy(() -> Auroc.compute(new double[] {0.1, 0.2, 0.3}, new boolean[3]))
                .isInstanceOf(UndefinedMetricException.class)
                .hasMessage("AUROC is undefined: all 3 examples are negatives (no positives); it needs both classes");
        assertThatThrownBy(() -> Auroc.compute(new double[] {0.1, 0.2}, new boolean[] {true, true}))
                .isInstanceOf(UndefinedMetricException.class)
                .hasMessageContaining("all 2 examples are positives (no negatives)");
        assertThatThrownBy(() -> Auroc.compute(DetectionProblem.outOfDistribution(new double[] {0.3},
                new double[0]))).isInstanceOf(UndefinedMetricException.class);
    }
}
