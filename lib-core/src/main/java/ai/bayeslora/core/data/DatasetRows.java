package ai.bayeslora.core.data;

import java.nio.file.Path;
import java.util.List;

/**
 * The rows of a JSON-shaped dataset file: JSONL, or a table file or shard folder ({@link TableFiles}) whose rows are
 * converted to the same JSON objects. The dataset readers take their rows from here.
 */
final class DatasetRows {
    private DatasetRows() {
    }

    static List<DatasetRow> read(Path path) {
        return TableFiles.isTable(path) ? TableFiles.read(path) : JsonlRows.read(path);
    }

    /** The first row, or null if there is none. */
    static DatasetRow first(Path path) {
        return TableFiles.isTable(path) ? TableFiles.first(path) : JsonlRows.first(path);
    }
}
