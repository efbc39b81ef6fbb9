package ai.bayeslora.core.io;

import ai.bayeslora.core.BayesLoraException;

/**
 * An output path the library will not write: a regular file where a folder goes (or the reverse), a folder that holds
 * somebody else's files, or one of the run's own inputs. The message names the path and what to do instead.
 */
public class OutputConflictException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with which path
     */
    public OutputConflictException(String message) {
        super(message);
    }
}
