package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.BayesLoraException;

/** An ensemble folder or its {@code ensemble.json} manifest is missing, malformed or inconsistent. */
public class EnsembleFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    public EnsembleFormatException(String message) {
        super(message);
    }

    public EnsembleFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
