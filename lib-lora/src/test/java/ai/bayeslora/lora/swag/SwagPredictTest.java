package ai.bayeslora.lora.swag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.lora.interop.AdapterTensors;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SWAG predictive on tiny-llama: shape, normalisation, determinism, restoration of the adapter, and agreement with
 * an independent slow path (sample θ, assign, score in evaluation mode).
 */
class SwagPredictTest {
    private static TestModel tm;

    @BeforeAll
    static void load() {
        tm = new TestModel();
    }

    @AfterAll
    static void close() {
        tm.close();
    }

    /** Six snapshots of a random walk around the adapter's θ; the adapter is put back to θ afterwards. */
    @SuppressWarnings("try")
    static SwagPosterior trajectory(LoraAdapter a, SwagConfig cfg, long seed) {
        float[] start = TestModel.params(a);
        try (SwagCollector c = new SwagCollector(cfg); PointerScope s = new PointerScope()) {
            for (int i = 0; i < 6; i++) {
                TestModel.perturb(a, 0.05, seed + i);
                c.collect(a);
            }
            AdapterTensors.assign(a, Tensors.ofFloats(start, start.length));
            return c.posterior();
        }
    }

    /** One pass in evaluation mode with the adapter's current θ: p [B·C]. */
    @SuppressWarnings("try")
    static double[] score(LoraAdapter a, EncodedBatch batch) {
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.toDoubles(tm.scorer.logProbs(batch, a.binding()).exp());
        }
    }

    private static double[] flat(ProbabilitySamples p, int s) {
        double[][] m = p.sample(s);
        double[] out = new double[m.length * m[0].length];
        for (int b = 0; b < m.length; b++) {
            System.arraycopy(m[b], 0, out, b * m[0].length, m[0].length);
        }
        return out;
    }

    private static double maxDiff(double[] x, double[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs(x[i] - y[i]));
        }
        return d;
    }

    @Test
    @SuppressWarnings("try")
    void predictGivesSDistinctNormalisedSamplesThatMatchTheSlowPathAndLeavesTheAdapterAlone() {
        try (LoraAdapter a = tm.adapter(0.1, 3); SwagPosterior post = trajectory(a, SwagConfig.defaults(), 50)) {
            float[] before = TestModel.params(a);
            SwagPredictive pred = post.predictive(a, tm.scorer, 4, 123);
            assertThat(pred.name()).isEqualTo("swag (S=4)");
            assertThat(pred.classLabels()).containsExactly("A", "B", "C", "D");

            ProbabilitySamples p = pred.predict(tm.batch);
            assertThat(p.samples()).isEqualTo(4);
            assertThat(p.batchSize()).isEqualTo(3);
            assertThat(p.numClasses()).isEqualTo(4);
            for (int s = 0; s < 4; s++) {
                for (double[] row : p.sample(s)) {
                    assertThat(java.util.Arrays.stream(row).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
                }
                for (int t = 0; t < s; t++) {
                    assertThat(maxDiff(flat(p, s), flat(p, t))).as("samples %d and %d", s, t).isGreaterThan(1e-4);
                }
            }
            // the samples were bound to the forward; the adapter itself is untouched
            assertThat(TestModel.params(a)).containsExactly(before);
            // deterministic for a seed, different for another
            assertThat(pred.predict(tm.batch).toArray()).containsExactly(p.toArray());
            assertThat(maxDiff(post.predictive(a, tm.scorer, 4, 124).predict(tm.batch).toArray(), p.toArray()))
                    .isGreaterThan(1e-4);

            // the samples were drawn once per (seed, S) and kept: S·P float32 values for each of the two seeds
            long p4 = 4 * post.parameterCount() * Float.BYTES;
            assertThat(post.cachedSampleBytes()).isEqualTo(2 * p4);

            // independent slow path: draw θ_s in order from the same seed, assign, score without dropout
            SplittableRandom rng = new SplittableRandom(123);
            for (int s = 0; s < 4; s++) {
                try (PointerScope scope = new PointerScope()) {
                    AdapterTensors.assign(a, post.sample(rng));
                }
                assertThat(score(a, tm.batch)).as("sample %d", s).containsExactly(flat(p, s));
            }
            AdapterTensors.assign(a, Tensors.ofFloats(before, before.length));
        }
    }

    @Test
    void withoutRoomToCacheSamplesThePredictiveDrawsThemPerBatchWithTheSameNumbers() {
        try (LoraAdapter a = tm.adapter(0.1, 3); SwagPosterior cached = trajectory(a, SwagConfig.defaults(), 50);
             SwagPosterior uncached = trajectory(a, SwagConfig.defaults(), 50)) {
            uncached.sampleCacheBudget(0);
            double[] viaCache = cached.predictive(a, tm.scorer, 4, 123).predict(tm.batch).toArray();
            double[] perBatch = uncached.predictive(a, tm.scorer, 4, 123).predict(tm.batch).toArray();
            assertThat(uncached.cachedSampleBytes()).isZero();
            assertThat(cached.cachedSampleBytes()).isPositive();
            assertThat(perBatch).containsExactly(viaCache);
        }
    }

    @Test
    void closingThePosteriorFreesItsSamplesAndStopsItsPredictives() {
        try (LoraAdapter a = tm.adapter(0.1, 3)) {
            SwagPosterior post = trajectory(a, SwagConfig.defaults(), 50);
            SwagPredictive pred = post.predictive(a, tm.scorer, 2, 1);
            pred.predict(tm.batch);
            post.close();
            assertThatThrownBy(() -> pred.predict(tm.batch)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    @SuppressWarnings("try")
    void oneSampleAtScaleZeroIsTheSwaMeanPrediction() {
        try (LoraAdapter a = tm.adapter(0.1, 4);
             SwagPosterior post = trajectory(a, SwagConfig.builder().scale(0).build(), 60)) {
            double[] atStart = score(a, tm.batch);
            float[] start = TestModel.params(a);
            ProbabilitySamples p = post.predictive(a, tm.scorer, 1, 5).predict(tm.batch);
            try (PointerScope s = new PointerScope()) {
                AdapterTensors.assign(a, post.mean());
            }
            double[] swa = score(a, tm.batch);
            assertThat(flat(p, 0)).containsExactly(swa);
            assertThat(maxDiff(swa, atStart)).as("the SWA mean is not the current θ").isGreaterThan(1e-4);
            try (PointerScope s = new PointerScope()) {
                AdapterTensors.assign(a, Tensors.ofFloats(start, start.length));
            }
        }
    }

    @Test
    void multiSwagConcatenatesItsRunsWithSeedsFromTheRootSeed() {
        try (LoraAdapter a = tm.adapter(0.1, 5);
             SwagPosterior run1 = trajectory(a, SwagConfig.defaults(), 70);
             SwagPosterior run2 = trajectory(a, SwagConfig.defaults(), 80)) {
            MultiSwag multi = new MultiSwag(List.of(run1, run2), a, tm.scorer, 3, 77);
            assertThat(multi.name()).isEqualTo("multiswag (runs=2, S=6)");
            ProbabilitySamples p = multi.predict(tm.batch);
            assertThat(p.samples()).isEqualTo(6);
            SplittableRandom seeds = new SplittableRandom(77);
            ProbabilitySamples p1 = run1.predictive(a, tm.scorer, 3, seeds.nextLong()).predict(tm.batch);
            ProbabilitySamples p2 = run2.predictive(a, tm.scorer, 3, seeds.nextLong()).predict(tm.batch);
            for (int s = 0; s < 3; s++) {
                assertThat(flat(p, s)).containsExactly(flat(p1, s));
                assertThat(flat(p, 3 + s)).containsExactly(flat(p2, s));
            }
            assertThat(maxDiff(flat(p, 0), flat(p, 3))).as("the runs differ").isGreaterThan(1e-4);
            assertThat(new MultiSwag(List.of(run1, run2), a, tm.scorer, 1).predict(tm.batch).samples())
                    .isEqualTo(2 * SwagConfig.DEFAULT_SAMPLES);
        }
    }

    @Test
    @SuppressWarnings("try")
    void adapterIsUntouchedWhenScoringFails() {
        try (LoraAdapter a = tm.adapter(0.1, 6); SwagPosterior post = trajectory(a, SwagConfig.defaults(), 90)) {
            float[] before = TestModel.params(a);
            EncodedBatch bad = new EncodedBatch(List.of("x"), new long[] {5, 100_000}, new long[] {1, 1},
                    new long[] {0, 1}, new int[] {0}, 1, 2, 0); // token id outside the 400-token vocabulary
            assertThatThrownBy(() -> post.predictive(a, tm.scorer, 3, 1).predict(bad)).isInstanceOf(RuntimeException.class)
                    .hasMessageContaining("index out of range"); // thrown by the embedding lookup with θ₁ bound
            assertThat(TestModel.params(a)).containsExactly(before);
        }
    }

    @Test
    void mismatchedAdaptersAreRejected() {
        try (LoraAdapter a = tm.adapter(0.1, 8); SwagPosterior post = trajectory(a, SwagConfig.defaults(), 95);
             LoraAdapter other = LoraAdapter.create(tm.model, LoraConfig.builder().rank(4).targetModules("q_proj")
                     .build(), 1)) {
            assertThatThrownBy(() -> post.predictive(other, tm.scorer, 2, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match")
                    .hasMessageContaining("v_proj");
            SwagPredictive pred = post.predictive(a, tm.scorer, 2, 1);
            assertThat(pred.predict(tm.batch).samples()).isEqualTo(2);
        }
    }
}
