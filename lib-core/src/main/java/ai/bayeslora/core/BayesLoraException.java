package ai.bayeslora.core;

/**
 * Base class of every exception the library throws on purpose. Subclasses name the file, tensor or field at fault.
 * Unchecked, so fluent call chains stay readable; catch this type to handle any library error.
 */
public class BayesLoraException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BayesLoraException(String message) {
        super(message);
    }

    public BayesLoraException(String message, Throwable cause) {
        super(message, cause);
    }
}
