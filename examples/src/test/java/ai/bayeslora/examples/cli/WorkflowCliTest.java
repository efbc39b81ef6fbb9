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
                "--lr", "3e-3", "--batch-size", "16", "--out", out.toString());
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
        assertThat(out.resolve("report/figures/entropy-ensemble-m-2-on-shifted-epoch-2.png")).isRegularFile();
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
                trainFile.toString(), "--members", "2", "--epochs", "2", "--lr", "3e-3", "--batch-size", "16",
                "--out", out.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("already exists").contains("--resume");

        Run r = run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train", trainFile.toString(),
                "--members", "2", "--epochs", "2", "--lr", "3e-3", "--batch-size", "16", "--out", out.toString(),
                "--resume");
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("member 0 has epoch 2; skipped").contains("member 1 continues from");
        assertThat(Files.readAllBytes(lost.resolve("adapter_model.safetensors"))).isEqualTo(weights); // bit-exact

        Run other = run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train",
                trainFile.toString(), "--members", "2", "--epochs", "2", "--lr", "1e-3", "--batch-size", "16",
                "--out", out.toString(), "--resume");
        assertThat(other.code()).isEqualTo(2);
        assertThat(other.err()).contains("run.json").contains("learning_rate");
    }

    static void deleteTree(Path p) throws Exception {
        try (var w = Files.walk(p)) {
            for (Path f : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
