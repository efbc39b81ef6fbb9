package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PromptTemplateTest {
    private static final List<String> ABCD = List.of("A", "B", "C", "D");

    @Test
    void defaultWithoutSubjectMatchesTheFixtureCorpus() {
        McqaExample e = McqaExample.of("0", "Question: what the planet needs?",
                List.of("market", "cat", "violin", "violin"), ABCD, 0, null);
        assertThat(PromptTemplate.defaults().render(e))
                .isEqualTo("Question: what the planet needs?\nA. market\nB. cat\nC. violin\nD. violin\nAnswer:");
    }

    @Test
    void defaultWithSubjectHasTheMmluHeader() {
        McqaExample e = McqaExample.of("0", "2+2?", List.of("3", "4", "5", "6"), ABCD, 1, "elementary_mathematics");
        assertThat(PromptTemplate.defaults().render(e)).isEqualTo(
                "The following are multiple choice questions (with answers) about elementary mathematics.\n\n"
                        + "2+2?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:");
        assertThat(PromptTemplate.builder().noHeader().build().render(e))
                .isEqualTo("2+2?\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:");
    }

    @Test
    void everyPartIsConfigurable() {
        McqaExample e = McqaExample.of("0", "Where is {label}?", List.of("here", "there"), List.of("A", "B"), 0,
                null);
        PromptTemplate t = PromptTemplate.builder()
                .header("Answer the question.\n")
                .questionFormat("Q: {question}")
                .choiceFormat("({label}) {choice}")
                .answerCue("The answer is")
                .build();
        assertThat(t.render(e)).isEqualTo("Answer the question.\nQ: Where is {label}?\n(A) here\n(B) there\n"
                + "The answer is");
        assertThat(t.toBuilder().noHeader().build().render(e))
                .isEqualTo("Q: Where is {label}?\n(A) here\n(B) there\nThe answer is");
        assertThat(t.header()).hasValue("Answer the question.\n");
    }

    @Test
    void verbatimPromptsAreUnchanged() {
        McqaExample e = McqaExample.verbatim("v", "Pick one.\nA. x\nB. y\nAnswer:", List.of("A", "B"), 1);
        assertThat(PromptTemplate.defaults().render(e)).isEqualTo("Pick one.\nA. x\nB. y\nAnswer:");
    }
}
