package ai.bayeslora.core.safetensors;

import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.bytes;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.floats;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.header;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.readBytes;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.remaining;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.shape;
import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.tensorBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** Reads the tiny-llama fixture and checks names, shapes and values against an independent decode of the bytes. */
@SuppressWarnings("try") // PointerScopes are used for their side effect
class SafetensorsReadTest {
    private static final Path LLAMA = Fixtures.path("models/tiny-llama/model.safetensors");
    private static final String EMBED = "model.embed_tokens.weight";

    @Test
    void namesShapesAndMetadataMatchTheHeader() {
        JsonNode raw = header(readBytes(LLAMA));
        List<String> expected = new ArrayList<>();
        raw.fieldNames().forEachRemaining(n -> {
            if (!n.equals("__metadata__")) {
                expected.add(n);
            }
        });
        try (SafetensorsFile f = SafetensorsFile.open(LLAMA)) {
            assertThat(f.names()).containsExactlyInAnyOrderElementsOf(expected)
                    .contains(EMBED, "lm_head.weight", "model.norm.weight");
            assertThat(new ArrayList<>(f.names())).isSorted();
            assertThat(f.metadata()).isEqualTo(Map.of("format", "pt"));
            TensorInfo embed = f.info(EMBED);
            assertThat(embed.dtype()).isEqualTo(SafetensorsDType.F32);
            assertThat(embed.shape()).containsExactly(400, 64);
            assertThat(embed.numel()).isEqualTo(400 * 64);
            assertThat(embed.byteSize()).isEqualTo(400 * 64 * 4).isEqualTo(embed.end() - embed.begin());
            assertThat(f.info("model.layers.0.mlp.down_proj.weight").shape()).containsExactly(64, 176);
            assertThat(f.info("model.layers.1.input_layernorm.weight").shape()).containsExactly(64);
            for (String n : f.names()) {
                JsonNode e = raw.get(n);
                TensorInfo info = f.info(n);
                assertThat(info.dtype().name()).isEqualTo(e.get("dtype").asText());
                assertThat(info.rank()).isEqualTo(e.get("shape").size());
                assertThat(info.begin()).isEqualTo(e.get("data_offsets").get(0).asLong());
                assertThat(info.end()).isEqualTo(e.get("data_offsets").get(1).asLong());
            }
            assertThat(f.contains(EMBED)).isTrue();
            assertThat(f.contains("nope")).isFalse();
        }
    }

    @Test
    void f32ValuesEqualAnIndependentDecode() {
        byte[] file = readBytes(LLAMA);
        try (SafetensorsFile f = SafetensorsFile.open(LLAMA)) {
            for (String name : List.of(EMBED, "model.layers.0.input_layernorm.weight",
                    "model.layers.1.mlp.down_proj.weight", "lm_head.weight")) {
                ByteBuffer expected = tensorBytes(file, name);
                Tensor t = f.tensor(name);
                try {
                    assertThat(t.scalar_type().intern()).isEqualTo(ScalarType.Float);
                    assertThat(shape(t)).containsExactly(f.info(name).shape());
                    float[] got = floats(t);
                    assertThat(got).hasSize(expected.remaining() / 4);
                    for (int i = 0; i < got.length; i++) {
                        assertThat(Float.floatToRawIntBits(got[i]))
                                .as("%s[%d]", name, i)
                                .isEqualTo(Float.floatToRawIntBits(expected.getFloat(4 * i)));
                    }
                    assertThat(got).as("random weights are not all zero").isNotEqualTo(new float[got.length]);
                } finally {
                    t.close();
                }
            }
        }
    }

    @Test
    void rawBytesIsAReadOnlyLittleEndianView() {
        byte[] file = readBytes(LLAMA);
        try (SafetensorsFile f = SafetensorsFile.open(LLAMA)) {
            ByteBuffer b = f.rawBytes(EMBED);
            assertThat(b.isReadOnly()).isTrue();
            assertThat(b.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(remaining(b)).isEqualTo(remaining(tensorBytes(file, EMBED)));
            assertThat(f.dataStart()).isEqualTo(8 + SafetensorsTestSupport.headerLength(file));
        }
    }

    @Test
    void convertsToTheRequestedDtype() {
        try (SafetensorsFile f = SafetensorsFile.open(LLAMA);
                Tensor f32 = f.tensor(EMBED);
                Tensor f16 = f.tensor(EMBED, ScalarType.Half, null);
                Tensor bf16 = f.tensor(EMBED, ScalarType.BFloat16, new Device("cpu"));
                Tensor f64 = f.tensor(EMBED, ScalarType.Double, null);
                Tensor same = f.tensor(EMBED, ScalarType.Float, new Device("cpu"));
                PointerScope scope = new PointerScope()) {
            assertThat(f16.scalar_type().intern()).isEqualTo(ScalarType.Half);
            assertThat(bf16.scalar_type().intern()).isEqualTo(ScalarType.BFloat16);
            assertThat(f64.scalar_type().intern()).isEqualTo(ScalarType.Double);
            assertThat(f16.equal(f32.to(ScalarType.Half))).isTrue();
            assertThat(bf16.equal(f32.to(ScalarType.BFloat16))).isTrue();
            assertThat(f64.to(ScalarType.Float).equal(f32)).isTrue();
            assertThat(bytes(same)).isEqualTo(bytes(f32));
        }
    }

    @Test
    void returnedTensorOwnsItsMemoryAndBelongsToTheCaller() {
        Tensor t;
        float[] before;
        try (SafetensorsFile f = SafetensorsFile.open(LLAMA)) {
            try (PointerScope callerScope = new PointerScope()) {
                t = f.tensor(EMBED);
            }
            // Not attached to the caller's scope, not aliasing the read-only mapping.
            assertThat(t.isNull()).isFalse();
            assertThat(t.referenceCount()).isEqualTo(1);
            before = floats(t);
            try (PointerScope scope = new PointerScope()) {
                t.add_(new Scalar(1.0));
            }
            try (Tensor again = f.tensor(EMBED)) {
                assertThat(floats(again)).isEqualTo(before);
            }
        }
        // Still readable after the file is closed.
        float[] after = floats(t);
        assertThat(after[0]).isEqualTo(before[0] + 1.0f);
        t.close();
        assertThat(t.isNull()).isTrue();
    }

    @Test
    void multiWindowLoadEqualsSingleWindowLoad() {
        try (SafetensorsFile whole = SafetensorsFile.open(LLAMA);
                SafetensorsFile windows = SafetensorsFile.open(LLAMA, 4099)) {
            for (String name : whole.names()) {
                try (Tensor a = whole.tensor(name); Tensor b = windows.tensor(name)) {
                    assertThat(bytes(b)).as(name).isEqualTo(bytes(a));
                }
            }
        }
    }

    @Test
    void checkpointOpenAcceptsAFolderOrAFile() {
        try (Checkpoint c = Checkpoint.open(Fixtures.model("tiny-llama"))) {
            assertThat(c).isInstanceOf(SafetensorsFile.class);
            assertThat(c.path()).isEqualTo(LLAMA);
            assertThat(c.names()).contains(EMBED);
        }
        try (Checkpoint c = Checkpoint.open(LLAMA)) {
            assertThat(c.info(EMBED).shape()).containsExactly(400, 64);
        }
    }

    @Test
    void closedFileRefusesReads() {
        SafetensorsFile f = SafetensorsFile.open(LLAMA);
        f.close();
        assertThatThrownBy(() -> f.tensor(EMBED)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(LLAMA.toString());
        assertThatThrownBy(() -> f.rawBytes(EMBED)).isInstanceOf(IllegalStateException.class);
        assertThat(f.info(EMBED).numel()).isEqualTo(400 * 64);
    }
}
