package ai.bayeslora.lora.swag;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Path;

/** A saved SWAG posterior folder is missing a file, or its manifest or tensors are malformed or inconsistent. */
public class SwagFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong
     * @param file the file at fault; the message should name the field or tensor
     */
    public SwagFormatException(Path file, String message) {
        super(file + ": " + message);
    }

    /**
     * Creates the exception with its underlying cause.
     *
     * @param file the file at fault; the message should name the field or tensor
     * @param message what is wrong
     * @param cause the parse or I/O error behind it
     */
    public SwagFormatException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
    }
}
