package ai.bayeslora.lora.swag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.model.AdapterBinding;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.LoraLayer;
import ai.bayeslora.lora.interop.AdapterTensors;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The array forms next to the tensor-typed methods (docs/API.md, "Tensors in signatures"): {@code LoraAdapter}'s
 * θ as {@code double[]} (and {@code AdapterTensors}, its tensor form), {@code SwagPosterior}'s moments, deviations and
 * samples, {@code AnswerScorer.probabilities}. Oracles:
 * the parameters read back tensor by tensor, the SWAG moments of two snapshots computed here in Java, and
 * normalisation.
 */
class ArrayFormsTest {
    private static TestModel tiny;
    private static LoraAdapter adapter;

    @BeforeAll
    static void setUp() {
        tiny = new TestModel();
        adapter = LoraAdapter.create(tiny.model, LoraConfig.builder().rank(2).alpha(4).targetModules("q_proj", "v_proj")
                .build(), 1);
    }

    @AfterAll
    static void tearDown() {
        adapter.close();
        tiny.close();
    }

    /** θ with float32-representable entries (the adapter stores float32), distinct per seed. */
    private static double[] theta(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] t = new double[(int) adapter.parameterCount()];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) (0.1 * (rng.nextDouble() - 0.5));
        }
        return t;
    }

    @Test
    void adapterParametersRoundTripThroughArrays() {
        double[] t = theta(3);
        adapter.assign(t);
        // independent read: each A and B tensor in module order, row-major
        double[] read = new double[0];
        for (LoraLayer l : adapter.layers().values()) {
            read = concat(read, NativeScope.compute(() -> Tensors.toDoubles(l.a())));
            read = concat(read, NativeScope.compute(() -> Tensors.toDoubles(l.b())));
        }
        assertThat(read).isEqualTo(t);
        assertThat(adapter.parameterValues()).isEqualTo(t);
        assertThatThrownBy(() -> adapter.assign(new double[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parameter array has 3 values but the adapter has " + t.length + " parameters");
    }

    @Test
    void swagMomentsAndSamplesAsArrays() {
        double[] t1 = theta(5);
        double[] t2 = theta(6);
        try (SwagCollector c = new SwagCollector(SwagConfig.defaults());
             SwagCollector zero = new SwagCollector(SwagConfig.builder().scale(0).build())) {
            for (double[] t : new double[][] {t1, t2}) {
                adapter.assign(t);
                c.collect(adapter);
                zero.collect(adapter);
            }
            try (SwagPosterior p = c.posterior(); SwagPosterior p0 = zero.posterior()) {
                double[] mean = p.meanValues();
                double[] var = p.varianceValues();
                for (int i = 0; i < t1.length; i++) {
                    double m = (t1[i] + t2[i]) / 2;
                    // a running mean and E[θ²] − θ̄² differ from these closed forms by a few ulps of θ and θ²
                    assertThat(mean[i]).isCloseTo(m, within(4 * Math.ulp(0.05)));
                    double v = Math.max((t1[i] * t1[i] + t2[i] * t2[i]) / 2 - m * m, 0);
                    assertThat(var[i]).isCloseTo(v, within(8 * Math.ulp(0.0025)));
                }
                assertThat(p.sampleValues(9)).isEqualTo(p.sampleValues(9))
                        .isEqualTo(NativeScope.compute(() -> Tensors.toDoubles(p.sample(9))))
                        .isNotEqualTo(mean);
                assertThat(p0.sampleValues(9)).isEqualTo(p0.meanValues()); // scale 0 samples θ̄ itself

                // E[θ²] and D = [θ_1 − θ̄_1, θ_2 − θ̄_2] (θ̄_i the mean after snapshot i), column by column
                double[] sq = p.squaredMeanValues();
                double[][] d = p.deviationValues();
                assertThat(d).hasNumberOfRows(2);
                for (int i = 0; i < t1.length; i++) {
                    assertThat(sq[i]).isCloseTo((t1[i] * t1[i] + t2[i] * t2[i]) / 2, within(8 * Math.ulp(0.0025)));
                    assertThat(d[0][i]).isZero();
                    assertThat(d[1][i]).isCloseTo(t2[i] - (t1[i] + t2[i]) / 2, within(4 * Math.ulp(0.05)));
                }
                // the arrays hold the tensors' values exactly: same layout, no arithmetic in between
                assertThat(sq).isEqualTo(NativeScope.compute(() -> Tensors.toDoubles(p.squaredMean())));
                double[] dt = NativeScope.compute(() -> Tensors.toDoubles(p.deviations())); // [P, K] row-major
                for (int i = 0; i < t1.length; i++) {
                    assertThat(new double[] {d[0][i], d[1][i]}).containsExactly(dt[2 * i], dt[2 * i + 1]);
                }
                // an rng state gives the sample of its next seed, as sample(SplittableRandom) does
                SplittableRandom a = new SplittableRandom(4);
                SplittableRandom b = new SplittableRandom(4);
                assertThat(p.sampleValues(a)).isEqualTo(NativeScope.compute(() -> Tensors.toDoubles(p.sample(b))));
                assertThat(p.sampleValues(a)).isEqualTo(NativeScope.compute(() -> Tensors.toDoubles(p.sample(b))))
                        .isNotEqualTo(p.sampleValues(new SplittableRandom(4)));
            }
        }
    }

    @Test
    void adapterTensorsAreTheArrayFormsValues() {
        double[] t = theta(8);
        try (NativeScope s = NativeScope.open()) {
            AdapterTensors.assign(adapter, Tensors.ofDoubles(t, t.length));
            assertThat(adapter.parameterValues()).isEqualTo(t);
            try (Tensor flat = AdapterTensors.flatten(adapter, ScalarType.Double)) {
                assertThat(Tensors.toDoubles(flat)).isEqualTo(t);
            }
            try (Tensor flat = AdapterTensors.flatten(adapter, ScalarType.Float)) {
                assertThat(flat.scalar_type().value).isEqualTo(ScalarType.Float.value);
                assertThat(Tensors.toDoubles(flat)).isEqualTo(t); // t is float32-representable
            }
            assertThatThrownBy(() -> AdapterTensors.assign(adapter, Tensors.ofDoubles(new double[3], 3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("flat parameter vector has shape [3] but the adapter has " + t.length + " parameters");
        }
    }

    @Test
    void scorerProbabilitiesAreNormalisedRowsOfTheLogProbabilities() {
        adapter.assign(theta(7));
        double[][] p = tiny.scorer.probabilities(tiny.batch, adapter.binding());
        double[] logp = NativeScope.noGrad(() -> Tensors.toDoubles(tiny.scorer.logProbs(tiny.batch,
                adapter.binding())));
        assertThat(p).hasNumberOfRows(tiny.batch.batchSize());
        double tol = TestDevices.float32Tolerance();
        for (int r = 0; r < p.length; r++) {
            assertThat(p[r]).hasSize(4);
            assertThat(Arrays.stream(p[r]).sum()).isCloseTo(1.0, within(tol));
            for (int k = 0; k < 4; k++) {
                assertThat(p[r][k]).isCloseTo(Math.exp(logp[r * 4 + k]), within(tol));
            }
        }
        double[][] base = tiny.scorer.probabilities(tiny.batch, AdapterBinding.none());
        assertThat(base[0]).isNotEqualTo(p[0]);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
