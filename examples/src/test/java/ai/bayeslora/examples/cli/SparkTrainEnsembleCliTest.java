package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Differences;
import ai.bayeslora.core.testing.TestDevices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bayeslora spark train-ensemble --master local[2]} against {@code bayeslora train-ensemble} on the same data,
 * options and seeds: the same libtorch CPU operations in the same order on the same shapes (docs/DEVELOPING.md,
 * "Threading"), so on the CPU every checkpoint and the final ensemble must be equal byte for byte; run.json too (the
 * two commands' runs are interchangeable under --resume). On CUDA, where reruns agree only to rounding
 * ({@link TestDevices#bitwiseReproducible()}), the runs hold the same files, the same run.json and adapters within
 * {@link TestDevices#float32Tolerance()}; both run in float32 there (CUDA's default would be bfloat16).
 */
class SparkTrainEnsembleCliTest {
    @TempDir
    Path tmp;

    private String[] args(String... head) {
        String[] common = {"--model", BundledData.tinyLlamaModel().toString(), "--device",
            TestDevices.device().name(), "--dtype", "float32", "--train",
            BundledData.syntheticMcqa().toString(), "--members", "2", "--epochs", "2", "--lr", "3e-3",
            "--train-batch-size", "16", "--dropout", "0.1", "--seed", "5"};
        String[] all = new String[head.length + common.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(common, 0, all, head.length, common.length);
        return all;
    }

    @Test
    void sparkMembersEqualTrainEnsembleMembers() throws IOException {
        Path local = tmp.resolve("local");
        Path spark = tmp.resolve("spark");
        WorkflowCliTest.Run a = WorkflowCliTest.run(args("train-ensemble", "--out", local.toString()));
        assertThat(a.code()).as(a.err()).isZero();
        WorkflowCliTest.Run b = WorkflowCliTest.run(args("spark", "train-ensemble", "--master", "local[2]", "--out",
                spark.toString()));
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.err()).contains("member 0: trained, 2 epochs", "member 1: trained, 2 epochs");

        Map<String, String> expected = contents(local);
        assertThat(expected).containsKeys("ensemble/member-00/epoch-001/adapter_model.safetensors",
                "ensemble/member-01/epoch-002/adapter_model.safetensors", "ensemble-final/ensemble.json",
                "ensemble-final/member-01/adapter_model.safetensors", "run.json");
        Map<String, String> trained = contents(spark);
        assertSameRun(local, spark, expected, trained);
        assertThat(expected.get("ensemble/member-00/epoch-002/adapter_model.safetensors"))
                .isNotEqualTo(expected.get("ensemble/member-01/epoch-002/adapter_model.safetensors"));

        // --resume of the finished run: nothing trained, the same bytes (on every device)
        WorkflowCliTest.Run c = WorkflowCliTest.run(args("spark", "train-ensemble", "--master", "local[2]",
                "--resume", "--out", spark.toString()));
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).contains("member 0: finished in an earlier run", "member 1: finished in an earlier run");
        assertThat(contents(spark)).isEqualTo(trained);
    }

    /**
     * The same contents where the test device is bitwise reproducible; elsewhere the same files, the same run.json,
     * and every adapter within {@link TestDevices#float32Tolerance()} relative to its largest entry.
     */
    private static void assertSameRun(Path expectedDir, Path actualDir, Map<String, String> expected,
            Map<String, String> actual) {
        if (TestDevices.bitwiseReproducible()) {
            assertThat(actual).isEqualTo(expected);
            return;
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        assertThat(actual.get("run.json")).isEqualTo(expected.get("run.json"));
        for (String rel : expected.keySet()) {
            if (rel.endsWith("/adapter_model.safetensors")) {
                assertThat(Differences.maxRelative(tensors(actualDir.resolve(rel)), tensors(expectedDir.resolve(rel))))
                        .as(rel).isLessThan(TestDevices.float32Tolerance());
            }
        }
    }

    /** Every tensor of a safetensors file, by name order, as doubles (read on the CPU). */
    @SuppressWarnings("try")
    private static double[] tensors(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope s = new PointerScope()) {
            Device cpu = new Device("cpu");
            return f.names().stream().sorted().flatMapToDouble(n -> java.util.Arrays.stream(
                    Tensors.toDoubles(f.tensor(n, ScalarType.Double, cpu)))).toArray();
        }
    }

    @Test
    void badInputExitsWithCode2AndOneLine() throws IOException {
        Path theirs = tmp.resolve("theirs");
        Files.createDirectories(theirs);
        Files.writeString(theirs.resolve("notes.txt"), "mine");
        WorkflowCliTest.Run r = WorkflowCliTest.run(args("spark", "train-ensemble", "--master", "local[2]",
                "--out", theirs.toString()));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("error: ").contains("did not write").doesNotContain("\tat ");
        assertThat(theirs.resolve("notes.txt")).hasContent("mine");

        WorkflowCliTest.Run i = WorkflowCliTest.run(args("spark", "train-ensemble", "--master", "local[2]",
                "--mode", "interleaved", "--out", tmp.resolve("x").toString()));
        assertThat(i.code()).isEqualTo(2);
        assertThat(i.err()).contains("--mode interleaved");
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void aTaskErrorInsideSparksJobFailureIsTheUsersError() {
        var cause = new ai.bayeslora.lora.train.TrainerStateException("member-00/epoch-001/trainer_state.json: "
                + "field 'config' differs");
        var failure = new org.apache.spark.SparkException("Job aborted due to stage failure: Task 0 in stage 3.0 "
                + "failed 4 times", new RuntimeException("wrapped", cause));
        RuntimeException seen = SparkTrainEnsembleCommand.userError(failure);
        assertThat(seen).isSameAs(cause);
        assertThat(BayesLoraCli.isUserError(seen)).isTrue();
        var internal = new org.apache.spark.SparkException("Job aborted", new NullPointerException());
        assertThat(BayesLoraCli.isUserError(SparkTrainEnsembleCommand.userError(internal))).isFalse();
    }

    /**
     * Every file under {@code dir} by relative path: the bytes (as hex) of binary files, the text of JSON files with
     * {@code dir}'s absolute path replaced (checkpoint paths), nothing for library markers (they hold a process id).
     */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                String rel = dir.relativize(p).toString();
                byte[] bytes = Files.readAllBytes(p);
                if (p.getFileName().toString().equals(AtomicOutput.MARKER)) {
                    out.put(rel, "marker");
                } else if (rel.endsWith(".json")) {
                    out.put(rel, new String(bytes, StandardCharsets.UTF_8)
                            .replace(dir.toAbsolutePath().toString(), "<OUT>"));
                } else {
                    out.put(rel, java.util.HexFormat.of().formatHex(bytes));
                }
            }
        }
        return out;
    }
}
