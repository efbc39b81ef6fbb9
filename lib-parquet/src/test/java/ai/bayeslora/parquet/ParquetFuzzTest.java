package ai.bayeslora.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaDatasets;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.data.McqaFormat;
import ai.bayeslora.core.data.McqaLoadOptions;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.testing.Mutator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet path against byte-mutated fixtures (bit flips, boundary bytes, deletions, insertions, truncation,
 * rewritten lengths; docs/DEVELOPING.md, "Fuzz and property tests"). Properties: only the library's own exceptions
 * escape, naming the file; an accepted dataset is valid by the MCQA rules (every row has the dataset's classes and
 * choices, an answer in range or unknown).
 */
class ParquetFuzzTest {
    static final int TRIES = Mutator.tries(600);
    static final long SEED = Mutator.seed(12L);
    @TempDir
    Path tmp;

    @Test
    void mutatedParquetFilesAreRefusedCleanlyOrValid() throws Exception {
        List<String> seeds = List.of("mmlu-test.parquet", "commonsense-qa-validation.parquet",
                "boolq-validation.parquet", "winogrande-validation.parquet", "arc-challenge-test-gzip.parquet",
                "arc-challenge-test-zstd.parquet");
        List<byte[]> seedBytes = new java.util.ArrayList<>();
        for (String s : seeds) {
            seedBytes.add(Files.readAllBytes(ParquetDatasetsTest.fixture(s)));
        }
        Mutator m = new Mutator(SEED);
        int accepted = 0;
        for (int i = 0; i < TRIES; i++) {
            int k = i % seeds.size();
            byte[] bytes = i < seeds.size() ? seedBytes.get(k) : m.mutateBytes(seedBytes.get(k));
            Path dir = Files.createDirectories(tmp.resolve("t" + i));
            Path file = dir.resolve(seeds.get(k));
            Files.write(file, bytes);
            try {
                accepted += check(file) ? 1 : 0;
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("mutant " + i + " (seed " + SEED + ") of " + seeds.get(k) + ": " + e, e);
            }
            AtomicOutput.deleteQuietly(dir);
        }
        System.out.println("parquet mutants accepted: " + accepted + " of " + TRIES);
        assertThat(accepted).isBetween(seeds.size(), TRIES - 1);
    }

    /**
     * Coverage-guided fuzzing with the same property:
     * {@code JAZZER_FUZZ=1 mvn test -pl lib-core,lib-parquet -Dtest='ParquetFuzzTest#fuzz'}.
     */
    @FuzzTest(maxDuration = "5m")
    void fuzz(@com.code_intelligence.jazzer.mutation.annotation.NotNull byte[] input) throws Exception {
        Path dir = Files.createTempDirectory("pq-fuzz");
        try {
            Path file = dir.resolve("data.parquet");
            Files.write(file, input);
            check(file);
        } finally {
            AtomicOutput.deleteQuietly(dir);
        }
    }

    private static boolean check(Path file) {
        McqaDataset d;
        try {
            McqaLoadOptions options = McqaLoadOptions.defaults();
            // ARC mixes 3-, 4- and 5-choice rows: keep the 4-choice ones, as the papers do
            d = McqaDatasets.load(file, McqaFormat.AUTO,
                    file.getFileName().toString().startsWith("arc") ? options.withChoices(4) : options);
        } catch (BayesLoraException e) {
            assertThat(e.getMessage()).as("the message names the file").contains(file.getFileName().toString());
            return false;
        }
        List<String> classes = d.classLabels();
        assertThat(d.size()).isPositive();
        assertThat(classes).isNotEmpty().doesNotHaveDuplicates();
        for (McqaExample e : d.examples()) {
            assertThat(e.labels()).as(e.id()).isEqualTo(classes);
            assertThat(e.answer()).as(e.id()).isBetween(-1, classes.size() - 1);
            assertThat(e.choices()).as(e.id()).hasSize(classes.size());
        }
        return true;
    }
}
