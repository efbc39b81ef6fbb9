package ai.bayeslora.core.model;

import ai.bayeslora.core.BayesLoraException;

/** A checkpoint tensor is missing or its shape disagrees with what config.json implies. */
public class WeightShapeException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the tensor, its shape and the shape the config implies
     */
    public WeightShapeException(String message) {
        super(message);
    }
}
