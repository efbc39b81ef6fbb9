package ai.bayeslora.lora.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a folder atomically: the content goes to a hidden sibling folder, which is then renamed into place (an
 * existing folder is first renamed aside and deleted after). A failed write leaves the target as it was.
 */
public final class AtomicFolder {
    private AtomicFolder() {
    }

    /** Fills a folder's content. */
    @FunctionalInterface
    public interface Writer {
        void write(Path folder) throws IOException;
    }

    /** Runs {@code writer} on a temporary sibling of {@code dir}, then moves it to {@code dir}. */
    public static void write(Path dir, Writer writer) throws IOException {
        Path abs = dir.toAbsolutePath();
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IOException("parent folder of " + dir + " does not exist");
        }
        Path tmp = parent.resolve("." + abs.getFileName() + ".tmp-" + System.nanoTime());
        try {
            Files.createDirectory(tmp);
            writer.write(tmp);
            if (Files.exists(abs)) {
                Path old = parent.resolve("." + abs.getFileName() + ".old-" + System.nanoTime());
                Files.move(abs, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
                deleteQuietly(old);
            } else {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static void deleteQuietly(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // best effort: a leftover hidden folder does not affect the target
        }
    }
}
