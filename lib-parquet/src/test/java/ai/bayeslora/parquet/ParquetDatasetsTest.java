package ai.bayeslora.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.data.DatasetFormatException;
import ai.bayeslora.core.data.EmptyDatasetException;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaDatasets;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.data.McqaFormat;
import ai.bayeslora.core.data.McqaLoadOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HF datasets' Parquet files through {@link McqaDatasets#load}. The fixtures were written by another Parquet
 * implementation (hyparquet-writer, {@code src/test/parquet-fixtures/make-fixtures.mjs}); each is compared with the
 * same rows written by hand as JSONL and with values written out here.
 */
class ParquetDatasetsTest {
    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(ParquetDatasetsTest.class.getResource("/ai/bayeslora/parquet/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything but the id (ids default to file:line or file#row when a dataset has none). */
    private static void assertSameExamples(McqaDataset actual, McqaDataset expected, boolean sameIds) {
        assertThat(actual.classLabels()).isEqualTo(expected.classLabels());
        assertThat(actual.size()).isEqualTo(expected.size());
        for (int i = 0; i < actual.size(); i++) {
            McqaExample a = actual.get(i);
            McqaExample e = expected.get(i);
            if (sameIds) {
                assertThat(a).isEqualTo(e);
            } else {
                assertThat(new McqaExample("", a.question(), a.choices(), a.labels(), a.answer(), a.subject(),
                        a.verbatim(), a.context())).as("example %d", i).isEqualTo(new McqaExample("", e.question(),
                        e.choices(), e.labels(), e.answer(), e.subject(), e.verbatim(), e.context()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "openbookqa-test,            OPENBOOKQA, true",
        "boolq-validation,           BOOLQ,      false",
        "super-glue-boolq-validation, BOOLQ,     true",
        "winogrande-validation,      WINOGRANDE, false",
        "commonsense-qa-validation,  CQA_HF,     true",
        "mmlu-test,                  MMLU_HF,    false",
    })
    void eachDatasetReadsAsItsJsonl(String name, McqaFormat format, boolean ids) {
        Path parquet = fixture(name + ".parquet");
        Path jsonl = fixture(name + ".jsonl");
        assertThat(McqaDatasets.detect(parquet)).isEqualTo(format).isEqualTo(McqaDatasets.detect(jsonl));
        McqaDataset expected = McqaDatasets.load(jsonl);
        assertSameExamples(McqaDatasets.load(parquet), expected, ids);
        assertSameExamples(McqaDatasets.load(parquet, format), expected, ids);
    }

    @Test
    void arcNumericLabelsAndChoiceCounts() {
        Path arc = fixture("arc-challenge-test.parquet");
        assertThat(McqaDatasets.detect(arc)).isEqualTo(McqaFormat.CQA_HF);
        // rows of 4, 4, 3 and 5 choices: refused under the same-choices policy; row 0 is shorter than the longest
        assertThatThrownBy(() -> McqaDatasets.load(arc, McqaFormat.ARC, McqaLoadOptions.defaults().withSameChoices()))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith(arc + ": row 0: this row has 4 choices (A–D) but other rows have 5 (A–E)")
                .satisfies(e -> assertThat(((DatasetFormatException) e).rowIndex()).hasValue(0));
        McqaLoadOptions four = McqaLoadOptions.defaults().withChoices(4);
        McqaDataset d = McqaDatasets.load(arc, McqaFormat.ARC, four);
        assertThat(d.classLabels()).containsExactly("A", "B", "C", "D");
        assertThat(d.examples()).containsExactly(
                McqaExample.of("arc-1", "Which gas do plants take in to make sugar?",
                        List.of("oxygen", "carbon dioxide", "nitrogen", "helium"), List.of("A", "B", "C", "D"), 1,
                        null),
                McqaExample.of("arc-2", "What is the main source of energy for the water cycle?",
                        List.of("the Moon", "the Sun", "the wind", "the ocean floor"), List.of("A", "B", "C", "D"),
                        1, null));
        assertSameExamples(d, McqaDatasets.load(fixture("arc-challenge-test.jsonl"), McqaFormat.ARC, four), true);
        McqaDataset three = McqaDatasets.load(arc, McqaFormat.ARC, McqaLoadOptions.defaults().withChoices(3));
        assertThat(three.examples()).extracting(McqaExample::id).containsExactly("arc-3");
        McqaDataset five = McqaDatasets.load(arc, McqaFormat.ARC, McqaLoadOptions.defaults().withChoices(5));
        assertThat(five.get(0).choices()).containsExactly("thermometer", "barometer", "ruler", "scale", "compass");
        // gzip instead of snappy, in row groups of two, and zstd: the same rows
        assertSameExamples(McqaDatasets.load(fixture("arc-challenge-test-gzip.parquet"), McqaFormat.ARC, four), d,
                true);
        assertSameExamples(McqaDatasets.load(fixture("arc-challenge-test-zstd.parquet"), McqaFormat.ARC, four), d,
                true);
    }

    @Test
    void expectedValuesOfEachFormat() {
        McqaDataset obqa = McqaDatasets.load(fixture("openbookqa-test.parquet"));
        assertThat(obqa.get(1)).isEqualTo(McqaExample.of("obqa-2", "Ice melting is an example of",
                List.of("a chemical change", "evaporation", "a phase change", "condensation"),
                List.of("A", "B", "C", "D"), 2, null));

        Path boolqFile = fixture("boolq-validation.parquet");
        McqaDataset boolq = McqaDatasets.load(boolqFile);
        assertThat(boolq.classLabels()).containsExactly("A", "B");
        assertThat(boolq.get(0)).isEqualTo(McqaExample.of("boolq-validation.parquet#0", "is the sun a star",
                List.of("False", "True"), List.of("A", "B"), 1, null)
                .withContext("The Sun is the star at the centre of the Solar System."));
        assertThat(boolq.get(1).answer()).as("answer false = class A").isZero();

        McqaDataset glue = McqaDatasets.load(fixture("super-glue-boolq-validation.parquet"));
        assertThat(glue.examples()).extracting(McqaExample::id).containsExactly("0", "1", "2");
        assertThat(glue.examples()).extracting(McqaExample::answer).containsExactly(1, 0, -1);
        assertThat(glue.get(2).context()).hasValue("Glass is an amorphous solid.");

        McqaDataset wino = McqaDatasets.load(fixture("winogrande-validation.parquet"));
        assertThat(wino.examples()).extracting(McqaExample::answer).containsExactly(0, 1, -1);
        assertThat(wino.get(1).question()).isEqualTo("Anna lent Maria a pen because _ had forgotten hers.");
        assertThat(wino.get(1).choices()).containsExactly("Anna", "Maria");

        McqaDataset cqa = McqaDatasets.load(fixture("commonsense-qa-validation.parquet"));
        assertThat(cqa.classLabels()).containsExactly("A", "B", "C", "D", "E");
        assertThat(cqa.examples()).extracting(McqaExample::answer).containsExactly(0, 1, 2);
        assertThat(cqa.get(2).choices()).containsExactly("desert", "attic", "water", "library", "road");

        Path mmluFile = fixture("mmlu-test.parquet");
        McqaDataset mmlu = McqaDatasets.load(mmluFile);
        assertThat(mmlu.get(0)).isEqualTo(McqaExample.of("mmlu-test.parquet#0", "What is 7 times 8?",
                List.of("54", "56", "58", "64"), List.of("A", "B", "C", "D"), 1, "elementary_mathematics"));
        assertThat(mmlu.subjects()).containsExactly("astronomy", "elementary_mathematics");
        McqaDataset astro = McqaDatasets.load(mmluFile, McqaFormat.AUTO,
                McqaLoadOptions.defaults().withSubjects(Set.of("astronomy")));
        assertThat(astro.examples()).extracting(McqaExample::question)
                .containsExactly("Which planet is known as the Red Planet?");
        assertThat(astro.get(0).subject()).isEqualTo(Optional.of("astronomy"));
    }

    @Test
    void aListOfStructsInsideAStruct() {
        // CommonsenseQA's official layout, question: struct<question_concept, choices: list<struct<label, text>>, stem>
        Path nested = fixture("cqa-official-nested.parquet");
        assertThat(McqaDatasets.detect(nested)).isEqualTo(McqaFormat.CQA_OFFICIAL);
        assertSameExamples(McqaDatasets.load(nested), McqaDatasets.load(fixture("commonsense-qa-validation.jsonl")),
                true);
    }

    @Test
    void aBadRowInALaterShardNamesThatShard() throws IOException {
        Path shards = Files.createDirectory(dir.resolve("shards"));
        Files.copy(fixture("mmlu-test.parquet"), shards.resolve("test-00000-of-00002.parquet"));
        Path second = Files.copy(fixture("bad/mmlu-null-question.parquet"),
                shards.resolve("test-00001-of-00002.parquet"));
        assertThatThrownBy(() -> McqaDatasets.load(shards)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(second + ": row 1: field \"question\" is null")
                .satisfies(e -> assertThat(((DatasetFormatException) e).file()).isEqualTo(second));
    }

    @Test
    void aFolderOfShardsReadsInShardOrder() throws IOException {
        Path shards = fixture("cqa-shards");
        assertThat(McqaDatasets.detect(shards)).isEqualTo(McqaFormat.CQA_HF);
        McqaDataset d = McqaDatasets.load(shards);
        assertSameExamples(d, McqaDatasets.load(fixture("commonsense-qa-validation.parquet")), true);
        assertThat(d.source()).isEqualTo(shards.toString());
        assertThatThrownBy(() -> McqaDatasets.load(shards, McqaFormat.MMLU_CSV))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("MMLU_HF");

        // a shard missing: named, nothing read
        Path partial = Files.createDirectory(dir.resolve("partial"));
        Files.copy(shards.resolve("validation-00001-of-00002.parquet"),
                partial.resolve("validation-00001-of-00002.parquet"));
        assertThatThrownBy(() -> McqaDatasets.load(partial)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(partial + ": shard 00000 of 2 of split \"validation\" is missing");
    }

    @Test
    void badRowsNameTheFileTheRowAndTheColumn() {
        Path questionInt = fixture("bad/arc-question-int.parquet");
        assertThatThrownBy(() -> McqaDatasets.load(questionInt, McqaFormat.ARC))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(questionInt + ": row 0: field \"question\" must be a string, found NUMBER");
        Path noChoices = fixture("bad/arc-no-choices.parquet");
        assertThatThrownBy(() -> McqaDatasets.load(noChoices, McqaFormat.ARC))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(noChoices + ": row 0: missing field \"choices\"");
        Path nullQuestion = fixture("bad/mmlu-null-question.parquet");
        assertThatThrownBy(() -> McqaDatasets.load(nullQuestion)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(nullQuestion + ": row 1: field \"question\" is null");
        // row 2 is the first row of the second row group: indices count across row groups
        Path outOfRange = fixture("bad/mmlu-answer-out-of-range.parquet");
        assertThatThrownBy(() -> McqaDatasets.load(outOfRange)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(outOfRange + ": row 2: answer index 7 outside 0..3");
        Path notUtf8 = fixture("bad/boolq-not-utf8.parquet");
        assertThatThrownBy(() -> McqaDatasets.load(notUtf8)).isInstanceOf(DatasetFormatException.class)
                .hasMessage(notUtf8 + ": row 1: column \"question\" is not valid UTF-8 text");
    }

    @Test
    void emptyFilesAreEmptyDatasets() throws IOException {
        Path noRows = fixture("bad/mmlu-empty.parquet");
        assertThatThrownBy(() -> McqaDatasets.load(noRows)).isInstanceOf(EmptyDatasetException.class)
                .hasMessage("empty dataset: " + noRows + ": the file has no rows");
        assertThatThrownBy(() -> McqaDatasets.load(noRows, McqaFormat.MMLU_HF))
                .isInstanceOf(EmptyDatasetException.class)
                .hasMessage("empty dataset: " + noRows + ": the file has no rows");
        Path zeroBytes = Files.createFile(dir.resolve("train.parquet"));
        assertThatThrownBy(() -> McqaDatasets.load(zeroBytes)).isInstanceOf(EmptyDatasetException.class)
                .hasMessage("empty dataset: " + zeroBytes + ": the file has no rows");
    }

    @Test
    void truncatedAndNonParquetFiles() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("mmlu-test.parquet"));
        for (int keep : new int[] {3, 8, bytes.length / 2, bytes.length - 1}) {
            Path cut = dir.resolve("cut-" + keep + ".parquet");
            Files.write(cut, java.util.Arrays.copyOf(bytes, keep));
            assertThatThrownBy(() -> McqaDatasets.load(cut)).as("first %d bytes", keep)
                    .isInstanceOf(DatasetFormatException.class)
                    .hasMessageStartingWith(cut + ": not a readable Parquet file (")
                    .satisfies(e -> assertThat(((DatasetFormatException) e).file()).isEqualTo(cut));
        }
        Path jsonl = Files.writeString(dir.resolve("actually-jsonl.parquet"), "{\"question\": \"q\"}\n");
        assertThatThrownBy(() -> McqaDatasets.load(jsonl)).isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith(jsonl + ": not a readable Parquet file (");
    }
}
