package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import ai.bayeslora.core.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end CLI runs checked against the transformers / peft reference outputs. */
class CliTest {
    @TempDir
    Path tmp;

    private static String capture(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    /** Writes the fixture's input tensors to IN.safetensors, optionally dropping position_ids. */
    private Path inputsFrom(Path reference, boolean withPositions) {
        Path in = tmp.resolve("in.safetensors");
        try (SafetensorsFile ref = SafetensorsFile.open(reference); PointerScope s = new PointerScope()) {
            Map<String, org.bytedeco.pytorch.Tensor> m = new java.util.TreeMap<>();
            m.put("input_ids", ref.tensor("input_ids"));
            m.put("attention_mask", ref.tensor("attention_mask"));
            if (withPositions) {
                m.put("position_ids", ref.tensor("position_ids"));
            }
            SafetensorsWriter.write(in, m, Map.of());
        }
        return in;
    }

    @Test
    void logitsCommandMatchesTransformersForEachFamily() {
        for (String name : List.of("tiny-llama", "tiny-mistral", "tiny-qwen2")) {
            Path ref = Fixtures.model(name).resolve("reference_logits.safetensors");
            Path out = tmp.resolve(name + "-logits.safetensors");
            int code = BayesLoraCli.run("logits", "--model", Fixtures.model(name).toString(), "--device", "cpu",
                    "--inputs", inputsFrom(ref, name.equals("tiny-llama")).toString(), "--out", out.toString(),
                    "--eval-batch-size", "2");
            assertThat(code).isZero();
            try (SafetensorsFile got = SafetensorsFile.open(out); SafetensorsFile want = SafetensorsFile.open(ref);
                 PointerScope s = new PointerScope()) {
                assertThat(Tensors.maxAbsDiff(got.tensor("logits"), want.tensor("logits"))).as(name).isLessThan(1e-4);
            }
        }
    }

    @Test
    void logitsCommandWithPeftAdapterAndFloat64MatchesPeft() {
        Path adapter = Fixtures.path("lora/tiny-llama-lora-r4");
        Path ref = adapter.resolve("reference.safetensors");
        Path out = tmp.resolve("lora-logits.safetensors");
        int code = BayesLoraCli.run("logits", "--model", Fixtures.model("tiny-llama").toString(), "--adapter",
                adapter.toString(), "--dtype", "float64", "--device", "cpu", "--inputs", inputsFrom(ref, true).toString(),
                "--out", out.toString());
        assertThat(code).isZero();
        try (SafetensorsFile got = SafetensorsFile.open(out); SafetensorsFile want = SafetensorsFile.open(ref);
             PointerScope s = new PointerScope()) {
            assertThat(got.info("logits").dtype().name()).isEqualTo("F32");
            assertThat(Tensors.maxAbsDiff(got.tensor("logits"), want.tensor("logits"))).isLessThan(1e-4);
        }
    }

    @Test
    void logitsCommandRejectsIdsOutsideTheVocabulary() throws Exception {
        Path in = tmp.resolve("bad.safetensors");
        try (PointerScope s = new PointerScope()) {
            SafetensorsWriter.write(in, Map.of("input_ids", Tensors.ofLongs(new long[] {1, 2, 999}, 1, 3)), Map.of());
        }
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = BayesLoraCli.run("logits", "--model", Fixtures.model("tiny-llama").toString(), "--device", "cpu",
                    "--inputs", in.toString(), "--out", tmp.resolve("o.safetensors").toString());
        } finally {
            System.setErr(oldErr);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("input_ids").contains("999").contains("400")
                .contains(in.toString());
        assertThat(Files.exists(tmp.resolve("o.safetensors"))).isFalse();
    }

    @Test
    void predictWithNoArgumentsRunsTheBundledModelAndData() throws Exception {
        Path jsonl = tmp.resolve("pred.jsonl");
        String out = capture(() -> assertThat(BayesLoraCli.run("predict", "--device", "cpu", "--out",
                jsonl.toString())).isZero());
        assertThat(out).contains("p(A)").contains("64 questions").contains("accuracy");
        List<String> lines = Files.readAllLines(jsonl);
        assertThat(lines).hasSize(64);
        assertThat(lines.get(0)).contains("\"probabilities\"").contains("\"entropy\"").contains("\"predicted\"");
    }
}
