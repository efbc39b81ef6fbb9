package ai.bayeslora.core.safetensors;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.NativeScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One safetensors file, opened for reading. Opening reads and validates the whole header (see
 * {@link SafetensorsFormatException.Reason}); tensor data is read on demand, one tensor at a time in windows of at
 * most 1 GiB, so files and tensors of any size work. {@link #rawBytes} memory-maps just that tensor's region. The file
 * must not be modified while open.
 *
 * <pre>{@code
 * try (SafetensorsFile f = SafetensorsFile.open(path)) {
 *     Tensor w = f.tensor("model.embed_tokens.weight", ScalarType.Float, null); // caller owns w
 * }
 * }</pre>
 */
public final class SafetensorsFile implements Checkpoint {
    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final int chunkBytes;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header, int chunkBytes) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.chunkBytes = chunkBytes;
    }

    /**
     * Opens and validates {@code file}.
     *
     * @param file a {@code .safetensors} file
     * @return the open file; close it to unmap it
     * @throws SafetensorsFormatException if the header is malformed, naming the file and tensor
     * @throws BayesLoraException if the file does not exist or cannot be read
     */
    public static SafetensorsFile open(Path file) {
        return open(file, TensorLoader.DEFAULT_CHUNK_BYTES);
    }

    /** As {@link #open(Path)} with a custom read window, so tests can exercise multi-window loads. */
    static SafetensorsFile open(Path file, int chunkBytes) {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("chunkBytes must be positive: " + chunkBytes);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BayesLoraException("safetensors file not found: " + file, e);
        } catch (IOException e) {
            throw new BayesLoraException("cannot open safetensors file " + file + ": " + e, e);
        }
        try {
            return new SafetensorsFile(file, channel, SafetensorsHeader.read(file, channel), chunkBytes);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            if (e instanceof IOException io) {
                throw new BayesLoraException("cannot read safetensors header of " + file + ": " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public Set<String> names() {
        return header.tensors().keySet();
    }

    @Override
    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new MissingTensorException(path, name, names());
        }
        return info;
    }

    /**
     * Absolute file offset where the data buffer starts ({@code 8 + header length}).
     *
     * @return the offset in bytes
     */
    public long dataStart() {
        return header.dataStart();
    }

    @Override
    public ByteBuffer rawBytes(String name) {
        TensorInfo info = info(name);
        long n = info.end() - info.begin();
        if (n > Integer.MAX_VALUE) {
            throw new BayesLoraException(path + ": tensor '" + name + "' has " + n
                    + " bytes, too many for one ByteBuffer; use tensor(name) instead");
        }
        ensureOpen();
        try {
            return TensorLoader.map(channel, header.dataStart() + info.begin(), n);
        } catch (IOException e) {
            throw new BayesLoraException(path + ": tensor '" + name + "': cannot map its bytes: " + e, e);
        }
    }

    @Override
    @SuppressWarnings("try") // the scope frees the stored copy when a conversion made a new tensor
    public Tensor tensor(String name, ScalarType target, Device device) {
        TensorInfo info = info(name);
        ensureOpen();
        try (NativeScope scope = NativeScope.open()) {
            Tensor stored = TensorLoader.load(channel, header.dataStart() + info.begin(), info, chunkBytes);
            // the caller holds the only reference (Checkpoint#tensor's contract)
            return NativeScope.keep(convert(stored, target, device));
        } catch (IOException e) {
            throw new BayesLoraException(path + ": tensor '" + name + "': cannot read its bytes: " + e, e);
        } catch (BayesLoraException | UnsupportedOperationException e) {
            throw e;
        } catch (RuntimeException e) {
            // libtorch errors (allocation, device) arrive as plain RuntimeExceptions.
            throw new BayesLoraException(path + ": tensor '" + name + "': libtorch could not load it as "
                    + (target == null ? info.dtype() : target) + ": " + e.getMessage(), e);
        }
    }

    /** Converts within the caller's scope; returns {@code stored} itself when nothing changes. */
    private static Tensor convert(Tensor stored, ScalarType target, Device device) {
        // Native calls return fresh ScalarType objects: compare canonical ones.
        boolean sameType = target == null || target.intern() == stored.scalar_type().intern();
        boolean onCpu = device == null || device.is_cpu();
        if (sameType && onCpu) {
            return stored;
        }
        Device dev = device == null ? new Device(DeviceType.CPU) : device;
        return stored.to(dev, target == null ? stored.scalar_type() : target);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("safetensors file is closed: " + path);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path, e);
        }
    }

    private static void closeQuietly(FileChannel channel, Exception primary) {
        try {
            channel.close();
        } catch (IOException suppressed) {
            primary.addSuppressed(suppressed);
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
    }
}
