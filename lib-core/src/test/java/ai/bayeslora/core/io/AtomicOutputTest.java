package ai.bayeslora.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.io.AtomicOutput.Replace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
    @TempDir
    Path tmp;

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private long entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void filesGetTheUmasksPermissionsLikeAnyNewFile() throws IOException {
        Path reference = tmp.resolve("reference.txt");
        Files.writeString(reference, "x"); // what the umask gives a plain new file
        Path out = tmp.resolve("out.txt");
        AtomicOutput.writeString(out, "hello");
        assertThat(Files.readString(out)).isEqualTo("hello");
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(out);
        assertThat(perms).isEqualTo(Files.getPosixFilePermissions(reference));
        assertThat(perms).as("readable by others, unlike a temp file").contains(PosixFilePermission.OTHERS_READ);
        assertThat(entries(tmp)).as("no temporary sibling left").isEqualTo(2);
    }

    @Test
    void aFileIsNotWrittenOverAFolderNorAFolderOverAFile() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.writeString(dir.resolve("keep.txt"), "mine");
        assertThatThrownBy(() -> AtomicOutput.writeString(dir, "x")).isInstanceOf(OutputConflictException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("is a folder");
        Path file = tmp.resolve("notes.txt");
        Files.writeString(file, "precious");
        assertThatThrownBy(() -> AtomicOutput.writeFolder(file, "test", Replace.ANY, f -> { }))
                .isInstanceOf(OutputConflictException.class).hasMessageContaining("is a file");
        assertThat(Files.readString(file)).isEqualTo("precious");
        assertThat(Files.readString(dir.resolve("keep.txt"))).isEqualTo("mine");
    }

    @Test
    void aFolderOfSomebodyElsesFilesIsRefusedUnlessTheUserAsksToOverwrite() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("adapter"));
        Files.writeString(dir.resolve("adapter_model.safetensors"), "peft wrote this");
        assertThatThrownBy(() -> AtomicOutput.writeFolder(dir, "laplace-posterior", Replace.OWN,
                f -> Files.writeString(f.resolve("posterior.json"), "{}")))
                .isInstanceOf(OutputConflictException.class).hasMessageContaining("did not write")
                .hasMessageContaining("--overwrite");
        assertThat(Files.readString(dir.resolve("adapter_model.safetensors"))).isEqualTo("peft wrote this");

        AtomicOutput.writeFolder(dir, "laplace-posterior", Replace.ANY,
                f -> Files.writeString(f.resolve("posterior.json"), "{}"));
        assertThat(dir.resolve("adapter_model.safetensors")).doesNotExist();
        assertThat(dir.resolve("posterior.json")).exists();
        assertThat(AtomicOutput.isMarked(dir)).isTrue();
        assertThat(Files.readString(dir.resolve(AtomicOutput.MARKER))).contains("laplace-posterior");

        // now marked as ours: replaced without asking; an empty folder is fine too
        AtomicOutput.writeFolder(dir, "laplace-posterior", Replace.OWN,
                f -> Files.writeString(f.resolve("posterior.json"), "{\"v\":2}"));
        assertThat(Files.readString(dir.resolve("posterior.json"))).isEqualTo("{\"v\":2}");
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        AtomicOutput.writeFolder(empty, "report", Replace.OWN, f -> Files.writeString(f.resolve("r.html"), "r"));
        assertThat(empty.resolve("r.html")).exists();
    }

    @Test
    void aFailedFolderWriteLeavesThePreviousVersionAndNoLeftovers() throws IOException {
        Path dir = tmp.resolve("run");
        AtomicOutput.writeFolder(dir, "test", Replace.OWN, f -> Files.writeString(f.resolve("a.txt"), "v1"));
        assertThatThrownBy(() -> AtomicOutput.writeFolder(dir, "test", Replace.OWN, f -> {
            Files.writeString(f.resolve("a.txt"), "v2");
            throw new IOException("disk full");
        })).hasMessageContaining(dir.toString()).hasMessageContaining("disk full");
        assertThat(Files.readString(dir.resolve("a.txt"))).isEqualTo("v1");
        assertThat(entries(tmp)).as("only the folder itself").isEqualTo(1);
    }

    @Test
    void leftoversOfADeadProcessAreCleanedAndAnOldVersionIsRestored() throws Exception {
        long dead = deadPid();
        Path staleTmp = Files.createDirectory(tmp.resolve(".run.tmp-" + dead + "-7"));
        Files.writeString(staleTmp.resolve("half.bin"), "half");
        Path movedAside = Files.createDirectory(tmp.resolve(".run.old-" + dead + "-8"));
        Files.writeString(movedAside.resolve("a.txt"), "previous");
        Path live = Files.createDirectory(tmp.resolve(".run.tmp-" + ProcessHandle.current().pid() + "-9"));
        Path other = Files.createDirectory(tmp.resolve(".other.tmp-" + dead + "-1"));
        // a folder write nested in a staged one (an adapter saved into a checkpoint being written)
        Path nested = Files.createDirectory(tmp.resolve("..run.tmp-" + dead + "-7.tmp-" + dead + "-10"));

        AtomicOutput.cleanLeftovers(tmp, "run");
        assertThat(staleTmp).doesNotExist();
        assertThat(nested).as("the leftover of a nested write goes with its target's").doesNotExist();
        assertThat(Files.readString(tmp.resolve("run/a.txt"))).as("moved back").isEqualTo("previous");
        assertThat(live).as("a write in progress is left alone").exists();
        assertThat(other).as("another target's leftovers are not this write's business").exists();
    }
}
