package ai.bayeslora.core.text;

import ai.bayeslora.core.BayesLoraException;

/**
 * An answer label does not map to exactly one token, or two labels map to the same token. The message names the label,
 * the string that was encoded and the ids it produced.
 */
public class AnswerTokenException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the label and the tokenizer's view of it
     */
    public AnswerTokenException(String message) {
        super(message);
    }
}
