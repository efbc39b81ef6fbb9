package ai.bayeslora.uncertainty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.data.EncodedBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Temperature scaling against a brute-force search of the held-out NLL and the closed form at T = 1. */
class TemperatureScaledTest {
    private static final List<String> ABCD = List.of("A", "B", "C", "D");

    /** An overconfident single-sample posterior: per example id, fixed random probabilities. */
    static final class Fixed implements PosteriorPredictive {
        @Override
        public ProbabilitySamples predict(EncodedBatch batch) {
            int b = batch.batchSize();
            double[] data = new double[b * 4];
            for (int i = 0; i < b; i++) {
                SplittableRandom r = new SplittableRandom(batch.exampleIds().get(i).hashCode());
                double[] z = new double[4];
                double sum = 0;
                for (int c = 0; c < 4; c++) {
                    z[c] = Math.exp(4 * r.nextGaussian()); // logits with scale 4: overconfident
                    sum += z[c];
                }
                for (int c = 0; c < 4; c++) {
                    data[i * 4 + c] = z[c] / sum;
                }
            }
            return new ProbabilitySamples(data, 1, b, 4, ABCD);
        }

        @Override
        public List<String> classLabels() {
            return ABCD;
        }

        @Override
        public String name() {
            return "fixed";
        }

        @Override
        public ai.bayeslora.core.mcqa.ClassReduction reduction() {
            return ai.bayeslora.core.mcqa.ClassReduction.ANSWER_TOKENS;
        }
    }

    private static EncodedBatch batch(String prefix, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> ids = new ArrayList<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            ids.add(prefix + i);
            labels[i] = r.nextInt(4);
        }
        return new EncodedBatch(ids, new long[n], new long[n], new long[n], labels, n, 1, 0);
    }

    /** NLL of softmax(β log p) computed directly, as the test's own slow path. */
    private static double nll(PosteriorPredictive base, EncodedBatch b, double beta) {
        double[][] p = base.predict(b).mean();
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            double z = 0;
            for (double v : p[i]) {
                z += Math.pow(v, beta);
            }
            total -= Math.log(Math.pow(p[i][b.labels()[i]], beta) / z);
        }
        return total / p.length;
    }

    @Test
    void theFittedTemperatureMinimisesTheHeldOutNll() {
        Fixed base = new Fixed();
        EncodedBatch heldOut = batch("h", 200, 1);
        TemperatureScaled ts = TemperatureScaled.fit(base, List.of(heldOut));
        double fitted = nll(base, heldOut, 1 / ts.temperature());
        double best = Double.POSITIVE_INFINITY;
        double bestBeta = 0;
        for (double logBeta = Math.log(0.01); logBeta <= Math.log(50); logBeta += 1e-4) {
            double v = nll(base, heldOut, Math.exp(logBeta));
            if (v < best) {
                best = v;
                bestBeta = Math.exp(logBeta);
            }
        }
        // the grid's step is 1e-4 in log β: the fitted optimum is at least as good, and at the same place
        assertThat(fitted).isLessThanOrEqualTo(best + 1e-12);
        assertThat(1 / ts.temperature()).isCloseTo(bestBeta, within(bestBeta * 2e-4));
        assertThat(ts.temperature()).as("random labels: an overconfident base is softened").isGreaterThan(1);
        // the scaled predictive's NLL on the held-out set is the minimum
        double[][] p = ts.predict(heldOut).mean();
        double direct = 0;
        for (int i = 0; i < p.length; i++) {
            direct -= Math.log(p[i][heldOut.labels()[i]]);
        }
        assertThat(direct / p.length).isCloseTo(fitted, within(1e-12));
        assertThat(ts.name()).startsWith("temperature scaling (T=").endsWith("of fixed");
    }

    @Test
    void atTemperatureOneItIsTheBaseAndItNeedsLabelledData() {
        Fixed base = new Fixed();
        EncodedBatch b = batch("t", 20, 2);
        double[][] want = base.predict(b).mean();
        double[][] got = TemperatureScaled.of(base, 1).predict(b).mean();
        for (int i = 0; i < want.length; i++) {
            for (int c = 0; c < 4; c++) {
                assertThat(got[i][c]).isCloseTo(want[i][c], within(1e-15));
            }
        }
        EncodedBatch unlabelled = new EncodedBatch(List.of("u0"), new long[1], new long[1], new long[1],
                new int[] {-1}, 1, 1, 0);
        assertThatThrownBy(() -> TemperatureScaled.fit(base, List.of(unlabelled)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labelled");
    }
}
