package ai.bayeslora.core.io;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.AtomicOutput.FolderWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bundled resources as files: on the file system already (a build folder), they are used where they are; inside a
 * jar, they are extracted once into a cache folder named by their content hash and reused by every later run,
 * instead of a new temporary copy per run. The cache is {@code -Dbayeslora.cache.dir}, else
 * {@code $XDG_CACHE_HOME/bayeslora}, else {@code ~/.cache/bayeslora}; the folder is written atomically
 * ({@link AtomicOutput#writeFolderOnce}), so a crash never leaves a half-extracted copy, and of concurrent JVMs the
 * first to finish wins while the others use its copy (a folder in use is never replaced). A copy is checked against
 * the resources' bytes before it is reused.
 */
public final class ResourceCache {
    /** The system property that moves the cache. */
    public static final String PROPERTY = "bayeslora.cache.dir";
    /** The marker kind of an extracted folder. */
    private static final String KIND = "resource-cache";

    private ResourceCache() {
    }

    /**
     * The folder holding {@code files} of the classpath folder {@code base}.
     *
     * @param anchor a class of the jar that holds the resources
     * @param base the resource folder, e.g. {@code /ai/bayeslora/examples/bundled/tiny-llama/}
     * @param name a readable name for the cache folder
     * @param files the file names in {@code base}
     * @return a folder with those files
     * @throws BayesLoraException if a resource is missing or the cache cannot be written
     */
    public static Path folder(Class<?> anchor, String base, String name, List<String> files) {
        return folder(anchor.getClassLoader(), base, name, files);
    }

    /**
     * As {@link #folder(Class, String, String, List)}, looking the resources up in {@code loader}.
     *
     * @param loader the class loader that holds the resources
     * @param base the resource folder (a leading '/' is ignored)
     * @param name a readable name for the cache folder
     * @param files the file names in {@code base}
     * @return a folder with those files
     */
    public static Path folder(ClassLoader loader, String base, String name, List<String> files) {
        String prefix = base.startsWith("/") ? base.substring(1) : base;
        URL first = loader.getResource(prefix + files.get(0));
        if (first == null) {
            throw new BayesLoraException("bundled resource " + base + files.get(0) + " is missing from the classpath");
        }
        if ("file".equals(first.getProtocol())) {
            try {
                return Paths.get(first.toURI()).getParent();
            } catch (URISyntaxException e) {
                throw new BayesLoraException("bad resource URL " + first, e);
            }
        }
        Map<String, byte[]> content = new LinkedHashMap<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String f : files) {
            try (InputStream in = loader.getResourceAsStream(prefix + f)) {
                if (in == null) {
                    throw new BayesLoraException("bundled resource " + base + f + " is missing from the classpath");
                }
                byte[] bytes = in.readAllBytes();
                sha.update(f.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(bytes);
                content.put(f, bytes);
            } catch (IOException e) {
                throw new BayesLoraException("cannot read bundled resource " + base + f + ": " + e.getMessage(), e);
            }
        }
        String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        Path dir = root().resolve("resources").resolve(name + "-" + hash);
        if (AtomicOutput.isMarked(dir) && holds(dir, content)) {
            return dir; // extracted by an earlier run (content-addressed: it is this content)
        }
        FolderWriter extract = tmp -> {
            for (Map.Entry<String, byte[]> e : content.entrySet()) {
                Files.write(tmp.resolve(e.getKey()), e.getValue());
            }
        };
        // first writer wins: concurrent JVMs extracting the same content keep one copy, and a reader of that copy
        // never sees it replaced
        if (!AtomicOutput.writeFolderOnce(dir, KIND, extract) && !holds(dir, content)) {
            // a marked copy whose files were changed or deleted by hand: replace it (the only case that replaces)
            AtomicOutput.writeFolder(dir, KIND, AtomicOutput.Replace.OWN, extract);
        }
        return dir;
    }

    /** Whether {@code dir} holds exactly these files' bytes (a cheap check: the bundled resources are small). */
    private static boolean holds(Path dir, Map<String, byte[]> content) {
        try {
            for (Map.Entry<String, byte[]> e : content.entrySet()) {
                Path f = dir.resolve(e.getKey());
                if (!Files.isRegularFile(f) || Files.size(f) != e.getValue().length
                        || !Arrays.equals(Files.readAllBytes(f), e.getValue())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@return the cache root} */
    public static Path root() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "bayeslora");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "bayeslora");
    }
}
