package ai.bayeslora.lora;

import ai.bayeslora.core.BayesLoraException;

/** A peft adapter folder is malformed, uses an unsupported option, or does not fit the base model. */
public class AdapterFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    public AdapterFormatException(String message) {
        super(message);
    }

    public AdapterFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
