package ai.bayeslora.core.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the reference fixtures copied from ../shared/fixtures into lib-core's test resources
 * ({@code src/test/resources/fixtures}). Other modules reach them through lib-core's test-jar.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The fixtures root folder on disk. */
    public static Path root() {
        URL url = Fixtures.class.getResource("/fixtures/README.md");
        if (url == null) {
            throw new IllegalStateException("fixtures/README.md not on the test classpath");
        }
        try {
            if (!"file".equals(url.getProtocol())) {
                throw new IllegalStateException("fixtures must be on disk, found " + url);
            }
            return Paths.get(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
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
