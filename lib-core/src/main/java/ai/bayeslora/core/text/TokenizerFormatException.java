package ai.bayeslora.core.text;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Path;

/** A tokenizer file exists but cannot be read: malformed JSON, an unsupported model, a missing field. */
public class TokenizerFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    public TokenizerFormatException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
    }

    public TokenizerFormatException(Path file, String what) {
        super(file + ": " + what);
    }
}
