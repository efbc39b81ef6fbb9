package ai.bayeslora.core.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a model folder from what a user types: a local folder, or an HF model id ({@code org/name}, optionally
 * {@code org/name@revision}) resolved in the local Hugging Face hub cache that {@code huggingface-cli download} and
 * {@code transformers} fill. It never downloads: this library runs offline.
 *
 * <p>The cache layout is the hub's: {@code CACHE/models--org--name/refs/main} holds the commit of the {@code main}
 * branch and {@code CACHE/models--org--name/snapshots/COMMIT/} the files. The caches searched, in order (each one
 * only when set, duplicates once): {@code $HF_HUB_CACHE}, {@code $HF_HOME/hub}, {@code $XDG_CACHE_HOME/huggingface/hub}
 * and {@code ~/.cache/huggingface/hub}. In the first cache holding the model, the snapshot is the one
 * {@code refs/main} (or {@code refs/REVISION}) names when that folder exists, else the snapshot folder named
 * REVISION, else the most recently modified snapshot. See docs/GUIDE.md, "Models from the HF cache".
 */
public final class ModelLocator {
    /** An HF id: one optional {@code org/} and a name of the hub's characters, with an optional {@code @revision}. */
    private static final Pattern HF_ID = Pattern.compile(
            "(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*(?:@[A-Za-z0-9._/-]+)?");

    private final List<Path> caches;

    private ModelLocator(List<Path> caches) {
        this.caches = List.copyOf(caches);
    }

    /**
     * A locator over the caches that this process's environment names ({@code HF_HUB_CACHE}, {@code HF_HOME},
     * {@code XDG_CACHE_HOME}) and {@code ~/.cache/huggingface/hub}.
     *
     * @return the locator
     */
    public static ModelLocator standard() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * A locator over the caches that {@code env} names, with {@code home} as the user's home folder (for tests and
     * for callers with their own environment).
     *
     * @param env environment variables (only {@code HF_HUB_CACHE}, {@code HF_HOME}, {@code XDG_CACHE_HOME} are read)
     * @param home the home folder ({@code ~})
     * @return the locator
     */
    public static ModelLocator fromEnvironment(Map<String, String> env, Path home) {
        Set<Path> dirs = new LinkedHashSet<>();
        addIfSet(dirs, env.get("HF_HUB_CACHE"), null);
        addIfSet(dirs, env.get("HF_HOME"), "hub");
        addIfSet(dirs, env.get("XDG_CACHE_HOME"), "huggingface/hub");
        dirs.add(home.resolve(".cache/huggingface/hub").toAbsolutePath().normalize());
        return new ModelLocator(new ArrayList<>(dirs));
    }

    /**
     * A locator over exactly these cache folders, in order.
     *
     * @param cacheDirs hub cache folders (each holding {@code models--org--name} folders)
     * @return the locator
     */
    public static ModelLocator ofCaches(List<Path> cacheDirs) {
        return new ModelLocator(cacheDirs);
    }

    private static void addIfSet(Set<Path> dirs, String value, String sub) {
        if (value != null && !value.isBlank()) {
            Path p = Path.of(value);
            dirs.add((sub == null ? p : p.resolve(sub)).toAbsolutePath().normalize());
        }
    }

    /** {@return the cache folders searched, in order} */
    public List<Path> caches() {
        return caches;
    }

    /**
     * The model folder {@code spec} names: {@code spec} itself when it is an existing folder, else the snapshot of
     * the HF id {@code spec} in the first cache holding it.
     *
     * @param spec a folder path, or an HF id {@code org/name[@revision]}
     * @return an existing folder
     * @throws ModelNotFoundException naming the folder and every cache location looked at
     */
    public Path locate(String spec) {
        Objects.requireNonNull(spec, "spec");
        Path asPath = Path.of(spec);
        if (Files.isDirectory(asPath)) {
            return asPath;
        }
        if (!HF_ID.matcher(spec).matches()) {
            throw new ModelNotFoundException("model " + spec + ": no such folder" + (Files.exists(asPath)
                    ? " (it is a file; a model is a folder with config.json)" : ""));
        }
        int at = spec.indexOf('@');
        String id = at < 0 ? spec : spec.substring(0, at);
        String revision = at < 0 ? "main" : spec.substring(at + 1);
        String repo = "models--" + id.replace("/", "--");
        List<String> looked = new ArrayList<>();
        for (Path cache : caches) {
            Path dir = cache.resolve(repo);
            Optional<Path> snapshot = snapshot(dir, revision);
            if (snapshot.isPresent()) {
                return snapshot.get();
            }
            looked.add(dir + (Files.isDirectory(dir) ? " (no snapshot" + (at < 0 ? "" : " for " + revision) + ")"
                    : ""));
        }
        throw new ModelNotFoundException("model " + spec + ": no folder " + asPath.toAbsolutePath().normalize()
                + ", and the HF id " + id + " is in no local HF cache; looked in " + String.join(", ", looked)
                + ". Nothing is downloaded: fetch it first (huggingface-cli download " + id + ") or set HF_HUB_CACHE "
                + "or HF_HOME");
    }

    private static Optional<Path> snapshot(Path repoDir, String revision) {
        Path snapshots = repoDir.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            return Optional.empty();
        }
        Path ref = repoDir.resolve("refs").resolve(revision);
        if (Files.isRegularFile(ref)) {
            try {
                String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
                if (!commit.isEmpty() && !commit.contains("/") && Files.isDirectory(snapshots.resolve(commit))) {
                    return Optional.of(snapshots.resolve(commit));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + ref, e);
            }
        }
        if (!revision.contains("/") && !revision.equals("main") && Files.isDirectory(snapshots.resolve(revision))) {
            return Optional.of(snapshots.resolve(revision)); // a commit hash given as the revision
        }
        if (!revision.equals("main")) {
            return Optional.empty(); // an explicit revision that is not there: not the newest of something else
        }
        try (Stream<Path> s = Files.list(snapshots)) {
            return s.filter(Files::isDirectory).max(Comparator.comparing(ModelLocator::modified)
                    .thenComparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + snapshots, e);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the time of " + p, e);
        }
    }
}
