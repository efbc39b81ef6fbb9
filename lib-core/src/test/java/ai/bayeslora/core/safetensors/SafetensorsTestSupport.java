package ai.bayeslora.core.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Test helpers independent of the code under test: a raw file crafter (length prefix + header text + data) and an
 * independent header decoder, plus byte/float extraction from tensors. Holds no tests.
 */
@SuppressWarnings("try") // PointerScopes are used for their side effect
final class SafetensorsTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsTestSupport() {
    }

    /** Writes {@code u64le(len(header)) + header + data}. */
    static Path craft(Path file, String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return craft(file, h.length, h, data);
    }

    /** Writes {@code u64le(declaredLength) + header + data}, so the prefix can lie. */
    static Path craft(Path file, long declaredLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header).put(data);
        return writeBytes(file, b.array());
    }

    static Path writeBytes(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Header length prefix of a file, decoded by hand. */
    static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    /** Header JSON of a file, decoded by hand. */
    static JsonNode header(byte[] file) {
        int n = (int) headerLength(file);
        try {
            return JSON.readTree(new String(file, 8, n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of one tensor of a file, located by hand from the header. */
    static ByteBuffer tensorBytes(byte[] file, String name) {
        int n = (int) headerLength(file);
        JsonNode offsets = header(file).get(name).get("data_offsets");
        int begin = 8 + n + offsets.get(0).asInt();
        int end = 8 + n + offsets.get(1).asInt();
        return ByteBuffer.wrap(file, begin, end - begin).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The bytes of a tensor (contiguous CPU copy), in its own dtype. */
    static byte[] bytes(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.cpu().contiguous();
            byte[] out = new byte[(int) c.nbytes()];
            if (out.length > 0) {
                new BytePointer(c.data_ptr()).capacity(out.length).get(out);
            }
            return out;
        }
    }

    /** The values of a tensor as float32. */
    static float[] floats(Tensor t) {
        try (PointerScope scope = new PointerScope()) {
            Tensor c = t.to(ScalarType.Float).contiguous();
            float[] out = new float[(int) c.numel()];
            if (out.length > 0) {
                new FloatPointer(c.data_ptr_float()).capacity(out.length).get(out);
            }
            return out;
        }
    }

    /** The bytes left in a buffer, without moving it. */
    static byte[] remaining(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }
}
