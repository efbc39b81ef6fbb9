package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.BayesLoraException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MmluLoaderTest {
    @TempDir
    Path dir;

    private static final String PHYSICS_CSV = ""
            + "\"A ball, thrown up, stops at the top. Its acceleration there is\",zero,g downward,g upward,"
            + "\"depends, on mass\",B\n"
            + "\"Which formula is right?\n(Choose one.)\",\"F = ma\",\"E = mc\"\"2\"\"\",p = mv^3,none,A\n"
            + "Plain question,1,2,3,4,D\n";

    @Test
    void csvWithQuotedCommasNewlinesAndQuotes() throws IOException {
        Path file = Files.writeString(dir.resolve("high_school_physics_test.csv"), PHYSICS_CSV);
        assertThat(McqaDatasets.detect(file)).isEqualTo(McqaFormat.MMLU_CSV);
        McqaDataset ds = McqaDatasets.load(file);
        assertThat(ds.size()).isEqualTo(3);
        assertThat(ds.classLabels()).containsExactly("A", "B", "C", "D");
        McqaExample first = ds.get(0);
        assertThat(first.question()).isEqualTo("A ball, thrown up, stops at the top. Its acceleration there is");
        assertThat(first.choices()).containsExactly("zero", "g downward", "g upward", "depends, on mass");
        assertThat(first.answer()).isEqualTo(1);
        assertThat(first.subject()).hasValue("high_school_physics");
        McqaExample second = ds.get(1);
        assertThat(second.question()).isEqualTo("Which formula is right?\n(Choose one.)");
        assertThat(second.choices()).containsExactly("F = ma", "E = mc\"2\"", "p = mv^3", "none");
        assertThat(second.answer()).isZero();
        assertThat(ds.get(2).answer()).isEqualTo(3);
        assertThat(ds.get(2).id()).isEqualTo("high_school_physics_test:4");
    }

    @Test
    void wrongColumnCountNamesTheLineAfterAMultiLineRow() throws IOException {
        Path file = Files.writeString(dir.resolve("astronomy_dev.csv"), PHYSICS_CSV + "Too short,1,2,C\n");
        assertThatThrownBy(() -> McqaDatasets.load(file))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":5: expected 6 CSV columns (question,A,B,C,D,answer), found 4");
    }

    @Test
    void badAnswerLetter() throws IOException {
        Path file = Files.writeString(dir.resolve("astronomy_dev.csv"), "Q,a,b,c,d,E\n");
        assertThatThrownBy(() -> McqaDatasets.load(file))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":1: answer \"E\" not among labels A–D");
    }

    @Test
    void emptyCsvIsAnEmptyDataset() throws IOException {
        Path file = Files.writeString(dir.resolve("astronomy_test.csv"), "\n");
        assertThatThrownBy(() -> McqaDatasets.load(file))
                .isInstanceOf(EmptyDatasetException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void subjectFromFileName() {
        assertThat(MmluCsvReader.subjectOf(Path.of("high_school_us_history_val.csv")))
                .isEqualTo("high_school_us_history");
        assertThat(MmluCsvReader.subjectOf(Path.of("arc_easy.csv"))).isEqualTo("arc_easy");
    }

    @Test
    void folderLoadsOneSplitWithSubjectFilterAndGroups() throws IOException {
        Files.writeString(dir.resolve("astronomy_test.csv"), "Sun?,star,planet,moon,comet,A\n");
        Files.writeString(dir.resolve("sociology_test.csv"), "Society?,a,b,c,d,B\nGroups?,a,b,c,d,C\n");
        Files.writeString(dir.resolve("philosophy_test.csv"), "Why?,a,b,c,d,D\n");
        Files.writeString(dir.resolve("astronomy_dev.csv"), "Dev?,a,b,c,d,A\n");
        McqaDataset all = McqaDatasets.load(dir);
        assertThat(all.size()).isEqualTo(4);
        assertThat(all.subjects()).containsExactly("astronomy", "philosophy", "sociology");
        assertThat(McqaDatasets.load(dir, McqaFormat.AUTO, McqaLoadOptions.defaults().withSplit("dev")).size())
                .isEqualTo(1);
        McqaDataset some = McqaDatasets.load(dir, McqaFormat.MMLU_CSV,
                McqaLoadOptions.defaults().withSubjects(Set.of("sociology", "Astronomy")));
        assertThat(some.subjects()).containsExactly("astronomy", "sociology");
        assertThat(all.inGroup(MmluGroups.Group.STEM).examples()).extracting(McqaExample::question)
                .containsExactly("Sun?");
        assertThat(all.inGroup(MmluGroups.Group.SOCIAL_SCIENCES).size()).isEqualTo(2);
        assertThat(all.inGroup(MmluGroups.Group.HUMANITIES_OR_OTHER).size()).isEqualTo(1);
        assertThatThrownBy(() -> McqaDatasets.load(dir, McqaFormat.MMLU_CSV,
                McqaLoadOptions.defaults().withSubjects(Set.of("virology"))))
                .isInstanceOf(BayesLoraException.class)
                .hasMessageContaining("virology")
                .hasMessageContaining("available");
        assertThatThrownBy(() -> McqaDatasets.load(dir, McqaFormat.AUTO, McqaLoadOptions.defaults().withSplit("val")))
                .isInstanceOf(EmptyDatasetException.class)
                .hasMessageContaining("*_val.csv");
        assertThatThrownBy(() -> some.inGroup(MmluGroups.Group.HUMANITIES_OR_OTHER))
                .isInstanceOf(EmptyDatasetException.class);
    }

    @Test
    void folderWithSplitSubfolder() throws IOException {
        Files.createDirectories(dir.resolve("data/test"));
        Files.writeString(dir.resolve("data/test/virology_test.csv"), "Virus?,a,b,c,d,C\n");
        McqaDataset ds = McqaDatasets.load(dir.resolve("data"));
        assertThat(ds.get(0).subject()).hasValue("virology");
    }

    @Test
    void hfJsonl() throws IOException {
        Path file = Files.writeString(dir.resolve("mmlu.jsonl"),
                "{\"question\": \"2+2?\", \"subject\": \"elementary_mathematics\", "
                        + "\"choices\": [\"3\", \"4\", \"5\", \"6\"], \"answer\": 1}\n"
                        + "{\"question\": \"Capital of France?\", \"subject\": \"high_school_geography\", "
                        + "\"choices\": [\"Paris\", \"Rome\", \"Oslo\", \"Bern\"], \"answer\": 0}\n");
        assertThat(McqaDatasets.detect(file)).isEqualTo(McqaFormat.MMLU_HF);
        McqaDataset ds = McqaDatasets.load(file);
        assertThat(ds.classLabels()).containsExactly("A", "B", "C", "D");
        assertThat(ds.get(0).answer()).isEqualTo(1);
        assertThat(ds.get(0).subject()).hasValue("elementary_mathematics");
        assertThat(ds.get(0).id()).isEqualTo("mmlu.jsonl:1");
        assertThat(ds.inGroup(MmluGroups.Group.STEM).size()).isEqualTo(1);
        assertThat(McqaDatasets.load(file, McqaFormat.AUTO,
                McqaLoadOptions.defaults().withSubjects(Set.of("high_school_geography"))).size()).isEqualTo(1);
    }

    @Test
    void hfJsonlAnswerOutOfRange() throws IOException {
        Path file = Files.writeString(dir.resolve("mmlu.jsonl"),
                "{\"question\": \"2+2?\", \"subject\": \"x\", \"choices\": [\"3\", \"4\", \"5\", \"6\"], \"answer\": 4}\n");
        assertThatThrownBy(() -> McqaDatasets.load(file, McqaFormat.MMLU_HF))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage(file + ":1: answer index 4 outside 0..3");
    }
}
