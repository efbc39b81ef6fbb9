package ai.bayeslora.parquet;

import ai.bayeslora.core.data.DatasetFormatException;
import ai.bayeslora.core.data.TableRowReader;
import ai.bayeslora.parquet.internal.GroupJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/**
 * Reads a Parquet file's rows as JSON objects for lib-core's dataset readers ({@link TableRowReader}, registered with
 * {@link java.util.ServiceLoader}). Reading goes through parquet-java's own file reader on a local file
 * ({@link LocalInputFile}) and its example {@link Group} records, converted by {@link GroupJson}; every compression
 * codec parquet-java reads is read (HF datasets write snappy).
 *
 * <p>Errors name the file and, where the failure is tied to one, the 0-based row index and the column: a file that
 * is not Parquet or is cut short, a row group or page that cannot be decoded, a string that is not UTF-8.
 */
public final class ParquetRowReader implements TableRowReader {
    /** For the {@link java.util.ServiceLoader}. */
    public ParquetRowReader() {
    }

    @Override
    public String suffix() {
        return ".parquet";
    }

    @Override
    public String formatName() {
        return "Parquet";
    }

    @Override
    public List<ObjectNode> read(Path file, long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit " + limit + " < 1");
        }
        // a plain (Hadoop-free) configuration: no core-site.xml lookup, no Hadoop defaults
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
        ParquetFileReader reader;
        try {
            reader = ParquetFileReader.open(new LocalInputFile(file), options);
        } catch (IOException | RuntimeException e) {
            throw new DatasetFormatException(file, 0, "not a readable Parquet file (" + reason(e) + ")", e);
        }
        List<ObjectNode> rows = new ArrayList<>();
        try (reader) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
            while (rows.size() < limit) {
                PageReadStore group = readRowGroup(reader, file, rows.size());
                if (group == null) {
                    break;
                }
                RecordReader<Group> records = columns.getRecordReader(group, new GroupRecordConverter(schema));
                for (long i = 0; i < group.getRowCount() && rows.size() < limit; i++) {
                    long index = rows.size();
                    rows.add(GroupJson.row(readRecord(records, file, index), schema, file, index));
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException(file, 0, "cannot read the Parquet file (" + reason(e) + ")", e);
        } catch (DatasetFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // parquet-java's decoders fail with assorted unchecked exceptions on corrupt pages (docs/DEVELOPING.md)
            throw DatasetFormatException.atRow(file, rows.size(), "cannot decode the row (" + reason(e) + ")", e);
        } catch (LinkageError e) {
            throw unsupported(file, rows.size(), e);
        }
        return rows;
    }

    private static PageReadStore readRowGroup(ParquetFileReader reader, Path file, long firstRow) {
        try {
            return reader.readNextRowGroup();
        } catch (IOException | RuntimeException e) {
            throw DatasetFormatException.atRow(file, firstRow, "cannot read the row group starting at this row ("
                    + reason(e) + ")", e);
        } catch (LinkageError e) {
            throw unsupported(file, firstRow, e);
        }
    }

    /**
     * A class parquet-java wants is not on the class path: a codec whose library lib-parquet leaves out (Hadoop's
     * framed LZ4 needs lz4-java; LZO and Brotli need Hadoop plug-ins). Snappy, gzip, zstd, LZ4_RAW and uncompressed
     * pages are read.
     */
    private static DatasetFormatException unsupported(Path file, long row, LinkageError e) {
        return DatasetFormatException.atRow(file, row, "uses a Parquet feature this reader does not include, most "
                + "likely a compression codec other than snappy, gzip, zstd, lz4_raw or none (missing class: "
                + e.getMessage() + "); rewrite the file with one of those codecs", e);
    }

    private static Group readRecord(RecordReader<Group> records, Path file, long index) {
        Group g = records.read();
        if (g == null) {
            throw DatasetFormatException.atRow(file, index, "the row cannot be assembled from its columns", null);
        }
        return g;
    }

    /** The messages of the cause chain: parquet-java's outer ones say where (the column), inner ones why. */
    private static String reason(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 400; t = t.getCause()) {
            String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() > 0 ? ": " : "").append(m);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }
}
