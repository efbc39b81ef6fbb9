package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The tiny random-initialised Llama bundled with the examples (the project's test fixture: vocab 400, hidden 64,
 * 2 layers). It only shows that the pipeline runs; its predictions mean nothing.
 */
final class BundledModel {
    private static final String BASE = "/ai/bayeslora/examples/bundled/tiny-llama/";
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");
    private static Path cached;

    private BundledModel() {
    }

    static synchronized Path tinyLlama() {
        if (cached != null) {
            return cached;
        }
        URL url = BundledModel.class.getResource(BASE + "config.json");
        if (url == null) {
            throw new BayesLoraException("the bundled tiny model is missing from the classpath; pass --model DIR");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                cached = Paths.get(url.toURI()).getParent();
            } else {
                Path dir = Files.createTempDirectory("bayeslora-tiny-llama");
                for (String f : FILES) {
                    try (InputStream in = BundledModel.class.getResourceAsStream(BASE + f)) {
                        Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                cached = dir;
            }
            return cached;
        } catch (IOException | URISyntaxException e) {
            throw new BayesLoraException("cannot unpack the bundled tiny model: " + e.getMessage(), e);
        }
    }
}
