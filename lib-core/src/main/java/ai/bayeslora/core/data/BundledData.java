package ai.bayeslora.core.data;

import ai.bayeslora.core.BayesLoraException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

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

    private static Path extracted;

    private BundledData() {
    }

    /**
     * The synthetic MCQA file as a path: the resource itself when it is on disk, otherwise a copy extracted once per
     * JVM to a temporary file (deleted on exit). Load it with {@link McqaDatasets#load(Path)}.
     */
    public static synchronized Path syntheticMcqa() {
        URL url = BundledData.class.getResource(SYNTHETIC_MCQA_RESOURCE);
        if (url == null) {
            throw new BayesLoraException("resource " + SYNTHETIC_MCQA_RESOURCE + " missing from the class path");
        }
        if (extracted == null || !Files.isRegularFile(extracted)) {
            Path path = onDiskOrExtracted(url);
            if ("file".equals(url.getProtocol())) {
                return path;
            }
            extracted = path;
        }
        return extracted;
    }

    /** The file behind {@code url}, or a temporary copy (deleted on exit) when it is not a plain file. */
    static Path onDiskOrExtracted(URL url) {
        if ("file".equals(url.getProtocol())) {
            try {
                return Paths.get(url.toURI());
            } catch (URISyntaxException e) {
                throw new BayesLoraException("bad resource URL " + url, e);
            }
        }
        try (InputStream in = url.openStream()) {
            Path tmp = Files.createTempFile("bayeslora-synthetic-mcqa-", ".jsonl");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            throw new BayesLoraException("cannot extract " + url + " to a temporary file", e);
        }
    }

    /** The 767-question training split of the synthetic task (same rule, no question repeated from the test split). */
    public static McqaDataset syntheticMcqaTrain() {
        return loadResource("/ai/bayeslora/core/data/synthetic-mcqa-train.jsonl", "synthetic-mcqa-train");
    }

    /**
     * The shifted split: the same rule with subjects and verbs the tokenizer never saw, 64 questions. Used as
     * out-of-distribution data.
     */
    public static McqaDataset syntheticMcqaOod() {
        return loadResource("/ai/bayeslora/core/data/synthetic-mcqa-ood.jsonl", "synthetic-mcqa-ood");
    }

    private static McqaDataset loadResource(String resource, String name) {
        URL url = BundledData.class.getResource(resource);
        if (url == null) {
            throw new BayesLoraException("resource " + resource + " missing from the class path");
        }
        McqaDataset d = McqaDatasets.load(onDiskOrExtracted(url), McqaFormat.GENERIC);
        return McqaDataset.of(name, d.classLabels(), d.examples());
    }

    /** The synthetic MCQA dataset (64 questions, the in-domain test split), loaded. */
    public static McqaDataset syntheticMcqaDataset() {
        McqaDataset d = McqaDatasets.load(syntheticMcqa(), McqaFormat.GENERIC);
        return McqaDataset.of("synthetic-mcqa", d.classLabels(), d.examples()); // not the temp file's name
    }
}
