package ai.bayeslora.core.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.util.Map;
import java.util.stream.Stream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the reference fixtures (transformers and peft references, fixtures/README.md) in lib-core's test resources
 * ({@code src/test/resources/fixtures}). Other modules reach them through lib-core's test-jar.
 */
public final class Fixtures {
    private Fixtures() {
    }

    private static Path extracted;

    /**
     * The fixtures root folder on disk. When the fixtures come from lib-core's test-jar (a module built alone), they
     * are extracted once per JVM into a temporary folder.
     */
    public static synchronized Path root() {
        URL url = Fixtures.class.getResource("/fixtures/README.md");
        if (url == null) {
            throw new IllegalStateException("fixtures/README.md not on the test classpath");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Paths.get(url.toURI()).getParent();
            }
            if (extracted == null) {
                extracted = extract(url.toURI());
            }
            return extracted;
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot read fixtures from " + url, e);
        }
    }

    private static Path extract(URI readmeInJar) throws IOException {
        Path target = Files.createTempDirectory("bayeslora-fixtures");
        try (FileSystem fs = FileSystems.newFileSystem(readmeInJar, Map.of())) {
            Path src = fs.getPath("/fixtures");
            try (Stream<Path> walk = Files.walk(src)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path dst = target.resolve(src.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dst);
                    } else {
                        Files.copy(p, dst);
                    }
                }
            }
        }
        return target;
    }

    /** A fixture path relative to the root, for example {@code models/tiny-llama}. Fails if absent. */
    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new IllegalStateException("missing fixture " + p);
        }
        return p;
    }

    public static Path model(String name) {
        return path("models/" + name);
    }

    public static Path tokenizerJson() {
        return path("tokenizer/tokenizer.json");
    }
}
