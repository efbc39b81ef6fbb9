package ai.bayeslora.core.data;

/**
 * How an {@link McqaExample} becomes the text whose next token is read as the answer (docs/METHODS.md §1):
 * {@link PromptTemplate} (configurable, MMLU style by default) or one of the papers' formats in
 * {@link PaperPrompts}. Implementations are immutable and thread-safe.
 */
public interface PromptFormat {
    /**
     * The prompt of {@code example}.
     *
     * @param example the question
     * @return the text to tokenize
     */
    String render(McqaExample example);

    /**
     * Whether the tokenized prompt ends with the tokenizer's EOS token, read as the answer position (the Laplace-LoRA
     * code does this for BoolQ). Default false.
     *
     * @return true to append EOS
     */
    default boolean appendEos() {
        return false;
    }

    /**
     * The text before each class label in its answer token: one space by default ({@code " A"} after
     * {@code "Answer:"}); none for a prompt that ends with {@code "("}.
     *
     * @return the prefix of {@link ai.bayeslora.core.text.AnswerTokens#of(ai.bayeslora.core.text.TextTokenizer,
     *     java.util.List, String)}
     */
    default String answerPrefix() {
        return ai.bayeslora.core.text.AnswerTokens.DEFAULT_PREFIX;
    }
}
