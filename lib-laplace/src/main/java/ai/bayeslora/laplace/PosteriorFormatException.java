package ai.bayeslora.laplace;

import java.nio.file.Path;

/** A saved posterior folder is missing a file, a manifest field or a tensor, or does not fit the model/adapter. */
public final class PosteriorFormatException extends LaplaceException {
    private static final long serialVersionUID = 1L;

    public PosteriorFormatException(Path where, String what) {
        super(where + ": " + what);
    }

    public PosteriorFormatException(Path where, String what, Throwable cause) {
        super(where + ": " + what, cause);
    }
}
