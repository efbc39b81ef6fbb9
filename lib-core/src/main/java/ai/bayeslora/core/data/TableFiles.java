package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Table files (Parquet) as dataset rows: a file named {@code *.parquet}, or a folder of the shards of one split as HF
 * datasets stores them ({@code train-00000-of-00002.parquet}, {@code train-00001-of-00002.parquet}), read in shard
 * order. The format's reader comes from an optional module ({@link TableRowReader}); without it the error says which
 * module to add.
 */
final class TableFiles {
    /** Suffixes lib-core knows to be tables even without their reader, with the module that reads them. */
    private static final String PARQUET = ".parquet";
    private static final String PARQUET_MODULE = "ai.bayeslora:lib-parquet";
    /** HF datasets' shard names: {@code {split}-{index:05d}-of-{count:05d}.parquet}. */
    private static final Pattern SHARD = Pattern.compile("(.+)-(\\d{5})-of-(\\d{5})\\.parquet");

    private TableFiles() {
    }

    /** Whether {@code path} is a table file, or a folder holding table files. */
    static boolean isTable(Path path) {
        if (Files.isDirectory(path)) {
            return !tableFilesIn(path).isEmpty();
        }
        return isTableName(path);
    }

    private static boolean isTableName(Path file) {
        return file.getFileName() != null
                && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(PARQUET);
    }

    /** The rows of a table file or shard folder, each named by its shard and 0-based row index. */
    static List<DatasetRow> read(Path path) {
        return read(path, Long.MAX_VALUE);
    }

    /** The first row of a table file or shard folder, or null if it has none. */
    static DatasetRow first(Path path) {
        List<DatasetRow> rows = read(path, 1);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static List<DatasetRow> read(Path path, long limit) {
        List<DatasetRow> rows = new ArrayList<>();
        for (Path file : shards(path)) {
            if (rows.size() >= limit) {
                break;
            }
            if (isZeroBytes(file)) {
                continue; // an empty file holds no rows; a folder of them is an empty dataset
            }
            List<ObjectNode> nodes = reader(file).read(file, limit - rows.size());
            for (int i = 0; i < nodes.size(); i++) {
                rows.add(new DatasetRow(RowLocation.rowIndex(file, i), nodes.get(i)));
            }
        }
        return rows;
    }

    /** The file itself, or a folder's table files: the shards of one split, complete, in order. */
    static List<Path> shards(Path path) {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        List<Path> files = tableFilesIn(path);
        if (files.size() == 1 && !SHARD.matcher(files.get(0).getFileName().toString()).matches()) {
            return files;
        }
        TreeMap<String, TreeMap<Integer, Path>> splits = new TreeMap<>();
        TreeSet<String> counts = new TreeSet<>();
        for (Path f : files) {
            Matcher m = SHARD.matcher(f.getFileName().toString());
            if (!m.matches()) {
                throw new DatasetFormatException(path, 0, "holds several Parquet files and " + f.getFileName()
                        + " is not named as a shard ({split}-00000-of-00002.parquet); pass one file, or a folder with "
                        + "the shards of one split");
            }
            splits.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), f);
            counts.add(m.group(1) + " of " + Integer.parseInt(m.group(3)));
        }
        if (splits.size() > 1) {
            throw new DatasetFormatException(path, 0, "holds the shards of several splits " + splits.keySet()
                    + "; pass one split's file, or a folder with the shards of one split");
        }
        if (counts.size() > 1) {
            throw new DatasetFormatException(path, 0, "its shards disagree on the shard count: " + counts);
        }
        TreeMap<Integer, Path> shards = splits.firstEntry().getValue();
        Matcher m = SHARD.matcher(shards.firstEntry().getValue().getFileName().toString());
        int count = m.matches() ? Integer.parseInt(m.group(3)) : 0;
        for (int i = 0; i < count; i++) {
            if (!shards.containsKey(i)) {
                throw new DatasetFormatException(path, 0, "shard " + String.format(Locale.ROOT, "%05d", i) + " of "
                        + count + " of split \"" + splits.firstKey() + "\" is missing");
            }
        }
        if (shards.size() != count) {
            throw new DatasetFormatException(path, 0, "holds " + shards.size() + " shards of split \""
                    + splits.firstKey() + "\" but their names say " + count);
        }
        return new ArrayList<>(shards.values());
    }

    private static List<Path> tableFilesIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> Files.isRegularFile(f) && isTableName(f)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static boolean isZeroBytes(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The registered reader for the file's suffix, or an error naming the module to add. */
    private static TableRowReader reader(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (TableRowReader r : ServiceLoader.load(TableRowReader.class, TableFiles.class.getClassLoader())) {
            if (name.endsWith(r.suffix())) {
                return r;
            }
        }
        throw new DatasetFormatException(file, 0, "reading Parquet needs the optional module " + PARQUET_MODULE
                + " on the class path (a Maven dependency next to lib-core; the bayeslora CLI has it)");
    }
}
