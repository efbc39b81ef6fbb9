package ai.bayeslora.core.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Copies a tensor's bytes from a file into a freshly allocated libtorch CPU tensor of the stored dtype. The file
 * region is memory-mapped at most {@code chunkBytes} at a time, so tensors and files larger than 2 GB load fine; the
 * result owns its memory and never aliases a mapping.
 */
final class MappedTensorLoader {
    /** Default mapping window: 1 GiB. */
    static final int DEFAULT_CHUNK_BYTES = 1 << 30;

    private MappedTensorLoader() {
    }

    /**
     * Allocates a CPU tensor with {@code info}'s dtype and shape and fills it from {@code channel} starting at
     * {@code fileOffset}. Call inside a {@code PointerScope}: the tensor and the temporaries attach to it.
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
        // A view of the tensor's native memory; [position, limit) selects the window asByteBuffer() covers.
        BytePointer dst = new BytePointer(t.data_ptr()).capacity(n);
        for (long off = 0; off < n; ) {
            int len = (int) Math.min(chunkBytes, n - off);
            MappedByteBuffer src = channel.map(FileChannel.MapMode.READ_ONLY, fileOffset + off, len);
            ByteBuffer window = dst.position(off).limit(off + len).asByteBuffer();
            window.put(src);
            off += len;
        }
        return t;
    }

    /** A read-only little-endian view of {@code length} bytes at {@code fileOffset} (at most 2 GB - 1). */
    static ByteBuffer map(FileChannel channel, long fileOffset, long length) throws IOException {
        return channel.map(FileChannel.MapMode.READ_ONLY, fileOffset, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}
