package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workflow commands end to end on the tiny fixture model with tiny settings (64 training questions, M=2, 2 epochs):
 * train-ensemble, swag, evaluate, report, their --help, and bad input.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkflowCliTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path trainFile;
    static Path evalFile;
    static Path oodFile;
    static final ObjectMapper JSON = new ObjectMapper();

    /** stdout, stderr and the exit code of one CLI run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = BayesLoraCli.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        oldOut.println("$ bayeslora " + String.join(" ", args) + "\n" + r.out);
        if (code != 0) {
            oldErr.println("exit " + code + "\n--- stdout\n" + r.out + "\n--- stderr\n" + r.err);
        }
        return r;
    }

    static void writeJsonl(Path file, McqaDataset d, int n, boolean labels) throws Exception {
        List<String> lines = new ArrayList<>();
        for (McqaExample e : d.examples().subList(0, Math.min(n, d.size()))) {
            var o = JSON.createObjectNode();
            o.put("id", e.id());
            o.put("question", e.question());
            var c = o.putArray("choices");
            e.choices().forEach(c::add);
            if (labels) {
                o.put("answer", e.answer());
            }
            lines.add(JSON.writeValueAsString(o));
        }
        Files.write(file, lines);
    }

    @BeforeAll
    static void data() throws Exception {
        model = Fixtures.model("tiny-llama");
        trainFile = tmp.resolve("train.jsonl");
        evalFile = tmp.resolve("eval.jsonl");
        oodFile = tmp.resolve("ood.jsonl");
        writeJsonl(trainFile, BundledData.syntheticMcqaTrain(), 64, true);
        writeJsonl(evalFile, BundledData.syntheticMcqaDataset(), 32, true);
        writeJsonl(oodFile, BundledData.syntheticMcqaOod(), 32, true);
    }

    static JsonNode json(Path file) throws Exception {
        return JSON.readTree(file.toFile());
    }

    @Test
    @Order(1)
    void trainEnsembleWritesMembersFinalEnsembleAndPerEpochReport() throws Exception {
        Path out = tmp.resolve("ens");
        Run r = run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train", trainFile.toString(),
                "--eval", "in=" + evalFile, "--eval", "shifted=" + oodFile, "--members", "2", "--epochs", "2",
                "--lr", "3e-3", "--train-batch-size", "16", "--svg", "--out", out.toString());
        assertThat(r.code()).isZero();
        for (int m = 0; m < 2; m++) {
            for (int e = 1; e <= 2; e++) {
                assertThat(out.resolve(String.format("ensemble/member-%02d/epoch-%03d", m, e))).isDirectory();
            }
            assertThat(out.resolve(String.format("ensemble-final/member-%02d", m))).isDirectory();
        }
        assertThat(out.resolve("ensemble-final/ensemble.json")).isRegularFile();
        assertThat(out.resolve("report/report.html")).isRegularFile();
        JsonNode rep = json(out.resolve("report/report.json"));
        assertThat(rep.get("evaluations").get(0).get("ece_bins").asInt()).isEqualTo(15);
        assertThat(rep.get("epoch_series")).hasSize(6);
        assertThat(rep.get("ood_detection")).hasSize(2);
        // the ensemble paper's Figures 2-4: one grid per set and quantity, the epochs as its columns
        assertThat(out.resolve("report/figures/grid-entropy-ensemble-m-2-on-shifted.png")).isRegularFile();
        assertThat(out.resolve("report/figures/grid-mi-ensemble-m-2-on-in.svg")).isRegularFile();
        JsonNode grid = rep.get("histogram_grids").get(0);
        assertThat(grid.get("columns").toString()).isEqualTo("[\"epoch 1\",\"epoch 2\"]");
        assertThat(grid.get("cells").get(0).get("n").asInt() + grid.get("cells").get(2).get("n").asInt())
                .as("correct + incorrect at epoch 1").isEqualTo(32);
        JsonNode meta = rep.get("run");
        assertThat(meta.get("command").asText()).isEqualTo("train-ensemble");
        assertThat(meta.get("command_line").asText()).startsWith("bayeslora train-ensemble --model ")
                .contains(" --members 2 --epochs 2 ");
        assertThat(meta.get("model").get("architecture").asText()).isEqualTo("llama");
        assertThat(meta.get("model").get("parameters").asLong()).isPositive();
        assertThat(meta.get("model").get("fingerprint").asText()).hasSize(64);
        assertThat(meta.get("adapters").get(0).get("rank").asInt()).isEqualTo(8);
        assertThat(meta.get("seeds").get("member 1").isNumber()).isTrue();
        assertThat(meta.get("settings").get("members").asText()).isEqualTo("2");
        assertThat(meta.get("settings").get("ECE bins").asText()).isEqualTo("15");
        assertThat(meta.get("library_version").asText()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(Files.readString(out.resolve("report/report.html"))).contains("<h2 id=\"run\">Run metadata</h2>")
                .contains("<h2 id=\"figures\">Figures</h2>");
        assertThat(r.out()).contains("ensemble (M=2)").contains("report.html");
    }

    @Test
    @Order(2)
    void trainEnsembleResumeContinuesAnInterruptedMemberAndRefusesOtherSettings() throws Exception {
        Path out = tmp.resolve("ens");
        Path lost = out.resolve("ensemble/member-01/epoch-002");
        byte[] weights = Files.readAllBytes(lost.resolve("adapter_model.safetensors"));
        deleteTree(lost);
        Run again = run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train",
                trainFile.toString(), "--members", "2", "--epochs", "2", "--lr", "3e-3", "--train-batch-size", "16",
                "--out", out.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("holds an earlier train-ensemble run").contains("--resume");

        Run r = run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train", trainFile.toString(),
                "--members", "2", "--epochs", "2", "--lr", "3e-3", "--train-batch-size", "16", "--out", out.toString(),
                "--resume");
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("member 0 (seed 0): finished at epoch 2").contains("member 1 (seed 1): continues from");
        assertThat(Files.readAllBytes(lost.resolve("adapter_model.safetensors"))).isEqualTo(weights); // bit-exact

        Run other = run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train",
                trainFile.toString(), "--members", "2", "--epochs", "2", "--lr", "1e-3", "--train-batch-size", "16",
                "--out", out.toString(), "--resume");
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("run.json").contains("learning_rate");
    }

    @Test
    void interleavedRunResumesAfterTheLastEpochEveryMemberHas() throws Exception {
        Path out = tmp.resolve("interleaved");
        String[] args = {"train-ensemble", "--model", model.toString(), "--device", "cpu", "--train",
            trainFile.toString(), "--mode", "interleaved", "--members", "2", "--epochs", "2", "--lr", "3e-3",
            "--train-batch-size", "16", "--out", out.toString()};
        assertThat(run(args).code()).isZero();
        Path lost = out.resolve("ensemble/member-00/epoch-002"); // as if the run died while writing epoch 2
        byte[] weights = Files.readAllBytes(lost.resolve("adapter_model.safetensors"));
        deleteTree(lost);
        List<String> resume = new ArrayList<>(List.of(args));
        resume.add("--resume");
        Run r = run(resume.toArray(new String[0]));
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("Continuing the interleaved run from [member-00/epoch-001, member-01/epoch-001]");
        assertThat(Files.readAllBytes(lost.resolve("adapter_model.safetensors"))).isEqualTo(weights);
        assertThat(out.resolve("ensemble-final/ensemble.json")).isRegularFile();
    }

    @Test
    void balabanovPresetAppliesThePublishedProtocolAndOptionsOverrideIt() throws Exception {
        Path out = tmp.resolve("preset");
        Run r = run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train", trainFile.toString(),
                "--preset", "balabanov2024", "--members", "1", "--epochs", "1", "--eval", "in=" + evalFile,
                "--out", out.toString());
        assertThat(r.code()).isZero();
        JsonNode run = json(out.resolve("run.json"));
        assertThat(run.get("lora_rank").asInt()).isEqualTo(8);
        assertThat(run.get("lora_alpha").asDouble()).isEqualTo(32.0);
        assertThat(run.get("lora_dropout").asDouble()).isZero();
        assertThat(run.get("lora_targets").toString()).isEqualTo("[\"q_proj\",\"v_proj\"]");
        assertThat(run.get("learning_rate").asDouble()).isEqualTo(5e-6);
        assertThat(run.get("max_grad_norm").asDouble()).isEqualTo(0.3);
        assertThat(run.get("batch_size").asInt()).isEqualTo(8);
        assertThat(run.get("epochs").asInt()).isEqualTo(1); // --epochs overrides the preset's 10
        assertThat(run.get("reduction").asText()).isEqualTo("full-vocab");
        assertThat(run.get("prompt").asText()).as("the paper's own CQA format").isEqualTo("balabanov2024");
        assertThat(run.get("prior").asText()).containsIgnoringCase("1");
        JsonNode ev = json(out.resolve("report/report.json")).get("evaluations").get(0);
        assertThat(ev.get("classes").toString()).contains("other");
    }

    /** The numbers after the posterior's name in a Comparison table row. */
    static String[] tableRow(String out, String posterior) {
        for (String line : out.split("\n")) {
            if (line.startsWith(posterior + " ")) {
                return line.substring(posterior.length()).trim().split("\\s+");
            }
        }
        throw new AssertionError("no row for " + posterior + " in\n" + out);
    }

    static String f4(JsonNode v) {
        return String.format(Locale.ROOT, "%.4f", v.asDouble());
    }

    @Test
    @Order(3)
    void evaluateOnTheSavedEnsemblePrintsTheNumbersOfItsReportAndOfTheTrainingReport() throws Exception {
        Path out = tmp.resolve("eval-ens");
        Run r = run("evaluate", "--model", model.toString(), "--device", "cpu", "--ensemble",
                tmp.resolve("ens/ensemble-final").toString(), "--data", "in=" + evalFile, "--ood", oodFile.toString(),
                "--out", out.toString());
        assertThat(r.code()).isZero();
        assertThat(out.resolve("report.html")).isRegularFile();
        JsonNode ev = json(out.resolve("report.json")).get("evaluations").get(0);
        assertThat(ev.get("ece_bins").asInt()).isEqualTo(15);
        assertThat(ev.get("dataset").asText()).isEqualTo("in");
        JsonNode meta = json(out.resolve("report.json")).get("run");
        assertThat(meta.get("command").asText()).isEqualTo("evaluate");
        assertThat(meta.get("adapters").get(0).get("name").asText()).isEqualTo("ensemble members (2)");
        assertThat(meta.get("settings").get("prompt").asText()).isEqualTo("mmlu");
        assertThat(meta.get("seeds").get("sampling").asLong()).isZero();
        String[] row = tableRow(r.out(), "ensemble (M=2)");
        String[] fields = {"accuracy", "nll", "ece", "brier", "mean_predictive_entropy", "mean_mutual_information",
            "aurc"};
        for (int k = 0; k < fields.length; k++) {
            assertThat(row[k]).as(fields[k]).isEqualTo(f4(ev.get(fields[k])));
        }
        JsonNode ood = json(out.resolve("report.json")).get("ood_detection").get(0);
        assertThat(row[7]).isEqualTo(f4(ood.get("predictive entropy").get("auroc")));
        // the same ensemble at the final epoch in train-ensemble's report: the same numbers
        JsonNode trained = null;
        for (JsonNode e : json(tmp.resolve("ens/report/report.json")).get("evaluations")) {
            if (e.get("posterior").asText().equals("ensemble (M=2)") && e.get("dataset").asText().equals("in")) {
                trained = e;
            }
        }
        assertThat(trained).isNotNull();
        // the same members, data, batch size and code path, so the same operations on the same shapes: equal, not
        // close (report.json keeps every double exactly)
        for (String f : fields) {
            assertThat(trained.get(f).asDouble()).as(f).isEqualTo(ev.get(f).asDouble());
        }
    }

    @Test
    @Order(4)
    void swagTrainsSavesAdapterAndPosteriorThenEvaluatesWithSwagAndMcDropout() throws Exception {
        Path out = tmp.resolve("swag");
        Run r = run("swag", "--model", model.toString(), "--device", "cpu", "--train", trainFile.toString(),
                "--epochs", "2", "--every", "2", "--lr", "3e-3", "--train-batch-size", "16", "--samples", "4",
                "--out", out.toString());
        assertThat(r.code()).isZero();
        assertThat(out.resolve("adapter/adapter_config.json")).isRegularFile();
        assertThat(out.resolve("posterior/swag.json")).isRegularFile();
        assertThat(out.resolve("checkpoints/epoch-002")).isDirectory();
        assertThat(r.out()).contains("SWAG posterior: 4 snapshots");

        Run ev = run("evaluate", "--model", model.toString(), "--device", "cpu", "--swag", out.toString(),
                "--data", evalFile.toString(), "--out", tmp.resolve("eval-swag").toString());
        assertThat(ev.code()).isZero();
        assertThat(ev.out()).contains("swag (S=4)");
        assertThat(tmp.resolve("eval-swag/report.json")).isRegularFile();

        Run mc = run("evaluate", "--model", model.toString(), "--device", "cpu", "--mc-dropout", "--adapter",
                out.resolve("adapter").toString(), "--samples", "3", "--data", evalFile.toString(), "--out",
                tmp.resolve("eval-mc").toString());
        assertThat(mc.code()).isZero();
        assertThat(mc.out()).contains("mc-dropout (S=3");
    }

    @Test
    @Order(5)
    void reportCombinesSavedReports() throws Exception {
        Path out = tmp.resolve("combined");
        Run r = run("report", "--runs", tmp.resolve("eval-ens").toString(), tmp.resolve("eval-swag").toString(),
                tmp.resolve("ens").toString(), "--out", out.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("ensemble (M=2)").contains("swag (S=4)").contains("eval-swag")
                .contains("OOD detection");
        assertThat(out.resolve("combined.html")).isRegularFile();
        assertThat(Files.readString(out.resolve("combined.html"))).contains("swag (S=4)");
        assertThat(Files.readAllLines(out.resolve("combined.csv")).get(0)).startsWith("run,posterior,dataset");
    }

    @Test
    void everyWorkflowCommandHasHelp() {
        for (String cmd : List.of("train-ensemble", "swag", "evaluate", "report")) {
            Run r = run(cmd, "--help");
            assertThat(r.code()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).contains("Usage: bayeslora " + cmd);
        }
        assertThat(run("train-ensemble", "--help").out()).contains("balabanov2024").contains("#stem");
    }

    @Test
    void badInputExitsTwoNamingTheProblem() throws Exception {
        Path missing = tmp.resolve("no-such-train.jsonl");
        Run r = run("train-ensemble", "--model", model.toString(), "--train", missing.toString(), "--out",
                tmp.resolve("bad1").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains(missing.toString()).contains("not found");

        r = run("train-ensemble", "--model", model.toString(), "--train", trainFile.toString(), "--preset", "smith99");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--preset").contains("smith99").contains("balabanov2024");

        Path unlabelled = tmp.resolve("unlabelled.jsonl");
        writeJsonl(unlabelled, BundledData.syntheticMcqaDataset(), 4, false);
        r = run("evaluate", "--model", model.toString(), "--adapter", tmp.resolve("swag/adapter").toString(),
                "--data", unlabelled.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(unlabelled.toString()).contains("no answer");

        r = run("evaluate", "--model", model.toString(), "--ensemble", tmp.resolve("nowhere").toString(),
                "--data", evalFile.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("nowhere").contains("ensemble.json");

        r = run("evaluate", "--model", model.toString(), "--data", evalFile.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no posterior");

        r = run("report", "--runs", tmp.resolve("nothing-here").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("nothing-here").contains("report.json");

        r = run("train-ensemble", "--model", model.toString(), "--train", trainFile.toString(), "--eval",
                evalFile + "#stem", "--out", tmp.resolve("bad2").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("#stem").contains("no subject");
    }

    static void deleteTree(Path p) throws Exception {
        try (var w = Files.walk(p)) {
            for (Path f : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
