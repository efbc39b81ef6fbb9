package ai.bayeslora.core.data;

import ai.bayeslora.core.BayesLoraException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * MMLU official CSV: no header row, columns {@code question,A,B,C,D,answer}, RFC-4180 quoting (fields may hold commas,
 * quotes and newlines). The subject comes from the file name {@code {subject}_{split}.csv}.
 */
final class MmluCsvReader {
    static final List<String> LABELS = List.of("A", "B", "C", "D");
    private static final int COLUMNS = 6;
    private static final List<String> SPLITS = List.of("dev", "val", "test", "train");
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.SKIP_EMPTY_LINES).build();

    private MmluCsvReader() {
    }

    /** One CSV file. */
    static McqaDataset readFile(Path file) {
        DatasetAssembler out = new DatasetAssembler(file, ChoicePolicy.SAME);
        readInto(file, out);
        return out.build(LABELS);
    }

    /** Every {@code *_{split}.csv} of {@code dir} (or of {@code dir/split}), restricted to the listed subjects. */
    static McqaDataset readFolder(Path dir, McqaLoadOptions options) {
        String suffix = "_" + options.split() + ".csv";
        TreeMap<String, Path> bySubject = list(dir, suffix);
        Path where = dir;
        if (bySubject.isEmpty() && Files.isDirectory(dir.resolve(options.split()))) {
            where = dir.resolve(options.split());
            bySubject = list(where, suffix);
        }
        if (bySubject.isEmpty()) {
            throw new EmptyDatasetException(dir.toString(), "no *" + suffix + " files");
        }
        if (!options.subjects().isEmpty()) {
            Set<String> wanted = options.subjects().stream().map(MmluGroups::normalize)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(bySubject.keySet());
            if (!missing.isEmpty()) {
                throw new BayesLoraException(where + ": no *" + suffix + " file for subjects " + missing
                        + "; available: " + bySubject.keySet());
            }
            bySubject.keySet().retainAll(wanted);
        }
        List<McqaExample> all = new ArrayList<>();
        for (Path file : bySubject.values()) {
            DatasetAssembler out = new DatasetAssembler(file, ChoicePolicy.SAME);
            readInto(file, out);
            all.addAll(out.build(LABELS).examples());
        }
        String source = where + " (split " + options.split()
                + (options.subjects().isEmpty() ? "" : ", subjects " + bySubject.keySet()) + ")";
        return McqaDataset.of(source, LABELS, all);
    }

    /** {@code high_school_physics_test.csv} gives {@code high_school_physics}; a name without a split is kept whole. */
    static String subjectOf(Path file) {
        String name = file.getFileName().toString();
        String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        for (String split : SPLITS) {
            if (stem.endsWith("_" + split)) {
                return stem.substring(0, stem.length() - split.length() - 1);
            }
        }
        return stem;
    }

    private static TreeMap<String, Path> list(Path dir, String suffix) {
        TreeMap<String, Path> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + suffix)) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    String name = f.getFileName().toString();
                    out.put(name.substring(0, name.length() - suffix.length()), f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }

    private static void readInto(Path file, DatasetAssembler out) {
        String subject = subjectOf(file);
        String stem = file.getFileName().toString().replaceFirst("\\.csv$", "");
        long line = 0;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CsvParser parser = CSV.getFactory().createParser(in)) {
            parser.setSchema(CsvSchema.emptySchema());
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token != JsonToken.START_ARRAY) {
                    continue;
                }
                List<String> cols = new ArrayList<>(COLUMNS);
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
                    if (cols.isEmpty()) {
                        line = parser.currentTokenLocation().getLineNr(); // where the record starts
                    }
                    cols.add(parser.getText());
                }
                if (!cols.isEmpty() && line == 1 && cols.get(0).startsWith("\uFEFF")) {
                    cols.set(0, cols.get(0).substring(1));
                }
                long at = line;
                out.add(RowLocation.line(file, at), () -> row(file, at, cols, subject, stem));
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new DatasetFormatException(file, at != null ? at.getLineNr() : line,
                    "malformed CSV: " + e.getOriginalMessage(), e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw JsonlRows.notUtf8(file, line, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static McqaExample row(Path file, long line, List<String> cols, String subject, String stem) {
        if (cols.size() != COLUMNS) {
            throw new DatasetFormatException(file, line, "expected " + COLUMNS
                    + " CSV columns (question,A,B,C,D,answer), found " + cols.size());
        }
        String key = cols.get(5).strip();
        int answer = LABELS.indexOf(key);
        if (answer < 0) {
            throw new DatasetFormatException(file, line, "answer \"" + cols.get(5) + "\" not among labels A–D");
        }
        return McqaExample.of(stem + ":" + line, cols.get(0), cols.subList(1, 5), LABELS, answer, subject);
    }
}
