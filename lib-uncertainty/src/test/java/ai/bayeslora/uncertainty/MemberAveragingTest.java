package ai.bayeslora.uncertainty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.uncertainty.metrics.MetricReport;
import ai.bayeslora.uncertainty.metrics.Metrics;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Probability and logit averaging (docs/METHODS.md §4, "Averaging members") against closed forms written by hand
 * for fixed logits. Two members over two classes with logits z₁ = (0, ln 3) and z₂ = (0, ln 15), i.e. p₁ = (1/4, 3/4)
 * and p₂ = (1/16, 15/16):
 * <ul>
 *   <li>probabilities: p̄ = (5/32, 27/32);</li>
 *   <li>logits: mean logits (0, ln √45), so p̄ = (1, √45) / (1 + √45);</li>
 *   <li>expected entropy (H(1/4) + H(1/16)) / 2 and MI = H(5/32) − that, for both averagings.</li>
 * </ul>
 * Here H[p̄_logits] − E[H] is negative (the logit pool is sharper than either member on average): the
 * decomposition reports the samples' MI instead, which is ≥ 0. Tolerances: a few ulps of Java's double arithmetic
 * (no BLAS; Math.log/exp are within 1 ulp), 1e-15 on probabilities and 2e-15 on sums of entropies.
 */
class MemberAveragingTest {
    private static final double TOL_P = 1e-15;
    private static final double TOL_H = 2e-15;
    private static final List<String> AB = List.of("A", "B");

    private static ProbabilitySamples twoMembers() {
        return new ProbabilitySamples(new double[] {0.25, 0.75, 1.0 / 16, 15.0 / 16}, 2, 1, 2, AB);
    }

    private static double h2(double a) {
        return -(a * Math.log(a) + (1 - a) * Math.log(1 - a));
    }

    @Test
    void probabilityAveragingIsTheMixture() {
        Prediction p = Prediction.of(List.of("q"), twoMembers(), MemberAveraging.PROBABILITIES);
        assertThat(p.mean()[0][0]).isCloseTo(5.0 / 32, within(TOL_P));
        assertThat(p.mean()[0][1]).isCloseTo(27.0 / 32, within(TOL_P));
        double eh = (h2(0.25) + h2(1.0 / 16)) / 2;
        assertThat(p.uncertainty().total()[0]).isCloseTo(h2(5.0 / 32), within(TOL_H));
        assertThat(p.uncertainty().aleatoric()[0]).isCloseTo(eh, within(TOL_H));
        assertThat(p.uncertainty().epistemic()[0]).isCloseTo(h2(5.0 / 32) - eh, within(TOL_H));
        // the default is probability averaging
        assertThat(Prediction.of(List.of("q"), twoMembers()).mean()).isDeepEqualTo(p.mean());
        assertThat(Prediction.of(List.of("q"), twoMembers()).averaging()).isEqualTo(MemberAveraging.PROBABILITIES);
    }

    @Test
    void logitAveragingIsTheSoftmaxOfTheMeanLogits() {
        Prediction p = Prediction.of(List.of("q"), twoMembers(), MemberAveraging.LOGITS);
        double r = Math.sqrt(45);
        double q0 = 1 / (1 + r);
        assertThat(p.averaging()).isEqualTo(MemberAveraging.LOGITS);
        assertThat(p.mean()[0][0]).isCloseTo(q0, within(TOL_P));
        assertThat(p.mean()[0][1]).isCloseTo(r / (1 + r), within(TOL_P));
        assertThat(p.predicted()[0]).isEqualTo(1);
        assertThat(p.confidence()[0]).isCloseTo(r / (1 + r), within(TOL_P));
        double eh = (h2(0.25) + h2(1.0 / 16)) / 2;
        assertThat(p.uncertainty().total()[0]).isCloseTo(h2(q0), within(TOL_H));
        assertThat(p.uncertainty().aleatoric()[0]).isCloseTo(eh, within(TOL_H));
        // the members' disagreement, as under probability averaging, not H[p̄] − E[H] (negative here)
        assertThat(h2(q0) - eh).isNegative();
        assertThat(p.uncertainty().epistemic()[0]).isCloseTo(h2(5.0 / 32) - eh, within(TOL_H));
        // the per-member probabilities are kept as they are
        assertThat(p.samples().sample(1)[0]).containsExactly(1.0 / 16, 15.0 / 16);
    }

    @Test
    void metricsUseThePooledPredictive() {
        double r = Math.sqrt(45);
        double q1 = r / (1 + r);
        int[] label0 = {0};
        MetricReport m = Metrics.evaluate(twoMembers(), label0, 15, MemberAveraging.LOGITS);
        assertThat(m.accuracy()).isEqualTo(0.0);
        assertThat(m.nll()).isCloseTo(Math.log(1 + r), within(TOL_H));
        assertThat(m.brier()).isCloseTo(2 * q1 * q1 - 0, within(4 * TOL_P)); // (q0 − 1)² + q1² = 2 q1²
        assertThat(m.ece()).isCloseTo(q1, within(TOL_P)); // one example, wrong, confidence q1
        MetricReport probs = Metrics.evaluate(twoMembers(), label0, 15, MemberAveraging.PROBABILITIES);
        assertThat(probs.nll()).isCloseTo(Math.log(32.0 / 5), within(TOL_H));
        assertThat(Metrics.evaluate(twoMembers(), label0, 15).nll()).isEqualTo(probs.nll());
    }

    @Test
    void threeMembersOverThreeClasses() {
        // z_s = log p_s up to a constant per member; the geometric mean (p₁ p₂ p₃)^(1/3), renormalised
        double[][] rows = {{0.2, 0.3, 0.5}, {0.6, 0.1, 0.3}, {0.1, 0.8, 0.1}};
        double[] g = new double[3];
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            g[c] = Math.cbrt(rows[0][c] * rows[1][c] * rows[2][c]);
            sum += g[c];
        }
        double[] q = MemberAveraging.LOGITS.combine(rows);
        for (int c = 0; c < 3; c++) {
            assertThat(q[c]).isCloseTo(g[c] / sum, within(TOL_P));
        }
        double[] mix = MemberAveraging.PROBABILITIES.combine(rows);
        assertThat(mix).containsExactly((0.2 + 0.6 + 0.1) / 3, (0.3 + 0.1 + 0.8) / 3, (0.5 + 0.3 + 0.1) / 3);
    }

    @Test
    void zeroProbabilitiesUseTheLogFloor() {
        // a class that underflowed in one member gets exp((floor − log ½) / 2) relative to the shared class
        double[][] rows = {{0, 0.5, 0.5}, {0.5, 0.5, 0}};
        double[] q = MemberAveraging.LOGITS.combine(rows);
        double t = Math.exp((MemberAveraging.LOG_FLOOR - Math.log(0.5)) / 2);
        assertThat(q[1]).isCloseTo(1 / (1 + 2 * t), within(TOL_P));
        // relative: the exponent's argument is about −372, so its rounding (≈ 372·2u) is the relative error of exp
        assertThat(q[0]).isEqualTo(q[2]).isCloseTo(t / (1 + 2 * t), within(1e-13 * t));
        // every class underflowed in some member: finite and uniform, as the mean logits of (0, −∞) and (−∞, 0)
        assertThat(MemberAveraging.LOGITS.combine(new double[][] {{1, 0}, {0, 1}})).containsExactly(0.5, 0.5);
    }

    @Test
    void parseNamesTheAcceptedValues() {
        assertThat(MemberAveraging.parse("Logits")).isEqualTo(MemberAveraging.LOGITS);
        assertThat(MemberAveraging.parse("probabilities")).isEqualTo(MemberAveraging.PROBABILITIES);
        assertThat(MemberAveraging.LOGITS.cliName()).isEqualTo("logits");
        assertThatThrownBy(() -> MemberAveraging.parse("median")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probabilities or logits").hasMessageContaining("median");
    }

    @Test
    void estimatorAppliesTheAveragingEverywhere() {
        try (HfTokenizer tokenizer = HfTokenizer.load(Fixtures.tokenizerJson())) {
            McqaBatcher batcher = McqaBatcher.forTokenizer(tokenizer);
            McqaDataset data = BundledData.syntheticMcqaDataset();
            // members put 0.7 on classes k and k+1 (0.1 elsewhere): the geometric mean is √(0.07) on both, √0.01
            // on the other two, so p̄ = (√7, √7, 1, 1) / (2√7 + 2) shifted to k
            UncertaintyEstimatorTest.Scripted disagree = new UncertaintyEstimatorTest.Scripted(
                    List.of("A", "B", "C", "D"), 1);
            UncertaintyEstimator est = UncertaintyEstimator.of(disagree).batcher(batcher).progress(false)
                    .averaging(MemberAveraging.LOGITS);
            assertThat(est.averaging()).isEqualTo(MemberAveraging.LOGITS);
            assertThat(est.eceBins(10).batchSize(3).averaging()).isEqualTo(MemberAveraging.LOGITS);
            EvaluationReport r = est.evaluate(data);
            double big = Math.sqrt(7) / (2 * Math.sqrt(7) + 2);
            double small = 1 / (2 * Math.sqrt(7) + 2);
            double nll = 0;
            for (int i = 0; i < data.size(); i++) {
                int k = UncertaintyEstimatorTest.Scripted.index(data.get(i).id());
                int y = data.get(i).answer();
                double[] mean = r.prediction().mean()[i];
                assertThat(mean[k % 4]).isCloseTo(big, within(TOL_P));
                assertThat(mean[(k + 1) % 4]).isCloseTo(big, within(TOL_P));
                assertThat(mean[(k + 2) % 4]).isCloseTo(small, within(TOL_P));
                nll -= Math.log(y == k % 4 || y == (k + 1) % 4 ? big : small);
            }
            assertThat(r.metrics().nll()).isCloseTo(nll / data.size(), within(1e-13));
            assertThat(r.averaging()).isEqualTo(MemberAveraging.LOGITS);
            assertThat(r.summary()).contains("averaging logits");
            Comparison c = UncertaintyEstimator.compare(data, null, List.of(est));
            assertThat(c.table()).contains("averaging: logits");
            Comparison d = UncertaintyEstimator.compare(data, null, List.of(UncertaintyEstimator.of(disagree)
                    .batcher(batcher).progress(false)));
            assertThat(d.table()).contains("averaging: probabilities");
        }
    }

    @Test
    void temperatureScalingScalesThePooledPredictive() {
        UncertaintyEstimatorTest.Scripted disagree = new UncertaintyEstimatorTest.Scripted(
                List.of("A", "B", "C", "D"), 1);
        try (HfTokenizer tokenizer = HfTokenizer.load(Fixtures.tokenizerJson())) {
            McqaBatcher batcher = McqaBatcher.forTokenizer(tokenizer);
            McqaDataset data = BundledData.syntheticMcqaDataset();
            var batch = batcher.batches(data, 4).iterator().next();
            // T = 1/2: p ∝ q², with q ∝ (√7, √7, 1, 1) that is (7, 7, 1, 1) / 16
            TemperatureScaled ts = TemperatureScaled.of(disagree, 0.5, MemberAveraging.LOGITS);
            double[] p = ts.predict(batch).sample(0)[0];
            int k = UncertaintyEstimatorTest.Scripted.index(batch.exampleIds().get(0));
            assertThat(p[k % 4]).isCloseTo(7.0 / 16, within(TOL_P));
            assertThat(p[(k + 2) % 4]).isCloseTo(1.0 / 16, within(TOL_P));
            assertThat(ts.averaging()).isEqualTo(MemberAveraging.LOGITS);
        }
    }
}
