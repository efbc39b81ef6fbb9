package ai.bayeslora.examples.cli;

import static ai.bayeslora.examples.cli.WorkflowCliTest.json;
import static ai.bayeslora.examples.cli.WorkflowCliTest.run;
import static ai.bayeslora.examples.cli.WorkflowCliTest.writeJsonl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.TestDevices;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --average} and {@code --laplace-per-epoch} end to end on the tiny fixture model (32 training questions,
 * M = 2, 2 epochs): the per-epoch Laplace posterior of train-ensemble is the one {@code laplace fit} writes for that
 * checkpoint, {@code evaluate --laplace} reads it and gives train-ensemble's numbers, logit averaging in
 * {@code evaluate} matches the geometric mean of the members' own {@code predict} outputs, and {@code report}
 * combines the Laplace rows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AveragingLaplaceCliTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path trainFile;
    static Path evalFile;
    static String device;

    @BeforeAll
    static void data() throws Exception {
        model = Fixtures.model("tiny-llama");
        trainFile = tmp.resolve("train.jsonl");
        evalFile = tmp.resolve("eval.jsonl");
        writeJsonl(trainFile, BundledData.syntheticMcqaTrain(), 32, true);
        writeJsonl(evalFile, BundledData.syntheticMcqaDataset(), 16, true);
        device = System.getProperty(TestDevices.PROPERTY, "cpu");
    }

    static JsonNode evaluation(Path reportJson, String posteriorPrefix, String dataset) throws Exception {
        for (JsonNode e : json(reportJson).get("evaluations")) {
            if (e.get("posterior").asText().startsWith(posteriorPrefix) && e.get("dataset").asText().equals(dataset)) {
                return e;
            }
        }
        throw new AssertionError("no evaluation " + posteriorPrefix + " on " + dataset + " in " + reportJson);
    }

    @Test
    @Order(1)
    void trainEnsembleFitsLaplaceAtEveryEpochAsLaplaceFitDoes() throws Exception {
        Path out = tmp.resolve("ens");
        WorkflowCliTest.Run r = run("train-ensemble", "--model", model.toString(), "--device", device, "--train",
                trainFile.toString(), "--eval", "in=" + evalFile, "--members", "2", "--epochs", "2", "--lr", "3e-3",
                "--train-batch-size", "16", "--laplace-per-epoch", "--average", "logits", "--out", out.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Laplace kfac mc (member 0, epoch 2)").contains("averaging: logits");
        for (int e = 1; e <= 2; e++) {
            assertThat(out.resolve(String.format("laplace/epoch-%03d/manifest.json", e))).isRegularFile();
        }
        Path reportJson = out.resolve("report/report.json");
        JsonNode lap1 = evaluation(reportJson, "Laplace kfac mc (member 0, epoch 1)", "in");
        JsonNode lap2 = evaluation(reportJson, "Laplace kfac mc (member 0, epoch 2)", "in");
        assertThat(lap1.get("averaging").asText()).isEqualTo("logits");
        assertThat(lap2.get("samples").asInt()).isEqualTo(100);
        assertThat(evaluation(reportJson, "ensemble (M=2)", "in").get("averaging").asText()).isEqualTo("logits");
        boolean laplaceSeries = false;
        for (JsonNode s : json(reportJson).get("epoch_series")) {
            laplaceSeries |= s.toString().contains("Laplace (member 0)");
        }
        assertThat(laplaceSeries).as("a Laplace curve in the epoch series").isTrue();

        // laplace fit on member 0's epoch-1 checkpoint with the same settings (kfac, exact, expand, tuned λ,
        // batch 8, the same data): the same operations on the same shapes, so the same bytes
        Path checkpoint = out.resolve("ensemble/member-00/epoch-001");
        Path fitted = tmp.resolve("fit-epoch-1");
        WorkflowCliTest.Run fit = run("laplace", "fit", "--model", model.toString(), "--device", device,
                "--adapter", checkpoint.toString(), "--data", trainFile.toString(), "--out", fitted.toString());
        assertThat(fit.code()).isZero();
        Path perEpoch = out.resolve("laplace/epoch-001");
        JsonNode a = json(perEpoch.resolve("manifest.json"));
        JsonNode b = json(fitted.resolve("manifest.json"));
        if (TestDevices.bitwiseReproducible()) {
            assertThat(Files.readAllBytes(perEpoch.resolve("posterior.safetensors")))
                    .isEqualTo(Files.readAllBytes(fitted.resolve("posterior.safetensors")));
            assertThat(a.get("log_evidence").asDouble()).isEqualTo(b.get("log_evidence").asDouble());
            assertThat(a.get("prior_precision").toString()).isEqualTo(b.get("prior_precision").toString());
        } else {
            double tol = TestDevices.float32Tolerance();
            assertThat(a.get("log_evidence").asDouble()).isCloseTo(b.get("log_evidence").asDouble(),
                    within(tol * Math.abs(b.get("log_evidence").asDouble())));
        }
    }

    @Test
    @Order(2)
    void evaluateLaplaceReadsThePerEpochPosteriorAndReportCombinesItsRows() throws Exception {
        Path out = tmp.resolve("eval-laplace");
        WorkflowCliTest.Run r = run("evaluate", "--model", model.toString(), "--device", device, "--laplace",
                tmp.resolve("ens/laplace/epoch-002").toString(), "--data", "in=" + evalFile, "--average", "logits",
                "--out", out.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("averaging: logits").contains("(averaging logits)");
        JsonNode ev = json(out.resolve("report.json")).get("evaluations").get(0);
        assertThat(ev.get("averaging").asText()).isEqualTo("logits");
        // the same posterior, data, batch size, seed 0, 100 logit samples and code path as train-ensemble's final
        // Laplace row: equal numbers
        JsonNode trained = evaluation(tmp.resolve("ens/report/report.json"), "Laplace kfac mc (member 0, epoch 2)",
                "in");
        for (String f : List.of("accuracy", "nll", "ece", "brier", "mean_predictive_entropy",
                "mean_mutual_information")) {
            if (TestDevices.bitwiseReproducible()) {
                assertThat(ev.get(f).asDouble()).as(f).isEqualTo(trained.get(f).asDouble());
            } else {
                assertThat(ev.get(f).asDouble()).as(f).isCloseTo(trained.get(f).asDouble(),
                        within(TestDevices.float32Tolerance()));
            }
        }

        Path combined = tmp.resolve("combined");
        WorkflowCliTest.Run rep = run("report", "--runs", out.toString(), tmp.resolve("ens").toString(), "--out",
                combined.toString());
        assertThat(rep.code()).isZero();
        assertThat(rep.out()).contains("Laplace kfac mc (member 0, epoch 1)")
                .contains("Laplace kfac mc (member 0, epoch 2)").contains("eval-laplace");
        String csv = Files.readString(combined.resolve("combined.csv"));
        assertThat(csv).contains("Laplace kfac mc (member 0, epoch 1)");
        long laplaceRows = csv.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("laplace kfac")).count();
        assertThat(laplaceRows).as("evaluate's row and train-ensemble's two epochs").isEqualTo(3);
    }

    @Test
    @Order(4)
    void swagFitsLaplaceOnItsAdapterAtEveryEpochAndEvaluatesItWithSwag() throws Exception {
        Path out = tmp.resolve("swag");
        WorkflowCliTest.Run r = run("swag", "--model", model.toString(), "--device", device, "--train",
                trainFile.toString(), "--epochs", "2", "--every", "2", "--lr", "3e-3", "--train-batch-size", "16",
                "--samples", "4", "--eval", "in=" + evalFile, "--laplace-per-epoch", "--laplace-link", "probit",
                "--average", "logits", "--out", out.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("swag (S=4)").contains("Laplace kfac probit (swag run's adapter, epoch 2)")
                .contains("adapter (MAP, epoch 2)").contains("averaging: logits");
        Path reportJson = out.resolve("report/report.json");
        assertThat(evaluation(reportJson, "swag (S=4)", "in").get("averaging").asText()).isEqualTo("logits");
        assertThat(evaluation(reportJson, "Laplace kfac probit (swag run's adapter, epoch 1)", "in")
                .get("samples").asInt()).as("probit: one point per prompt").isEqualTo(1);
        assertThat(json(reportJson).get("epoch_series").toString()).contains("Laplace").contains("adapter (MAP)");

        // the epoch-2 posterior is laplace fit's on that checkpoint with the same settings
        Path fitted = tmp.resolve("swag-fit-epoch-2");
        WorkflowCliTest.Run fit = run("laplace", "fit", "--model", model.toString(), "--device", device,
                "--adapter", out.resolve("checkpoints/epoch-002").toString(), "--data", trainFile.toString(), "--out",
                fitted.toString());
        assertThat(fit.code()).isZero();
        JsonNode a = json(out.resolve("laplace/epoch-002/manifest.json"));
        JsonNode b = json(fitted.resolve("manifest.json"));
        if (TestDevices.bitwiseReproducible()) {
            assertThat(Files.readAllBytes(out.resolve("laplace/epoch-002/posterior.safetensors")))
                    .isEqualTo(Files.readAllBytes(fitted.resolve("posterior.safetensors")));
            assertThat(a.get("log_evidence").asDouble()).isEqualTo(b.get("log_evidence").asDouble());
        } else {
            assertThat(a.get("log_evidence").asDouble()).isCloseTo(b.get("log_evidence").asDouble(),
                    within(TestDevices.float32Tolerance() * Math.abs(b.get("log_evidence").asDouble())));
        }
    }

    @Test
    @Order(3)
    void logitAveragingEqualsTheGeometricMeanOfTheMembersPredictions() throws Exception {
        // each member alone through predict (one adapter, its own forward), combined here by hand
        List<Map<String, double[]>> members = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            Path jsonl = tmp.resolve("member-" + m + ".jsonl");
            WorkflowCliTest.Run p = run("predict", "--model", model.toString(), "--device", device, "--adapter",
                    tmp.resolve(String.format("ens/ensemble-final/member-%02d", m)).toString(), "--data",
                    evalFile.toString(), "--out", jsonl.toString());
            assertThat(p.code()).isZero();
            Map<String, double[]> byId = new HashMap<>();
            for (String line : Files.readAllLines(jsonl)) {
                JsonNode row = WorkflowCliTest.JSON.readTree(line);
                double[] probs = new double[row.get("probabilities").size()];
                for (int c = 0; c < probs.length; c++) {
                    probs[c] = row.get("probabilities").get(c).asDouble();
                }
                byId.put(row.get("id").asText(), probs);
            }
            members.add(byId);
        }
        Path out = tmp.resolve("eval-logits");
        WorkflowCliTest.Run r = run("evaluate", "--model", model.toString(), "--device", device, "--ensemble",
                tmp.resolve("ens").toString(), "--data", "in=" + evalFile, "--average", "logits", "--out",
                out.toString());
        assertThat(r.code()).isZero();
        JsonNode ev = json(out.resolve("report.json")).get("evaluations").get(0);
        List<String> lines = Files.readAllLines(out.resolve(ev.get("examples_csv").asText()));
        List<String> header = List.of(lines.get(0).split(","));
        int first = header.indexOf("p_A");
        // the batched ensemble and a lone adapter agree to 1e-5 in float32 (docs/GUIDE.md, "Deep ensembles"); the
        // normalised geometric mean of two rows moves by at most about that much again
        double tol = 2e-5;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            double[] p0 = members.get(0).get(f[0]);
            double[] p1 = members.get(1).get(f[0]);
            double[] g = new double[p0.length];
            double sum = 0;
            for (int c = 0; c < g.length; c++) {
                g[c] = Math.sqrt(p0[c] * p1[c]);
                sum += g[c];
            }
            for (int c = 0; c < g.length; c++) {
                assertThat(Double.parseDouble(f[first + c])).as(f[0] + " class " + c).isCloseTo(g[c] / sum,
                        within(tol));
            }
        }
        // a bad value is a usage error naming the option
        WorkflowCliTest.Run bad = run("evaluate", "--model", model.toString(), "--ensemble",
                tmp.resolve("ens").toString(), "--data", evalFile.toString(), "--average", "median", "--out",
                tmp.resolve("bad").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--average").contains("median");
    }
}
