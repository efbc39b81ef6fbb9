package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.HfTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each paper's prompt, rendered for a sample row, against the string derived by hand from the paper's code (issue
 * 12): the ensemble paper's CQA format with lowercase letters after "A: (", Laplace-LoRA's one-line "Select one of
 * the choices…" (capitalised choices with a final "."), its WinoGrande quirk and its BoolQ format with EOS.
 */
class PaperPromptsTest {
    private static final McqaExample CQA = McqaExample.of("q1", "Where would you find a seat?",
            List.of("bus", "library", "theater", "park", "kitchen"), Letters.first(5), 2, null);

    @Test
    void balabanovCqa() {
        assertThat(PaperPrompts.balabanovCqa().render(CQA)).isEqualTo("Q: Where would you find a seat?\n"
                + "Answer Choices:\n(a) bus\n(b) library\n(c) theater\n(d) park\n(e) kitchen\nA: (");
        assertThat(PaperPrompts.lowercase(5)).containsExactly("a", "b", "c", "d", "e");
        assertThat(PaperPrompts.BALABANOV_ANSWER_PREFIX).isEmpty();
        // the letter follows "(" directly: the format's answer tokens are the bare letters, which the tiny tokenizer
        // has as single tokens (" a" would be two)
        assertThat(PaperPrompts.balabanovCqa().answerPrefix()).isEmpty();
        try (HfTokenizer tok = HfTokenizer.load(Fixtures.model("tiny-llama"))) {
            assertThat(ai.bayeslora.core.text.AnswerTokens.of(tok, PaperPrompts.lowercase(5),
                    PaperPrompts.balabanovCqa().answerPrefix()).ids()).hasSize(5).doesNotHaveDuplicates();
            // " a" would be two tokens: scored by continuation likelihood, not the one-token fast path
            assertThat(ai.bayeslora.core.text.AnswerTokens.of(tok, PaperPrompts.lowercase(5), " ").singleToken())
                    .isFalse();
        }
    }

    @Test
    void yangChoicesForArcAndObqa() {
        McqaExample arc = McqaExample.of("Mercury_1", "Which gas do plants take in?",
                List.of("oxygen", "carbon dioxide", "nitrogen", "helium"), Letters.first(4), 1, null);
        assertThat(PaperPrompts.yangChoices().render(arc)).isEqualTo("Select one of the choices that answers the "
                + "following question: Which gas do plants take in? Choices: A. Oxygen. B. Carbon dioxide. C. Nitrogen. "
                + "D. Helium. Answer:");
    }

    @Test
    void yangWinograndeKeepsTheCodesMissingPeriod() {
        McqaExample wg = McqaExample.of("3QHI-1", "John moved the couch, but the _ was too heavy.",
                List.of("John", "couch"), Letters.first(2), 1, null);
        assertThat(PaperPrompts.yangWinogrande().render(wg)).isEqualTo("Select one of the choices that answers the "
                + "following question: John moved the couch, but the _ was too heavy. Choices: A. John. B couch. Answer:");
    }

    @Test
    void yangBoolqEndsWithEosAndReadsFalseTrue() {
        McqaExample bq = McqaExample.of("0", "is the sky blue", List.of("False", "True"), Letters.first(2), 1, null)
                .withContext("The sky appears blue.");
        PromptFormat f = PaperPrompts.yangBoolq();
        assertThat(f.render(bq)).isEqualTo("Answer the question with only True or False: is the sky blue Context: "
                + "The sky appears blue.");
        assertThat(f.appendEos()).isTrue();
        try (HfTokenizer tok = HfTokenizer.load(Fixtures.model("tiny-llama"))) {
            McqaBatcher b = new McqaBatcher(tok, f, McqaBatcher.Config.forTokenizer(tok));
            int[] ids = b.tokens(bq);
            assertThat(ids[ids.length - 1]).as("EOS is the last token").isEqualTo(tok.eosId().getAsInt());
            int[] plain = new McqaBatcher(tok, PromptTemplate.builder().noHeader().build(),
                    McqaBatcher.Config.forTokenizer(tok)).tokens(bq);
            assertThat(plain[plain.length - 1]).isNotEqualTo(tok.eosId().getAsInt());
        }
    }

    @Test
    void relabellingKeepsTheQuestionsAndAnswers() {
        McqaDataset d = McqaDataset.of("cqa", Letters.first(5), List.of(CQA));
        McqaDataset lower = d.relabelled(PaperPrompts.lowercase(5));
        assertThat(lower.classLabels()).containsExactly("a", "b", "c", "d", "e");
        assertThat(lower.get(0).answerLabel()).contains("c");
        assertThat(lower.get(0).question()).isEqualTo(CQA.question());
    }
}
