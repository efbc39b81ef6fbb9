package ai.bayeslora.spark;

import ai.bayeslora.lora.TestAdapters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.laplace.CurvatureSums;
import ai.bayeslora.laplace.LaplaceConfig;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.LogitGaussian;
import ai.bayeslora.laplace.PriorTuning;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fit over partitions against the single-process {@link LaplaceLoRA} fit on the same float64 tiny Llama, adapter
 * and questions: three uneven partitions (3 rows, none, 18 rows), so the executors batch other rows together than the
 * one-shot pass.
 *
 * <p>Tolerances (docs/DEVELOPING.md, "Tolerances"; η = γ_P per float64 stage): the two runs differ only in batch
 * composition and the order of the float64 sums, so each curvature sum F differs by ‖δF‖_F ≤ e·tr(F) with
 * e = 8η + 2γ_n (4η per Gram term on each side, γ_n per sum of n terms): {@link #sumBound}. Everything after the sums is
 * the same code on the driver: log det(G + λI) moves by at most ‖Λ⁻¹‖_F·‖δG‖_F ≤ √P/λ·(‖δG‖_F + 2η‖Λ‖_F); the
 * predictive covariance J Λ⁻¹ Jᵀ (J identical: same prompts, same batch) by ‖J‖²‖Λ⁻¹‖²(‖δG‖ + 2η‖Λ‖), relative to
 * tr Σ ≥ ‖J‖²/‖Λ‖ at most κ(Λ)(‖δG‖ + 2η‖Λ‖)/λ; the tuned λ (a concave maximiser, bisection to |Δ log λ| &lt; 1e-10)
 * by 2e-10 relative plus |δE'|/|E''| with |δE'| ≤ ½ √P ‖δG‖_F / λ² (E'' by a central difference).
 */
class SparkLaplaceFitTest {
    static SparkModel spec;
    static double gNorm;
    static double gBound;
    static Path adapterDir;
    static McqaDataset data;
    static final int BATCH = 4;

    @BeforeAll
    static void setup() throws Exception {
        spec = SparkModel.of(BundledData.tinyLlamaModel().toString())
                .withDevice(TestDevices.device(DType.FLOAT64).name()).withDtype(DType.FLOAT64);
        adapterDir = Files.createTempDirectory("spark-laplace").resolve("adapter");
        BayesLora b = spec.shared();
        try (LoraAdapter a = TestAdapters.rank2QV(b.model(), 3, 5, 0.3)) {
            a.save(adapterDir);
        }
        McqaDataset train = BundledData.syntheticMcqaTrain();
        data = McqaDataset.of("train", train.classLabels(), train.examples().subList(0, 21));
    }

    /** [0, 3) in one partition, an empty partition, [3, 21) in two. */
    static Dataset<Row> unevenFrame() {
        SparkSession spark = SparkTests.session();
        Dataset<Row> empty = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.<Row>of(), 1), McqaFrames.SCHEMA);
        Dataset<Row> f = McqaFrames.toFrame(spark, subset(0, 3), 1).union(empty).union(
                McqaFrames.toFrame(spark, subset(3, 21), 2));
        assertThat(f.rdd().getNumPartitions()).isEqualTo(4);
        return f;
    }

    static McqaDataset subset(int from, int to) {
        return McqaDataset.of("train", data.classLabels(), data.examples().subList(from, to));
    }

    static SparkLaplaceFit sparkFit(LaplaceConfig c) {
        return SparkLaplaceFit.of(spec, adapterDir.toString()).withConfig(c).withBatchSize(BATCH);
    }

    /** The single-process fit on the driver's adapter, batches of {@link #BATCH} over the whole data. */
    static LaplaceLoRA.Fit oneShot(LaplaceConfig c) {
        LoraAdapter adapter = sparkFit(c).driverAdapter();
        return LaplaceLoRA.fit(scorer(), adapter, batches(data)).config(c);
    }

    static AnswerScorer scorer() {
        BayesLora b = spec.shared();
        return new AnswerScorer(b.model(), b.answers(data.classLabels()), ClassReduction.ANSWER_TOKENS);
    }

    static Iterable<EncodedBatch> batches(McqaDataset d) {
        BayesLora b = spec.shared();
        return new McqaBatcher(b.tokenizer(), b.promptFormat(), McqaBatcher.Config.forTokenizer(b.tokenizer()))
                .batches(d, BATCH);
    }

    static double eta() {
        return RoundingBounds.gamma(sparkFit(LaplaceConfig.builder().build()).driverAdapter().parameterCount());
    }

    /** e·tr(F) for term i of {@code want}: the bound on ‖δF‖_F between two batchings (class comment). */
    static double sumBound(CurvatureSums want, int i) {
        double[] f = want.term(i);
        int m = want.termSide(i);
        boolean vector = f.length == m;
        double trace = 0;
        for (int k = 0; k < m; k++) {
            trace += vector ? Math.abs(f[k]) : f[k * m + k];
        }
        long n = 4L * data.size() * 64; // rows per sum: examples × positions (< 64) × roots (≤ 3)
        return (8 * eta() + 2 * RoundingBounds.gamma(n)) * trace;
    }

    static double fro(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            double d = b == null ? a[k] : a[k] - b[k];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    @Test
    void partitionedFitEqualsTheSingleProcessFit() {
        for (Structure s : new Structure[] {Structure.FULL, Structure.DIAG, Structure.KFAC}) {
            try (PointerScope scope = new PointerScope()) {
                LaplaceConfig c = LaplaceConfig.builder().structure(s).tuning(PriorTuning.Options.defaults()).build();
                CurvatureSums want = oneShot(c).statistics();
                CurvatureSums got = sparkFit(c).statistics(unevenFrame(), data.classLabels());
                assertThat(got.examples()).isEqualTo(want.examples()).isEqualTo(data.size());
                assertThat(got.termCount()).isEqualTo(want.termCount());
                double gNorm = 0;
                double gBound = 0;
                double worstRelative = 0;
                for (int i = 0; i < want.termCount(); i++) {
                    double err = fro(got.term(i), want.term(i));
                    assertThat(err).as("%s term %d", s, i).isLessThanOrEqualTo(sumBound(want, i));
                    assertThat(fro(want.term(i), null)).isGreaterThan(0);
                    gNorm = Math.max(gNorm, fro(want.term(i), null));
                    gBound = Math.max(gBound, sumBound(want, i));
                    worstRelative = Math.max(worstRelative, err / fro(want.term(i), null));
                }
                assertThat(got.logLikelihood()).isCloseTo(want.logLikelihood(),
                        within(8 * eta() * 10 * data.size() + RoundingBounds.gamma(data.size())
                                * Math.abs(want.logLikelihood())));
                try (LaplacePosterior a = oneShot(c).run(); LaplacePosterior b = sparkFit(c).fit(unevenFrame(),
                        data.classLabels())) {
                    // the acceptance figure next to the derived bounds: 1e-10 relative (float64)
                    double evidence = Math.abs(b.logMarginalLikelihood(1.0) - a.logMarginalLikelihood(1.0))
                            / Math.abs(a.logMarginalLikelihood(1.0));
                    double lambda = Math.abs(b.priorPrecision() - a.priorPrecision()) / a.priorPrecision();
                    comparePosteriors(s, a, b, gNorm, gBound);
                    System.out.printf(java.util.Locale.ROOT, "SparkLaplaceFitTest %s: sums max relative Frobenius "
                            + "difference %.2e, evidence %.2e, tuned prior precision %.2e%n", s, worstRelative,
                            evidence, lambda);
                    assertThat(worstRelative).as(s + " sums, relative").isLessThanOrEqualTo(1e-10);
                    assertThat(evidence).as(s + " evidence, relative").isLessThanOrEqualTo(1e-10);
                    assertThat(lambda).as(s + " tuned λ, relative").isLessThanOrEqualTo(1e-10);
                }
            }
        }
    }

    /**
     * Evidence at λ = 1, the tuned λ and a predictive covariance. For FULL and DIAG, δG is the sums' bound; for K-FAC
     * (G_b = A_b/N ⊗ S_b) first order in both factors, ‖δG_b‖ ≤ ‖δA‖‖S‖/N + ‖A‖‖δS‖/N, bounded here by
     * 2·(largest factor norm)·(largest factor bound) and the largest 1/N = 1.
     */
    static double evidenceBound(Structure s, LaplacePosterior a, double gNorm, double gBound, double lam) {
        long p = a.parameterCount();
        double eta = eta();
        double dG = s == Structure.FULL || s == Structure.DIAG ? gBound : 2 * gNorm * gBound * a.blocks().size();
        double normG = s == Structure.FULL || s == Structure.DIAG ? gNorm : gNorm * gNorm * a.blocks().size();
        double normLam = normG + Math.sqrt(p) * lam;
        // ½ |δ log det| plus the log-likelihood's 8η·|f| per example (|f| < 10)
        return 0.5 * Math.sqrt(p) / lam * (dG + 2 * eta * normLam) + 8 * eta * 10 * data.size();
    }

    static void comparePosteriors(Structure s, LaplacePosterior a, LaplacePosterior b, double gNorm, double gBound) {
        long p = a.parameterCount();
        double eta = eta();
        double dG = s == Structure.KFAC ? 2 * gNorm * gBound * a.blocks().size() : gBound;
        double normG = s == Structure.KFAC ? gNorm * gNorm * a.blocks().size() : gNorm;
        double lam = 1.0;
        assertThat(b.logMarginalLikelihood(lam)).as(s + " evidence at λ = 1")
                .isCloseTo(a.logMarginalLikelihood(lam), within(evidenceBound(s, a, gNorm, gBound, lam)));
        double l = a.priorPrecision();
        double h = 1e-3 * l;
        double e2 = (a.logMarginalLikelihood(l + h) - 2 * a.logMarginalLikelihood(l) + a.logMarginalLikelihood(l - h))
                / (h * h);
        double normLam = normG + Math.sqrt(p) * l;
        double dSlope = 0.5 * Math.sqrt(p) * (dG + 2 * eta * normLam) / (l * l);
        assertThat(b.priorPrecision()).as(s + " tuned λ").isCloseTo(l,
                within(2 * (4e-10 * l + dSlope / Math.abs(e2))));
        try (PointerScope scope = new PointerScope()) {
            EncodedBatch test = batches(McqaDataset.of("ood", data.classLabels(),
                    BundledData.syntheticMcqaOod().examples().subList(0, 3))).iterator().next();
            b.setPriorPrecision(l);
            LogitGaussian ga = a.linearized(scorer()).gaussian(test);
            LogitGaussian gb = b.linearized(scorer()).gaussian(test);
            double kappa = (normG + l) / l;
            for (int r = 0; r < test.batchSize(); r++) {
                double[][] car = ga.covariance(r);
                double[][] cbr = gb.covariance(r);
                double tr = 0;
                double d = 0;
                for (int i = 0; i < car.length; i++) {
                    tr += car[i][i];
                    for (int j = 0; j < car.length; j++) {
                        d += (cbr[i][j] - car[i][j]) * (cbr[i][j] - car[i][j]);
                    }
                }
                assertThat(Math.sqrt(d) / tr).as(s + " predictive covariance, prompt " + r)
                        .isLessThanOrEqualTo(kappa * (dG + 2 * eta * normLam) / l + 8 * eta);
            }
        }
    }

    /**
     * Low-rank K-FAC (k = 3 of 64 on the input side of A and the output side of B): the truncation is one eigh of
     * the merged dense Gram on the driver, so near-degenerate eigenvalues may rotate the kept eigenvectors. Compared
     * instead: the reconstructed factor U diag(e) Uᵀ of every saved factor, within ‖δF‖(1 + 4‖F‖₂/gap_k) with gap_k
     * = e_k − e_{k+1} of the one-shot's full spectrum (Davis–Kahan), plus the eigh backward error 2η‖F‖; and the log
     * evidence (its log det uses the kept eigenvalues, each within ‖δF‖₂ by Weyl).
     */
    @Test
    void lowRankKfacAgreesUpToRotation(@org.junit.jupiter.api.io.TempDir Path tmp) {
        try (PointerScope scope = new PointerScope()) {
            LaplaceConfig c = LaplaceConfig.builder().structure(Structure.KFAC_LOWRANK).rank(3).lowRankThreshold(50)
                    .build();
            CurvatureSums want = oneShot(c).statistics();
            try (LaplacePosterior a = LaplaceLoRA.fromStatistics(sparkFit(c).driverAdapter(), want, c);
                 LaplacePosterior b = sparkFit(c).fit(unevenFrame(), data.classLabels())) {
                a.save(tmp.resolve("a"));
                b.save(tmp.resolve("b"));
                double eta = eta();
                try (SafetensorsFile fa = SafetensorsFile.open(tmp.resolve("a/posterior.safetensors"));
                     SafetensorsFile fb = SafetensorsFile.open(tmp.resolve("b/posterior.safetensors"))) {
                    int lowRank = 0;
                    gNorm = 0;
                    gBound = 0;
                    for (int blk = 0; blk < a.blocks().size(); blk++) {
                        for (int side = 0; side < 2; side++) {
                            String name = a.blocks().get(blk).key() + (side == 0 ? ".in" : ".out");
                            Tensor ra = reconstruct(fa, name);
                            Tensor rb = reconstruct(fb, name);
                            int term = 2 * blk + side;
                            int m = want.termSide(term);
                            double[] spectrum = Tensors.toDoubles(torch.linalg_eigvalsh(
                                    Tensors.ofDoubles(want.term(term), m, m)));
                            double top = spectrum[m - 1];
                            long k = fa.info(name + ".e").shape()[0];
                            double gap = k < m ? spectrum[(int) (m - k)] - spectrum[(int) (m - k - 1)] : top;
                            lowRank += k < m ? 1 : 0;
                            double dF = sumBound(want, term) + 2 * eta * fro(want.term(term), null);
                            // the input side is scaled by 1/N_b ≤ 1 in both: the unscaled bound holds
                            double bound = dF * (1 + 4 * top / gap);
                            gNorm = Math.max(gNorm, fro(want.term(term), null));
                            gBound = Math.max(gBound, sumBound(want, term));
                            assertThat(ra.sub(rb).norm().item_double()).as(name).isLessThanOrEqualTo(bound);
                        }
                    }
                    assertThat(lowRank).as("low-rank factors").isGreaterThanOrEqualTo(2);
                }
                // Weyl: every kept eigenvalue within ‖δF‖₂, so log det moves as for K-FAC
                assertThat(b.logMarginalLikelihood(1.0)).isCloseTo(a.logMarginalLikelihood(1.0),
                        within(evidenceBound(Structure.KFAC_LOWRANK, a, gNorm, gBound, 1.0)));
            }
        }
    }

    static Tensor reconstruct(SafetensorsFile f, String name) {
        Tensor q = f.tensor(name + ".q", ScalarType.Double, new org.bytedeco.pytorch.Device("cpu"));
        Tensor e = f.tensor(name + ".e", ScalarType.Double, new org.bytedeco.pytorch.Device("cpu"));
        return q.mul(e).matmul(q.t());
    }

    @Test
    void emptyFramesAndBadRowsAreUserErrors() {
        LaplaceConfig c = LaplaceConfig.builder().build();
        SparkSession spark = SparkTests.session();
        Dataset<Row> empty = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.<Row>of(), 2), McqaFrames.SCHEMA);
        assertThatThrownBy(() -> sparkFit(c).fit(empty, data.classLabels()))
                .isInstanceOf(BayesLoraException.class).hasMessageContaining("no training rows");
        McqaExample e = data.get(0);
        McqaDataset unlabelled = McqaDataset.of("x", data.classLabels(), List.of(new McqaExample("nolabel",
                e.question(), e.choices(), e.labels(), -1, Optional.empty(), false, Optional.empty())));
        // thrown inside a task, reaches the driver as a SparkException: unwrapped to the library's error
        assertThatThrownBy(() -> sparkFit(c).fit(spark, unlabelled, 1))
                .isInstanceOf(BayesLoraException.class).hasMessageContaining("nolabel")
                .hasMessageContaining("no answer label");
        assertThatThrownBy(() -> SparkLaplaceFit.of(spec, adapterDir.resolve("missing").toString())
                .fit(spark, data, 2)).isInstanceOf(BayesLoraException.class).hasMessageContaining("missing");
    }
}
