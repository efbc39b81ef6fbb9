package ai.bayeslora.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.metrics.Accuracy;
import ai.bayeslora.uncertainty.metrics.BrierScore;
import ai.bayeslora.uncertainty.metrics.CalibrationResult;
import ai.bayeslora.uncertainty.metrics.ExpectedCalibrationError;
import ai.bayeslora.uncertainty.metrics.MetricReport;
import ai.bayeslora.uncertainty.metrics.NegativeLogLikelihood;
import ai.bayeslora.uncertainty.metrics.SelectivePrediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each row the scorer writes equals {@code UncertaintyEstimator.evaluate} run in this process on the same questions
 * (the oracle: the library's verified path, the posterior built through {@link BayesLora}), for every posterior
 * kind, with 3 partitions and batches of 3 against the oracle's batches of 8, rows with 3 of 4 choices included.
 *
 * <p>Tolerance {@link #tol()}: the tiny model runs in float32 on the test device. Another batch changes the left
 * padding and the GEMM shapes, so the logits may differ by float32 rounding of the forward (the softmax over C ≤ 5
 * classes maps a logit error δ to a probability error ≤ δ/2); {@link TestDevices#float32Tolerance()} is the
 * project's float32 comparison (docs/DEVELOPING.md, "Tolerances": 1e-5 on the CPU, about 170 float32 ulps at 1; 1e-4
 * on CUDA). Observed on the CPU: up to 2.5e-7 (a few float32 ulps of the logits; the test prints it), and exactly 0
 * with the same batches. The Laplace Monte Carlo link draws its samples per batch in row order
 * (LogitGaussian.samples), so a row's numbers depend on its position in the batch: that case is compared with the
 * same batches (2 partitions of 5, batches of 5) and must be bitwise equal where the device is bitwise reproducible
 * ({@link #sameBatches()}).
 */
class UncertaintyScorerTest {
    /** Nothing here touches the device before the tests run: an unusable one fails them, as everywhere else. */
    private static PosteriorFixtures f;

    @BeforeAll
    static void writeFixtures() {
        f = PosteriorFixtures.get();
    }

    /** {@return another batching's tolerance: the float32 comparison of the test device} */
    static double tol() {
        return TestDevices.float32Tolerance();
    }

    /**
     * {@return the same batches' tolerance: 0 on the CPU; on CUDA reruns agree only to rounding (docs/DEVELOPING.md,
     * "Devices")}
     */
    static double sameBatches() {
        return TestDevices.bitwiseReproducible() ? 0 : TestDevices.float32Tolerance();
    }

    static UncertaintyScorer scorer(Path posterior) {
        return new UncertaintyScorer().setModel(SparkTests.model(PosteriorFixtures.MODEL.toString()))
                .setPosteriorPath(posterior.toString()).setBatchSize(3);
    }

    static Dataset<Row> frame(McqaDataset d, int partitions) {
        return McqaFrames.toFrame(SparkTests.session(), d, partitions);
    }

    static EvaluationReport oracle(int batchSize, Function<BayesLora, PosteriorPredictive> posterior) {
        try (BayesLora bayes = BayesLora.open(PosteriorFixtures.MODEL, TestDevices.device())) {
            return bayes.estimator(posterior.apply(bayes)).batchSize(batchSize).progress(false).evaluate(f.questions);
        }
    }

    /** Every output value of every row against the oracle's; returns the largest difference seen. */
    static double assertRowsMatch(List<Row> got, EvaluationReport want, double tol) {
        assertThat(got).hasSize(want.prediction().size());
        double[][] mean = want.prediction().mean();
        double[] conf = want.prediction().confidence();
        var u = want.prediction().uncertainty();
        double worst = 0;
        for (int i = 0; i < got.size(); i++) {
            Row r = got.get(i);
            assertThat(r.<String>getAs("id")).isEqualTo(f.questions.get(i).id()); // order and input columns kept
            List<Double> p = r.getList(r.fieldIndex("probabilities"));
            assertThat(p).hasSize(mean[i].length);
            for (int c = 0; c < p.size(); c++) {
                worst = Math.max(worst, Math.abs(p.get(c) - mean[i][c]));
            }
            worst = Math.max(worst, Math.abs(r.<Double>getAs("confidence") - conf[i]));
            worst = Math.max(worst, Math.abs(r.<Double>getAs("predictive_entropy") - u.total()[i]));
            worst = Math.max(worst, Math.abs(r.<Double>getAs("expected_entropy") - u.aleatoric()[i]));
            worst = Math.max(worst, Math.abs(r.<Double>getAs("mutual_information") - u.epistemic()[i]));
            assertThat(r.<String>getAs("prediction")).as("row %d", i).isEqualTo(want.prediction().predictedLabel(i));
        }
        System.out.printf("%s: largest difference to the oracle %.3g%n", want.posterior(), worst);
        assertThat(worst).isLessThanOrEqualTo(tol);
        return worst;
    }

    /**
     * Two scorings of the same rows: equal rows where {@code tol} is 0, else the same columns with every double (also
     * inside arrays) within {@code tol} and every other value equal.
     */
    static void assertSameRows(List<Row> got, List<Row> want, double tol) {
        if (tol == 0) {
            assertThat(got).isEqualTo(want);
            return;
        }
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            Row g = got.get(i);
            Row w = want.get(i);
            assertThat(g.schema()).isEqualTo(w.schema());
            for (int c = 0; c < w.size(); c++) {
                String what = "row " + i + " " + w.schema().fields()[c].name();
                Object a = g.get(c);
                Object b = w.get(c);
                if (b instanceof Double wd) {
                    assertThat((Double) a).as(what).isCloseTo(wd, org.assertj.core.data.Offset.offset(tol));
                } else if (b instanceof scala.collection.Seq<?> ws && !ws.isEmpty() && ws.head() instanceof Double) {
                    List<?> gl = g.getList(c);
                    List<?> wl = w.getList(c);
                    assertThat(gl).as(what).hasSameSizeAs(wl);
                    for (int k = 0; k < wl.size(); k++) {
                        assertThat((Double) gl.get(k)).as(what + "[" + k + "]").isCloseTo((Double) wl.get(k),
                                org.assertj.core.data.Offset.offset(tol));
                    }
                } else {
                    assertThat(a).as(what).isEqualTo(b);
                }
            }
        }
    }

    @Test
    void ensembleRowsEqualEvaluateAndShortRowsAreScoredOverTheirOwnChoices() {
        List<Row> got = scorer(f.ensemble).transform(frame(f.questions, 3)).collectAsList();
        assertRowsMatch(got, oracle(8, b -> b.ensemble(f.ensemble, f.questions)), tol());
        for (int i : new int[] {2, 7}) { // 3 of 4 choices: D gets nothing, A–C sum to 1
            List<Double> p = got.get(i).getList(got.get(i).fieldIndex("probabilities"));
            assertThat(p.get(3)).isZero();
            assertThat(p.get(0) + p.get(1) + p.get(2)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
        }
        assertThat(got.get(0).<Double>getAs("mutual_information")).isPositive(); // members disagree
    }

    @Test
    void singleAdapterRowsEqualEvaluate() {
        List<Row> got = scorer(f.adapter).transform(frame(f.questions, 3)).collectAsList();
        assertRowsMatch(got, oracle(8, b -> b.singleAdapter(f.adapter, f.questions)), tol());
        assertThat(got).allSatisfy(r -> assertThat(r.<Double>getAs("mutual_information")).isZero());
    }

    @Test
    void swagRowsEqualEvaluate() {
        List<Row> got = scorer(f.swagOut).setSamples(4).setSeed(7).transform(frame(f.questions, 3)).collectAsList();
        assertRowsMatch(got, oracle(8, b -> b.swag(f.swagOut.resolve("posterior"), f.swagOut.resolve("adapter"),
                f.questions, 4, 7)), tol());
    }

    @Test
    void laplaceProbitRowsEqualEvaluate() {
        List<Row> got = scorer(f.laplace).setLaplaceLink(LinearizedPredictive.Link.PROBIT)
                .transform(frame(f.questions, 3)).collectAsList();
        assertRowsMatch(got, oracle(8, b -> b.laplace(f.laplace).linearized(b.scorer(f.questions),
                LinearizedPredictive.Options.defaults().withLink(LinearizedPredictive.Link.PROBIT)).probit()), tol());
    }

    @Test
    void laplaceMonteCarloRowsEqualEvaluateWithTheSameBatches() {
        List<Row> got = scorer(f.laplace).setSamples(20).setSeed(3).setBatchSize(5)
                .transform(frame(f.questions, 2)).collectAsList();
        double worst = assertRowsMatch(got, oracle(5, b -> b.laplace(f.laplace).linearized(b.scorer(f.questions),
                LinearizedPredictive.Options.defaults().withLink(LinearizedPredictive.Link.MONTE_CARLO)
                        .withSamples(20).withSeed(3))), tol());
        assertThat(worst).isLessThanOrEqualTo(sameBatches());
    }

    @Test
    void metricsEqualTheLibrarysOnTheSameRowsAndEvaluateWithTheSameBatches() {
        Dataset<Row> scored = scorer(f.ensemble).setBatchSize(5).transform(frame(f.questions, 2)).cache();
        ScoredMetrics m = ScoredMetrics.of(scored, McqaFrames.ANSWER, 15);
        List<Row> rows = scored.collectAsList();
        int n = rows.size();
        double[][] p = new double[n][];
        int[] y = new int[n];
        double h = 0;
        double eh = 0;
        double mi = 0;
        double nllTerms = 0;
        for (int i = 0; i < n; i++) {
            p[i] = rows.get(i).<Double>getList(rows.get(i).fieldIndex("probabilities")).stream()
                    .mapToDouble(Double::doubleValue).toArray();
            y[i] = rows.get(i).getAs("answer");
            h += rows.get(i).<Double>getAs("predictive_entropy");
            eh += rows.get(i).<Double>getAs("expected_entropy");
            mi += rows.get(i).<Double>getAs("mutual_information");
            nllTerms += Math.abs(Math.log(p[i][y[i]]));
        }
        // Sums in another order: |error| ≤ γ_N Σ|terms| (divided by N for the means); values ≤ 1 also err by a few
        // ulps in the final divisions, hence the 1e-15 floor.
        double gamma = gamma(n * 5);
        CalibrationResult ece = ExpectedCalibrationError.compute(p, y, 15);
        assertThat(m.examples()).isEqualTo(n);
        assertThat(m.accuracy()).isEqualTo(Accuracy.compute(p, y)); // integer count / N: exact
        assertThat(m.nll()).isCloseTo(NegativeLogLikelihood.compute(p, y),
                org.assertj.core.data.Offset.offset(gamma * nllTerms / n + 1e-15));
        assertThat(m.brier()).isCloseTo(BrierScore.compute(p, y), org.assertj.core.data.Offset.offset(2 * gamma + 1e-15));
        assertThat(m.ece()).isCloseTo(ece.ece(), org.assertj.core.data.Offset.offset(4 * gamma + 1e-15));
        assertThat(m.mce()).isCloseTo(ece.mce(), org.assertj.core.data.Offset.offset(4 * gamma + 1e-15));
        assertThat(m.aurc()).isCloseTo(SelectivePrediction.compute(p, y).aurc(),
                org.assertj.core.data.Offset.offset(gamma + 1e-15));
        assertThat(m.meanPredictiveEntropy()).isCloseTo(h / n, org.assertj.core.data.Offset.offset(gamma * h / n + 1e-15));
        assertThat(m.meanExpectedEntropy()).isCloseTo(eh / n, org.assertj.core.data.Offset.offset(gamma * eh / n + 1e-15));
        assertThat(m.meanMutualInformation()).isCloseTo(mi / n,
                org.assertj.core.data.Offset.offset(gamma * mi / n + 1e-15));

        // and evaluate's own report, with the same batches (bitwise-equal probabilities on the CPU, so the same
        // bounds; on CUDA every probability and mutual information within δ = sameBatches(), so by first order the
        // NLL moves by ≤ δ/(min p_y − δ) and the Brier score by ≤ 2Cδ + Cδ²; the same predictions give the same
        // accuracy; ECE's bins and AURC's ranking are not continuous in p: compared only bitwise)
        EvaluationReport r = oracle(5, b -> b.ensemble(f.ensemble, f.questions));
        assertRowsMatch(rows, r, sameBatches());
        double delta = sameBatches();
        double minTrue = 1;
        int classes = 0;
        for (int i = 0; i < n; i++) {
            minTrue = Math.min(minTrue, p[i][y[i]]);
            classes = Math.max(classes, p[i].length);
        }
        MetricReport want = r.metrics();
        assertThat(m.accuracy()).isEqualTo(want.accuracy());
        assertThat(m.nll()).isCloseTo(want.nll(), org.assertj.core.data.Offset.offset(gamma * nllTerms / n + 1e-15
                + (delta == 0 ? 0 : delta / (minTrue - delta))));
        assertThat(m.brier()).isCloseTo(want.brier(), org.assertj.core.data.Offset.offset(2 * gamma + 1e-15
                + classes * delta * (2 + delta)));
        if (TestDevices.bitwiseReproducible()) {
            assertThat(m.ece()).isCloseTo(want.ece(), org.assertj.core.data.Offset.offset(4 * gamma + 1e-15));
            assertThat(m.aurc()).isCloseTo(r.selectivePrediction().aurc(),
                    org.assertj.core.data.Offset.offset(gamma + 1e-15));
        }
        assertThat(m.meanMutualInformation()).isCloseTo(want.meanMutualInformation(),
                org.assertj.core.data.Offset.offset(gamma * mi / n + 1e-15 + delta));
        scored.unpersist();
    }

    /** γ_k = k·u/(1 − k·u), u = 2⁻⁵³. */
    static double gamma(int k) {
        double u = Math.ulp(1.0) / 2;
        return k * u / (1 - k * u);
    }

    @Test
    void aMissingColumnIsNamed() {
        assertThatThrownBy(() -> scorer(f.ensemble).transform(frame(f.questions, 1).drop("choices")))
                .isInstanceOf(BayesLoraException.class).hasMessageContaining("'choices'");
        assertThatThrownBy(() -> scorer(f.ensemble).setQuestionCol("prompt").transform(frame(f.questions, 1)))
                .isInstanceOf(BayesLoraException.class).hasMessageContaining("'prompt'");
    }

    @Test
    void aFolderWithoutAPosteriorIsNamed() throws Exception {
        Path empty = Files.createDirectories(f.root.resolve("not-a-posterior"));
        assertThatThrownBy(() -> scorer(empty).transform(frame(f.questions, 1)))
                .isInstanceOf(BayesLoraException.class).hasMessageContaining(empty.toString())
                .hasMessageContaining("no posterior");
        assertThatThrownBy(() -> scorer(f.adapter).setPosteriorKind(PosteriorKind.SWAG)
                .transform(frame(f.questions, 1))).isInstanceOf(BayesLoraException.class)
                .hasMessageContaining(f.adapter.toString()).hasMessageContaining("swag.json");
    }

    @Test
    void labelsThatAreNotAPrefixOfTheClassesAreNamed() {
        Dataset<Row> bad = frame(f.questions, 2).withColumn("labels", functions.when(functions.col("id")
                .equalTo(f.questions.get(4).id()), functions.array(functions.lit("A"), functions.lit("C"),
                functions.lit("B"), functions.lit("D"))).otherwise(functions.col("labels")));
        Dataset<Row> out = scorer(f.ensemble).setClassLabels(List.of("A", "B", "C", "D")).transform(bad);
        assertThatThrownBy(out::collectAsList).isInstanceOf(SparkException.class)
                .satisfies(e -> assertThat(rootBayes(e)).isNotNull().satisfies(b -> assertThat(b.getMessage())
                        .contains("'labels'").contains(f.questions.get(4).id()).contains("not a prefix")));
    }

    static BayesLoraException rootBayes(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BayesLoraException b) {
                return b;
            }
        }
        return null;
    }
}
