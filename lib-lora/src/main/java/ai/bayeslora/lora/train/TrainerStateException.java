package ai.bayeslora.lora.train;

import ai.bayeslora.core.BayesLoraException;

/**
 * A checkpoint's trainer state ({@code trainer_state.json} / {@code trainer_state.safetensors}) is missing, malformed,
 * or does not fit the run being resumed (another config, dataset or adapter). The message names the file and field.
 */
public class TrainerStateException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    public TrainerStateException(String message) {
        super(message);
    }

    public TrainerStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
