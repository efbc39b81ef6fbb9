package ai.bayeslora.laplace;

import ai.bayeslora.core.BayesLoraException;

/** A Laplace fit or prediction could not be done; the message names the data, module or file at fault. */
public class LaplaceException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    public LaplaceException(String message) {
        super(message);
    }

    public LaplaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
