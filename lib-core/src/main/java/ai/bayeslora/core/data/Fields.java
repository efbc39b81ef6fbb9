package ai.bayeslora.core.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Typed access to the fields of a row; every failure names the file, the line (or row index) and the field. */
final class Fields {
    private Fields() {
    }

    static JsonNode require(DatasetRow row, JsonNode parent, String path) {
        JsonNode node = parent.get(leaf(path));
        if (node == null) {
            throw row.error("missing field \"" + path + "\"");
        }
        if (node.isNull()) {
            throw row.error("field \"" + path + "\" is null");
        }
        return node;
    }

    static String text(DatasetRow row, JsonNode parent, String path) {
        JsonNode node = require(row, parent, path);
        if (!node.isTextual()) {
            throw row.error("field \"" + path + "\" must be a string, found " + node.getNodeType());
        }
        return node.textValue();
    }

    static Optional<String> optionalText(DatasetRow row, JsonNode parent, String path) {
        JsonNode node = parent.get(leaf(path));
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            throw row.error("field \"" + path + "\" must be a string, found " + node.getNodeType());
        }
        return Optional.of(node.asText());
    }

    static JsonNode object(DatasetRow row, JsonNode parent, String path) {
        JsonNode node = require(row, parent, path);
        if (!node.isObject()) {
            throw row.error("field \"" + path + "\" must be an object, found " + node.getNodeType());
        }
        return node;
    }

    static JsonNode array(DatasetRow row, JsonNode parent, String path) {
        JsonNode node = require(row, parent, path);
        if (!node.isArray()) {
            throw row.error("field \"" + path + "\" must be a list, found " + node.getNodeType());
        }
        return node;
    }

    /** A non-empty list of strings. */
    static List<String> texts(DatasetRow row, JsonNode parent, String path) {
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

    /** The object id if present, else {@code fileName:line} ({@code fileName#row} for a table row). */
    static String id(DatasetRow row) {
        return optionalText(row, row.node(), "id").orElse(row.at().defaultId());
    }

    /** The index of {@code answer} in {@code labels}, or a {@code file:line} error naming the labels. */
    static int labelIndex(DatasetRow row, String answer, List<String> labels) {
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
