package ai.bayeslora.core.safetensors;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Moves tensor bytes between a file and memory: {@link #load} reads into a freshly allocated libtorch tensor,
 * {@link #map} gives a zero-copy mapped view.
 *
 * <p>{@code load} uses positional reads straight into the tensor's memory rather than a mapping: a copy either way,
 * but no mapping stays alive until the garbage collector unmaps it. (Measured: loading a 0.6 MB checkpoint 4000 times
 * grew RSS by 0.6 MB per load with per-tensor mappings, and stayed flat with reads.)
 */
final class TensorLoader {
    /** Default read window: 1 GiB (a ByteBuffer view is limited to 2 GiB). */
    static final int DEFAULT_CHUNK_BYTES = 1 << 30;

    private TensorLoader() {
    }

    /**
     * Allocates a CPU tensor with {@code info}'s dtype and shape and fills it from {@code channel} starting at
     * {@code fileOffset}, at most {@code chunkBytes} per window, so tensors over 2 GB work. The result owns its
     * memory. Call inside a {@code PointerScope}: the tensor and the temporaries attach to it.
     */
    static Tensor load(FileChannel channel, long fileOffset, TensorInfo info, int chunkBytes) throws IOException {
        if (info.dtype().byteSize() > 1 && ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("safetensors data is little-endian; this platform is big-endian");
        }
        Tensor t = torch.empty(info.shape(), new TensorOptions(info.dtype().scalarType()), null);
        long n = info.byteSize();
        if (n == 0) {
            return t;
        }
        BytePointer dst = new BytePointer(t.data_ptr()).capacity(n);
        for (long off = 0; off < n; ) {
            int len = (int) Math.min(chunkBytes, n - off);
            ByteBuffer window = window(dst, off, len);
            while (window.hasRemaining()) {
                long at = fileOffset + off + window.position();
                if (channel.read(window, at) < 0) {
                    throw new EOFException("file ends at byte " + at + ", inside the tensor's data");
                }
            }
            off += len;
        }
        return t;
    }

    /**
     * A ByteBuffer over bytes {@code [off, off + len)} of native memory, with position 0. (Note:
     * {@code p.position(off).limit(off + len).asByteBuffer()} would instead cover {@code [0, off + len)} with position
     * {@code off}, which breaks past 2 GiB; {@code getPointer(off)} moves the address.)
     */
    static ByteBuffer window(BytePointer base, long off, int len) {
        return base.getPointer(off).limit(len).asByteBuffer();
    }

    /** A read-only little-endian mapped view of {@code length} bytes at {@code fileOffset} (under 2 GiB). */
    static ByteBuffer map(FileChannel channel, long fileOffset, long length) throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, fileOffset, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
