package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed access to the fields of a JSONL row; every failure names the file, the line and the field. */
final class Fields {
    private Fields() {
    }

    static JsonNode require(JsonlRows.Row row, JsonNode parent, String path) {
        JsonNode node = parent.get(leaf(path));
        if (node == null || node.isNull()) {
            throw row.error("missing field \"" + path + "\"");
        }
        return node;
    }

    static String text(JsonlRows.Row row, JsonNode parent, String path) {
        JsonNode node = require(row, parent, path);
        if (!node.isTextual()) {
            throw row.error("field \"" + path + "\" must be a string, found " + node.getNodeType());
        }
        return node.textValue();
    }

    static Optional<String> optionalText(JsonlRows.Row row, JsonNode parent, String path) {
        JsonNode node = parent.get(leaf(path));
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            throw row.error("field \"" + path + "\" must be a string, found " + node.getNodeType());
        }
        return Optional.of(node.asText());
    }

    static JsonNode object(JsonlRows.Row row, JsonNode parent, String path) {
        JsonNode node = require(row, parent, path);
        if (!node.isObject()) {
            throw row.error("field \"" + path + "\" must be an object, found " + node.getNodeType());
        }
        return node;
    }

    static JsonNode array(JsonlRows.Row row, JsonNode parent, String path) {
        JsonNode node = require(row, parent, path);
        if (!node.isArray()) {
            throw row.error("field \"" + path + "\" must be a list, found " + node.getNodeType());
        }
        return node;
    }

    /** A non-empty list of strings. */
    static List<String> texts(JsonlRows.Row row, JsonNode parent, String path) {
        JsonNode node = array(row, parent, path);
        if (node.isEmpty()) {
            throw row.error("field \"" + path + "\" is an empty list");
        }
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw row.error("field \"" + path + "[" + i + "]\" must be a string, found " + item.getNodeType());
            }
            out.add(item.textValue());
        }
        return out;
    }

    /** The object id if present, else {@code fileName:line}. */
    static String id(JsonlRows.Row row) {
        return optionalText(row, row.node(), "id").orElse(row.file().getFileName() + ":" + row.line());
    }

    /** The index of {@code answer} in {@code labels}, or a {@code file:line} error naming the labels. */
    static int labelIndex(JsonlRows.Row row, String answer, List<String> labels) {
        int index = labels.indexOf(answer.strip());
        if (index < 0) {
            throw row.error("answer \"" + answer + "\" not among labels " + Letters.describe(labels));
        }
        return index;
    }

    private static String leaf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
