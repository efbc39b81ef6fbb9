package ai.bayeslora.lora.swag;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.swag.internal.MomentAccumulator;
import ai.bayeslora.lora.internal.ParameterLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;

/**
 * Monte Carlo moments of SWAG samples against the covariance each variant intends (METHODS.md §5), computed in Java
 * from the oracle moments of {@link SwagMomentsTest.Expected}:
 * PAPER: scale · (½ diag(Σ_diag) + D Dᵀ / (2(K−1))); SWAG_LORA_CODE: scale · (diag(Σ_diag) + D Dᵀ / (maxRank−1)).
 *
 * <p>Tolerance: 5 standard errors of each estimator under the intended Gaussian, i.e. sqrt(C_ii / N) for a mean and
 * sqrt((C_ii C_jj + C_ij²) / N) for a covariance entry. A correct sampler fails a given entry with probability below
 * 1e-6 (and the seeds are fixed, so the test is deterministic); a wrong 1/√2 factor moves diagonal entries by a third
 * or more, about 25 standard errors at N = 20,000.
 */
class SwagSamplingTest {
    private static final int N = 20_000;
    private static final int P = 4;

    private static List<double[]> thetas(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] t = new double[P];
            for (int j = 0; j < P; j++) {
                t[j] = j + (j + 1) * 0.3 * TestModel.gaussian(rng) + 0.2 * i; // a drift makes D matter
            }
            out.add(t);
        }
        return out;
    }

    @SuppressWarnings("try")
    private static SwagPosterior posterior(List<double[]> thetas, SwagConfig config) {
        try (MomentAccumulator acc = new MomentAccumulator(config.maxRank(), false); PointerScope s = new PointerScope()) {
            thetas.forEach(t -> acc.add(Tensors.ofDoubles(t, P)));
            return new SwagPosterior(config, ParameterLayout.vector(P), acc.count(), acc.mean(), acc.squaredMean(),
                    acc.deviations());
        }
    }

    /** The covariance the variant intends, from the oracle moments. */
    private static double[][] intended(SwagMomentsTest.Expected e, SwagConfig c) {
        int k = e.columns().length;
        double diag = c.variant() == SwagVariant.PAPER ? 0.5 : 1.0;
        double low = c.variant() == SwagVariant.PAPER ? (k > 1 ? 1.0 / (2.0 * (k - 1)) : 0) : 1.0 / (c.maxRank() - 1.0);
        double[][] cov = new double[P][P];
        for (int i = 0; i < P; i++) {
            for (int j = 0; j < P; j++) {
                double ddt = 0;
                for (double[] col : e.columns()) {
                    ddt += col[i] * col[j];
                }
                cov[i][j] = c.scale() * ((i == j ? diag * e.variance()[i] : 0) + low * ddt);
            }
        }
        return cov;
    }

    @SuppressWarnings("try")
    private static double[][] draw(SwagPosterior post, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] out = new double[N][];
        for (int s = 0; s < N; s++) {
            try (PointerScope scope = new PointerScope()) {
                out[s] = Tensors.toDoubles(post.sample(rng));
            }
        }
        return out;
    }

    /** Entries outside 5 standard errors, as messages; empty if the samples agree with (mean, cov). */
    private static List<String> violations(double[][] x, double[] mean, double[][] cov) {
        double[] m = new double[P];
        for (double[] row : x) {
            for (int i = 0; i < P; i++) {
                m[i] += row[i] / N;
            }
        }
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < P; i++) {
            double se = Math.sqrt(cov[i][i] / N);
            if (Math.abs(m[i] - mean[i]) > 5 * se) {
                bad.add("mean[" + i + "] " + m[i] + " vs " + mean[i] + " (5 SE = " + 5 * se + ")");
            }
        }
        for (int i = 0; i < P; i++) {
            for (int j = i; j < P; j++) {
                double c = 0;
                for (double[] row : x) {
                    c += (row[i] - m[i]) * (row[j] - m[j]);
                }
                c /= N - 1;
                double se = Math.sqrt((cov[i][i] * cov[j][j] + cov[i][j] * cov[i][j]) / N);
                if (Math.abs(c - cov[i][j]) > 5 * se) {
                    bad.add("cov[" + i + "][" + j + "] " + c + " vs " + cov[i][j] + " (5 SE = " + 5 * se + ")");
                }
            }
        }
        return bad;
    }

    @Test
    void paperSamplerHasTheIntendedCovarianceWithFewerColumnsThanMaxRank() {
        // n = 3 < maxRank = 5: K = 3 columns, the paper divides by 2(K − 1) = 4
        List<double[]> t = thetas(3, 1);
        SwagConfig paper = SwagConfig.builder().maxRank(5).scale(0.5).variant(SwagVariant.PAPER).build();
        SwagConfig code = paper.toBuilder().variant(SwagVariant.SWAG_LORA_CODE).build();
        SwagMomentsTest.Expected e = SwagMomentsTest.Expected.of(t, 5);
        try (SwagPosterior pp = posterior(t, paper); SwagPosterior pc = posterior(t, code)) {
            assertThat(pp.rank()).isEqualTo(3);
            double[][] xp = draw(pp, 11);
            double[][] xc = draw(pc, 12);
            assertThat(violations(xp, e.mean(), intended(e, paper))).isEmpty();
            assertThat(violations(xc, e.mean(), intended(e, code))).isEmpty();
            // the check can tell the variants apart: each sampler's draws fail the other's covariance
            assertThat(violations(xc, e.mean(), intended(e, paper))).isNotEmpty();
            assertThat(violations(xp, e.mean(), intended(e, code))).isNotEmpty();
        }
    }

    @Test
    void paperSamplerUsesTheLastMaxRankColumnsOnceTheRingIsFull() {
        List<double[]> t = thetas(7, 2);
        SwagConfig cfg = SwagConfig.builder().maxRank(3).scale(1).build();
        SwagMomentsTest.Expected e = SwagMomentsTest.Expected.of(t, 3);
        try (SwagPosterior post = posterior(t, cfg)) {
            assertThat(post.rank()).isEqualTo(3);
            assertThat(violations(draw(post, 13), e.mean(), intended(e, cfg))).isEmpty();
            SwagMomentsTest.Expected allColumns = SwagMomentsTest.Expected.of(t, 7);
            assertThat(violations(draw(post, 14), e.mean(), intended(allColumns, cfg.toBuilder().maxRank(7).build())))
                    .as("D must hold only the last K = 3 deviations").isNotEmpty();
        }
    }

    @Test
    @SuppressWarnings("try")
    void degenerateCasesGiveTheMeanExactly() {
        List<double[]> t = thetas(4, 3);
        for (SwagVariant v : SwagVariant.values()) {
            // a single snapshot: Σ_diag = 0 and the one column is 0, so K − 1 = 0 must not produce NaN
            try (SwagPosterior one = posterior(t.subList(0, 1), SwagConfig.builder().variant(v).build());
                 SwagPosterior zeroScale = posterior(t, SwagConfig.builder().variant(v).scale(0).build());
                 PointerScope s = new PointerScope()) {
                assertThat(one.rank()).isEqualTo(1);
                assertThat(Tensors.toDoubles(one.sample(5))).as(v.name()).containsExactly(t.get(0));
                assertThat(Tensors.toDoubles(zeroScale.sample(5))).as(v.name())
                        .containsExactly(Tensors.toDoubles(zeroScale.mean()));
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void aSeedGivesTheSameSampleAndSuccessiveDrawsDiffer() {
        try (SwagPosterior post = posterior(thetas(5, 4), SwagConfig.defaults()); PointerScope s = new PointerScope()) {
            SplittableRandom a = new SplittableRandom(9);
            SplittableRandom b = new SplittableRandom(9);
            double[] a1 = Tensors.toDoubles(post.sample(a));
            double[] a2 = Tensors.toDoubles(post.sample(a));
            assertThat(Tensors.toDoubles(post.sample(b))).containsExactly(a1);
            assertThat(Tensors.toDoubles(post.sample(b))).containsExactly(a2);
            assertThat(a2).isNotEqualTo(a1);
        }
    }
}
