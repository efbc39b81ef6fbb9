package ai.bayeslora.core;

/** A requested device (for example {@code cuda:1}) cannot be used here. */
public class DeviceUnavailableException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which device was requested and why it cannot be used
     */
    public DeviceUnavailableException(String message) {
        super(message);
    }
}
