package ai.bayeslora.core;

/**
 * Base class of every exception the library throws on purpose. Subclasses name the file, tensor or field at fault.
 * Unchecked, so fluent call chains stay readable; catch this type to handle any library error.
 */
public class BayesLoraException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the file, tensor or field at fault
     */
    public BayesLoraException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its underlying cause.
     *
     * @param message what is wrong, naming the file, tensor or field at fault
     * @param cause the error that led to this one
     */
    public BayesLoraException(String message, Throwable cause) {
        super(message, cause);
    }
}
