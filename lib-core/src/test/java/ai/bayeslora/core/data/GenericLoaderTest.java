package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenericLoaderTest {
    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        return Files.writeString(dir.resolve("data.jsonl"), String.join("\n", lines) + "\n");
    }

    @Test
    void questionChoicesAnswerByIndexOrLetter() throws IOException {
        Path file = write(
                "{\"question\": \"What the cat likes?\", \"choices\": [\"cat\", \"river\", \"engine\", \"oak\"], "
                        + "\"answer\": 0}",
                "{\"id\": \"x2\", \"question\": \"What the river moves?\", "
                        + "\"choices\": [\"cat\", \"river\", \"engine\", \"violin\"], \"answer\": \"B\"}",
                "{\"question\": \"Unknown?\", \"choices\": [\"a\", \"b\", \"c\", \"d\"]}");
        assertThat(McqaDatasets.detect(file)).isEqualTo(McqaFormat.GENERIC);
        McqaDataset ds = McqaDatasets.load(file);
        assertThat(ds.classLabels()).containsExactly("A", "B", "C", "D");
        assertThat(ds.get(0).labels()).containsExactly("A", "B", "C", "D");
        assertThat(ds.get(0).answer()).isZero();
        assertThat(ds.get(0).id()).isEqualTo("data.jsonl:1");
        assertThat(ds.get(1).id()).isEqualTo("x2");
        assertThat(ds.get(1).answer()).isEqualTo(1);
        assertThat(ds.get(2).answer()).isEqualTo(-1);
    }

    @Test
    void rowsWithFewerChoicesAreKeptOverTheirOwnOrRefusedNamingTheLine() throws IOException {
        Path file = write(
                "{\"question\": \"Four?\", \"choices\": [\"a\", \"b\", \"c\", \"d\"], \"answer\": 0}",
                "{\"question\": \"Two?\", \"choices\": [\"a\", \"b\"], \"answer\": 1}");
        // by default the two-choice row keeps its own labels (scored over A and B only, ClassMask)
        McqaDataset d = McqaDatasets.load(file);
        assertThat(d.classLabels()).containsExactly("A", "B", "C", "D");
        assertThat(d.get(1).labels()).containsExactly("A", "B");
        // the strict policy refuses it, naming the line
        assertThatThrownBy(() -> McqaDatasets.load(file, McqaFormat.AUTO, McqaLoadOptions.defaults().withSameChoices()))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContainingAll(file + ":2", "2 choices", "A–D");
    }

    @Test
    void strictJsonLines() throws IOException {
        assertThatThrownBy(() -> McqaDatasets.load(write(
                "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 0} "
                        + "{\"question\": \"r\", \"choices\": [\"a\", \"b\"], \"answer\": 1}")))
                .isInstanceOf(DatasetFormatException.class).hasMessageContainingAll(":1", "one object per line");
        assertThatThrownBy(() -> McqaDatasets.load(write(
                "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 0} garbage")))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining(":1");
        assertThatThrownBy(() -> McqaDatasets.load(write(
                "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 0, \"answer\": 1}")))
                .isInstanceOf(DatasetFormatException.class).hasMessageContainingAll(":1", "answer");
        assertThatThrownBy(() -> McqaDatasets.load(write(
                "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 4294967296}")))
                .isInstanceOf(DatasetFormatException.class).hasMessageContainingAll(":1", "4294967296");
    }

    @Test
    void verbatimPromptsDefaultToAToD() throws IOException {
        Path file = write("{\"prompt\": \"Q: pick one\\nA. x\\nB. y\\nAnswer:\", \"answer\": \"B\"}",
                "{\"prompt\": \"Another\\nAnswer:\", \"answer\": 3}");
        assertThat(McqaDatasets.detect(file)).isEqualTo(McqaFormat.GENERIC);
        McqaDataset ds = McqaDatasets.load(file);
        assertThat(ds.classLabels()).containsExactly("A", "B", "C", "D");
        assertThat(ds.get(0).verbatim()).isTrue();
        assertThat(ds.get(0).question()).isEqualTo("Q: pick one\nA. x\nB. y\nAnswer:");
        assertThat(ds.get(0).answer()).isEqualTo(1);
        assertThat(ds.get(1).answer()).isEqualTo(3);
    }

    @Test
    void verbatimPromptClassesFromMaxAnswerNumChoicesOrLabels() throws IOException {
        assertThat(McqaDatasets.load(write("{\"prompt\": \"p\", \"answer\": \"E\"}", "{\"prompt\": \"q\", \"answer\": 0}"))
                .classLabels()).containsExactly("A", "B", "C", "D", "E");
        assertThat(McqaDatasets.load(write("{\"prompt\": \"p\", \"answer\": 1, \"num_choices\": 3}")).classLabels())
                .containsExactly("A", "B", "C");
        McqaDataset yesNo = McqaDatasets.load(write("{\"prompt\": \"p\", \"answer\": \"no\", \"labels\": [\"yes\", \"no\"]}"));
        assertThat(yesNo.classLabels()).containsExactly("yes", "no");
        assertThat(yesNo.get(0).answer()).isEqualTo(1);
        assertThat(McqaDatasets.load(write("{\"prompt\": \"p\", \"answer\": 0, \"choices\": [\"a\", \"b\"]}"))
                .classLabels()).containsExactly("A", "B");
    }

    @Test
    void badRowsNameFileAndLine() throws IOException {
        Path noFields = write("{\"prompt\": \"p\", \"answer\": 0}", "{\"text\": \"p\", \"answer\": 0}");
        assertThatThrownBy(() -> McqaDatasets.load(noFields, McqaFormat.GENERIC))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith(noFields + ":2: neither field \"question\" nor \"prompt\"");
        Path badLetter = write("{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": \"C\"}");
        assertThatThrownBy(() -> McqaDatasets.load(badLetter))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(badLetter + ":1: answer \"C\" not among labels A–B");
        Path badIndex = write("{\"prompt\": \"p\", \"answer\": 2, \"num_choices\": 2}");
        assertThatThrownBy(() -> McqaDatasets.load(badIndex))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(badIndex + ":1: answer index 2 outside 0..1 (labels A–B)");
        Path noChoices = write("{\"question\": \"q\", \"answer\": 0}");
        assertThatThrownBy(() -> McqaDatasets.load(noChoices, McqaFormat.GENERIC))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(noChoices + ":1: missing field \"choices\"");
    }

    @Test
    void unknownFormatListsSupportedFormats() throws IOException {
        Path file = write("{\"text\": \"hello\", \"label\": 1}");
        assertThatThrownBy(() -> McqaDatasets.load(file))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining(file + ":1: cannot detect the dataset format")
                .hasMessageContaining("CQA_OFFICIAL")
                .hasMessageContaining("CQA_HF")
                .hasMessageContaining("MMLU_CSV")
                .hasMessageContaining("MMLU_HF")
                .hasMessageContaining("GENERIC");
    }

    @Test
    void jsonArrayIsRejectedClearly() throws IOException {
        Path file = write("[{\"prompt\": \"p\", \"answer\": 0}]");
        assertThatThrownBy(() -> McqaDatasets.load(file))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("JSON Lines");
    }
}
