package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Predictive entropy, expected entropy and mutual information (METHODS.md §4) on hand-computed cases. */
class UncertaintyDecompositionTest {
    private static final double LN2 = Math.log(2);

    /** [S, B, C] from per-sample rows: rows[s][b] = p_s(· | b). */
    private static ProbabilitySamples samples(double[][][] rows) {
        int s = rows.length;
        int b = rows[0].length;
        int c = rows[0][0].length;
        double[] flat = new double[s * b * c];
        for (int k = 0; k < s; k++) {
            for (int i = 0; i < b; i++) {
                System.arraycopy(rows[k][i], 0, flat, (k * b + i) * c, c);
            }
        }
        List<String> labels = c == 2 ? List.of("A", "B") : List.of("A", "B", "C");
        return new ProbabilitySamples(flat, s, b, c, labels);
    }

    @Test
    void entropyOfRowsWithZeros() {
        double[][] p = {
            {1, 0, 0},        // 0·log 0 = 0: H = −1·log 1 = 0
            {0.5, 0.5, 0},    // log 2
            {0.25, 0.25, 0.5} // −2·(1/4)·log(1/4) − (1/2)·log(1/2) = log 2 + (1/2) log 2 = 1.5 log 2
        };
        double[] h = PredictiveEntropy.perExample(p);
        assertThat(h[0]).isEqualTo(0.0);
        assertThat(h[1]).isCloseTo(LN2, within(1e-15));
        assertThat(h[2]).isCloseTo(1.5 * LN2, within(1e-15));
    }

    @Test
    void decompositionByHand() {
        ProbabilitySamples ps = samples(new double[][][] {
            {{0.5, 0.5}, {1, 0}, {0.8, 0.2}},   // sample 0
            {{0.5, 0.5}, {0, 1}, {0.4, 0.6}},   // sample 1
        });
        UncertaintyDecomposition d = UncertaintyDecomposition.of(ps);
        double[] total = d.total();
        double[] aleatoric = d.aleatoric();
        double[] epistemic = d.epistemic();

        // example 0: both samples uniform -> total = aleatoric = log 2, MI = 0 (samples agree)
        assertThat(total[0]).isCloseTo(LN2, within(1e-15));
        assertThat(aleatoric[0]).isCloseTo(LN2, within(1e-15));
        assertThat(epistemic[0]).isEqualTo(0.0);

        // example 1: certain and opposite -> p̄ = (1/2, 1/2), total = log 2; each H[p_s] = 0 (0·log 0 = 0),
        // aleatoric = 0; MI = log 2 (all uncertainty epistemic)
        assertThat(total[1]).isCloseTo(LN2, within(1e-15));
        assertThat(aleatoric[1]).isEqualTo(0.0);
        assertThat(epistemic[1]).isCloseTo(LN2, within(1e-15));

        // example 2: p̄ = (0.6, 0.4)
        // total     = −0.6 ln 0.6 − 0.4 ln 0.4                             = 0.6730116670092565
        // aleatoric = ½[(−0.8 ln 0.8 − 0.2 ln 0.2) + (−0.4 ln 0.4 − 0.6 ln 0.6)]
        //           = ½[0.5004024235381879 + 0.6730116670092565]            = 0.5867070452737222
        // MI        = 0.6730116670092565 − 0.5867070452737222               = 0.0863046217355343
        // (decimals evaluated once with numpy from the expressions above)
        assertThat(total[2]).isCloseTo(0.6730116670092565, within(1e-15));
        assertThat(aleatoric[2]).isCloseTo(0.5867070452737222, within(1e-15));
        assertThat(epistemic[2]).isCloseTo(0.0863046217355343, within(1e-15));

        // means over the three examples
        assertThat(d.meanTotal()).isCloseTo((2 * LN2 + 0.6730116670092565) / 3, within(1e-15));
        assertThat(d.meanAleatoric()).isCloseTo((LN2 + 0.5867070452737222) / 3, within(1e-15));
        assertThat(d.meanEpistemic()).isCloseTo((LN2 + 0.0863046217355343) / 3, within(1e-15));

        // the single-metric classes agree with the bundle
        assertThat(PredictiveEntropy.perExample(ps)).containsExactly(total);
        assertThat(ExpectedEntropy.perExample(ps)).containsExactly(aleatoric);
        assertThat(MutualInformation.perExample(ps)).containsExactly(epistemic);
    }

    @Test
    void miIsZeroWhenAllSamplesAgree() {
        // three identical samples; (Σ p)/3 may differ from p in the last bit, so H[p̄] − mean H[p_s] is 0 only up to
        // rounding. For the second row the raw difference is −1.1e-16 on this JVM (found by a search over random
        // rows); the clamp must turn it into 0, never a negative MI.
        double[] row = {0.1, 0.2, 0.7};
        double[] negativeRounding = {0.03832689331927541, 0.5696751877788508, 0.39199791890187374};
        ProbabilitySamples ps = samples(new double[][][] {{row, negativeRounding}, {row, negativeRounding},
            {row, negativeRounding}});
        // H(0.1, 0.2, 0.7) = −0.1 ln 0.1 − 0.2 ln 0.2 − 0.7 ln 0.7 = 0.8018185525433373 (numpy, from this expression)
        assertThat(PredictiveEntropy.perExample(ps)[0]).isCloseTo(0.8018185525433373, within(1e-15));
        for (double v : MutualInformation.perExample(ps)) {
            assertThat(v).isBetween(0.0, 1e-15);
        }
        for (double v : UncertaintyDecomposition.of(ps).epistemic()) {
            assertThat(v).isBetween(0.0, 1e-15);
        }
    }

    @Test
    void singleSampleHasNoEpistemicPart() {
        ProbabilitySamples ps = samples(new double[][][] {{{0.9, 0.1}, {0.3, 0.7}}});
        UncertaintyDecomposition d = UncertaintyDecomposition.of(ps);
        assertThat(d.total()).containsExactly(d.aleatoric());
        assertThat(d.epistemic()).containsExactly(0.0, 0.0);
    }

    @Test
    void epistemicNeverNegativeOnRandomSamples() {
        java.util.Random rnd = new java.util.Random(7);
        int s = 5;
        int b = 40;
        int c = 3;
        double[] flat = new double[s * b * c];
        for (int r = 0; r < s * b; r++) {
            double sum = 0;
            for (int j = 0; j < c; j++) {
                // sharp rows (some entries ~1e-9) to provoke cancellation
                flat[r * c + j] = Math.pow(rnd.nextDouble(), 6);
                sum += flat[r * c + j];
            }
            for (int j = 0; j < c; j++) {
                flat[r * c + j] /= sum;
            }
        }
        UncertaintyDecomposition d = UncertaintyDecomposition.of(
                new ProbabilitySamples(flat, s, b, c, List.of("A", "B", "C")));
        double[] t = d.total();
        double[] a = d.aleatoric();
        double[] e = d.epistemic();
        for (int i = 0; i < b; i++) {
            assertThat(e[i]).isGreaterThanOrEqualTo(0.0);
            assertThat(t[i]).isBetween(0.0, Math.log(c) + 1e-12);
            assertThat(a[i]).isLessThanOrEqualTo(t[i] + 1e-15);
        }
    }

    @Test
    void arraysAreCopies() {
        UncertaintyDecomposition d = UncertaintyDecomposition.of(samples(new double[][][] {{{1, 0}}, {{0, 1}}}));
        d.total()[0] = -1;
        d.epistemic()[0] = -1;
        assertThat(d.total()[0]).isCloseTo(LN2, within(1e-15));
        assertThat(d.epistemic()[0]).isCloseTo(LN2, within(1e-15));
    }
}
