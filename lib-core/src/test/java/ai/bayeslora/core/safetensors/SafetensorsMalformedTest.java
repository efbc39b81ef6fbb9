package ai.bayeslora.core.safetensors;

import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.craft;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.writeBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.safetensors.SafetensorsFormatException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One crafted malformed file per validation rule; each error names the file, the tensor and the reason. */
class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": [" + begin
                + ", " + end + "]}";
    }

    private Path file(String header, int dataBytes) {
        return craft(dir.resolve("bad.safetensors"), header, new byte[dataBytes]);
    }

    /** Asserts the open fails with {@code reason}, naming the file and each of {@code mentions}. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(Path file, Reason reason,
            String... mentions) {
        return assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOfSatisfying(SafetensorsFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.file()).isEqualTo(file);
                })
                .isInstanceOf(BayesLoraException.class)
                .hasMessageContaining(file.getFileName().toString())
                .hasMessageContaining(file.toString())
                .hasMessageContainingAll(mentions);
    }

    @Test
    void fileShorterThanTheLengthPrefix() {
        Path f = writeBytes(dir.resolve("short.safetensors"), new byte[] {1, 2, 3});
        assertFails(f, Reason.TRUNCATED, "3 bytes", "8-byte");
    }

    @Test
    void dataCutShort() {
        Path f = file("{" + entry("w.weight", "F32", "[4]", 0, 16) + "}", 12);
        assertFails(f, Reason.TRUNCATED, "'w.weight'", "12 bytes", "truncated")
                .isInstanceOfSatisfying(SafetensorsFormatException.class,
                        e -> assertThat(e.tensorName()).contains("w.weight"));
    }

    @Test
    void headerLengthPastTheEndOfTheFile() {
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        Path f = craft(dir.resolve("long.safetensors"), 1000, h, new byte[0]);
        assertFails(f, Reason.BAD_HEADER_LENGTH, "1000", "past the end");
    }

    @Test
    void absurdHeaderLength() {
        Path f = craft(dir.resolve("huge.safetensors"), -1L, new byte[16], new byte[0]);
        assertFails(f, Reason.BAD_HEADER_LENGTH, "18446744073709551615", "absurd");
        Path g = craft(dir.resolve("huge2.safetensors"), 200L << 20, new byte[16], new byte[0]);
        assertFails(g, Reason.BAD_HEADER_LENGTH, String.valueOf(200L << 20));
    }

    @Test
    void invalidJson() {
        assertFails(file("{\"a\": {\"dtype\": ", 0), Reason.INVALID_JSON, "not valid JSON");
        assertFails(file("{} trailing", 0), Reason.INVALID_JSON, "not valid JSON");
        assertFails(file("[1, 2]", 0), Reason.INVALID_JSON, "not a JSON object");
        assertFails(file("", 0), Reason.INVALID_JSON, "JSON");
        assertFails(file("{" + entry("dup", "U8", "[1]", 0, 1) + ", " + entry("dup", "U8", "[1]", 1, 2) + "}", 2),
                Reason.INVALID_JSON, "dup");
    }

    @Test
    void unknownDtypeListsTheKnownOnes() {
        Path f = file("{" + entry("q.weight", "Q4_K", "[2]", 0, 2) + "}", 2);
        assertFails(f, Reason.UNKNOWN_DTYPE, "'q.weight'", "Q4_K", "F32", "BF16", "BOOL");
    }

    @Test
    void negativeDimension() {
        Path f = file("{" + entry("neg", "F32", "[2, -3]", 0, 0) + "}", 0);
        assertFails(f, Reason.BAD_SHAPE, "'neg'", "-3");
    }

    @Test
    void malformedOffsets() {
        assertFails(file("{\"o\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0]}}", 1),
                Reason.BAD_OFFSETS, "'o'", "two integers");
        assertFails(file("{\"o\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1.5]}}", 2),
                Reason.BAD_OFFSETS, "'o'");
        assertFails(file("{" + entry("o", "U8", "[0]", 4, 2) + "}", 4), Reason.BAD_OFFSETS, "'o'", "begin > end");
    }

    @Test
    void byteCountDisagreesWithShapeAndDtype() {
        Path f = file("{" + entry("m.bias", "BF16", "[3]", 0, 8) + "}", 8);
        assertFails(f, Reason.SIZE_MISMATCH, "'m.bias'", "8 bytes", "needs 6 bytes");
    }

    @Test
    void overlappingRangesNameBothTensors() {
        String h = "{" + entry("first", "F32", "[4]", 0, 16) + ", " + entry("second", "F32", "[2]", 8, 16) + ", "
                + entry("zero", "F32", "[0]", 4, 4) + "}";
        assertFails(file(h, 16), Reason.OVERLAP, "'second'", "'first'");
    }

    @Test
    void structurallyBrokenEntries() {
        assertFails(file("{\"e\": 5}", 0), Reason.INVALID_ENTRY, "'e'");
        assertFails(file("{\"e\": {\"shape\": [1], \"data_offsets\": [0, 1]}}", 1), Reason.INVALID_ENTRY, "'e'",
                "dtype");
        assertFails(file("{\"e\": {\"dtype\": \"U8\", \"shape\": 1, \"data_offsets\": [0, 1]}}", 1), Reason.BAD_SHAPE,
                "'e'");
        assertFails(file("{\"__metadata__\": {\"n\": 1}}", 0), Reason.INVALID_ENTRY, "__metadata__", "'n'");
    }

    @Test
    void missingTensorListsAvailableNames() {
        Path f = file("{" + entry("alpha", "U8", "[1]", 0, 1) + ", " + entry("beta", "U8", "[1]", 1, 2) + "}", 2);
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertThatThrownBy(() -> sf.tensor("gamma"))
                    .isInstanceOfSatisfying(MissingTensorException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.MISSING_TENSOR);
                        assertThat(e.tensorName()).contains("gamma");
                    })
                    .hasMessageContainingAll(f.toString(), "'gamma'", "alpha", "beta");
            assertThatThrownBy(() -> sf.info("gamma")).isInstanceOf(MissingTensorException.class);
            assertThatThrownBy(() -> sf.rawBytes("gamma")).isInstanceOf(MissingTensorException.class);
        }
    }

    @Test
    void dataBytesThatNoTensorCoversAreRefusedAsTheReferenceDoes() {
        // a gap between tensors
        String gap = "{" + entry("s", "F32", "[]", 0, 4) + ", " + entry("after_gap", "U8", "[2]", 8, 10) + "}";
        assertThatThrownBy(() -> SafetensorsFile.open(file(gap, 10)).close())
                .isInstanceOfSatisfying(SafetensorsFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNCOVERED_BYTES))
                .hasMessageContainingAll("'after_gap'", "[4, 8)");
        // bytes after the last tensor (what a header length a few bytes too short looks like)
        String tail = "{" + entry("s", "F32", "[]", 0, 4) + "}";
        assertThatThrownBy(() -> SafetensorsFile.open(file(tail, 8)).close())
                .isInstanceOfSatisfying(SafetensorsFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNCOVERED_BYTES))
                .hasMessageContainingAll("ends at data byte 4", "8 bytes");
    }

    @Test
    void wellFormedEdgeCasesAreAccepted() {
        // Empty header, scalar, zero-size tensors sharing an offset and space padding are all legal.
        String h = "{" + entry("s", "F32", "[]", 0, 4) + ", " + entry("z1", "F32", "[0, 5]", 4, 4) + ", "
                + entry("z2", "I64", "[0]", 4, 4) + ", " + entry("next", "U8", "[2]", 4, 6) + "}    ";
        try (SafetensorsFile f = SafetensorsFile.open(file(h, 6))) {
            assertThat(f.names()).containsExactly("next", "s", "z1", "z2");
            assertThat(f.info("s").numel()).isEqualTo(1);
            assertThat(f.info("z1").numel()).isZero();
        }
        try (SafetensorsFile f = SafetensorsFile.open(file("{}", 0))) {
            assertThat(f.names()).isEmpty();
            assertThat(f.metadata()).isEmpty();
        }
    }

    @Test
    void nonexistentFile() {
        Path f = dir.resolve("absent.safetensors");
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(BayesLoraException.class)
                .hasMessageContaining(f.toString());
    }
}
