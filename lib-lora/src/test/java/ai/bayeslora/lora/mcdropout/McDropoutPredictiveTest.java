package ai.bayeslora.lora.mcdropout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.swag.TestModel;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.Arrays;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.model.LinearAdapter;
import ai.bayeslora.lora.LoraLayer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
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

    /** One pass with the given binding. */
    @SuppressWarnings("try")
    private static double[] pass(AdapterBinding binding) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.toDoubles(tm.scorer.logProbs(tm.batch, binding).exp());
        }
    }

    /**
     * An independent slow path, written here without LoraKernel: y + s·B A (x ⊙ m/(1−p)) per module, the mask
     * m ~ Bernoulli(1 − p) drawn from {@code generator} as torch's dropout draws it.
     */
    private static AdapterBinding slowDropout(LoraAdapter a, Generator generator) {
        double p = a.config().dropout();
        Map<String, LinearAdapter> m = new LinkedHashMap<>();
        for (LoraLayer l : a.layers().values()) {
            m.put(l.moduleName(), (x, base, rows) -> {
                Tensor mask = torch.empty(Tensors.shape(x), new TensorOptions(x.scalar_type()), null)
                        .bernoulli_(1 - p, new GeneratorOptional(generator)).div(new Scalar(1 - p));
                Tensor b = rows == null ? l.b() : l.b().index_select(0, rows);
                return base.add(x.mul(mask).matmul(l.a().t()).matmul(b.t()), new Scalar(l.scaling()));
            });
        }
        return AdapterBinding.of(m);
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

            // independent slow path: the same generator stream, one pass after another
            double[][] slow = new double[5][];
            try (Generator gen = torch.createCPUGenerator(99)) {
                AdapterBinding binding = slowDropout(a, gen);
                for (int s = 0; s < 5; s++) {
                    slow[s] = pass(binding);
                    // the slow path multiplies in another order (x·m, then A, B): float32 rounding apart
                    for (int i = 0; i < slow[s].length; i++) {
                        assertThat(flat(p, s)[i]).as("pass %d", s).isCloseTo(slow[s][i],
                                org.assertj.core.data.Offset.offset(1e-5));
                    }
                }
            }
            double[][] mean = p.mean();
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c < 4; c++) {
                    double avg = 0;
                    for (double[] row : slow) {
                        avg += row[b * 4 + c];
                    }
                    assertThat(mean[b][c]).isCloseTo(avg / 5, org.assertj.core.data.Offset.offset(1e-5));
                }
            }
            // dropout really is on: no pass equals the deterministic evaluation-mode pass
            double[] eval = pass(a.binding());
            for (int s = 0; s < 5; s++) {
                assertThat(maxDiff(flat(p, s), eval)).isGreaterThan(1e-4);
            }
            assertThat(maxDiff(new McDropoutPredictive(a, tm.scorer, 5, 100).predict(tm.batch).toArray(),
                    p.toArray())).as("another seed").isGreaterThan(1e-4);
        }
    }

    @Test
    @SuppressWarnings("try")
    void theGlobalCpuGeneratorIsNotTouched() {
        try (LoraAdapter a = tm.adapter(0.1, 22); PointerScope s = new PointerScope()) {
            McDropoutPredictive mc = new McDropoutPredictive(a, tm.scorer, 3, 1);
            torch.manual_seed(5);
            mc.predict(tm.batch);
            double[] after = Tensors.toDoubles(torch.randn(4));
            torch.manual_seed(5);
            assertThat(after).as("the global generator continues as if predict had not run")
                    .containsExactly(Tensors.toDoubles(torch.randn(4)));
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
