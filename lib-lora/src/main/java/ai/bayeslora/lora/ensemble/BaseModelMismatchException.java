package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.BayesLoraException;

/** An ensemble was saved for another base model than the one it is being loaded onto. */
public class BaseModelMismatchException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    public BaseModelMismatchException(String message) {
        super(message);
    }
}
