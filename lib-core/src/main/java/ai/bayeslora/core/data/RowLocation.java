package ai.bayeslora.core.data;

import java.nio.file.Path;

/**
 * Where a dataset row is: a 1-based line of a text file (JSONL, CSV) or a 0-based row index of a table file
 * (Parquet), so that every error names the place the way the file's own tools count it.
 *
 * @param file    the file the row is in (one shard of a sharded table)
 * @param number  the line (from 1) or the row index (from 0)
 * @param indexed true for a row index, false for a line
 */
record RowLocation(Path file, long number, boolean indexed) {
    static RowLocation line(Path file, long line) {
        return new RowLocation(file, line, false);
    }

    static RowLocation rowIndex(Path file, long index) {
        return new RowLocation(file, index, true);
    }

    DatasetFormatException error(String what) {
        return error(what, null);
    }

    DatasetFormatException error(String what, Throwable cause) {
        return indexed ? DatasetFormatException.atRow(file, number, what, cause)
                : new DatasetFormatException(file, number, what, cause);
    }

    /** "line 3" or "row 17", for messages that refer to another row. */
    String describe() {
        return (indexed ? "row " : "line ") + number;
    }

    /** The id of a row that has none: {@code file.jsonl:3} or {@code file.parquet#17}. */
    String defaultId() {
        return file.getFileName() + (indexed ? "#" : ":") + number;
    }
}
