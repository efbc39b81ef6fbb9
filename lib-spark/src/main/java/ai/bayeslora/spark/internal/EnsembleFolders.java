package ai.bayeslora.spark.internal;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.OutputConflictException;
import ai.bayeslora.lora.train.LoraTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The driver's check of an ensemble output folder before any task runs: it must be new, empty, or hold only what
 * ensemble training writes ({@code member-MM/} folders of {@code epoch-NNN/} checkpoints and
 * {@code training_metrics.json}, plus the library's hidden markers and temporary siblings); anything else was not
 * written by the tool and is refused, never replaced.
 */
public final class EnsembleFolders {
    private static final Pattern MEMBER = Pattern.compile("member-\\d{2,}");
    private static final Pattern EPOCH = Pattern.compile("epoch-\\d{3,}");
    private static final Pattern URI = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:/.*");

    private EnsembleFolders() {
    }

    /**
     * Checks {@code dir} and creates it (with its parents) if absent.
     *
     * @param dir the ensemble folder, a path every executor and the driver can read and write
     * @return its absolute path
     * @throws OutputConflictException naming the first entry the tool did not write
     * @throws BayesLoraException for a Hadoop URI (not supported: the folder must be a shared mount) or when the
     *     folder cannot be created
     */
    public static Path prepare(Path dir) {
        if (URI.matcher(dir.toString()).matches()) {
            throw new BayesLoraException("ensemble output " + dir + ": a Hadoop URI is not supported; members write "
                    + "their checkpoints to a folder every executor and the driver can read (a local path in local "
                    + "mode, a shared mount such as NFS on a cluster)");
        }
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(abs)) {
            throw new OutputConflictException("ensemble output " + dir + " is a file; a folder goes there (the file "
                    + "is left as it is)");
        }
        if (Files.isDirectory(abs)) {
            for (Path p : list(abs)) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // the library's marker and temporary siblings (cleaned by its next write)
                }
                if (!MEMBER.matcher(name).matches() || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw foreign(dir, p);
                }
                for (Path q : list(p)) {
                    String n = q.getFileName().toString();
                    boolean ours = n.startsWith(".") || n.equals(LoraTrainer.METRICS_FILE)
                            || EPOCH.matcher(n).matches() && Files.isDirectory(q, LinkOption.NOFOLLOW_LINKS);
                    if (!ours) {
                        throw foreign(dir, q);
                    }
                }
            }
        }
        try {
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new BayesLoraException("ensemble output " + dir + ": cannot create the folder: " + e.getMessage(), e);
        }
        return abs;
    }

    private static OutputConflictException foreign(Path dir, Path entry) {
        return new OutputConflictException("ensemble output " + dir + " holds " + entry + ", which ensemble training "
                + "did not write; refusing to use the folder (choose another one)");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new BayesLoraException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
