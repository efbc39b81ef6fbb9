package ai.bayeslora.core.io;

import ai.bayeslora.core.BayesLoraException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the library writes files and folders: content goes to a hidden sibling ({@code .NAME.tmp-PID-N}) and is
 * renamed into place, so a reader never sees half a file and a crash leaves the previous version. Files are created
 * with {@code CREATE_NEW}, so they get 0666 minus the user's umask (0644 usually), like any other tool's output.
 *
 * <p>Folders carry a marker file, {@value #MARKER}, that says what wrote them. A folder is replaced only if it is
 * empty or carries a marker: a folder of somebody else's files is refused, never deleted
 * ({@link OutputConflictException}), unless the caller passes {@link Replace#ANY} (the CLI's {@code --overwrite}).
 *
 * <p>Leftovers of an interrupted write are cleaned before the next write to the same place: temporary siblings of a
 * process that is gone are deleted; an old version that was moved aside but not yet replaced
 * ({@code .NAME.old-PID-N} with no {@code NAME}) is moved back.
 */
public final class AtomicOutput {
    /** The marker file in every folder the library writes. */
    public static final String MARKER = ".bayeslora-output.json";

    private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();
    private static final Pattern LEFTOVER = Pattern.compile("\\.(.+)\\.(tmp|old)-(\\d+)-(\\d+)");

    /** Which existing folder a folder write may replace. */
    public enum Replace {
        /** An empty folder or one with the library's marker (the default). */
        OWN,
        /** Any folder (the user asked to overwrite). */
        ANY
    }

    /** Writes a file's bytes. */
    @FunctionalInterface
    public interface StreamWriter {
        /**
         * @param out the temporary file's stream
         * @throws IOException on a write error
         */
        void write(OutputStream out) throws IOException;
    }

    /** Writes a file through its channel (large binary payloads). */
    @FunctionalInterface
    public interface ChannelWriter {
        /**
         * @param channel the temporary file's channel, positioned at 0
         * @throws IOException on a write error
         */
        void write(FileChannel channel) throws IOException;
    }

    /** Fills a folder. */
    @FunctionalInterface
    public interface FolderWriter {
        /**
         * @param folder the empty temporary folder
         * @throws IOException on a write error
         */
        void write(Path folder) throws IOException;
    }

    private AtomicOutput() {
    }

    /**
     * Writes {@code file} atomically, replacing a regular file of that name.
     *
     * @param file the target
     * @param writer writes the content
     * @throws OutputConflictException if {@code file} is a folder
     * @throws BayesLoraException naming the file on an I/O error
     */
    public static void writeFile(Path file, StreamWriter writer) {
        writeChannel(file, ch -> {
            OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
            writer.write(out);
            out.flush();
        });
    }

    /**
     * Writes {@code text} as UTF-8 to {@code file} atomically.
     *
     * @param file the target
     * @param text the content
     */
    public static void writeString(Path file, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeFile(file, out -> out.write(bytes));
    }

    /**
     * Writes {@code file} atomically through a file channel, replacing a regular file of that name.
     *
     * @param file the target
     * @param writer writes the content
     * @throws OutputConflictException if {@code file} is a folder
     * @throws BayesLoraException naming the file on an I/O error
     */
    public static void writeChannel(Path file, ChannelWriter writer) {
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new OutputConflictException(target + " is a folder; a file goes there. Choose another path.");
        }
        Path parent = parentOf(target);
        cleanLeftovers(parent, target.getFileName().toString());
        Path tmp = sibling(target, "tmp");
        boolean moved = false;
        try {
            Files.createDirectories(parent);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.write(ch);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } catch (IOException e) {
            throw new BayesLoraException("cannot write " + target + ": " + describe(e), e);
        } finally {
            if (!moved) {
                deleteQuietly(tmp);
            }
        }
    }

    /**
     * Writes the folder {@code dir} atomically: {@code writer} fills a temporary sibling, the marker is added, and it
     * replaces {@code dir} (the old version is moved aside first, then deleted).
     *
     * @param dir the target folder
     * @param kind what the folder is, for the marker (for example "lora-adapter", "laplace-posterior")
     * @param replace which existing folder may be replaced
     * @param writer fills the folder
     * @throws OutputConflictException if {@code dir} is a regular file, or a folder of files the library did not
     *     write and {@code replace} is {@link Replace#OWN}
     * @throws BayesLoraException naming the folder on an I/O error
     */
    public static void writeFolder(Path dir, String kind, Replace replace, FolderWriter writer) {
        Path target = dir.toAbsolutePath();
        checkFolderTarget(target, replace);
        Path parent = parentOf(target);
        cleanLeftovers(parent, target.getFileName().toString());
        Path tmp = sibling(target, "tmp");
        try {
            Files.createDirectories(parent);
            Files.createDirectory(tmp);
            writer.write(tmp);
            writeMarker(tmp, kind);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Path old = sibling(target, "old");
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteQuietly(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new BayesLoraException("cannot write " + target + ": " + describe(e), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * Writes the folder {@code dir} unless somebody else does first: {@code writer} fills a temporary sibling, the
     * marker is added, and it is renamed to {@code dir} without replacing anything. When another thread or process
     * created {@code dir} in the meantime (a marked folder is there), this copy is discarded and the other one kept,
     * so a reader never sees the folder vanish or change (for content-addressed caches, where every writer writes
     * the same bytes).
     *
     * @param dir the target folder
     * @param kind what the folder is, for the marker
     * @param writer fills the folder
     * @return true if this call created {@code dir}, false if a marked folder was already there (or arrived first)
     * @throws OutputConflictException if {@code dir} is a file, or a folder the library did not write
     * @throws BayesLoraException naming the folder on an I/O error
     */
    public static boolean writeFolderOnce(Path dir, String kind, FolderWriter writer) {
        Path target = dir.toAbsolutePath();
        if (isMarked(target)) {
            return false;
        }
        checkFolderTarget(target, Replace.OWN);
        Path parent = parentOf(target);
        cleanLeftovers(parent, target.getFileName().toString());
        Path tmp = sibling(target, "tmp");
        try {
            Files.createDirectories(parent);
            Files.createDirectory(tmp);
            writer.write(tmp);
            writeMarker(tmp, kind);
            if (isEmptyFolder(target)) {
                Files.deleteIfExists(target); // an empty folder is no one's copy; rename(2) would replace it anyway
            }
            // rename(2) without REPLACE_EXISTING: fails when another writer's non-empty folder is already there
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            deleteQuietly(tmp);
            if (isMarked(target)) {
                return false; // another writer won the race; its folder holds the same content
            }
            throw new BayesLoraException("cannot write " + target + ": " + describe(e), e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private static boolean isEmptyFolder(Path dir) {
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && isEmpty(dir);
    }

    /**
     * Checks, before any work, that {@code dir} can become a folder this library writes: not a regular file, and
     * either absent, empty, marked as the library's, or {@code replace} is {@link Replace#ANY}.
     *
     * @param dir the intended output folder
     * @param replace which existing folder may be replaced
     * @throws OutputConflictException naming the path and the way out
     */
    public static void checkFolderTarget(Path dir, Replace replace) {
        Path target = dir.toAbsolutePath();
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new OutputConflictException(target + " is a file; a folder goes there. Choose another path (the "
                    + "file is left as it is).");
        }
        if (replace == Replace.OWN && Files.isDirectory(target) && !isEmpty(target) && !isMarked(target)) {
            throw new OutputConflictException(target + " is a folder of files BayesLoRA4J did not write; refusing to "
                    + "replace it. Choose another folder, or pass --overwrite to replace it.");
        }
    }

    /**
     * {@return whether {@code dir} carries the library's marker}
     *
     * @param dir the intended output folder
     */
    public static boolean isMarked(Path dir) {
        return Files.isRegularFile(dir.resolve(MARKER));
    }

    /**
     * Writes the marker into {@code dir} (for folders the library fills in place, such as a run folder).
     *
     * @param dir the folder
     * @param kind what it is
     */
    public static void mark(Path dir, String kind) {
        try {
            writeMarker(dir, kind);
        } catch (IOException e) {
            throw new BayesLoraException("cannot write " + dir.resolve(MARKER) + ": " + describe(e), e);
        }
    }

    /**
     * What wrote {@code dir}, from its marker: the {@code kind} given to {@link #writeFolder} or {@link #mark}.
     *
     * @param dir a folder
     * @return the kind, or empty when the folder has no readable marker
     */
    public static java.util.Optional<String> markerKind(Path dir) {
        Path file = dir.resolve(MARKER);
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        try {
            String kind = JSON.readTree(file.toFile()).path("kind").asText("");
            return kind.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(kind);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The content of a {@value #MARKER} file, for folders written through other file systems (a Hadoop URI) that
     * must carry the same marker.
     *
     * @param kind what the folder is
     * @return the marker's JSON bytes
     */
    public static byte[] markerBytes(String kind) {
        ObjectNode m = JSON.createObjectNode().put("written_by", "BayesLoRA4J").put("kind", kind)
                .put("created", Instant.now().toString());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of three strings always serialises
        }
    }

    private static void writeMarker(Path dir, String kind) throws IOException {
        Path file = dir.resolve(MARKER);
        Path tmp = dir.resolve(MARKER + ".tmp-" + PID + "-" + COUNTER.incrementAndGet());
        Files.write(tmp, markerBytes(kind), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Cleans what interrupted writes of {@code name} left in {@code parent}: temporary siblings of processes that are
     * gone are deleted, and an old version moved aside without its replacement arriving is moved back.
     *
     * @param parent the folder
     * @param name the target's file name
     */
    public static void cleanLeftovers(Path parent, String name) {
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, ".*")) {
            for (Path p : ds) {
                // a leftover of this target, or of a write nested in one (a folder filled by another atomic write)
                String n = p.getFileName().toString();
                Matcher m = LEFTOVER.matcher(n);
                if (!m.matches()) {
                    continue;
                }
                boolean nested = false;
                boolean alive = false;
                String target = n;
                Matcher layer = m;
                while (layer.matches()) {
                    long pid = Long.parseLong(layer.group(3));
                    alive |= pid == PID || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
                    target = layer.group(1);
                    layer = LEFTOVER.matcher(target);
                    nested |= layer.matches();
                }
                if (!target.equals(name) || alive) {
                    continue; // another target's, or a write in progress (this process or another)
                }
                Path dest = parent.resolve(name);
                if (!nested && m.group(2).equals("old") && !Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(p, dest, StandardCopyOption.ATOMIC_MOVE);
                    LOG.warn("{}: restored the previous version from an interrupted write", dest);
                } else {
                    deleteQuietly(p);
                    LOG.info("{}: removed the leftover of an interrupted write", p);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot clean leftovers of {} in {}: {}", name, parent, describe(e));
        }
    }

    private static Path parentOf(Path target) {
        Path parent = target.getParent();
        if (parent == null) {
            throw new OutputConflictException(target + " has no parent folder; choose a path inside a folder");
        }
        return parent;
    }

    private static Path sibling(Path target, String what) {
        return parentOf(target).resolve("." + target.getFileName() + "." + what + "-" + PID + "-"
                + COUNTER.incrementAndGet());
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new BayesLoraException("cannot list " + dir + ": " + describe(e), e);
        }
    }

    /** An I/O error in words: the JDK's messages are often just the path. */
    static String describe(IOException e) {
        String type = e.getClass().getSimpleName();
        String what = switch (type) {
            case "AccessDeniedException" -> "permission denied";
            case "NoSuchFileException" -> "no such file or folder";
            case "FileAlreadyExistsException" -> "already exists";
            case "NotDirectoryException" -> "not a folder";
            case "DirectoryNotEmptyException" -> "folder not empty";
            case "FileSystemException" -> "file system error";
            default -> type;
        };
        String m = e.getMessage();
        return m == null ? what : what + " (" + m + ")";
    }

    /**
     * Deletes a file or folder tree the library wrote, ignoring errors (a leftover hidden file is harmless).
     *
     * @param p the path
     */
    public static void deleteQuietly(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}
