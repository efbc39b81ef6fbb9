package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** AUPR = average precision, against hand computations and an explicit threshold sweep. */
class AuprTest {

    /**
     * Slow path: for every distinct score t, in decreasing order, count TP and FP among scores ≥ t by a full scan;
     * AP = Σ (R_k − R_{k−1}) P_k.
     */
    static double thresholdSweep(double[] s, boolean[] pos) {
        TreeSet<Double> thresholds = new TreeSet<>();
        int positives = 0;
        for (int i = 0; i < s.length; i++) {
            thresholds.add(s[i]);
            positives += pos[i] ? 1 : 0;
        }
        double ap = 0;
        double previousRecall = 0;
        for (double t : thresholds.descendingSet()) {
            int tp = 0;
            int fp = 0;
            for (int i = 0; i < s.length; i++) {
                if (s[i] >= t) {
                    if (pos[i]) {
                        tp++;
                    } else {
                        fp++;
                    }
                }
            }
            double recall = (double) tp / positives;
            ap += (recall - previousRecall) * tp / (tp + fp);
            previousRecall = recall;
        }
        return ap;
    }

    @Test
    void distinctScores() {
        double[] s = {0.1, 0.4, 0.35, 0.8};
        boolean[] pos = {false, false, true, true};
        // t = 0.8:  TP 1, FP 0: P = 1,   R = 1/2 -> (1/2 − 0)·1     = 1/2
        // t = 0.4:  TP 1, FP 1: P = 1/2, R = 1/2 -> 0
        // t = 0.35: TP 2, FP 1: P = 2/3, R = 1   -> (1 − 1/2)·2/3   = 1/3
        // t = 0.1:  R unchanged -> 0.       AP = 1/2 + 1/3 = 5/6
        assertThat(Aupr.compute(s, pos)).isCloseTo(5.0 / 6, within(1e-15));
    }

    @Test
    void tiedScoresFormOneThreshold() {
        double[] s = {0.9, 0.7, 0.7, 0.7, 0.3, 0.3};
        boolean[] pos = {true, false, true, true, false, true};
        // n₊ = 4
        // t = 0.9: TP 1, FP 0: P = 1,   ΔR = 1/4 -> 1/4  = 6/24
        // t = 0.7: TP 3, FP 1: P = 3/4, ΔR = 2/4 -> 3/8  = 9/24
        // t = 0.3: TP 4, FP 2: P = 4/6, ΔR = 1/4 -> 1/6  = 4/24
        // AP = 19/24 = 0.7916...  (breaking the 0.7 tie in input order would give 0.7708..., a different number)
        assertThat(Aupr.compute(s, pos)).isCloseTo(19.0 / 24, within(1e-15));
    }

    @Test
    void extremes() {
        boolean[] pos = {false, true, false, true};
        // positives ranked first: precision 1 at every recall step
        assertThat(Aupr.compute(new double[] {0.1, 0.9, 0.2, 0.8}, pos)).isEqualTo(1.0);
        // all tied: one threshold, P = n₊/N = 1/2, ΔR = 1 -> the positive fraction
        assertThat(Aupr.compute(new double[] {0.5, 0.5, 0.5, 0.5}, pos)).isEqualTo(0.5);
        // positives last: t=0.4 (−) 0, t=0.3 (−) 0, t=0.2: P=1/3, ΔR=1/2; t=0.1: P=2/4, ΔR=1/2 -> 1/6 + 1/4 = 5/12
        assertThat(Aupr.compute(new double[] {0.4, 0.2, 0.3, 0.1}, pos)).isCloseTo(5.0 / 12, within(1e-15));
    }

    @Test
    void matchesExplicitThresholdSweepOnRandomTiedScores() {
        Random rnd = new Random(1234);
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + rnd.nextInt(30);
            double[] s = new double[n];
            boolean[] pos = new boolean[n];
            for (int i = 0; i < n; i++) {
                s[i] = rnd.nextInt(6) / 5.0;
                pos[i] = rnd.nextDouble() < 0.3;
            }
            pos[0] = true;
            pos[1] = false;
            assertThat(Aupr.compute(s, pos)).as("trial %d", trial).isCloseTo(thresholdSweep(s, pos), within(1e-12));
        }
    }

    @Test
    void oneClassIsUndefined() {
        assertThatThrownBy(() -> Aupr.compute(new double[] {0.1, 0.2}, new boolean[2]))
                .isInstanceOf(UndefinedMetricException.class)
                .hasMessage("AUPR is undefined: all 2 examples are negatives (no positives); it needs both classes");
        assertThatThrownBy(() -> Aupr.compute(new double[] {0.1}, new boolean[] {true}))
                .isInstanceOf(UndefinedMetricException.class).hasMessageContaining("no negatives");
    }
}
