package ai.bayeslora.spark.internal;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.io.ResourceCache;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * Folders named by a path every executor can read, as local folders: a plain path or {@code file:} URI is used where
 * it is; any other scheme (HDFS, S3, GCS, ABFS: whatever Hadoop file system the cluster has) is copied once into
 * {@code <cache>/spark/<hash>}, the hash over the URI and every file's path, length and modification time, so a
 * changed source is copied again and an unchanged one never (docs/SPARK.md, "Model distribution"). The copy is
 * written atomically ({@link AtomicOutput#writeFolderOnce}): concurrent tasks and executors on one host share it.
 */
public final class LocalCopies {
    private static final Map<String, Path> RESOLVED = new ConcurrentHashMap<>();

    private LocalCopies() {
    }

    /**
     * The local folder of {@code location}.
     *
     * @param location a local path, a {@code file:} URI or a Hadoop file system URI
     * @return the folder on this machine
     * @throws BayesLoraException naming the location when it cannot be listed or copied
     */
    public static Path folder(String location) {
        return RESOLVED.computeIfAbsent(location, LocalCopies::resolve);
    }

    /**
     * Whether {@code location} names a remote (non-local) file system.
     *
     * @param location a path or URI
     * @return true for a URI with a scheme other than {@code file}
     */
    public static boolean isRemote(String location) {
        String scheme = scheme(location);
        return scheme != null && !scheme.equals("file");
    }

    private static String scheme(String location) {
        int colon = location.indexOf(':');
        if (colon <= 1 || location.indexOf('/') < colon) {
            return null; // a relative or absolute local path (a one-letter "scheme" is a Windows drive)
        }
        return URI.create(location).getScheme();
    }

    private static Path resolve(String location) {
        if (!isRemote(location)) {
            return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
        }
        try {
            URI uri = URI.create(location);
            FileSystem fs = FileSystem.get(uri, hadoopConfiguration());
            org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(uri);
            if (!fs.getFileStatus(root).isDirectory()) {
                throw new BayesLoraException(location + ": not a folder");
            }
            List<FileStatus> files = new ArrayList<>();
            RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                files.add(it.next());
            }
            String rootText = fs.makeQualified(root).toUri().getPath();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(location.getBytes(StandardCharsets.UTF_8));
            List<String> relative = new ArrayList<>();
            for (FileStatus f : files) {
                String rel = f.getPath().toUri().getPath().substring(rootText.length()).replaceFirst("^/", "");
                relative.add(rel);
                sha.update(("\n" + rel + "\t" + f.getLen() + "\t" + f.getModificationTime())
                        .getBytes(StandardCharsets.UTF_8));
            }
            String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 32);
            Path dir = ResourceCache.root().resolve("spark").resolve(hash);
            AtomicOutput.writeFolderOnce(dir, "spark-copy", tmp -> {
                for (int i = 0; i < files.size(); i++) {
                    Path target = tmp.resolve(relative.get(i));
                    Files.createDirectories(target.getParent());
                    fs.copyToLocalFile(false, files.get(i).getPath(), new org.apache.hadoop.fs.Path(target.toUri()),
                            true);
                }
            });
            return dir;
        } catch (IOException e) {
            throw new BayesLoraException(location + ": cannot copy to this machine: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hadoop's configuration with the executor's {@code spark.hadoop.*} settings, as Spark builds it. */
    private static Configuration hadoopConfiguration() {
        Configuration conf = new Configuration();
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            for (Tuple2<String, String> kv : env.conf().getAll()) {
                if (kv._1().startsWith("spark.hadoop.")) {
                    conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
                }
            }
        }
        return conf;
    }
}
