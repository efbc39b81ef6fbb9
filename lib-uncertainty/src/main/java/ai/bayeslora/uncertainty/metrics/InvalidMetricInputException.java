package ai.bayeslora.uncertainty.metrics;

import ai.bayeslora.core.BayesLoraException;

/**
 * Input a metric cannot be computed from: no examples, arrays of different lengths, a probability outside [0, 1] or
 * NaN, a row of probabilities that does not sum to 1 within the tolerance, a label outside [0, C), a NaN score, or a
 * tensor of the wrong rank or dtype. The message names the example (and class) at fault.
 */
public class InvalidMetricInputException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the example (and class) at fault
     */
    public InvalidMetricInputException(String message) {
        super(message);
    }
}
