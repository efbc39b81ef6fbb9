package ai.bayeslora.lora.train;

import ai.bayeslora.core.BayesLoraException;

/** Training or validation data cannot be used: an example without a known answer, or classes the model cannot score. */
public class TrainingDataException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong with the training data
     */
    public TrainingDataException(String message) {
        super(message);
    }
}
