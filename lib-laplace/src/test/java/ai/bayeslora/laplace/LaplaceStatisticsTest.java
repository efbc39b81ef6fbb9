package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.laplace.internal.CurvatureTerms;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sufficient-statistics API ({@link CurvatureSums}): the sums over a dataset split into uneven parts (other batch
 * boundaries, an empty part) equal the sums over the whole, for every structure; {@link LaplaceLoRA.Fit#run()} is
 * {@code fromStatistics(statistics())} exactly; the pieces of a reduction by key add back bitwise; mismatched parts
 * and adapters are refused.
 *
 * <p>Tolerance of the split against the whole (docs/DEVELOPING.md, "Tolerances"): each term of a sum is a Gram of rows
 * (activations, virtual gradients) from a float64 forward and backward, 2η per row with η = γ_P, so 4η per term and
 * 8η between two batchings of the same examples; each path's float64 sum of n terms adds γ_n. The terms are PSD, so
 * ‖δF‖_F ≤ (8η + 2γ_n)·tr(F) (DIAG: the same with Σ|d|).
 */
class LaplaceStatisticsTest {
    static TinySetup t;
    static final int N = 16;

    @BeforeAll
    static void setup() {
        t = TinySetup.qv();
    }

    @AfterAll
    static void close() {
        t.close();
    }

    private static LaplaceLoRA.Fit fit(List<EncodedBatch> data, Structure s) {
        return LaplaceLoRA.fit(t.scorer, t.adapter, data).structure(s).rank(3).lowRankThreshold(50);
    }

    /** The whole data in batches of 4; the split: [0, 5) in 4s, [5, 11) in 3s, nothing, [11, N) in 4s. */
    private static CurvatureSums split(Structure s) {
        CurvatureSums sum = fit(t.batches(0, 5, 4), s).statistics();
        sum = sum.plus(fit(t.batches(5, 11, 3), s).statistics());
        sum = sum.plus(fit(List.of(), s).statistics());
        return sum.plus(fit(t.batches(11, N, 4), s).statistics());
    }

    @Test
    void sumsOverUnevenPartsEqualTheSumsOverTheWhole() {
        for (Structure s : Structure.values()) {
            try (PointerScope scope = new PointerScope()) {
                CurvatureSums whole = fit(t.batches(0, N, 4), s).statistics();
                CurvatureSums parts = split(s);
                assertThat(parts.examples()).isEqualTo(whole.examples()).isEqualTo(N);
                assertThat(parts.batches()).isEqualTo(6); // 2 + 2 + 0 + 2 batches
                double eta = Bounds.eta(t.adapter.parameterCount());
                // |log p| of a float64 log-softmax errs by 2η·|f|, 8η·|f| between two batchings; |f| < 10 here
                assertThat(parts.logLikelihood()).as(s + " log-likelihood")
                        .isCloseTo(whole.logLikelihood(), within(8 * eta * 10 * N + RoundingBounds.gamma(N)
                                * Math.abs(whole.logLikelihood())));
                assertTermsClose(parts.terms(), whole.terms(), eta, s.toString());
                assertThat(parts.terms().inputRows()).containsExactly(whole.terms().inputRows());
            }
        }
    }

    static void assertTermsClose(CurvatureTerms got, CurvatureTerms want, double eta, String what) {
        assertThat(got.size()).isEqualTo(want.size());
        for (int i = 0; i < want.size(); i++) {
            double[] w = want.values(i);
            double[] g = got.values(i);
            if (w == null) {
                assertThat(g).as(what + " term " + i).isNull();
                continue;
            }
            assertThat(got.active(i)).isEqualTo(want.active(i));
            int m = want.side(i);
            double[] wf = want.packed(i) ? CurvatureTerms.unpack(w, m) : w;
            double[] gf = got.packed(i) ? CurvatureTerms.unpack(g, m) : g;
            double trace = 0;
            double fro = 0;
            double diff = 0;
            for (int k = 0; k < wf.length; k++) {
                fro += wf[k] * wf[k];
                diff += (gf[k] - wf[k]) * (gf[k] - wf[k]);
            }
            for (int k = 0; k < m; k++) {
                trace += want.packed(i) ? wf[k * m + k] : Math.abs(wf[k]);
            }
            long n = 4L * N * 64; // rows summed: N examples × positions (< 64) × roots (≤ 3), generously
            double bound = (8 * eta + 2 * RoundingBounds.gamma(n)) * trace;
            assertThat(Math.sqrt(diff)).as("%s term %d: ‖δ‖_F (‖F‖_F = %.3g)", what, i, Math.sqrt(fro))
                    .isLessThanOrEqualTo(bound);
            assertThat(fro).as(what + " term " + i + " is not zero").isGreaterThan(0);
        }
    }

    @Test
    void runIsFromStatisticsOfStatistics() {
        for (Structure s : new Structure[] {Structure.FULL, Structure.KFAC_LOWRANK}) {
            try (PointerScope scope = new PointerScope()) {
                LaplaceConfig c = LaplaceConfig.builder().structure(s).rank(3).lowRankThreshold(50)
                        .tuning(PriorTuning.Options.defaults()).build();
                List<EncodedBatch> data = t.batches(0, N, 4);
                try (LaplacePosterior oneShot = LaplaceLoRA.fit(t.scorer, t.adapter, data).config(c).run();
                     LaplacePosterior twoStep = LaplaceLoRA.fromStatistics(t.adapter,
                             LaplaceLoRA.fit(t.scorer, t.adapter, data).config(c).statistics(), c)) {
                    // the same operations on the same inputs: bitwise
                    assertThat(twoStep.priorPrecision()).isEqualTo(oneShot.priorPrecision());
                    assertThat(twoStep.logMarginalLikelihood()).isEqualTo(oneShot.logMarginalLikelihood());
                    double[] a = Tensors.toDoubles(twoStep.precisionModel().dense());
                    double[] b = Tensors.toDoubles(oneShot.precisionModel().dense());
                    assertThat(maxDiff(a, b)).as(s + " max |δG|").isZero();
                }
            }
        }
    }

    @Test
    void piecesAddBackExactlyAndSurviveSerialization() throws Exception {
        try (PointerScope scope = new PointerScope()) {
            CurvatureSums whole = fit(t.batches(0, 8, 4), Structure.KFAC).statistics();
            List<CurvatureSums> pieces = whole.pieces();
            assertThat(pieces).hasSize(whole.pieceCount());
            CurvatureSums back = null;
            for (CurvatureSums p : pieces) {
                CurvatureSums q = roundTrip(p);
                back = back == null ? q : back.plus(q);
            }
            assertThat(back.examples()).isEqualTo(whole.examples());
            assertThat(back.logLikelihood()).isEqualTo(whole.logLikelihood());
            assertThat(back.payloadBytes()).isEqualTo(whole.payloadBytes());
            for (int i = 0; i < whole.terms().size(); i++) {
                assertThat(maxDiff(back.terms().values(i), whole.terms().values(i))).isZero();
            }
        }
    }

    /** max |a − b|, or +∞ for different lengths; 0 for two nulls. */
    static double maxDiff(double[] a, double[] b) {
        if (a == null || b == null) {
            return a == b ? 0 : Double.POSITIVE_INFINITY;
        }
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static CurvatureSums roundTrip(CurvatureSums s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (CurvatureSums) in.readObject();
        }
    }

    @Test
    void emptyDataIsZeroAndMismatchesAreRefused() {
        try (PointerScope scope = new PointerScope()) {
            CurvatureSums empty = fit(List.of(), Structure.KFAC).statistics();
            assertThat(empty.examples()).isZero();
            assertThat(empty.payloadBytes()).isZero();
            LaplaceConfig kfac = LaplaceConfig.builder().build();
            assertThatThrownBy(() -> LaplaceLoRA.fromStatistics(t.adapter, empty, kfac))
                    .isInstanceOf(LaplaceException.class).hasMessageContaining("no training");
            CurvatureSums some = fit(t.batches(0, 4, 4), Structure.KFAC).statistics();
            assertThatThrownBy(() -> some.plus(fit(t.batches(4, 8, 4), Structure.DIAG).statistics()))
                    .isInstanceOf(LaplaceException.class).hasMessageContaining("structure");
            assertThatThrownBy(() -> LaplaceLoRA.fromStatistics(t.adapter, some,
                    LaplaceConfig.builder().structure(Structure.DIAG).build()))
                    .isInstanceOf(LaplaceException.class).hasMessageContaining("structure");
            List<String> targets = new ArrayList<>(List.of("q_proj", "v_proj"));
            try (LoraAdapter other = LoraAdapter.create(t.model, LoraConfig.builder().rank(2).alpha(4)
                    .targetModules(targets).build(), 99)) {
                assertThatThrownBy(() -> LaplaceLoRA.fromStatistics(other, some, kfac))
                        .isInstanceOf(LaplaceException.class).hasMessageContaining("other adapter values");
            }
        }
    }
}
