package ai.bayeslora.lora.mcdropout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.swag.TestModel;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.Arrays;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MC dropout on tiny-llama: the passes differ, equal an independent seeded slow path (manual_seed, dropout on, score),
 * their mean is the predictive, and the adapter's flag and the global CPU generator are left as they were.
 */
class McDropoutPredictiveTest {
    private static TestModel tm;

    @BeforeAll
    static void load() {
        tm = new TestModel();
    }

    @AfterAll
    static void close() {
        tm.close();
    }

    @SuppressWarnings("try")
    private static double[] pass(LoraAdapter a, boolean dropout) {
        a.train(dropout);
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.toDoubles(tm.scorer.logProbs(tm.batch).exp());
        } finally {
            a.train(false);
        }
    }

    private static double[] flat(ProbabilitySamples p, int s) {
        return Arrays.stream(p.sample(s)).flatMapToDouble(Arrays::stream).toArray();
    }

    private static double maxDiff(double[] x, double[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }

    @Test
    void passesDifferEqualTheSeededSlowPathAndAverageToThePredictive() {
        try (LoraAdapter a = tm.adapter(0.1, 21)) {
            McDropoutPredictive mc = new McDropoutPredictive(a, tm.scorer, 5, 99);
            assertThat(mc.name()).isEqualTo("mc-dropout (S=5, p=0.1)");
            assertThat(mc.classLabels()).containsExactly("A", "B", "C", "D");
            ProbabilitySamples p = mc.predict(tm.batch);
            assertThat(p.samples()).isEqualTo(5);
            assertThat(p.batchSize()).isEqualTo(3);
            for (int s = 0; s < 5; s++) {
                for (int t = 0; t < s; t++) {
                    assertThat(maxDiff(flat(p, s), flat(p, t))).as("passes %d and %d", s, t).isGreaterThan(1e-4);
                }
            }
            assertThat(mc.predict(tm.batch).toArray()).as("same seed, same passes").containsExactly(p.toArray());
            assertThat(a.isTraining()).isFalse();

            // independent slow path: seed the global generator, dropout on, one pass after another
            torch.manual_seed(99);
            double[][] slow = new double[5][];
            for (int s = 0; s < 5; s++) {
                slow[s] = pass(a, true);
                assertThat(flat(p, s)).as("pass %d", s).containsExactly(slow[s]);
            }
            double[][] mean = p.mean();
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 4; c++) {
                    double avg = 0;
                    for (double[] row : slow) {
                        avg += row[b * 4 + c];
                    }
                    assertThat(mean[b][c]).isCloseTo(avg / 5, org.assertj.core.data.Offset.offset(1e-15));
                }
            }
            // dropout really is on: no pass equals the deterministic evaluation-mode pass
            double[] eval = pass(a, false);
            for (int s = 0; s < 5; s++) {
                assertThat(maxDiff(flat(p, s), eval)).isGreaterThan(1e-4);
            }
            assertThat(maxDiff(new McDropoutPredictive(a, tm.scorer, 5, 100).predict(tm.batch).toArray(),
                    p.toArray())).as("another seed").isGreaterThan(1e-4);
        }
    }

    @Test
    @SuppressWarnings("try")
    void trainingFlagAndGlobalCpuGeneratorAreRestored() {
        try (LoraAdapter a = tm.adapter(0.1, 22); PointerScope s = new PointerScope()) {
            McDropoutPredictive mc = new McDropoutPredictive(a, tm.scorer, 3, 1);
            a.train(true);
            torch.manual_seed(5);
            mc.predict(tm.batch);
            double[] after = Tensors.toDoubles(torch.randn(4));
            assertThat(a.isTraining()).isTrue();
            torch.manual_seed(5);
            assertThat(after).as("the generator continues as if predict had not run")
                    .containsExactly(Tensors.toDoubles(torch.randn(4)));
            a.train(false);
            mc.predict(tm.batch);
            assertThat(a.isTraining()).isFalse();
            assertThat(new McDropoutPredictive(a, tm.scorer, 1).passes()).isEqualTo(McDropoutPredictive.DEFAULT_PASSES);
        }
    }

    @Test
    void zeroDropoutIsRejected() {
        try (LoraAdapter a = tm.adapter(0.0, 23)) {
            assertThatThrownBy(() -> new McDropoutPredictive(a, tm.scorer, 4, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lora_dropout is 0.0");
        }
        try (LoraAdapter a = tm.adapter(0.1, 24)) {
            assertThatThrownBy(() -> new McDropoutPredictive(a, tm.scorer, 0, 1)).hasMessageContaining("S >= 1");
        }
    }
}
