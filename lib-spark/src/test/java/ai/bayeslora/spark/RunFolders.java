package ai.bayeslora.spark;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Differences;
import ai.bayeslora.core.testing.TestDevices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Whole training folders compared file by file: the same files, the same bytes where the test device is bitwise
 * reproducible, else the same files and the same adapter weights to float32 rounding.
 */
final class RunFolders {
    private static final String ADAPTER_FILE = "adapter_model.safetensors";

    private RunFolders() {
    }

    /**
     * Asserts that {@code actual} holds the files of {@code expected} with the same bytes. Text files (JSON) may name
     * their own folder (checkpoint paths in the trainer state and metrics): each folder's absolute path is replaced
     * by {@code <RUN>} before the comparison. Library markers are compared by name only (they hold a process id).
     */
    static void assertSameFiles(Path expected, Path actual) {
        Map<String, Path> e = files(expected);
        Map<String, Path> a = files(actual);
        assertThat(a.keySet()).as("files of %s", actual).isEqualTo(e.keySet());
        for (String rel : e.keySet()) {
            if (Path.of(rel).getFileName().toString().equals(AtomicOutput.MARKER)) {
                continue;
            }
            byte[] eb = read(e.get(rel));
            byte[] ab = read(a.get(rel));
            if (rel.endsWith(".json")) {
                assertThat(text(ab, actual)).as(rel).isEqualTo(text(eb, expected));
            } else {
                assertThat(ab).as(rel).isEqualTo(eb);
            }
        }
    }

    /**
     * {@link #assertSameFiles} where the test device is bitwise reproducible (the CPU). On CUDA reruns agree only to
     * rounding (docs/DEVELOPING.md, "Devices"): the same files, and every adapter's tensors within
     * {@link TestDevices#float32Tolerance()} of the expected ones, relative to their largest entry.
     */
    static void assertSameRun(Path expected, Path actual) {
        if (TestDevices.bitwiseReproducible()) {
            assertSameFiles(expected, actual);
            return;
        }
        Map<String, Path> e = files(expected);
        Map<String, Path> a = files(actual);
        assertThat(a.keySet()).as("files of %s", actual).isEqualTo(e.keySet());
        int adapters = 0;
        for (String rel : e.keySet()) {
            if (Path.of(rel).getFileName().toString().equals(ADAPTER_FILE)) {
                assertThat(Differences.maxRelative(tensors(a.get(rel)), tensors(e.get(rel)))).as(rel)
                        .isLessThan(TestDevices.float32Tolerance());
                adapters++;
            }
        }
        assertThat(adapters).as("adapters in %s", expected).isPositive();
    }

    /** Every tensor of a safetensors file, by name order, as doubles (read on the CPU). */
    @SuppressWarnings("try")
    static double[] tensors(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope s = new PointerScope()) {
            Device cpu = new Device("cpu");
            return f.names().stream().sorted().flatMapToDouble(n -> java.util.Arrays.stream(
                    Tensors.toDoubles(f.tensor(n, ScalarType.Double, cpu)))).toArray();
        }
    }

    /** Every regular file's modification time, by relative path. */
    static Map<String, FileTime> modificationTimes(Path dir) {
        Map<String, FileTime> out = new TreeMap<>();
        files(dir).forEach((rel, p) -> {
            try {
                out.put(rel, Files.getLastModifiedTime(p));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        return out;
    }

    /** Regular files under {@code dir} by relative path (hidden temporary siblings would show up here too). */
    static Map<String, Path> files(Path dir) {
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> out.put(dir.relativize(p).toString(), p));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out;
    }

    private static String text(byte[] bytes, Path root) {
        return new String(bytes, StandardCharsets.UTF_8).replace(root.toAbsolutePath().toString(), "<RUN>");
    }

    /** {@return the bytes of {@code p}} */
    static byte[] bytes(Path p) {
        return read(p);
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
