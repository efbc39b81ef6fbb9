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
 */
public final class BundledData {
    /** Class-path location of the synthetic MCQA file (generic JSONL). */
    public static final String SYNTHETIC_MCQA_RESOURCE = "/ai/bayeslora/core/data/synthetic-mcqa.jsonl";

    private BundledData() {
    }

    /**
     * {@return the synthetic MCQA file as a path: the resource itself when it is on disk, otherwise a copy extracted
     * once to the cache ({@link ResourceCache}) and reused by later runs} Load it with {@link McqaDatasets#load(Path)}.
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
