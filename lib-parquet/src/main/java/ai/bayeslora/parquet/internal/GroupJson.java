package ai.bayeslora.parquet.internal;

import ai.bayeslora.core.data.DatasetFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Converts one Parquet record to the JSON object a JSONL line of the same dataset would be (docs/GUIDE.md,
 * "Datasets"): strings (STRING, ENUM and JSON annotations) to JSON strings, integers to numbers (unsigned ones
 * without wrapping), booleans, floats and doubles, decimals to exact decimals, a LIST to an array (the three-level
 * layout pyarrow writes and the older two-level ones, by the Parquet spec's backward-compatibility rules), a MAP to an
 * object, any other group (a struct such as ARC's {@code choices}) to an object, a null value to JSON null. Other
 * bytes (unannotated BINARY, FIXED_LEN_BYTE_ARRAY, INT96) become binary nodes, which the readers refuse as
 * "must be a string".
 */
public final class GroupJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Path file;
    private final long row;

    private GroupJson(Path file, long row) {
        this.file = file;
        this.row = row;
    }

    /**
     * The record {@code g} of schema {@code schema} as a JSON object, fields in schema order.
     *
     * @param file  the file, for errors
     * @param row   the 0-based row index, for errors
     */
    public static ObjectNode row(Group g, GroupType schema, Path file, long row) {
        return new GroupJson(file, row).object(g, schema, "");
    }

    private ObjectNode object(Group g, GroupType type, String prefix) {
        ObjectNode out = JSON.objectNode();
        for (int f = 0; f < type.getFieldCount(); f++) {
            Type field = type.getType(f);
            out.set(field.getName(), field(g, f, field, prefix + field.getName()));
        }
        return out;
    }

    /** A field's value: an array for an unannotated repeated field, else its one value or null. */
    private JsonNode field(Group g, int f, Type field, String path) {
        int n = g.getFieldRepetitionCount(f);
        if (field.isRepetition(Type.Repetition.REPEATED)) {
            ArrayNode out = JSON.arrayNode(n);
            for (int i = 0; i < n; i++) {
                out.add(value(g, f, i, field, path + "[" + i + "]"));
            }
            return out;
        }
        return n == 0 ? JSON.nullNode() : value(g, f, 0, field, path);
    }

    private JsonNode value(Group g, int f, int i, Type field, String path) {
        if (field.isPrimitive()) {
            return primitive(g, f, i, field.asPrimitiveType(), path);
        }
        GroupType group = field.asGroupType();
        LogicalTypeAnnotation a = group.getLogicalTypeAnnotation();
        if (a instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && group.getFieldCount() == 1) {
            return list(g.getGroup(f, i), group, path);
        }
        if ((a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
                || a instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) && group.getFieldCount() == 1
                && !group.getType(0).isPrimitive() && group.getType(0).asGroupType().getFieldCount() == 2) {
            return map(g.getGroup(f, i), group, path);
        }
        return object(g.getGroup(f, i), group, path + ".");
    }

    /**
     * A LIST group holds one repeated field. It is the element itself if it is primitive, a group of several
     * fields, or named {@code array} / {@code <list>_tuple} (older writers); otherwise it wraps the element (pyarrow:
     * {@code repeated group list { optional element }}).
     */
    private ArrayNode list(Group list, GroupType listType, String path) {
        Type repeated = listType.getType(0);
        int n = list.getFieldRepetitionCount(0);
        ArrayNode out = JSON.arrayNode(n);
        boolean elementIsRepeated = repeated.isPrimitive() || repeated.asGroupType().getFieldCount() > 1
                || repeated.getName().equals("array") || repeated.getName().equals(listType.getName() + "_tuple");
        for (int i = 0; i < n; i++) {
            String at = path + "[" + i + "]";
            if (elementIsRepeated) {
                out.add(value(list, 0, i, repeated, at));
            } else {
                GroupType wrapper = repeated.asGroupType();
                Group w = list.getGroup(0, i);
                Type element = wrapper.getType(0);
                out.add(w.getFieldRepetitionCount(0) == 0 ? JSON.nullNode() : value(w, 0, 0, element, at));
            }
        }
        return out;
    }

    /** A MAP's key_value pairs as an object keyed by the keys' text. */
    private ObjectNode map(Group map, GroupType mapType, String path) {
        GroupType kv = mapType.getType(0).asGroupType();
        ObjectNode out = JSON.objectNode();
        for (int i = 0; i < map.getFieldRepetitionCount(0); i++) {
            Group pair = map.getGroup(0, i);
            JsonNode key = field(pair, 0, kv.getType(0), path + ".key");
            out.set(key.asText(), field(pair, 1, kv.getType(1), path + "[" + key.asText() + "]"));
        }
        return out;
    }

    private JsonNode primitive(Group g, int f, int i, PrimitiveType type, String path) {
        LogicalTypeAnnotation a = type.getLogicalTypeAnnotation();
        switch (type.getPrimitiveTypeName()) {
            case BOOLEAN:
                return JSON.booleanNode(g.getBoolean(f, i));
            case INT32:
                if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
                    return JSON.numberNode(BigDecimal.valueOf(g.getInteger(f, i), d.getScale()));
                }
                if (isUnsigned(a)) {
                    return JSON.numberNode(Integer.toUnsignedLong(g.getInteger(f, i)));
                }
                return JSON.numberNode(g.getInteger(f, i));
            case INT64:
                if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
                    return JSON.numberNode(BigDecimal.valueOf(g.getLong(f, i), d.getScale()));
                }
                if (isUnsigned(a) && g.getLong(f, i) < 0) {
                    return JSON.numberNode(new BigInteger(Long.toUnsignedString(g.getLong(f, i))));
                }
                return JSON.numberNode(g.getLong(f, i));
            case FLOAT:
                return JSON.numberNode((double) g.getFloat(f, i));
            case DOUBLE:
                return JSON.numberNode(g.getDouble(f, i));
            case BINARY:
            case FIXED_LEN_BYTE_ARRAY:
                Binary b = g.getBinary(f, i);
                if (a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        || a instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                        || a instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
                    return JSON.textNode(utf8(b, path));
                }
                if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
                    return JSON.numberNode(new BigDecimal(new BigInteger(b.getBytes()), d.getScale()));
                }
                return JSON.binaryNode(b.getBytes());
            case INT96:
            default:
                return JSON.binaryNode(g.getInt96(f, i).getBytes());
        }
    }

    private static boolean isUnsigned(LogicalTypeAnnotation a) {
        return a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation t && !t.isSigned();
    }

    /** Strict UTF-8: a malformed string is an error of this row and column, not replacement characters. */
    private String utf8(Binary b, String path) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b.getBytes())).toString();
        } catch (CharacterCodingException e) {
            throw DatasetFormatException.atRow(file, row, "column \"" + path + "\" is not valid UTF-8 text", e);
        }
    }
}
