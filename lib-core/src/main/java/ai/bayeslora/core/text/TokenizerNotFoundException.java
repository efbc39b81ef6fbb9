package ai.bayeslora.core.text;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Path;

/** No {@code tokenizer.json} where one was expected. The message names the path that was looked at. */
public class TokenizerNotFoundException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    /**
     * Creates the exception.
     *
     * @param path the file or folder looked at
     * @param detail more on what was expected there, or null
     */
    public TokenizerNotFoundException(Path path, String detail) {
        super("tokenizer not found: " + path + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.path = path;
    }

    /** {@return the path that was looked at} */
    public Path path() {
        return path;
    }
}
