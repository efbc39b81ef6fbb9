package ai.bayeslora.lora;

import ai.bayeslora.core.BayesLoraException;

/** A peft adapter folder is malformed, uses an unsupported option, or does not fit the base model. */
public class AdapterFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the adapter file and field or tensor
     */
    public AdapterFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its underlying cause.
     *
     * @param message what is wrong, naming the adapter file and field or tensor
     * @param cause the parse or I/O error behind it
     */
    public AdapterFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
