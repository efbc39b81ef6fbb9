package ai.bayeslora.core.model;

import ai.bayeslora.core.BayesLoraException;

/** A model named by a folder or an HF id ({@code org/name}) is in none of the places {@link ModelLocator} looked. */
public class ModelNotFoundException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message that says what was asked for and where it was looked for.
     *
     * @param message the message
     */
    public ModelNotFoundException(String message) {
        super(message);
    }
}
