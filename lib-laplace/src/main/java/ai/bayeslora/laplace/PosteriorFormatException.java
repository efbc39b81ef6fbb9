package ai.bayeslora.laplace;

import java.nio.file.Path;

/** A saved posterior folder is missing a file, a manifest field or a tensor, or does not fit the model/adapter. */
public final class PosteriorFormatException extends LaplaceException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception; the message is {@code where: what}.
     *
     * @param where the posterior folder or file at fault
     * @param what what is wrong, naming the field or tensor
     */
    public PosteriorFormatException(Path where, String what) {
        super(where + ": " + what);
    }

    /**
     * Creates the exception with its underlying cause; the message is {@code where: what}.
     *
     * @param where the posterior folder or file at fault
     * @param what what is wrong, naming the field or tensor
     * @param cause the parse or I/O error behind it
     */
    public PosteriorFormatException(Path where, String what, Throwable cause) {
        super(where + ": " + what, cause);
    }
}
