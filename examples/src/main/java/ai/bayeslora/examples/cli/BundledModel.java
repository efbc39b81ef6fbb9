package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.BundledData;
import java.nio.file.Path;

/**
 * The tiny random-initialised Llama bundled with lib-core (vocab 400, hidden 64, 2 layers), the default model of
 * the commands. It only shows that the pipeline runs; its predictions mean nothing.
 */
final class BundledModel {
    private BundledModel() {
    }

    /** The model's folder ({@link BundledData#tinyLlamaModel()}: lib-core's resources, extracted once to the cache). */
    static Path tinyLlama() {
        return BundledData.tinyLlamaModel();
    }
}
