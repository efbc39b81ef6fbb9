package ai.bayeslora.core.safetensors;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.NativeScope;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes safetensors files atomically: the data goes to a hidden temporary file in the target's folder, is flushed to
 * disk, then renamed over the target. On any failure the temporary file is deleted and an existing target is left as
 * it was. Layout follows the reference writer: header padded with spaces to a multiple of 8 bytes, tensors packed in
 * sorted-name order, {@code __metadata__} omitted when empty.
 */
public final class SafetensorsWriter {
    /** Bytes handed to the channel per write call. */
    private static final int WRITE_CHUNK = 64 << 20;

    private SafetensorsWriter() {
    }

    /**
     * Writes libtorch tensors, each as a contiguous CPU copy in its own dtype. The caller keeps ownership of the
     * tensors; temporaries are freed before returning.
     *
     * @param tensors name to tensor; names must not be {@code __metadata__}
     * @param metadata stored as {@code __metadata__}; null or empty for none
     * @param file the {@code .safetensors} file to write (atomically)
     * @throws BayesLoraException naming the file and tensor if a tensor is undefined, has a dtype safetensors cannot
     *     store, or libtorch fails to copy it; or if the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, WRITE_CHUNK);
    }

    /** As {@link #write(Path, Map, Map)} with a custom write window, so tests can exercise multi-window writes. */
    static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, int chunkBytes) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : sorted(file, tensors).entrySet()) {
            entries.add(tensorEntry(file, e.getKey(), e.getValue(), chunkBytes));
        }
        writeEntries(file, entries, metadata);
    }

    /**
     * Writes tensors given as raw little-endian bytes.
     *
     * @param tensors name to tensor; names must not be {@code __metadata__}
     * @param metadata stored as {@code __metadata__}; null or empty for none
     * @param file the {@code .safetensors} file to write (atomically)
     * @see #write(Path, Map, Map)
     */
    public static void writeRaw(Path file, Map<String, RawTensor> tensors, Map<String, String> metadata) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, RawTensor> e : sorted(file, tensors).entrySet()) {
            RawTensor raw = e.getValue();
            if (raw == null) {
                throw new BayesLoraException("cannot write " + file + ": tensor '" + e.getKey() + "' is null");
            }
            entries.add(new Entry(e.getKey(), raw.dtype(), raw.shape(), raw.byteSize(),
                    ch -> writeFully(ch, ByteBuffer.wrap(raw.bytes()))));
        }
        writeEntries(file, entries, metadata);
    }

    /** One tensor to write: header fields plus a callback that appends exactly {@code byteSize} bytes. */
    private record Entry(String name, SafetensorsDType dtype, long[] shape, long byteSize, Payload payload) {
    }

    @FunctionalInterface
    private interface Payload {
        void writeTo(FileChannel channel) throws IOException;
    }

    private static <T> Map<String, T> sorted(Path file, Map<String, T> tensors) {
        Map<String, T> out = new TreeMap<>();
        for (Map.Entry<String, T> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || SafetensorsHeader.METADATA_KEY.equals(name)) {
                throw new BayesLoraException("cannot write " + file + ": invalid tensor name " + name);
            }
            out.put(name, e.getValue());
        }
        return out;
    }

    private static Entry tensorEntry(Path file, String name, Tensor t, int chunkBytes) {
        if (t == null || t.isNull() || !t.defined()) {
            throw new BayesLoraException("cannot write " + file + ": tensor '" + name + "' is undefined");
        }
        SafetensorsDType dtype;
        try {
            dtype = SafetensorsDType.fromScalarType(t.scalar_type());
        } catch (BayesLoraException e) {
            throw new BayesLoraException("cannot write " + file + ": tensor '" + name + "': " + e.getMessage(), e);
        }
        long[] shape = new long[(int) t.dim()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.size(i);
        }
        long bytes = Math.multiplyExact(t.numel(), dtype.byteSize());
        return new Entry(name, dtype, shape, bytes, ch -> writeTensor(ch, t, bytes, chunkBytes));
    }

    /** Appends a contiguous CPU copy of {@code t}; all temporaries live in a scope. */
    @SuppressWarnings("try") // the scope is used for its side effect
    private static void writeTensor(FileChannel channel, Tensor t, long bytes, int chunkBytes) throws IOException {
        if (bytes == 0) {
            return;
        }
        try (NativeScope scope = NativeScope.open()) {
            Tensor cpu = t.cpu().contiguous();
            BytePointer data = new BytePointer(cpu.data_ptr()).capacity(bytes);
            for (long off = 0; off < bytes; off += chunkBytes) {
                writeFully(channel, TensorLoader.window(data, off, (int) Math.min(chunkBytes, bytes - off)));
            }
        }
    }

    private static void writeEntries(Path file, List<Entry> entries, Map<String, String> metadata) {
        byte[] header = header(file, entries, metadata);
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new BayesLoraException("cannot write " + file + ": folder " + dir + " does not exist");
        }
        String[] current = {null};
        try {
            AtomicOutput.writeChannel(file, ch -> {
                writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip());
                writeFully(ch, ByteBuffer.wrap(header));
                for (Entry e : entries) {
                    current[0] = e.name();
                    long before = ch.position();
                    e.payload().writeTo(ch);
                    if (ch.position() - before != e.byteSize()) {
                        throw new IllegalStateException("wrote " + (ch.position() - before) + " bytes, expected "
                                + e.byteSize());
                    }
                }
                current[0] = null;
            });
        } catch (BayesLoraException e) {
            if (current[0] == null) {
                throw e;
            }
            throw new BayesLoraException(e.getMessage() + where(current[0]), e);
        } catch (RuntimeException e) {
            // libtorch failures (for example copying a meta tensor) arrive as RuntimeException.
            throw new BayesLoraException("cannot write " + file + where(current[0]) + ": " + e.getMessage(), e);
        }
    }

    private static String where(String tensor) {
        return tensor == null ? "" : ": tensor '" + tensor + "'";
    }

    /** The JSON header padded with spaces to a multiple of 8 bytes; offsets follow the entries' order. */
    private static byte[] header(Path file, List<Entry> entries, Map<String, String> metadata) {
        ObjectNode root = SafetensorsHeader.JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (m.getKey() == null || m.getValue() == null) {
                    throw new BayesLoraException("cannot write " + file + ": null metadata key or value: " + m);
                }
                meta.put(m.getKey(), m.getValue());
            }
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = root.putObject(e.name());
            t.put("dtype", e.dtype().name());
            ArrayNode shape = t.putArray("shape");
            Arrays.stream(e.shape()).forEach(shape::add);
            t.putArray("data_offsets").add(offset).add(offset + e.byteSize());
            offset += e.byteSize();
        }
        byte[] json;
        try {
            json = SafetensorsHeader.JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new BayesLoraException("cannot write " + file + ": header serialisation failed: " + e, e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeFully(FileChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }
}
