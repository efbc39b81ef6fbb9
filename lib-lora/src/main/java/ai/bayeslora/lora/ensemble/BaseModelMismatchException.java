package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.BayesLoraException;

/** An ensemble was saved for another base model than the one it is being loaded onto. */
public class BaseModelMismatchException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the fields in which the ensemble's base model and the given model differ
     */
    public BaseModelMismatchException(String message) {
        super(message);
    }
}
