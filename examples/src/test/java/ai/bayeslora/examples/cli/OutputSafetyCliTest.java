package ai.bayeslora.examples.cli;

import static ai.bayeslora.examples.cli.WorkflowCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.examples.cli.WorkflowCliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI never loses a user's file: every case of the output-safety report (issue 11, "Loses data") is refused with
 * exit 2 and a one-line message before any work, and what was there is byte-for-byte what it was.
 */
class OutputSafetyCliTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    private static Path model;
    private static Path data;

    @BeforeAll
    static void setUp() throws Exception {
        model = Fixtures.model("tiny-llama");
        data = shared.resolve("data.jsonl");
        WorkflowCliTest.writeJsonl(data, BundledData.syntheticMcqaDataset(), 8, true);
    }

    /** Every regular file under {@code dir} with its bytes (the snapshot a run must leave alone). */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (Files.isRegularFile(dir)) {
            out.put("", new String(Files.readAllBytes(dir), java.nio.charset.StandardCharsets.ISO_8859_1));
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                out.put(dir.relativize(p).toString(), new String(Files.readAllBytes(p),
                        java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    private Path adapterCopy() throws IOException {
        Path ad = tmp.resolve("ad");
        Files.createDirectories(ad);
        try (Stream<Path> s = Files.list(Fixtures.path("lora/tiny-llama-lora-r4"))) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.copy(f, ad.resolve(f.getFileName()));
            }
        }
        return ad;
    }

    private static void assertRefused(Run r, String... phrases) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines().count()).as("one line: " + r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: ").contains(phrases);
    }

    @Test
    void laplaceFitDoesNotWriteOverItsOwnAdapter() throws IOException {
        Path ad = adapterCopy();
        Map<String, String> before = snapshot(ad);
        Run r = run("laplace", "fit", "--model", model.toString(), "--adapter", ad.toString(), "--data",
                data.toString(), "--limit", "8", "--prior-precision", "1", "--device", "cpu", "--out", ad.toString());
        assertRefused(r, "--out", "also an input");
        assertThat(snapshot(ad)).isEqualTo(before);
        // --overwrite does not make an input writable
        Run forced = run("laplace", "fit", "--model", model.toString(), "--adapter", ad.toString(), "--data",
                data.toString(), "--limit", "8", "--prior-precision", "1", "--device", "cpu", "--out", ad.toString(),
                "--overwrite");
        assertRefused(forced, "also an input");
        assertThat(snapshot(ad)).isEqualTo(before);
    }

    @Test
    void aFolderOfOtherFilesIsReplacedOnlyWithOverwrite() throws IOException {
        Path ad = adapterCopy();
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "precious");
        String[] fit = {"laplace", "fit", "--model", model.toString(), "--adapter", ad.toString(), "--data",
            data.toString(), "--limit", "8", "--prior-precision", "1", "--device", "cpu", "--out", out.toString()};
        assertRefused(run(fit), "did not write", "--overwrite");
        assertThat(Files.readString(out.resolve("notes.txt"))).isEqualTo("precious");
        String[] forced = java.util.Arrays.copyOf(fit, fit.length + 1);
        forced[fit.length] = "--overwrite";
        assertThat(run(forced).code()).isZero();
        assertThat(out.resolve("notes.txt")).doesNotExist();
        assertThat(AtomicOutput.markerKind(out)).contains("laplace-posterior");
        assertThat(run(fit).code()).as("now the folder is ours: a refit replaces it").isZero();
    }

    @Test
    void evaluateDoesNotTurnAFileIntoAFolder() throws IOException {
        Path notes = tmp.resolve("notes.txt");
        Files.writeString(notes, "precious");
        Run r = run("evaluate", "--model", model.toString(), "--device", "cpu", "--mc-dropout", "--adapter",
                adapterCopy().toString(), "--data", data.toString(), "--out", notes.toString());
        assertRefused(r, notes.toString(), "is a file");
        assertThat(Files.readString(notes)).isEqualTo("precious");
    }

    @Test
    void trainEnsembleKeepsAnEarlierRunEvenWithoutItsEnsembleFolder() throws IOException {
        Path out = tmp.resolve("run");
        String[] args = {"train-ensemble", "--model", model.toString(), "--device", "cpu", "--train",
            data.toString(), "--members", "1", "--epochs", "1", "--train-batch-size", "8", "--out", out.toString()};
        assertThat(run(args).code()).isZero();
        AtomicOutput.deleteQuietly(out.resolve("ensemble")); // the old guard looked only at this folder
        Map<String, String> before = snapshot(out);
        assertRefused(run(args), "earlier train-ensemble run", "--resume", "--overwrite");
        assertThat(snapshot(out)).isEqualTo(before);
    }

    @Test
    void aRunFolderOfAnotherCommandIsNotResumedOrReused() throws IOException {
        Path out = tmp.resolve("q");
        Files.createDirectories(out);
        AtomicOutput.mark(out, "cli:swag");
        Files.writeString(out.resolve("run.json"), "{}");
        Map<String, String> before = snapshot(out);
        assertRefused(run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train",
                data.toString(), "--members", "1", "--epochs", "1", "--out", out.toString(), "--resume"),
                "not written by train-ensemble");
        assertRefused(run("train-ensemble", "--model", model.toString(), "--device", "cpu", "--train",
                data.toString(), "--members", "1", "--epochs", "1", "--out", out.toString()), "swag");
        assertThat(snapshot(out)).isEqualTo(before);
    }

    @Test
    void predictAndLogitsDoNotWriteOverTheirInputsAndCheckBeforeWorking() throws IOException {
        Path copy = tmp.resolve("data.jsonl");
        Files.copy(data, copy);
        Map<String, String> before = snapshot(copy);
        assertRefused(run("predict", "--model", model.toString(), "--device", "cpu", "--data", copy.toString(),
                "--out", copy.toString()), "also an input");
        assertThat(snapshot(copy)).isEqualTo(before);

        Path inputs = tmp.resolve("in.safetensors");
        Files.copy(Fixtures.model("tiny-llama").resolve("reference_logits.safetensors"), inputs);
        Map<String, String> in = snapshot(inputs);
        assertRefused(run("logits", "--model", model.toString(), "--device", "cpu", "--inputs", inputs.toString(),
                "--out", inputs.toString()), "also an input");
        assertThat(snapshot(inputs)).isEqualTo(in);

        // an unwritable place is reported before the model is loaded (nothing is computed first): below a file,
        // and (when not running as root) in a read-only folder
        Path file = Files.writeString(tmp.resolve("plain.txt"), "x");
        Run below = run("predict", "--model", model.toString(), "--device", "cpu", "--data", copy.toString(),
                "--out", file.resolve("p.jsonl").toString());
        assertRefused(below, "cannot write there");
        assertThat(below.out()).doesNotContain("questions");
        Path locked = Files.createDirectories(tmp.resolve("locked"));
        Files.setPosixFilePermissions(locked, Set.of(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_EXECUTE));
        try {
            if (!Files.isWritable(locked)) { // root can write anywhere: then there is nothing to check
                Run r = run("predict", "--model", model.toString(), "--device", "cpu", "--data", copy.toString(),
                        "--out", locked.resolve("p.jsonl").toString());
                assertRefused(r, "cannot write there");
                assertThat(r.out()).doesNotContain("questions");
            }
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void anExistingFileOutputNeedsOverwriteAndOutputsGetTheUmasksPermissions() throws IOException {
        Path out = tmp.resolve("p.jsonl");
        assertThat(run("predict", "--model", model.toString(), "--device", "cpu", "--data", data.toString(),
                "--out", out.toString()).code()).isZero();
        Path reference = tmp.resolve("reference.txt");
        Files.writeString(reference, "x");
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(reference));
        Map<String, String> before = snapshot(out);
        assertRefused(run("predict", "--model", model.toString(), "--device", "cpu", "--data", data.toString(),
                "--out", out.toString()), "exists", "--overwrite");
        assertThat(snapshot(out)).isEqualTo(before);
        assertThat(run("predict", "--model", model.toString(), "--device", "cpu", "--data", data.toString(),
                "--out", out.toString(), "--overwrite").code()).isZero();
    }
}
