package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.io.OutputConflictException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The checks every command makes on its outputs before any work (docs/DEVELOPING.md, "Output safety"): an output is
 * not one of the inputs and does not contain one, a file does not go where a folder is (or the reverse), the place is
 * writable, and an existing output the tool did not write is replaced only with {@code --overwrite}. A run folder
 * ({@code --out} of train-ensemble, swag, evaluate, report, quickstart) carries a marker naming the command that made
 * it; an earlier run of a command with {@code --resume} is continued with {@code --resume} or replaced with
 * {@code --overwrite}, never silently.
 */
final class OutputGuard {
    private final String command;
    private final boolean overwrite;
    private final List<Path> inputs = new ArrayList<>();

    /**
     * @param command the command's name, as the marker records it (for example "train-ensemble")
     * @param overwrite whether the user passed {@code --overwrite}
     */
    OutputGuard(String command, boolean overwrite) {
        this.command = Objects.requireNonNull(command, "command");
        this.overwrite = overwrite;
    }

    /** Declares inputs (null entries are skipped): no output may be, or contain, one of them. */
    OutputGuard inputs(Path... paths) {
        for (Path p : paths) {
            if (p != null) {
                inputs.add(p);
            }
        }
        return this;
    }

    /** As {@link #inputs(Path...)}. */
    OutputGuard inputs(List<Path> paths) {
        return inputs(paths.toArray(new Path[0]));
    }

    /**
     * Checks a file output: not a folder, not an input, writable, and (without {@code --overwrite}) not an existing
     * file.
     */
    void checkFile(String option, Path file) {
        if (file == null) {
            return;
        }
        Path abs = canonical(file);
        notAnInput(option, file, abs);
        if (Files.isDirectory(abs)) {
            throw new OutputConflictException(option + " " + file + " is a folder; a file goes there");
        }
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !overwrite) {
            throw new OutputConflictException(option + " " + file + " exists; pass --overwrite to replace it, or "
                    + "choose another file");
        }
        writable(option, file, abs);
    }

    /**
     * Checks a folder the command writes whole (a posterior, an adapter): not a file, not an input, writable, and
     * either new, empty, written by this library or {@code --overwrite}.
     */
    void checkFolder(String option, Path dir) {
        if (dir == null) {
            return;
        }
        Path abs = canonical(dir);
        notAnInput(option, dir, abs);
        if (Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new OutputConflictException(option + " " + dir + " is a file; a folder goes there (the file is left"
                    + " as it is)");
        }
        if (!overwrite && Files.isDirectory(abs) && !isEmpty(abs) && !AtomicOutput.isMarked(abs)) {
            throw new OutputConflictException(option + " " + dir + " is a folder of files BayesLoRA4J did not write; "
                    + "refusing to replace it. Choose another folder, or pass --overwrite to replace it.");
        }
        writable(option, dir, abs);
    }

    /** What an earlier run of the same command in a run folder means. */
    enum Earlier {
        /** Results that the command regenerates (evaluate, report, quickstart): replaced. */
        REPLACE,
        /** A trained result that cannot be resumed (swag): kept unless --overwrite. */
        KEEP,
        /** A trained result the command can continue (train-ensemble): --resume continues it, else kept. */
        RESUME_OR_KEEP
    }

    /** The replacement policy for the library's writers: {@code --overwrite} allows any folder. */
    AtomicOutput.Replace replace() {
        return overwrite ? AtomicOutput.Replace.ANY : AtomicOutput.Replace.OWN;
    }

    /**
     * Checks and prepares the run folder of a command: refuses what it may not replace, then (after every check
     * passed) removes an earlier run that may be replaced, creates the folder and marks it.
     *
     * @param option the option's name ("--out")
     * @param dir the run folder
     * @param resume whether the user asked to continue an earlier run in it (commands without --resume pass false);
     *     with nothing there to continue, a new run starts
     * @param earlier what an earlier run of the same command in the folder means
     * @return the folder's absolute path
     */
    Path runFolder(String option, Path dir, boolean resume, Earlier earlier) {
        Path abs = canonical(dir);
        notAnInput(option, dir, abs);
        if (Files.isRegularFile(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new OutputConflictException(option + " " + dir + " is a file; a folder goes there (the file is left"
                    + " as it is)");
        }
        boolean exists = Files.isDirectory(abs);
        boolean empty = !exists || isEmpty(abs);
        Optional<String> kind = exists ? AtomicOutput.markerKind(abs) : Optional.empty();
        String mine = "cli:" + command;
        if (resume && exists && !empty) {
            if (kind.isEmpty() || !kind.get().equals(mine)) {
                throw new OutputConflictException(option + " " + dir + " was not written by " + command
                        + (kind.map(k -> " (it holds " + k.replace("cli:", "a ") + " run)").orElse("")) + "; --resume "
                        + "continues only this command's runs");
            }
            writable(option, dir, abs);
            return abs;
        }
        if (!empty && !overwrite) {
            if (kind.isEmpty()) {
                throw new OutputConflictException(option + " " + dir + " is a folder of files BayesLoRA4J did not "
                        + "write; refusing to use it. Choose another folder, or pass --overwrite to replace it.");
            }
            if (!kind.get().equals(mine)) {
                throw new OutputConflictException(option + " " + dir + " holds " + kind.get().replace("cli:", "a ")
                        + " run; choose another folder, or pass --overwrite to replace it");
            }
            if (earlier != Earlier.REPLACE) {
                throw new OutputConflictException(option + " " + dir + " holds an earlier " + command + " run; pass "
                        + (earlier == Earlier.RESUME_OR_KEEP ? "--resume to continue it, " : "")
                        + "--overwrite to replace it, or choose another folder");
            }
        }
        writable(option, dir, abs);
        try {
            if (!empty) {
                AtomicOutput.deleteQuietly(abs); // ours (marked) or the user said --overwrite
                if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BayesLoraException(option + " " + dir + ": cannot remove the earlier run (permissions?)");
                }
            }
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new BayesLoraException(option + " " + dir + ": cannot create the folder: " + e.getMessage(), e);
        }
        AtomicOutput.mark(abs, mine);
        return abs;
    }

    private void notAnInput(String option, Path given, Path abs) {
        for (Path in : inputs) {
            Path input = canonical(in);
            if (abs.equals(input)) {
                throw new OutputConflictException(option + " " + given + " is also an input of this command; choose "
                        + "another output path (the input is left as it is)");
            }
            if (input.startsWith(abs)) {
                throw new OutputConflictException(option + " " + given + " contains the input " + in + "; choose "
                        + "another output path (the input is left as it is)");
            }
        }
    }

    /** The nearest existing folder above {@code abs} must be writable: outputs are renamed into place there. */
    private static void writable(String option, Path given, Path abs) {
        Path p = abs.getParent();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null || !Files.isDirectory(p) || !Files.isWritable(p)) {
            throw new OutputConflictException(option + " " + given + ": cannot write there ("
                    + (p == null ? "no existing parent folder" : p + " is not a writable folder") + ")");
        }
    }

    /** The absolute path with symbolic links of its existing part resolved (so two names of one place compare equal). */
    static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        Path rest = null;
        while (existing != null && !Files.exists(existing)) {
            Path name = existing.getFileName();
            rest = rest == null ? name : name.resolve(rest);
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        try {
            Path real = existing.toRealPath();
            return rest == null ? real : real.resolve(rest);
        } catch (IOException e) {
            return abs;
        }
    }

    private static boolean isEmpty(Path dir) {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new BayesLoraException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
