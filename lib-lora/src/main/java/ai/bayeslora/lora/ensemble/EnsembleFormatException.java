package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.BayesLoraException;

/** An ensemble folder or its {@code ensemble.json} manifest is missing, malformed or inconsistent. */
public class EnsembleFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the ensemble folder and the file or field at fault
     */
    public EnsembleFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its underlying cause.
     *
     * @param message what is wrong, naming the ensemble folder and the file or field at fault
     * @param cause the parse or I/O error behind it
     */
    public EnsembleFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
