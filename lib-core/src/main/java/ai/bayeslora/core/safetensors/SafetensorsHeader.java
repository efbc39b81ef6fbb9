package ai.bayeslora.core.safetensors;

import ai.bayeslora.core.safetensors.SafetensorsFormatException.Reason;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parsed and validated header of one safetensors file: metadata, tensor entries sorted by name, and where the data
 * buffer starts. Every check throws a {@link SafetensorsFormatException} naming the file and, if any, the tensor.
 */
final class SafetensorsHeader {
    /** Headers larger than this are rejected as corrupt (real ones are kilobytes to a few megabytes). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    static final String METADATA_KEY = "__metadata__";

    /** Strict JSON: duplicate keys and trailing garbage are errors. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;
    private final long dataStart;
    private final long dataLength;

    private SafetensorsHeader(Map<String, String> metadata, Map<String, TensorInfo> tensors, long dataStart,
            long dataLength) {
        this.metadata = metadata;
        this.tensors = tensors;
        this.dataStart = dataStart;
        this.dataLength = dataLength;
    }

    /** The {@code __metadata__} entries in file order; empty if absent. Unmodifiable. */
    Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor entries sorted by name. Unmodifiable. */
    Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** Absolute file offset of the data buffer: 8 + header length. */
    long dataStart() {
        return dataStart;
    }

    /** Bytes from {@link #dataStart()} to the end of the file. */
    long dataLength() {
        return dataLength;
    }

    /** Reads the length prefix and the JSON header of {@code file} through {@code channel}, and validates them. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new SafetensorsFormatException(file, null, Reason.TRUNCATED,
                    "file is " + size + " bytes, shorter than the 8-byte header length prefix (truncated file?)");
        }
        long n = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(file, null, Reason.BAD_HEADER_LENGTH, "header length "
                    + Long.toUnsignedString(n) + " is absurd (limit " + MAX_HEADER_BYTES + " bytes); not a safetensors file?");
        }
        if (n > size - 8) {
            throw new SafetensorsFormatException(file, null, Reason.BAD_HEADER_LENGTH, "header length " + n
                    + " runs past the end of the file (" + size + " bytes; truncated file?)");
        }
        ByteBuffer json = readFully(channel, 8, (int) n);
        return parse(file, json.array(), size - 8 - n);
    }

    /** Parses and validates a header's JSON bytes, given the size of the data buffer that follows them. */
    static SafetensorsHeader parse(Path file, byte[] json, long dataLength) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            String msg = e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
            throw new SafetensorsFormatException(file, null, Reason.INVALID_JSON, "header is not valid JSON: " + msg, e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(file, null, Reason.INVALID_JSON,
                    root == null || root.isMissingNode() ? "header is empty, expected a JSON object"
                            : "header is not a JSON object (found " + root.getNodeType() + ")");
        }
        Map<String, String> metadata = Collections.emptyMap();
        Map<String, TensorInfo> tensors = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (METADATA_KEY.equals(e.getKey())) {
                metadata = parseMetadata(file, e.getValue());
            } else {
                tensors.put(e.getKey(), parseEntry(file, e.getKey(), e.getValue(), dataLength));
            }
        }
        checkOverlaps(file, tensors.values());
        checkCovered(file, tensors.values(), dataLength);
        long dataStart = 8L + json.length;
        return new SafetensorsHeader(metadata, Collections.unmodifiableMap(tensors), dataStart, dataLength);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, null, Reason.INVALID_ENTRY,
                    METADATA_KEY + " must be an object of strings, found " + node.getNodeType());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new SafetensorsFormatException(file, null, Reason.INVALID_ENTRY, METADATA_KEY + " value of '"
                        + e.getKey() + "' must be a string, found " + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataLength) {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(file, name, Reason.INVALID_ENTRY,
                    "entry must be an object with dtype, shape and data_offsets, found " + node.getNodeType());
        }
        SafetensorsDType dtype = parseDType(file, name, node.get("dtype"));
        long[] shape = parseShape(file, name, node.get("shape"));
        long[] offsets = parseOffsets(file, name, node.get("data_offsets"));
        long begin = offsets[0];
        long end = offsets[1];
        long expected;
        try {
            expected = new TensorInfo(name, dtype, shape, begin, end).byteSize();
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(file, name, Reason.BAD_SHAPE,
                    "shape " + Arrays.toString(shape) + " has more elements than a long can count");
        }
        if (end - begin != expected) {
            throw new SafetensorsFormatException(file, name, Reason.SIZE_MISMATCH, "data_offsets [" + begin + ", "
                    + end + "] span " + (end - begin) + " bytes but " + dtype + Arrays.toString(shape) + " needs "
                    + expected + " bytes");
        }
        if (end > dataLength) {
            throw new SafetensorsFormatException(file, name, Reason.TRUNCATED, "data_offsets [" + begin + ", " + end
                    + "] end past the data buffer, which holds only " + dataLength + " bytes (truncated file?)");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static SafetensorsDType parseDType(Path file, String name, JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw new SafetensorsFormatException(file, name, Reason.INVALID_ENTRY, "\"dtype\" must be a string, found "
                    + (node == null ? "nothing" : node.getNodeType()));
        }
        return SafetensorsDType.fromHeaderName(node.textValue()).orElseThrow(() -> new SafetensorsFormatException(
                file, name, Reason.UNKNOWN_DTYPE, "unknown dtype '" + node.textValue() + "'; known dtypes: "
                        + SafetensorsDType.knownNames()));
    }

    private static long[] parseShape(Path file, String name, JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new SafetensorsFormatException(file, name, Reason.BAD_SHAPE, "\"shape\" must be an array, found "
                    + (node == null ? "nothing" : node.getNodeType()));
        }
        long[] shape = new long[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong()) {
                throw new SafetensorsFormatException(file, name, Reason.BAD_SHAPE,
                        "shape " + node + " holds a non-integer dimension " + d);
            }
            shape[i] = d.longValue();
            if (shape[i] < 0) {
                throw new SafetensorsFormatException(file, name, Reason.BAD_SHAPE,
                        "shape " + node + " has a negative dimension " + shape[i]);
            }
        }
        return shape;
    }

    private static long[] parseOffsets(Path file, String name, JsonNode node) {
        if (node == null || !node.isArray() || node.size() != 2) {
            throw new SafetensorsFormatException(file, name, Reason.BAD_OFFSETS,
                    "\"data_offsets\" must be two integers [begin, end], found " + node);
        }
        long[] o = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new SafetensorsFormatException(file, name, Reason.BAD_OFFSETS,
                        "\"data_offsets\" " + node + " must be two non-negative integers");
            }
            o[i] = v.longValue();
        }
        if (o[0] > o[1]) {
            throw new SafetensorsFormatException(file, name, Reason.BAD_OFFSETS,
                    "\"data_offsets\" " + node + " has begin > end");
        }
        return o;
    }

    /** Sorts non-empty tensors by begin; each must start at or after the furthest end seen so far. */
    private static void checkOverlaps(Path file, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        for (TensorInfo t : infos) {
            if (t.end() > t.begin()) {
                sorted.add(t);
            }
        }
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo furthest = null;
        for (TensorInfo t : sorted) {
            if (furthest != null && t.begin() < furthest.end()) {
                throw new SafetensorsFormatException(file, t.name(), Reason.OVERLAP, "bytes [" + t.begin() + ", "
                        + t.end() + ") overlap tensor '" + furthest.name() + "' at [" + furthest.begin() + ", "
                        + furthest.end() + ")");
            }
            if (furthest == null || t.end() > furthest.end()) {
                furthest = t;
            }
        }
    }

    /**
     * The reference rule: the tensors' byte ranges, in order, tile the data buffer from 0 to its end. A gap or a tail
     * of bytes no tensor covers means the header and the data disagree (for example a header length that is off by
     * a few bytes, with the JSON still parsing because of its space padding): every tensor would be read from the
     * wrong place.
     */
    private static void checkCovered(Path file, Iterable<TensorInfo> infos, long dataLength) {
        List<TensorInfo> sorted = new ArrayList<>();
        for (TensorInfo t : infos) {
            if (t.end() > t.begin()) {
                sorted.add(t);
            }
        }
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        long expected = 0;
        for (TensorInfo t : sorted) {
            if (t.begin() != expected) {
                throw new SafetensorsFormatException(file, t.name(), Reason.UNCOVERED_BYTES, "data bytes ["
                        + expected + ", " + t.begin() + ") belong to no tensor (offsets must be contiguous from 0; "
                        + "header length or data_offsets wrong?)");
            }
            expected = t.end();
        }
        if (expected != dataLength) {
            throw new SafetensorsFormatException(file, null, Reason.UNCOVERED_BYTES, "the last tensor ends at data "
                    + "byte " + expected + " but the data buffer has " + dataLength + " bytes (header length or "
                    + "data_offsets wrong, or bytes appended?)");
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            int r = channel.read(buf, position + buf.position());
            if (r < 0) {
                throw new EOFException("unexpected end of file at byte " + (position + buf.position()));
            }
        }
        return buf.flip();
    }
}
