package ai.bayeslora.examples.cli;

import ai.bayeslora.core.io.ResourceCache;
import java.nio.file.Path;
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

    /** The model's folder: in the build folder, or extracted once to the cache from the jar. */
    static synchronized Path tinyLlama() {
        if (cached == null) {
            cached = ResourceCache.folder(BundledModel.class, BASE, "tiny-llama", FILES);
        }
        return cached;
    }
}
