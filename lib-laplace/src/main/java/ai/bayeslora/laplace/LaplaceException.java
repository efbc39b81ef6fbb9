package ai.bayeslora.laplace;

import ai.bayeslora.core.BayesLoraException;

/** A Laplace fit or prediction could not be done; the message names the data, module or file at fault. */
public class LaplaceException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong in the fit or the predictive
     */
    public LaplaceException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its underlying cause.
     *
     * @param message what went wrong in the fit or the predictive
     * @param cause the native or numerical error behind it
     */
    public LaplaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
