package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * One dataset row as a JSON object, whichever file it came from: a JSONL line as parsed, or a Parquet row converted
 * to the same shape (strings, numbers, booleans, lists, objects for structs), so that one reader per dataset serves
 * both.
 */
record DatasetRow(RowLocation at, JsonNode node) {
    Path file() {
        return at.file();
    }

    DatasetFormatException error(String what) {
        return at.error(what);
    }
}
