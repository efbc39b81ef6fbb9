package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.MmluGroups.Group;
import org.junit.jupiter.api.Test;

class MmluGroupsTest {

    @Test
    void listsHaveTheDocumentedSizesAndNoOverlap() {
        assertThat(MmluGroups.STEM).hasSize(18).doesNotHaveDuplicates();
        assertThat(MmluGroups.SOCIAL_SCIENCES).hasSize(12).doesNotHaveDuplicates();
        assertThat(MmluGroups.STEM).doesNotContainAnyElementsOf(MmluGroups.SOCIAL_SCIENCES);
        assertThat(MmluGroups.STEM).contains("abstract_algebra", "machine_learning", "high_school_statistics");
        assertThat(MmluGroups.SOCIAL_SCIENCES).contains("econometrics", "us_foreign_policy");
    }

    @Test
    void groupOfSubject() {
        assertThat(MmluGroups.group("college_physics")).isEqualTo(Group.STEM);
        assertThat(MmluGroups.group("High School Psychology")).isEqualTo(Group.SOCIAL_SCIENCES);
        assertThat(MmluGroups.group("philosophy")).isEqualTo(Group.HUMANITIES_OR_OTHER);
        assertThat(MmluGroups.group("virology")).isEqualTo(Group.HUMANITIES_OR_OTHER);
        for (String s : MmluGroups.STEM) {
            assertThat(MmluGroups.group(s)).isEqualTo(Group.STEM);
        }
        for (String s : MmluGroups.SOCIAL_SCIENCES) {
            assertThat(MmluGroups.group(s)).isEqualTo(Group.SOCIAL_SCIENCES);
        }
    }
}
