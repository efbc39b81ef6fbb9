package ai.bayeslora.core.model;

import ai.bayeslora.core.BayesLoraException;

/** config.json is missing, unreadable, lacks a required field, or has a value out of range. */
public class ConfigException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
