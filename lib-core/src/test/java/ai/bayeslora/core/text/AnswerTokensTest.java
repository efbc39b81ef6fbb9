package ai.bayeslora.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.testing.Fixtures;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AnswerTokensTest {
    private static HfTokenizer tok;

    @BeforeAll
    static void load() {
        tok = HfTokenizer.load(Fixtures.tokenizerJson());
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void lettersAToDMapToReferenceIds() {
        AnswerTokens answers = AnswerTokens.of(tok, List.of("A", "B", "C", "D"));
        assertThat(answers.ids()).containsExactly(317, 318, 319, 320);
        assertThat(answers.numClasses()).isEqualTo(4);
        assertThat(answers.labels()).containsExactly("A", "B", "C", "D");
        assertThat(answers.id(2)).isEqualTo(319);
        assertThat(answers.prefix()).isEqualTo(" ");
    }

    @Test
    void labelThatSplitsBecomesATokenSequence() {
        // The fixture tokenizer has no " E" merge: it encodes as [223 ("Ġ"), 39 ("E")].
        AnswerTokens answers = AnswerTokens.of(tok, List.of("A", "B", "C", "D", "E"));
        assertThat(answers.singleToken()).isFalse();
        assertThat(answers.sequence(4)).containsExactly(223, 39);
        assertThat(answers.sequence(0)).containsExactly(317);
        assertThat(answers.id(0)).isEqualTo(317);
        assertThat(answers.maxLength()).isEqualTo(2);
        assertThatThrownBy(answers::ids)
                .isInstanceOf(AnswerTokenException.class)
                .hasMessageContaining("\"E\"")
                .hasMessageContaining("\" E\"")
                .hasMessageContaining("[223, 39]");
        assertThatThrownBy(() -> answers.requireSingleToken("the full-vocabulary reduction"))
                .isInstanceOf(AnswerTokenException.class)
                .hasMessageContaining("full-vocabulary reduction");
        assertThat(AnswerTokens.of(tok, List.of("A", "B"), "  ").sequence(0)).containsExactly(223, 317);
    }

    @Test
    void labelsSharingATokenAreRejected() {
        TextTokenizer constant = new TextTokenizer() {
            @Override public int[] encode(String text) { return new int[] {7}; }
            @Override public String decode(int[] ids) { return ""; }
            @Override public int vocabSize() { return 8; }
            @Override public OptionalInt padId() { return OptionalInt.empty(); }
            @Override public OptionalInt bosId() { return OptionalInt.empty(); }
            @Override public OptionalInt tokenId(String token) { return OptionalInt.empty(); }
        };
        assertThatThrownBy(() -> AnswerTokens.of(constant, List.of("A", "B")))
                .isInstanceOf(AnswerTokenException.class)
                .hasMessageContaining("token 7");
    }

    @Test
    void idsIsADefensiveCopy() {
        AnswerTokens answers = AnswerTokens.of(tok, List.of("A", "B"));
        answers.ids()[0] = 99;
        assertThat(answers.id(0)).isEqualTo(317);
    }
}
