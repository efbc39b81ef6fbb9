package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The datasets of the Laplace-LoRA and SWAG-LoRA protocols, in their official and HF formats: ARC (numeric labels,
 * 3- and 5-choice rows), OpenBookQA, BoolQ (original and SuperGLUE) and WinoGrande (the blank).
 */
class PaperDatasetReadersTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private static String arcOfficial(String id, String[] labels, String key) {
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            c.append(i > 0 ? ", " : "").append("{\"text\": \"choice ").append(i).append("\", \"label\": \"")
                    .append(labels[i]).append("\"}");
        }
        return "{\"id\": \"" + id + "\", \"question\": {\"stem\": \"Which is it?\", \"choices\": [" + c + "]}, "
                + "\"answerKey\": \"" + key + "\"}";
    }

    @Test
    void arcOfficialRelabelsNumericRowsAndKeepsOnlyTheChosenChoiceCount() throws IOException {
        Path f = write("ARC-Challenge-Test.jsonl",
                arcOfficial("Mercury_1", new String[] {"A", "B", "C", "D"}, "C"),
                arcOfficial("MCAS_2", new String[] {"1", "2", "3", "4"}, "2"),
                arcOfficial("NYSED_3", new String[] {"A", "B", "C"}, "A"),
                arcOfficial("Mercury_4", new String[] {"A", "B", "C", "D", "E"}, "E"));
        assertThat(McqaDatasets.detect(f)).isEqualTo(McqaFormat.CQA_OFFICIAL); // the same official structure
        // the rows differ in their number of choices: refused under the same-choices policy
        assertThatThrownBy(() -> McqaDatasets.load(f, McqaFormat.ARC, McqaLoadOptions.defaults().withSameChoices()))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContainingAll(f + ":1", "5 (A–E)", "--choices");
        assertThat(McqaDatasets.load(f, McqaFormat.ARC).size()).as("by default every row, each over its own choices")
                .isEqualTo(4);
        McqaDataset d = McqaDatasets.load(f, McqaFormat.ARC, McqaLoadOptions.defaults().withChoices(4));
        assertThat(d.size()).isEqualTo(2);
        assertThat(d.classLabels()).containsExactly("A", "B", "C", "D");
        assertThat(d.get(0).answer()).isEqualTo(2);
        assertThat(d.get(1).id()).isEqualTo("MCAS_2");
        assertThat(d.get(1).labels()).as("\"1\"-\"4\" relabelled by position").containsExactly("A", "B", "C", "D");
        assertThat(d.get(1).answer()).as("answerKey \"2\" is the second choice").isEqualTo(1);
        assertThatThrownBy(() -> McqaDatasets.load(f, McqaFormat.ARC, McqaLoadOptions.defaults().withChoices(6)))
                .isInstanceOf(EmptyDatasetException.class).hasMessageContaining("no row has 6 choices");
        // or every row, each over its own choices: the classes are the longest row's
        McqaDataset all = McqaDatasets.load(f, McqaFormat.ARC, McqaLoadOptions.defaults().withOwnChoices());
        assertThat(all.size()).isEqualTo(4);
        assertThat(all.classLabels()).containsExactly("A", "B", "C", "D", "E");
        assertThat(all.mixedChoices()).isTrue();
        assertThat(all.get(2).labels()).containsExactly("A", "B", "C");
        assertThat(all.get(3).answer()).isEqualTo(4);
    }

    @Test
    void arcAndOpenBookQaHfExports() throws IOException {
        Path arc = write("arc.jsonl", "{\"id\": \"Mercury_1\", \"question\": \"Which?\", \"choices\": {\"text\": "
                + "[\"w\", \"x\", \"y\", \"z\"], \"label\": [\"1\", \"2\", \"3\", \"4\"]}, \"answerKey\": \"4\"}");
        McqaDataset a = McqaDatasets.load(arc, McqaFormat.ARC);
        assertThat(a.classLabels()).containsExactly("A", "B", "C", "D");
        assertThat(a.get(0).answer()).isEqualTo(3);
        assertThat(McqaDatasets.load(arc).get(0).answer()).as("auto-detected as the HF choice form").isEqualTo(3);

        Path obqa = write("obqa.jsonl", "{\"id\": \"7-980\", \"question_stem\": \"The sun is\", \"choices\": "
                + "{\"text\": [\"cold\", \"a star\", \"wet\", \"small\"], \"label\": [\"A\", \"B\", \"C\", \"D\"]}, "
                + "\"answerKey\": \"B\"}");
        assertThat(McqaDatasets.detect(obqa)).isEqualTo(McqaFormat.OPENBOOKQA);
        McqaDataset o = McqaDatasets.load(obqa);
        assertThat(o.get(0).question()).isEqualTo("The sun is");
        assertThat(o.get(0).choices()).containsExactly("cold", "a star", "wet", "small");
        assertThat(o.get(0).answer()).isEqualTo(1);
        Path official = write("obqa-official.jsonl", arcOfficial("7-1", new String[] {"A", "B", "C", "D"}, "D"));
        assertThat(McqaDatasets.load(official, McqaFormat.OPENBOOKQA).get(0).answer()).isEqualTo(3);
    }

    @Test
    void boolqOriginalAndSuperGlueWithThePassageAsContext() throws IOException {
        Path orig = write("boolq-dev.jsonl",
                "{\"question\": \"is the sky blue\", \"title\": \"Sky\", \"answer\": true, \"passage\": \"The sky is "
                        + "blue.\"}",
                "{\"question\": \"is fire cold\", \"title\": \"Fire\", \"answer\": false, \"passage\": \"Fire is hot.\"}");
        assertThat(McqaDatasets.detect(orig)).isEqualTo(McqaFormat.BOOLQ);
        McqaDataset d = McqaDatasets.load(orig);
        assertThat(d.classLabels()).containsExactly("A", "B");
        assertThat(d.get(0).choices()).containsExactly("False", "True");
        assertThat(d.get(0).answer()).isEqualTo(1);
        assertThat(d.get(1).answer()).isZero();
        assertThat(d.get(0).context()).contains("The sky is blue.");
        assertThat(PromptTemplate.defaults().render(d.get(0)))
                .isEqualTo("Passage: The sky is blue.\nis the sky blue\nA. False\nB. True\nAnswer:");

        Path glue = write("val.jsonl",
                "{\"question\": \"q1\", \"passage\": \"p1\", \"idx\": 0, \"label\": 1}",
                "{\"question\": \"q2\", \"passage\": \"p2\", \"idx\": 1, \"label\": false}",
                "{\"question\": \"q3\", \"passage\": \"p3\", \"idx\": 2, \"label\": -1}");
        McqaDataset g = McqaDatasets.load(glue);
        assertThat(g.examples()).extracting(McqaExample::answer).containsExactly(1, 0, -1);
        assertThat(g.get(2).id()).isEqualTo("2");
        Path bad = write("bad.jsonl", "{\"question\": \"q\", \"passage\": \"p\", \"answer\": \"maybe\"}");
        assertThatThrownBy(() -> McqaDatasets.load(bad)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContainingAll(bad + ":1", "true or false");
    }

    @Test
    void winograndeWithItsBlankAndTestRowsWithoutAnswers() throws IOException {
        Path f = write("train_xs.jsonl",
                "{\"qID\": \"3QHI-1\", \"sentence\": \"John moved the couch, but the _ was too heavy.\", "
                        + "\"option1\": \"John\", \"option2\": \"couch\", \"answer\": \"2\"}",
                "{\"qID\": \"3QHI-2\", \"sentence\": \"Ann gave Mia a gift because _ was kind.\", "
                        + "\"option1\": \"Ann\", \"option2\": \"Mia\", \"answer\": \"\"}");
        assertThat(McqaDatasets.detect(f)).isEqualTo(McqaFormat.WINOGRANDE);
        McqaDataset d = McqaDatasets.load(f);
        assertThat(d.classLabels()).containsExactly("A", "B");
        assertThat(d.get(0).id()).isEqualTo("3QHI-1");
        assertThat(d.get(0).choices()).containsExactly("John", "couch");
        assertThat(d.get(0).answer()).isEqualTo(1);
        assertThat(d.get(1).answer()).isEqualTo(-1);
        assertThat(d.get(0).question()).contains("_");
        Path bad = write("bad.jsonl", "{\"sentence\": \"no blank\", \"option1\": \"a\", \"option2\": \"b\", "
                + "\"answer\": \"1\"}");
        assertThatThrownBy(() -> McqaDatasets.load(bad)).hasMessageContainingAll(bad + ":1", "blank");
    }

    @Test
    void formatsAreNamedForTheCommandLine() {
        assertThat(Set.of(McqaFormat.values())).contains(McqaFormat.valueOf("ARC"), McqaFormat.valueOf("OPENBOOKQA"),
                McqaFormat.valueOf("BOOLQ"), McqaFormat.valueOf("WINOGRANDE"));
        assertThat(List.of(McqaFormat.values())).allSatisfy(f -> assertThat(f.description()).isNotBlank());
    }
}
