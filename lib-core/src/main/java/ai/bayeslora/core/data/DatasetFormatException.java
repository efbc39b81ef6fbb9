package ai.bayeslora.core.data;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Path;

/**
 * A dataset file has a malformed row or cannot be recognised. The message has the form {@code file:line: what is wrong},
 * for example {@code cqa.jsonl:3: missing field "answerKey"}.
 */
public class DatasetFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;

    /**
     * @param file the file at fault
     * @param line the 1-based line number where the bad row starts, or 0 if not tied to one line
     * @param what what is wrong
     */
    public DatasetFormatException(Path file, long line, String what) {
        this(file, line, what, null);
    }

    public DatasetFormatException(Path file, long line, String what, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + what, cause);
        this.file = file;
        this.line = line;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The 1-based line number of the bad row, or 0. */
    public long line() {
        return line;
    }
}
