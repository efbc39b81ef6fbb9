package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the rows of a binary table file (Parquet) as JSON objects, for {@link McqaDatasets#load}. lib-core reads
 * JSONL and CSV itself; a table format lives in an optional module (lib-parquet) that registers an implementation
 * with {@link java.util.ServiceLoader} ({@code META-INF/services/ai.bayeslora.core.data.TableRowReader}), so that
 * lib-core does not depend on the format's library (docs/GUIDE.md, "Datasets").
 *
 * <p>Each row becomes the object a JSONL line of the same dataset would be: a string column a JSON string, an
 * integer column a number, a boolean a boolean, a list a JSON array, a struct a JSON object, a null value JSON null;
 * an absent column is an absent field. The dataset readers then run unchanged.
 */
public interface TableRowReader {
    /**
     * {@return the file-name suffix this reader handles, lower case and with its dot, for example {@code ".parquet"}}
     */
    String suffix();

    /** {@return the format's name for messages, for example {@code "Parquet"}} */
    String formatName();

    /**
     * Reads the first {@code limit} rows of {@code file} in file order.
     *
     * @param file  one table file (one shard of a sharded table)
     * @param limit the most rows to read (at least 1); {@link Long#MAX_VALUE} reads every row
     * @return the rows as JSON objects; empty for a file without rows
     * @throws DatasetFormatException naming the file (and the row, {@link DatasetFormatException#atRow}, and the
     *     column where known) if the file is not a readable table of this format
     */
    List<ObjectNode> read(Path file, long limit);
}
