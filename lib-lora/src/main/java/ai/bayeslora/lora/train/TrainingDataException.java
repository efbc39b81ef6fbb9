package ai.bayeslora.lora.train;

import ai.bayeslora.core.BayesLoraException;

/** Training or validation data cannot be used: an example without a known answer, or classes the model cannot score. */
public class TrainingDataException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    public TrainingDataException(String message) {
        super(message);
    }
}
