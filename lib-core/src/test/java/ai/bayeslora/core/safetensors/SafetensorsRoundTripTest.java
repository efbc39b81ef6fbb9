package ai.bayeslora.core.safetensors;

import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.bytes;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.header;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.headerLength;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.readBytes;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.remaining;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.shape;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Writer then reader: bitwise equality per dtype, metadata, and the on-disk layout. */
@SuppressWarnings("try") // PointerScopes are used for their side effect
class SafetensorsRoundTripTest {

    @BeforeAll
    static void seed() {
        torch.manual_seed(1234);
    }

    /** A random 3x5 tensor of {@code dtype}, made from libtorch ops. */
    private static Tensor sample(SafetensorsDType dtype) {
        ScalarType st = dtype.scalarType();
        if (dtype.isFloatingPoint()) {
            return torch.randn(3, 5).mul(new Scalar(10.0)).to(st);
        }
        if (dtype == SafetensorsDType.BOOL) {
            return torch.randn(3, 5).gt(new Scalar(0.0));
        }
        Tensor small = torch.randint(256, new long[] {3, 5}, new TensorOptions(ScalarType.Long));
        if (dtype == SafetensorsDType.U8) {
            return small.to(st);
        }
        Tensor signed = small.sub(new Scalar(128L));
        return dtype == SafetensorsDType.I64 ? signed.mul(new Scalar(1L << 40)) : signed.to(st);
    }

    @ParameterizedTest
    @EnumSource(value = SafetensorsDType.class, names = {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8",
        "BOOL"})
    void tensorsRoundTripBitwise(SafetensorsDType dtype, @TempDir Path dir) {
        Path file = dir.resolve("t.safetensors");
        try (PointerScope scope = new PointerScope()) {
            Tensor t = sample(dtype);
            Tensor scalar = t.flatten().select(0, 2);
            Tensor empty = torch.empty(new long[] {0, 3}, new TensorOptions(dtype.scalarType()), null);
            Tensor transposed = t.t();
            Map<String, Tensor> in = Map.of("t", t, "scalar", scalar, "empty", empty, "transposed", transposed);
            SafetensorsWriter.write(file, in, Map.of());

            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThat(f.names()).containsExactly("empty", "scalar", "t", "transposed");
                for (Map.Entry<String, Tensor> e : in.entrySet()) {
                    Tensor original = e.getValue();
                    TensorInfo info = f.info(e.getKey());
                    assertThat(info.dtype()).isEqualTo(dtype);
                    assertThat(info.shape()).as(e.getKey()).containsExactly(shape(original));
                    byte[] expected = bytes(original);
                    assertThat(remaining(f.rawBytes(e.getKey()))).as(e.getKey()).isEqualTo(expected);
                    try (Tensor back = f.tensor(e.getKey())) {
                        assertThat(back.scalar_type().intern()).isEqualTo(dtype.scalarType());
                        assertThat(shape(back)).containsExactly(shape(original));
                        assertThat(bytes(back)).as(e.getKey()).isEqualTo(expected);
                        assertThat(back.equal(original)).isTrue();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SafetensorsDType.class)
    void rawTensorsRoundTripForEveryDtype(SafetensorsDType dtype, @TempDir Path dir) {
        Path file = dir.resolve("raw.safetensors");
        byte[] data = new byte[2 * 3 * dtype.byteSize()];
        new Random(dtype.ordinal()).nextBytes(data);
        if (dtype == SafetensorsDType.BOOL) {
            for (int i = 0; i < data.length; i++) {
                data[i] &= 1;
            }
        }
        SafetensorsWriter.writeRaw(file, Map.of("x", new RawTensor(dtype, new long[] {2, 3}, data)), null);
        try (SafetensorsFile f = SafetensorsFile.open(file); Tensor x = f.tensor("x")) {
            assertThat(f.info("x").dtype()).isEqualTo(dtype);
            assertThat(remaining(f.rawBytes("x"))).isEqualTo(data);
            assertThat(x.scalar_type().intern()).isEqualTo(dtype.scalarType());
            assertThat(shape(x)).containsExactly(2, 3);
            assertThat(bytes(x)).isEqualTo(data);
        }
    }

    @Test
    void multiWindowWriteEqualsSingleWindowWrite(@TempDir Path dir) {
        Path one = dir.resolve("one.safetensors");
        Path many = dir.resolve("many.safetensors");
        try (PointerScope scope = new PointerScope()) {
            Map<String, Tensor> in = Map.of("w", torch.randn(37, 11), "v", torch.randn(5).to(ScalarType.BFloat16));
            SafetensorsWriter.write(one, in, Map.of("k", "v"));
            SafetensorsWriter.write(many, in, Map.of("k", "v"), 7);
        }
        assertThat(readBytes(many)).isEqualTo(readBytes(one));
    }

    @Test
    void metadataRoundTrips(@TempDir Path dir) {
        Path file = dir.resolve("m.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote \"and\" backslash \\", "ünïcödé ✓\nnewline");
        meta.put("empty", "");
        SafetensorsWriter.writeRaw(file, Map.of("a", new RawTensor(SafetensorsDType.U8, new long[] {1}, new byte[] {7})),
                meta);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).containsExactlyEntriesOf(meta);
        }
    }

    @Test
    void layoutFollowsTheReferenceWriter(@TempDir Path dir) {
        Path file = dir.resolve("layout.safetensors");
        Map<String, RawTensor> in = new LinkedHashMap<>();
        in.put("b", new RawTensor(SafetensorsDType.F32, new long[] {2}, new byte[8]));
        in.put("a", new RawTensor(SafetensorsDType.I64, new long[] {3}, new byte[24]));
        in.put("c", new RawTensor(SafetensorsDType.U8, new long[] {1}, new byte[] {5}));
        SafetensorsWriter.writeRaw(file, in, Map.of());

        byte[] bytes = readBytes(file);
        long n = headerLength(bytes);
        assertThat(n % 8).isZero();
        assertThat(bytes).hasSize((int) (8 + n + 33));
        String text = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(text).startsWith("{").doesNotContain("__metadata__");
        assertThat(text.stripTrailing()).endsWith("}");
        assertThat(text.substring(text.stripTrailing().length())).matches(" *");
        JsonNode h = header(bytes);
        List<String> keys = new ArrayList<>();
        h.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("a", "b", "c");
        assertThat(h.get("a").get("data_offsets").toString()).isEqualTo("[0,24]");
        assertThat(h.get("b").get("data_offsets").toString()).isEqualTo("[24,32]");
        assertThat(h.get("c").get("data_offsets").toString()).isEqualTo("[32,33]");
        assertThat(h.get("a").get("dtype").asText()).isEqualTo("I64");
        assertThat(h.get("b").get("shape").toString()).isEqualTo("[2]");
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) 5);
    }
}
