package ai.bayeslora.core.data;

import ai.bayeslora.core.io.ResourceCache;
import java.util.List;
import java.nio.file.Path;

/**
 * Data files shipped inside lib-core.
 *
 * <p>{@link #syntheticMcqa()}: 64 generated 4-choice questions in the style of the test fixtures
 * ({@code Question: what the cat likes?}); the correct choice is the one equal to the subject, answers are balanced
 * over A–D, so a model that learns the rule beats the 25 % chance level. How it was made:
 * {@code ai/bayeslora/core/data/synthetic/README.md} next to the resource.
 *
 * <p>{@link #tinyLlamaModel()}: a tiny randomly initialised Llama checkpoint (vocab 400, hidden 64, 2 layers, GQA 4/2
 * heads; 576 KB), the project's reference fixture from HF transformers. It shows that the pipeline runs end to end
 * in seconds; its predictions mean nothing.
 */
public final class BundledData {
    /** Class-path location of the synthetic MCQA file (generic JSONL). */
    public static final String SYNTHETIC_MCQA_RESOURCE = "/ai/bayeslora/core/data/synthetic-mcqa.jsonl";

    /** Class-path folder of the tiny Llama checkpoint ({@code config.json}, weights, {@code tokenizer.json}). */
    public static final String TINY_LLAMA_RESOURCE = "/ai/bayeslora/core/data/tiny-llama/";
    private static final List<String> TINY_LLAMA_FILES =
            List.of("config.json", "model.safetensors", "tokenizer.json");
    private static volatile Path tinyLlama;

    private BundledData() {
    }

    /**
     * The bundled tiny Llama as an HF model folder, for {@code CausalLM.load(dir, device)} and
     * {@code HfTokenizer.load(dir)}: the resource folder itself when lib-core's classes are a folder (a build tree),
     * otherwise extracted once from the jar to {@code <cache>/resources/tiny-llama-<hash>/} and reused by later runs
     * and other JVMs ({@link ResourceCache}: {@code -Dbayeslora.cache.dir}, else {@code $XDG_CACHE_HOME/bayeslora},
     * else {@code ~/.cache/bayeslora}). Nothing is written to a temporary folder, so nothing is left behind.
     *
     * @return the folder holding {@code config.json}, {@code model.safetensors} and {@code tokenizer.json}
     * @throws ai.bayeslora.core.BayesLoraException if the resources are missing or the cache cannot be written
     */
    public static Path tinyLlamaModel() {
        Path p = tinyLlama;
        if (p == null) {
            synchronized (BundledData.class) {
                p = tinyLlama;
                if (p == null) {
                    p = ResourceCache.folder(BundledData.class, TINY_LLAMA_RESOURCE, "tiny-llama", TINY_LLAMA_FILES);
                    tinyLlama = p;
                }
            }
        }
        return p;
    }

    /**
     * The synthetic MCQA file as a path: the resource itself when it is on disk, otherwise a copy extracted once to
     * the cache ({@link ResourceCache}) and reused by later runs. Load it with {@link McqaDatasets#load(Path)}.
     *
     * @return the file's path
     */
    public static Path syntheticMcqa() {
        return resourceFile(SYNTHETIC_MCQA_RESOURCE);
    }

    /** A bundled data file as a path (on disk, or extracted once to the cache). */
    static Path resourceFile(String resource) {
        int slash = resource.lastIndexOf('/');
        String file = resource.substring(slash + 1);
        String name = file.replaceFirst("\\.[^.]*$", "");
        return ResourceCache.folder(BundledData.class, resource.substring(0, slash + 1), name, List.of(file))
                .resolve(file);
    }

    /**
     * {@return the 767-question training split of the synthetic task (same rule, no question repeated from the test
     * split)}
     */
    public static McqaDataset syntheticMcqaTrain() {
        return loadResource("/ai/bayeslora/core/data/synthetic-mcqa-train.jsonl", "synthetic-mcqa-train");
    }

    /**
     * {@return the shifted split: the same rule with subjects and verbs the tokenizer never saw, 64 questions} Used as
     * out-of-distribution data.
     */
    public static McqaDataset syntheticMcqaOod() {
        return loadResource("/ai/bayeslora/core/data/synthetic-mcqa-ood.jsonl", "synthetic-mcqa-ood");
    }

    private static McqaDataset loadResource(String resource, String name) {
        McqaDataset d = McqaDatasets.load(resourceFile(resource), McqaFormat.GENERIC);
        return McqaDataset.of(name, d.classLabels(), d.examples());
    }

    /** {@return the synthetic MCQA dataset (64 questions, the in-domain test split), loaded} */
    public static McqaDataset syntheticMcqaDataset() {
        McqaDataset d = McqaDatasets.load(syntheticMcqa(), McqaFormat.GENERIC);
        return McqaDataset.of("synthetic-mcqa", d.classLabels(), d.examples()); // not the temp file's name
    }
}
