package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.io.TempDir;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BundledDataTest {

    @Test
    void syntheticMcqaIsLearnableAndBalanced() {
        assertThat(Files.isRegularFile(BundledData.syntheticMcqa())).isTrue();
        assertThat(McqaDatasets.detect(BundledData.syntheticMcqa())).isEqualTo(McqaFormat.GENERIC);
        McqaDataset ds = BundledData.syntheticMcqaDataset();
        assertThat(ds.size()).isEqualTo(64);
        assertThat(ds.classLabels()).containsExactly("A", "B", "C", "D");
        int[] perClass = new int[4];
        for (McqaExample e : ds.examples()) {
            String subject = e.question().split(" ")[3];
            assertThat(e.question()).matches("Question: what the \\w+ \\w+\\?");
            assertThat(e.choices().get(e.answer())).isEqualTo(subject);
            assertThat(e.choices().stream().filter(subject::equals).count()).isEqualTo(1);
            perClass[e.answer()]++;
        }
        assertThat(perClass).containsExactly(16, 16, 16, 16);
    }

    @Test
    void rendersInTheFixtureCorpusStyleAndFitsTheTokenizer() {
        McqaDataset ds = BundledData.syntheticMcqaDataset();
        McqaExample first = ds.get(0);
        String prompt = PromptTemplate.defaults().render(first);
        assertThat(prompt).startsWith("Question: what the ").endsWith("\nAnswer:");
        assertThat(prompt.split("\n")).hasSize(6);
        try (HfTokenizer tok = HfTokenizer.load(Fixtures.tokenizerJson())) {
            assertThat(AnswerTokens.of(tok, ds.classLabels()).ids()).containsExactly(317, 318, 319, 320);
            McqaBatcher batcher = McqaBatcher.forTokenizer(tok);
            int longest = 0;
            for (EncodedBatch b : batcher.batches(ds, 16)) {
                longest = Math.max(longest, b.length());
                assertThat(b.truncatedRows()).isZero();
                assertThat(Arrays.stream(b.labels()).boxed().toList()).allMatch(l -> l >= 0 && l < 4);
            }
            assertThat(longest).isLessThan(40);
            assertThat(batcher.tokens(first)).hasSizeLessThan(40);
        }
        assertThat(List.of(first.id())).containsExactly("synthetic-00");
    }

    @Test
    void extractsFromAJarOnceIntoTheCache(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("data.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            zip.putNextEntry(new JarEntry(BundledData.SYNTHETIC_MCQA_RESOURCE.substring(1)));
            zip.write(Files.readAllBytes(BundledData.syntheticMcqa()));
            zip.closeEntry();
        }
        Path cache = dir.resolve("cache");
        String old = System.getProperty(ai.bayeslora.core.io.ResourceCache.PROPERTY);
        System.setProperty(ai.bayeslora.core.io.ResourceCache.PROPERTY, cache.toString());
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {jar.toUri().toURL()},
                null)) {
            String res = BundledData.SYNTHETIC_MCQA_RESOURCE;
            String base = res.substring(0, res.lastIndexOf('/') + 1);
            java.util.List<String> files = java.util.List.of("synthetic-mcqa.jsonl");
            Path first = ai.bayeslora.core.io.ResourceCache.folder(loader, base, "synthetic-mcqa", files);
            assertThat(first).startsWith(cache);
            Path file = first.resolve("synthetic-mcqa.jsonl");
            assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(BundledData.syntheticMcqa()));
            assertThat(McqaDatasets.load(file).size()).isEqualTo(64);
            long modified = Files.getLastModifiedTime(file).toMillis();
            Path second = ai.bayeslora.core.io.ResourceCache.folder(loader, base, "synthetic-mcqa", files);
            assertThat(second).as("the same folder, not a new copy per run").isEqualTo(first);
            assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
            try (var s = Files.list(cache.resolve("resources"))) {
                assertThat(s.count()).isEqualTo(1);
            }
        } finally {
            if (old == null) {
                System.clearProperty(ai.bayeslora.core.io.ResourceCache.PROPERTY);
            } else {
                System.setProperty(ai.bayeslora.core.io.ResourceCache.PROPERTY, old);
            }
        }
    }
}
