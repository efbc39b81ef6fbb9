package ai.bayeslora.core.model;

import ai.bayeslora.core.BayesLoraException;

/** config.json names a {@code model_type} (or an option such as a RoPE type or activation) the library lacks. */
public class UnsupportedArchitectureException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the config source, the model_type found and the supported ones
     */
    public UnsupportedArchitectureException(String message) {
        super(message);
    }
}
