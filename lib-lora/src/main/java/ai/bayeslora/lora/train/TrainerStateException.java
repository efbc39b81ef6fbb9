package ai.bayeslora.lora.train;

import ai.bayeslora.core.BayesLoraException;

/**
 * A checkpoint's trainer state ({@code trainer_state.json} / {@code trainer_state.safetensors}) is missing, malformed,
 * or does not fit the run being resumed (another config, dataset or adapter). The message names the file and field.
 */
public class TrainerStateException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong with the checkpoint's trainer state, naming the file
     */
    public TrainerStateException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its underlying cause.
     *
     * @param message what is wrong with the checkpoint's trainer state, naming the file
     * @param cause the parse or I/O error behind it
     */
    public TrainerStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
