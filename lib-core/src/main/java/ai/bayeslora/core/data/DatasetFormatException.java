package ai.bayeslora.core.data;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Path;

/**
 * A dataset file has a malformed row or cannot be recognised. The message has the form {@code file:line: what is wrong},
 * for example {@code cqa.jsonl:3: missing field "answerKey"}; a row of a table file (Parquet) is named by its 0-based
 * row index instead, {@code file: row 17: what is wrong}, as {@code dataset[17]} in HF datasets.
 */
public class DatasetFormatException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    /** The 1-based line of the bad row, or 0. */
    private final long line;
    /** The 0-based row index of the bad table row, or -1 when the error is tied to a line instead. */
    private final long rowIndex;

    /**
     * @param file the file at fault
     * @param line the 1-based line number where the bad row starts, or 0 if not tied to one line
     * @param what what is wrong
     */
    public DatasetFormatException(Path file, long line, String what) {
        this(file, line, what, null);
    }

    /**
     * @param file  the file at fault
     * @param line  the 1-based line number where the bad row starts, or 0 if not tied to one line
     * @param what  what is wrong
     * @param cause the underlying error, or null
     */
    public DatasetFormatException(Path file, long line, String what, Throwable cause) {
        this(file + (line > 0 ? ":" + line : "") + ": " + what, file, line, -1, cause);
    }

    private DatasetFormatException(String message, Path file, long line, long rowIndex, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.line = line;
        this.rowIndex = rowIndex;
    }

    /**
     * A bad row of a table file, named by its row index: {@code file: row 17: what}.
     *
     * @param file     the file at fault (the shard, for a sharded table)
     * @param rowIndex the 0-based index of the row in that file
     * @param what     what is wrong
     * @param cause    the underlying error, or null
     * @return the exception, its message {@code file: row N: what}
     */
    public static DatasetFormatException atRow(Path file, long rowIndex, String what, Throwable cause) {
        if (rowIndex < 0) {
            throw new IllegalArgumentException("row index " + rowIndex + " < 0");
        }
        return new DatasetFormatException(file + ": row " + rowIndex + ": " + what, file, 0, rowIndex, cause);
    }

    /** {@return the file at fault} */
    public Path file() {
        return file;
    }

    /** {@return the 1-based line number of the bad row, or 0 (also for a table row, see {@link #rowIndex()})} */
    public long line() {
        return line;
    }

    /** {@return the 0-based row index of a bad table row ({@link #atRow}), if the error is tied to one} */
    public java.util.OptionalLong rowIndex() {
        return rowIndex < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(rowIndex);
    }
}
