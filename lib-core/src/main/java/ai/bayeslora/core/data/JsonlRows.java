package ai.bayeslora.core.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a JSONL file into JSON objects with their 1-based line numbers; blank lines are skipped. */
final class JsonlRows {
    /** Strict, as the JSON Lines rules: one value per line, nothing after it, no key given twice. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonlRows() {
    }

    static List<DatasetRow> read(Path file) {
        List<DatasetRow> rows = new ArrayList<>();
        long line = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = in.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (text.isBlank()) {
                    continue;
                }
                rows.add(new DatasetRow(RowLocation.line(file, line), parse(file, line, text)));
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw notUtf8(file, line, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return rows;
    }

    /** The first non-blank row, or null if the file has none. */
    static DatasetRow first(Path file) {
        long line = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            while ((text = in.readLine()) != null) {
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
                if (!text.isBlank()) {
                    if (text.strip().startsWith("[")) {
                        throw new DatasetFormatException(file, line,
                                "a JSON array; expected JSON Lines (one JSON object per line)");
                    }
                    return new DatasetRow(RowLocation.line(file, line), parse(file, line, text));
                }
            }
            return null;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw notUtf8(file, line, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The line being read when decoding failed is the one after the last complete line. */
    static DatasetFormatException notUtf8(Path file, long linesRead, java.nio.charset.CharacterCodingException e) {
        return new DatasetFormatException(file, linesRead + 1, "not valid UTF-8 text (save the file as UTF-8)", e);
    }

    private static JsonNode parse(Path file, long line, String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.startsWith("Trailing token")) {
                m = "more than one JSON value on the line (" + m + "); JSON Lines holds one object per line";
            }
            throw new DatasetFormatException(file, line, "malformed JSON: " + m, e);
        }
        if (node == null || !node.isObject()) {
            throw new DatasetFormatException(file, line, "expected a JSON object");
        }
        return node;
    }
}
