package ai.bayeslora.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicOutput#writeFolderOnce}: the first writer to finish wins, deterministically — the race is staged by
 * letting a second writer complete while the first is still filling its temporary folder.
 */
class AtomicOutputOnceTest {
    @TempDir
    Path dir;

    private long entries() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void aWriterThatFinishesSecondKeepsTheFirstOnesFolder() throws Exception {
        Path target = dir.resolve("cache-entry");
        boolean outer = AtomicOutput.writeFolderOnce(target, "test", tmp -> {
            Files.writeString(tmp.resolve("f"), "second");
            // another writer (thread or JVM) completes while this one is still writing
            boolean inner = AtomicOutput.writeFolderOnce(target, "test",
                    tmp2 -> Files.writeString(tmp2.resolve("f"), "first"));
            assertThat(inner).isTrue();
        });
        assertThat(outer).as("lost the race").isFalse();
        assertThat(Files.readString(target.resolve("f"))).isEqualTo("first"); // never replaced under a reader
        assertThat(entries()).as("the loser's temporary folder is gone").isEqualTo(1);
    }

    @Test
    void anExistingMarkedFolderIsKeptAndAnEmptyOneFilled() throws Exception {
        Path target = dir.resolve("entry");
        assertThat(AtomicOutput.writeFolderOnce(target, "test", t -> Files.writeString(t.resolve("f"), "a"))).isTrue();
        assertThat(AtomicOutput.writeFolderOnce(target, "test", t -> Files.writeString(t.resolve("f"), "b"))).isFalse();
        assertThat(Files.readString(target.resolve("f"))).isEqualTo("a");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThat(AtomicOutput.writeFolderOnce(empty, "test", t -> Files.writeString(t.resolve("f"), "c"))).isTrue();
        assertThat(Files.readString(empty.resolve("f"))).isEqualTo("c");
        assertThat(AtomicOutput.isMarked(empty)).isTrue();
    }

    @Test
    void neverTakesOverSomebodyElsesFolder() throws Exception {
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.writeString(theirs.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> AtomicOutput.writeFolderOnce(theirs, "test",
                t -> Files.writeString(t.resolve("f"), "x"))).isInstanceOf(OutputConflictException.class)
                .hasMessageContaining(theirs.toString());
        assertThat(Files.readString(theirs.resolve("notes.txt"))).isEqualTo("mine");
        assertThat(entries()).isEqualTo(1);
    }
}
