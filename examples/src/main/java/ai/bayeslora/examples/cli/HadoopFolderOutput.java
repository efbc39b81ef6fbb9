package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.io.OutputConflictException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * An output folder on a Hadoop file system ({@code hdfs://…}, {@code s3a://…}, or an explicit {@code file:} URI),
 * written as {@link AtomicOutput#writeFolder} writes local ones: filled in a hidden temporary sibling, marked with the
 * same {@value AtomicOutput#MARKER} file, then renamed into place; a folder without that marker (one the tool did
 * not write) is never replaced, and one with it only with {@code --overwrite}. The rename is atomic on HDFS and on
 * local disks; on object stores (S3) it is a copy, so a reader may see the folder appear file by file.
 */
final class HadoopFolderOutput {
    /** Fills the temporary folder, given as a URI string. */
    @FunctionalInterface
    interface Writer {
        /**
         * @param folder the temporary folder's URI (absent: create what you write under it)
         * @param fs its file system
         * @throws IOException on a write error
         */
        void write(String folder, FileSystem fs) throws IOException;
    }

    private HadoopFolderOutput() {
    }

    /** Whether {@code location} goes through Hadoop: a URI with a scheme, {@code file:} included. */
    static boolean applies(String location) {
        return SparkLocations.isRemote(location) || location.startsWith("file:");
    }

    /**
     * Checks {@code location} before any work: refused when it is a file or a folder the tool did not write, or, unless
     * {@code overwrite}, any existing folder.
     */
    static void check(SparkSession spark, String location, boolean overwrite) {
        try {
            Path target = new Path(URI.create(location));
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            checkTarget(fs, target, location, overwrite);
        } catch (IOException e) {
            throw new BayesLoraException("--out " + location + ": " + e.getMessage(), e);
        }
    }

    /** Writes the folder {@code location} of kind {@code kind} through {@code writer}. */
    static void write(SparkSession spark, String location, String kind, boolean overwrite, Writer writer) {
        Path target = new Path(URI.create(location));
        Path tmp = null;
        try {
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            checkTarget(fs, target, location, overwrite);
            tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
            writer.write(tmp.toString(), fs);
            Path marker = new Path(tmp, AtomicOutput.MARKER);
            if (!fs.exists(marker)) { // an uploaded folder the library wrote locally carries its own
                try (OutputStream out = fs.create(marker, false)) {
                    out.write(AtomicOutput.markerBytes(kind));
                }
            }
            Path old = null;
            if (fs.exists(target)) { // checked above: ours, and --overwrite given
                old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
                rename(fs, target, old);
            }
            rename(fs, tmp, target);
            tmp = null;
            if (old != null) {
                fs.delete(old, true);
            }
        } catch (IOException e) {
            throw new BayesLoraException("--out " + location + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    tmp.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(tmp, true);
                } catch (IOException ignored) {
                    // the temporary folder is hidden and named as such; a later run leaves it alone
                }
            }
        }
    }

    private static void checkTarget(FileSystem fs, Path target, String location, boolean overwrite)
            throws IOException {
        if (!fs.exists(target)) {
            return;
        }
        if (!fs.getFileStatus(target).isDirectory()) {
            throw new OutputConflictException("--out " + location + " is a file; give a folder");
        }
        if (!fs.exists(new Path(target, AtomicOutput.MARKER))) {
            throw new OutputConflictException("--out " + location + " exists and was not written by bayeslora; "
                    + "choose another folder (it is never replaced)");
        }
        if (!overwrite) {
            throw new OutputConflictException("--out " + location + " exists; pass --overwrite to replace it");
        }
    }

    private static void rename(FileSystem fs, Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("rename " + from + " -> " + to + " failed");
        }
    }
}
