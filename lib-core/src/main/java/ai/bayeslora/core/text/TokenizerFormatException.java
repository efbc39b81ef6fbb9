package ai.bayeslora.core.text;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Path;

/** A tokenizer file exists but cannot be read: malformed JSON, an unsupported model, a missing field. */
public class TokenizerFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with its underlying cause; the message is {@code file: what}.
     *
     * @param file the tokenizer file at fault
     * @param what what is wrong
     * @param cause the parse or native error behind it
     */
    public TokenizerFormatException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
    }

    /**
     * Creates the exception; the message is {@code file: what}.
     *
     * @param file the tokenizer file at fault
     * @param what what is wrong
     */
    public TokenizerFormatException(Path file, String what) {
        super(file + ": " + what);
    }
}
