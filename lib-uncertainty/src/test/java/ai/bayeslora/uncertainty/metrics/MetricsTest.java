package ai.bayeslora.uncertainty.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Metrics#evaluate} on a hand-computed two-sample, two-example case. */
class MetricsTest {

    /** Binary entropy −a ln a − (1−a) ln(1−a), written out for the expected values. */
    private static double h2(double a) {
        return -a * Math.log(a) - (1 - a) * Math.log(1 - a);
    }

    @Test
    void reportByHand() {
        // [S=2, N=2, C=2], labels (0, 0)
        double[] data = {
            0.8, 0.2,   0.3, 0.7,    // sample 0: example 0, example 1
            0.6, 0.4,   0.55, 0.45,  // sample 1
        };
        ProbabilitySamples ps = new ProbabilitySamples(data, 2, 2, 2, List.of("A", "B"));
        MetricReport r = Metrics.evaluate(ps, new int[] {0, 0});

        // p̄: example 0 = (0.7, 0.3) -> predicts 0, right; example 1 = (0.425, 0.575) -> predicts 1, wrong
        assertThat(r.examples()).isEqualTo(2);
        assertThat(r.classes()).isEqualTo(2);
        assertThat(r.samples()).isEqualTo(2);
        assertThat(r.accuracy()).isEqualTo(0.5);
        // NLL = −(ln 0.7 + ln 0.425) / 2
        assertThat(r.nll()).isCloseTo(-(Math.log(0.7) + Math.log(0.425)) / 2, within(1e-15));
        // Brier: example 0: 0.3² + 0.3² = 0.18; example 1: 0.575² + 0.575² = 0.66125; mean 0.420625
        assertThat(r.brier()).isCloseTo(0.420625, within(1e-15));
        // ECE, 15 bins: conf 0.7 in (10/15, 11/15] correct: gap 0.3; conf 0.575 in (8/15, 9/15] wrong: gap 0.575
        // ECE = ½·0.3 + ½·0.575 = 0.4375; MCE = 0.575
        assertThat(r.eceBins()).isEqualTo(15);
        assertThat(r.calibration().counts()[10]).isEqualTo(1);
        assertThat(r.calibration().counts()[8]).isEqualTo(1);
        assertThat(r.ece()).isCloseTo(0.4375, within(1e-15));
        assertThat(r.mce()).isCloseTo(0.575, within(1e-15));
        // entropies: total H(0.7), H(0.425); aleatoric ½[H(0.8) + H(0.6)], ½[H(0.3) + H(0.55)]
        double t0 = h2(0.7);
        double t1 = h2(0.425);
        double a0 = (h2(0.8) + h2(0.6)) / 2;
        double a1 = (h2(0.3) + h2(0.55)) / 2;
        assertThat(r.meanPredictiveEntropy()).isCloseTo((t0 + t1) / 2, within(1e-15));
        assertThat(r.meanExpectedEntropy()).isCloseTo((a0 + a1) / 2, within(1e-15));
        assertThat(r.meanMutualInformation()).isCloseTo((t0 - a0 + t1 - a1) / 2, within(1e-15));
        assertThat(r.uncertainty().total()[1]).isCloseTo(t1, within(1e-15));
        // the decimals, for the record (numpy): H(0.7) = 0.6108643020548935, H(0.425) = 0.6818546087307834
        assertThat(t0).isCloseTo(0.6108643020548935, within(1e-15));
        assertThat(t1).isCloseTo(0.6818546087307834, within(1e-15));

        assertThat(r.summary()).startsWith("N=2 C=2 S=2 acc=0.5000 NLL=").contains("ECE(15 bins)=0.4375 MCE=0.5750");
        assertThat(Metrics.evaluate(ps, new int[] {0, 0}, 4).eceBins()).isEqualTo(4);
    }
}
