package ai.bayeslora.core.safetensors;

import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.craft;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.BayesLoraException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor larger than 2 GiB, in a sparse file: load, rawBytes refusal, offsets past 2 GiB, and a write back.
 * Needs about 4.5 GB of RAM and 2.2 GB of disk, so it only runs with {@code -Dbayeslora.largeTests=true}.
 */
@EnabledIfSystemProperty(named = "bayeslora.largeTests", matches = "true")
class SafetensorsLargeFileTest {
    private static final long N = (1L << 31) + 24;
    private static final long[] MARKS = {0, (1L << 31) - 1, 1L << 31, N - 1};

    @Test
    void tensorOver2GiBLoadsAndWritesBack(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.safetensors");
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + N + "],\"data_offsets\":[0," + N + "]},"
                + "\"tail\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[" + N + "," + (N + 8) + "]}}";
        craft(file, header, new byte[0]);
        long dataStart = 8 + header.length();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (int i = 0; i < MARKS.length; i++) {
                ch.write(ByteBuffer.wrap(new byte[] {(byte) (i + 1)}), dataStart + MARKS[i]);
            }
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(7).putInt(-9).flip(), dataStart + N);
        }

        Path out = dir.resolve("copy.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(file); PointerScope scope = new PointerScope()) {
            assertThatThrownBy(() -> f.rawBytes("big")).isInstanceOf(BayesLoraException.class)
                    .hasMessageContaining("'big'");
            ByteBuffer tail = f.rawBytes("tail");
            assertThat(tail.getInt(0)).isEqualTo(7);
            assertThat(tail.getInt(4)).isEqualTo(-9);
            try (Tensor t = f.tensor("tail")) {
                assertThat(t.sum().item_long()).isEqualTo(-2);
            }

            Tensor big = f.tensor("big");
            scope.attach(big);
            big.releaseReference();
            assertThat(big.numel()).isEqualTo(N);
            BytePointer p = new BytePointer(big.data_ptr()).capacity(N);
            for (int i = 0; i < MARKS.length; i++) {
                assertThat(p.get(MARKS[i])).isEqualTo((byte) (i + 1));
            }
            assertThat(big.sum().item_long()).as("no bytes misplaced").isEqualTo(1 + 2 + 3 + 4);

            SafetensorsWriter.write(out, Map.of("big", big), Map.of());
        }
        try (SafetensorsFile copy = SafetensorsFile.open(out); FileChannel ch = FileChannel.open(out)) {
            assertThat(copy.info("big").end()).isEqualTo(N);
            for (int i = 0; i < MARKS.length; i++) {
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, copy.dataStart() + MARKS[i]);
                assertThat(b.get(0)).isEqualTo((byte) (i + 1));
            }
        }
    }
}
