package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommonsenseQaLoaderTest {
    @TempDir
    Path dir;

    private static String official(String id, String stem, String answerKey) {
        return "{\"id\": \"" + id + "\", \"question\": {\"question_concept\": \"x\", \"choices\": ["
                + "{\"label\": \"A\", \"text\": \"bank\"}, {\"label\": \"B\", \"text\": \"library\"}, "
                + "{\"label\": \"C\", \"text\": \"department store\"}, {\"label\": \"D\", \"text\": \"mall\"}, "
                + "{\"label\": \"E\", \"text\": \"new york\"}], \"stem\": \"" + stem + "\"}"
                + (answerKey == null ? "" : ", \"answerKey\": \"" + answerKey + "\"") + "}";
    }

    private Path write(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    @Test
    void officialJsonl() throws IOException {
        Path file = write("train_rand_split.jsonl",
                official("075e483d", "The sanctions against the school were a punishing blow?", "A"),
                "",
                official("61fe6e87", "Where would you find a revolving door?", "E"));
        assertThat(McqaDatasets.detect(file)).isEqualTo(McqaFormat.CQA_OFFICIAL);
        McqaDataset ds = McqaDatasets.load(file);
        assertThat(ds.size()).isEqualTo(2);
        assertThat(ds.classLabels()).containsExactly("A", "B", "C", "D", "E");
        assertThat(ds.source()).isEqualTo(file.toString());
        McqaExample e = ds.get(1);
        assertThat(e.id()).isEqualTo("61fe6e87");
        assertThat(e.question()).isEqualTo("Where would you find a revolving door?");
        assertThat(e.choices()).containsExactly("bank", "library", "department store", "mall", "new york");
        assertThat(e.answer()).isEqualTo(4);
        assertThat(e.answerLabel()).hasValue("E");
        assertThat(e.subject()).isEmpty();
        assertThat(e.verbatim()).isFalse();
    }

    @Test
    void officialUnlabeledSplitHasUnknownAnswers() throws IOException {
        Path file = write("test_rand_split_no_answers.jsonl", official("a", "q1?", null), official("b", "q2?", null));
        McqaDataset ds = McqaDatasets.load(file, McqaFormat.CQA_OFFICIAL);
        assertThat(ds.examples()).extracting(McqaExample::answer).containsExactly(-1, -1);
    }

    @Test
    void missingAnswerKeyNamesFileAndLine() throws IOException {
        Path file = write("dev.jsonl", official("a", "q1?", "B"), official("b", "q2?", null));
        assertThatThrownBy(() -> McqaDatasets.load(file))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":2: missing field \"answerKey\"")
                .satisfies(e -> assertThat(((DatasetFormatException) e).line()).isEqualTo(2));
    }

    @Test
    void answerOutsideLabelsIsReported() throws IOException {
        Path file = write("dev.jsonl", official("a", "q1?", "B"), official("b", "q2?", "F"));
        assertThatThrownBy(() -> McqaDatasets.load(file))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":2: answer \"F\" not among labels A–E");
    }

    @Test
    void missingStemIsReported() throws IOException {
        Path file = write("dev.jsonl", official("a", "q1?", "B").replace("\"stem\"", "\"stum\""));
        assertThatThrownBy(() -> McqaDatasets.load(file, McqaFormat.CQA_OFFICIAL))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":1: missing field \"question.stem\"");
    }

    @Test
    void hfJsonlWithEmptyAnswerKey() throws IOException {
        Path file = write("cqa_hf.jsonl",
                "{\"id\": \"q1\", \"question\": \"Where do you keep milk?\", \"question_concept\": \"milk\", "
                        + "\"choices\": {\"label\": [\"A\", \"B\", \"C\", \"D\", \"E\"], "
                        + "\"text\": [\"fridge\", \"oven\", \"car\", \"roof\", \"sky\"]}, \"answerKey\": \"A\"}",
                "{\"id\": \"q2\", \"question\": \"Test question?\", "
                        + "\"choices\": {\"label\": [\"A\", \"B\", \"C\", \"D\", \"E\"], "
                        + "\"text\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}, \"answerKey\": \"\"}");
        assertThat(McqaDatasets.detect(file)).isEqualTo(McqaFormat.CQA_HF);
        McqaDataset ds = McqaDatasets.load(file);
        assertThat(ds.classLabels()).containsExactly("A", "B", "C", "D", "E");
        assertThat(ds.get(0).choices()).containsExactly("fridge", "oven", "car", "roof", "sky");
        assertThat(ds.get(0).answer()).isZero();
        assertThat(ds.get(1).answer()).isEqualTo(-1);
        assertThat(ds.get(1).hasAnswer()).isFalse();
    }

    @Test
    void hfJsonlLabelTextMismatch() throws IOException {
        Path file = write("cqa_hf.jsonl", "{\"id\": \"q1\", \"question\": \"Q?\", "
                + "\"choices\": {\"label\": [\"A\", \"B\"], \"text\": [\"x\"]}, \"answerKey\": \"A\"}");
        assertThatThrownBy(() -> McqaDatasets.load(file, McqaFormat.CQA_HF))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":1: 2 labels but 1 choice texts");
    }

    @Test
    void malformedJsonNamesTheLine() throws IOException {
        Path file = write("dev.jsonl", official("a", "q1?", "B"), "{\"id\": \"b\", \"question\": ");
        assertThatThrownBy(() -> McqaDatasets.load(file, McqaFormat.CQA_OFFICIAL))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith(file + ":2: malformed JSON");
    }

    @Test
    void emptyFileIsAnEmptyDataset() throws IOException {
        Path file = write("empty.jsonl", "", "  ");
        assertThatThrownBy(() -> McqaDatasets.load(file))
                .isInstanceOf(EmptyDatasetException.class)
                .hasMessageContaining(file.toString());
        assertThatThrownBy(() -> McqaDatasets.load(file, McqaFormat.CQA_HF))
                .isInstanceOf(EmptyDatasetException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void mixedLabelSetsAreRejectedUnderTheSameChoicesPolicy() throws IOException {
        Path file = write("mixed.jsonl",
                "{\"id\": \"q1\", \"question\": \"Q?\", \"choices\": {\"label\": [\"A\", \"B\"], "
                        + "\"text\": [\"x\", \"y\"]}, \"answerKey\": \"A\"}",
                "{\"id\": \"q2\", \"question\": \"Q?\", \"choices\": {\"label\": [\"1\", \"2\", \"3\"], "
                        + "\"text\": [\"x\", \"y\", \"z\"]}, \"answerKey\": \"1\"}");
        assertThatThrownBy(() -> McqaDatasets.load(file, McqaFormat.AUTO, McqaLoadOptions.defaults().withSameChoices()))
                .isInstanceOf(DatasetFormatException.class)
                // "1"-"3" are relabelled A-C by position, so the first row lacks an option the other has
                .hasMessageStartingWith(file + ":1: this row has 2 choices (A–B) but other rows have 3 (A–C)");
        // by default both rows are kept, the first scored over its own two choices
        McqaDataset d = McqaDatasets.load(file);
        assertThat(d.classLabels()).containsExactly("A", "B", "C");
        assertThat(d.get(0).labels()).containsExactly("A", "B");
    }
}
