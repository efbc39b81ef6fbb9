package ai.bayeslora.core.model;

import ai.bayeslora.core.BayesLoraException;

/** config.json is missing, unreadable, lacks a required field, or has a value out of range. */
public class ConfigException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the config file and field
     */
    public ConfigException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its underlying cause.
     *
     * @param message what is wrong, naming the config file and field
     * @param cause the parse or I/O error behind it
     */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
