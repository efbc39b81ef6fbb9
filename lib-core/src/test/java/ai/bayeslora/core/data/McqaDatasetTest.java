package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class McqaDatasetTest {
    private static final List<String> ABCD = List.of("A", "B", "C", "D");

    private static McqaExample ex(String id, String subject, int answer) {
        return McqaExample.of(id, "q", List.of("a", "b", "c", "d"), ABCD, answer, subject);
    }

    @Test
    void immutableWithClassLabelsAndSubjects() {
        List<McqaExample> list = new ArrayList<>(List.of(ex("1", "astronomy", 0), ex("2", "sociology", 3),
                ex("3", null, -1)));
        McqaDataset ds = McqaDataset.of("mem", ABCD, list);
        list.clear();
        assertThat(ds.size()).isEqualTo(3);
        assertThat(ds.numClasses()).isEqualTo(4);
        assertThat(ds.subjects()).containsExactly("astronomy", "sociology");
        assertThatThrownBy(() -> ds.examples().add(ex("4", null, 0)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(ds.limit(2).size()).isEqualTo(2);
        assertThat(ds.limit(10)).isSameAs(ds);
        assertThat(ds.withSubjects(List.of("Sociology")).get(0).id()).isEqualTo("2");
        assertThat(ds.toString()).contains("mem", "3 examples", "A–D");
    }

    @Test
    void emptyDatasetsAreRejected() {
        assertThatThrownBy(() -> McqaDataset.of("file.jsonl", ABCD, List.of()))
                .isInstanceOf(EmptyDatasetException.class)
                .hasMessageContaining("file.jsonl");
        McqaDataset ds = McqaDataset.of("file.jsonl", ABCD, List.of(ex("1", "astronomy", 0)));
        assertThatThrownBy(() -> ds.inGroup(MmluGroups.Group.SOCIAL_SCIENCES))
                .isInstanceOf(EmptyDatasetException.class)
                .hasMessageContaining("file.jsonl")
                .hasMessageContaining("SOCIAL_SCIENCES");
    }

    @Test
    void exampleLabelsMustStartTheClassLabels() {
        // a row with fewer choices is kept and scored over its own (ClassMask); its labels must start the classes
        McqaExample threeChoices = McqaExample.of("3", "q", List.of("a", "b", "c"), List.of("A", "B", "C"), 2, null);
        McqaDataset mixed = McqaDataset.of("mem", ABCD, List.of(threeChoices, ex("4", "astronomy", 0)));
        assertThat(mixed.mixedChoices()).isTrue();
        assertThat(mixed.relabelled(List.of("w", "x", "y", "z")).examples().get(0).labels()).containsExactly("w", "x",
                "y");
        assertThat(McqaDataset.of("mem", ABCD, List.of(ex("4", "astronomy", 0))).mixedChoices()).isFalse();
        McqaExample other = McqaExample.of("o", "q", List.of("a", "b"), List.of("B", "C"), 0, null);
        assertThatThrownBy(() -> McqaDataset.of("mem", ABCD, List.of(other)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not start");
        McqaExample five = McqaExample.of("5", "q", List.of("a", "b", "c", "d", "e"),
                List.of("A", "B", "C", "D", "E"), 4, null);
        assertThatThrownBy(() -> McqaDataset.of("mem", ABCD, List.of(five)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("5");
    }

    @Test
    void exampleValidation() {
        assertThatThrownBy(() -> McqaExample.of("x", "q", List.of("a"), ABCD, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> McqaExample.of("x", "q", List.of("a", "b", "c", "d"), ABCD, 4, null))
                .isInstanceOf(IllegalArgumentException.class);
        McqaExample v = McqaExample.verbatim("v", "prompt", ABCD, -1);
        assertThat(v.hasAnswer()).isFalse();
        assertThat(v.answerLabel()).isEmpty();
        assertThat(ex("1", null, 2).answerLabel()).hasValue("C");
    }
}
