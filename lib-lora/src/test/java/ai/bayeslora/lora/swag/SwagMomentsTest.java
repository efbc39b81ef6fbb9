package ai.bayeslora.lora.swag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.swag.internal.MomentAccumulator;
import ai.bayeslora.lora.internal.ParameterLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The SWAG moments against their definitions evaluated in Java doubles (METHODS.md §5): θ̄ = (Σθ_i)/n,
 * mean of squares = (Σθ_i²)/n, Σ_diag = max(mean of squares − θ̄², 0), D = the last K columns θ_i − θ̄_i with θ̄_i the
 * mean of the first i snapshots. The oracle sums sequentially and divides once, the same IEEE operations libtorch's
 * elementwise float64 kernels perform, so equality is required bit for bit.
 */
class SwagMomentsTest {

    /** The oracle: moments of {@code thetas} (n × P) with the last {@code maxRank} deviation columns. */
    record Expected(double[] mean, double[] sqMean, double[] variance, double[][] columns) {
        static Expected of(List<double[]> thetas, int maxRank) {
            int p = thetas.get(0).length;
            int n = thetas.size();
            double[] sum = new double[p];
            double[] sumSq = new double[p];
            List<double[]> devs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                double[] t = thetas.get(i);
                double[] d = new double[p];
                for (int j = 0; j < p; j++) {
                    sum[j] += t[j];
                    sumSq[j] += t[j] * t[j];
                    d[j] = t[j] - sum[j] / (i + 1);
                }
                devs.add(d);
            }
            double[] mean = new double[p];
            double[] sq = new double[p];
            double[] var = new double[p];
            for (int j = 0; j < p; j++) {
                mean[j] = sum[j] / n;
                sq[j] = sumSq[j] / n;
                var[j] = Math.max(sq[j] - mean[j] * mean[j], 0);
            }
            int k = Math.min(n, maxRank);
            return new Expected(mean, sq, var, devs.subList(n - k, n).toArray(new double[0][]));
        }

        /** D [P, K] row-major. */
        double[] deviationMatrix() {
            int p = mean.length;
            int k = columns.length;
            double[] out = new double[p * k];
            for (int j = 0; j < p; j++) {
                for (int c = 0; c < k; c++) {
                    out[j * k + c] = columns[c][j];
                }
            }
            return out;
        }
    }

    private static List<double[]> randomThetas(int n, int p, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] t = new double[p];
            for (int j = 0; j < p; j++) {
                t[j] = (rng.nextDouble() - 0.5) * Math.pow(10, rng.nextInt(-3, 2)) + i * 0.01;
            }
            out.add(t);
        }
        return out;
    }

    @SuppressWarnings("try")
    private static void assertMoments(MomentAccumulator acc, Expected e) {
        try (PointerScope s = new PointerScope()) {
            assertThat(Tensors.toDoubles(acc.mean())).as("mean").containsExactly(e.mean());
            assertThat(Tensors.toDoubles(acc.squaredMean())).as("mean of squares").containsExactly(e.sqMean());
            Tensor d = acc.deviations();
            assertThat(Tensors.shape(d)).containsExactly(e.mean().length, e.columns().length);
            assertThat(Tensors.toDoubles(d)).as("D").containsExactly(e.deviationMatrix());
        }
    }

    @Test
    @SuppressWarnings("try")
    void runningMomentsAndLastKDeviationsEqualTheDefinitionsBitForBit() {
        int p = 6;
        int maxRank = 3;
        List<double[]> thetas = randomThetas(8, p, 42);
        try (MomentAccumulator acc = new MomentAccumulator(maxRank, false); PointerScope s = new PointerScope()) {
            for (int n = 1; n <= thetas.size(); n++) {
                acc.add(Tensors.ofDoubles(thetas.get(n - 1), p));
                assertThat(acc.count()).isEqualTo(n);
                assertThat(acc.columns()).isEqualTo(Math.min(n, maxRank));
                // n = 1, 2 (fewer columns than maxRank), 3 (full), 4 … 8 (ring wraps, oldest first)
                assertMoments(acc, Expected.of(thetas.subList(0, n), maxRank));
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void varianceIsClampedAtZeroWhereRoundingMakesItNegative() {
        // three equal snapshots of 0.1: (Σθ²)/n − ((Σθ)/n)² rounds to a negative number in float64
        double v = 0.1;
        double sum = v + v + v;
        double raw = (v * v + v * v + v * v) / 3 - (sum / 3) * (sum / 3);
        assertThat(raw).as("precondition: the unclamped variance is negative").isNegative();
        List<double[]> thetas = List.of(new double[] {v, 1}, new double[] {v, 2}, new double[] {v, 4});
        try (MomentAccumulator acc = new MomentAccumulator(5, false); PointerScope s = new PointerScope()) {
            thetas.forEach(t -> acc.add(Tensors.ofDoubles(t, 2)));
            try (SwagPosterior post = new SwagPosterior(SwagConfig.defaults(), ParameterLayout.vector(2), acc.count(),
                    acc.mean(), acc.squaredMean(), acc.deviations())) {
                double[] var = Tensors.toDoubles(post.variance());
                assertThat(var).containsExactly(Expected.of(thetas, 5).variance());
                assertThat(var[0]).isEqualTo(0.0);
                // population variance of {1, 2, 4}; the cancellation in E[θ²] − θ̄² costs a few ulps of E[θ²] = 7
                assertThat(var[1]).isEqualTo(14.0 / 9.0, org.assertj.core.data.Offset.offset(1e-14));
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void collectorOnARealAdapterMatchesTheOracleThroughFlatten() {
        try (TestModel tm = new TestModel(); LoraAdapter adapter = tm.adapter(0.1, 7);
             SwagCollector collector = new SwagCollector(SwagConfig.builder().maxRank(2).build())) {
            List<double[]> thetas = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                TestModel.perturb(adapter, 0.05, 100 + i);
                float[] f = TestModel.params(adapter);
                double[] d = new double[f.length];
                for (int j = 0; j < f.length; j++) {
                    d[j] = f[j]; // exact: float32 → float64
                }
                thetas.add(d);
                collector.collect(adapter);
            }
            Expected e = Expected.of(thetas, 2);
            try (SwagPosterior post = collector.posterior(); PointerScope s = new PointerScope()) {
                assertThat(post.collected()).isEqualTo(4);
                assertThat(post.rank()).isEqualTo(2);
                assertThat(post.parameterCount()).isEqualTo(adapter.parameterCount());
                assertThat(post.parameterNames()).isEqualTo(adapter.parameterNames());
                assertThat(Tensors.toDoubles(post.mean())).containsExactly(e.mean());
                assertThat(Tensors.toDoubles(post.squaredMean())).containsExactly(e.sqMean());
                assertThat(Tensors.toDoubles(post.variance())).containsExactly(e.variance());
                assertThat(Tensors.toDoubles(post.deviations())).containsExactly(e.deviationMatrix());
            }
        }
    }

    @Test
    void emptyCollectorAndWrongLengthsAreRejected() {
        try (SwagCollector collector = new SwagCollector(SwagConfig.builder().startEpoch(3).build())) {
            assertThatThrownBy(collector::posterior).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no SWAG snapshot").hasMessageContaining("epoch 3");
        }
        try (MomentAccumulator acc = new MomentAccumulator(2, false)) {
            acc.add(Tensors.ofDoubles(new double[] {1, 2, 3}, 3));
            assertThatThrownBy(() -> acc.add(Tensors.ofDoubles(new double[] {1, 2}, 2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 entries");
        }
    }

    @Test
    void configRejectsInvalidFields() {
        assertThatThrownBy(() -> SwagConfig.builder().maxRank(1).build()).hasMessageContaining("maxRank");
        assertThatThrownBy(() -> SwagConfig.builder().scale(-1).build()).hasMessageContaining("scale");
        assertThatThrownBy(() -> SwagConfig.builder().scale(Double.NaN).build()).hasMessageContaining("scale");
        assertThatThrownBy(() -> SwagConfig.builder().startEpoch(0).build()).hasMessageContaining("startEpoch");
        assertThatThrownBy(() -> SwagConfig.builder().samples(0).build()).hasMessageContaining("samples");
        assertThatThrownBy(() -> SwagConfig.builder().everySteps(0)).hasMessageContaining("k >= 1");
        SwagConfig d = SwagConfig.defaults();
        assertThat(d.maxRank()).isEqualTo(5);
        assertThat(d.scale()).isEqualTo(1.0);
        assertThat(d.samples()).isEqualTo(15);
        assertThat(d.variant()).isEqualTo(SwagVariant.PAPER);
        assertThat(d.frequency().isEndOfEpoch()).isTrue();
        assertThat(d.toBuilder().build()).isEqualTo(d);
    }
}
