package ai.bayeslora.core.model;

import ai.bayeslora.core.BayesLoraException;

/**
 * A checkpoint tensor whose values cannot be model weights: an integer or boolean dtype where floating-point weights
 * go, or NaN / infinite entries. The message names the file and the tensor.
 */
public class WeightValueException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with which tensor of which file
     */
    public WeightValueException(String message) {
        super(message);
    }
}
