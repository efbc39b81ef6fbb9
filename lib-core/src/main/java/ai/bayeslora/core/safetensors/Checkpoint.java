package ai.bayeslora.core.safetensors;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.safetensors.SafetensorsFormatException.Reason;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Read access to named tensors stored in safetensors form: one file ({@link SafetensorsFile}) or an HF sharded
 * checkpoint ({@link ShardedCheckpoint}). Implementations are safe for concurrent reads; close once when done.
 *
 * <p>Tensors returned by {@code tensor(...)} are new libtorch tensors that own their memory (they do not alias the
 * file) and are <b>owned by the caller</b>: they are not attached to any {@code PointerScope}, including one the caller
 * has open. Call {@code close()} on them when done, or keep them for the model's lifetime.
 */
public interface Checkpoint extends AutoCloseable {
    /** File name of a single-file HF checkpoint. */
    String SINGLE_FILE = "model.safetensors";
    /** File name of an HF sharded checkpoint's index. */
    String INDEX_FILE = "model.safetensors.index.json";

    /**
     * Opens a checkpoint: a {@code .safetensors} file, or a model folder holding {@value #INDEX_FILE} (preferred) or
     * {@value #SINGLE_FILE}.
     *
     * @param path a {@code .safetensors} file or a model folder
     * @return the open checkpoint; close it when done
     * @throws SafetensorsFormatException with {@link Reason#NO_CHECKPOINT} naming the folder if it holds neither, or
     *     for any malformed file
     * @throws BayesLoraException if {@code path} does not exist or cannot be read
     */
    static Checkpoint open(Path path) {
        if (Files.isRegularFile(path)) {
            return SafetensorsFile.open(path);
        }
        if (!Files.isDirectory(path)) {
            throw new BayesLoraException("checkpoint not found: " + path + " is neither a file nor a folder");
        }
        if (Files.isRegularFile(path.resolve(INDEX_FILE))) {
            return ShardedCheckpoint.open(path);
        }
        if (Files.isRegularFile(path.resolve(SINGLE_FILE))) {
            return SafetensorsFile.open(path.resolve(SINGLE_FILE));
        }
        throw new SafetensorsFormatException(path, null, Reason.NO_CHECKPOINT,
                "folder holds neither " + INDEX_FILE + " nor " + SINGLE_FILE);
    }

    /** {@return the file or folder this checkpoint was opened from} */
    Path path();

    /**
     * String metadata: a file's {@code __metadata__}, or an index's {@code "metadata"} (values as text).
     *
     * @return the metadata, empty if there is none; unmodifiable
     */
    Map<String, String> metadata();

    /** {@return all tensor names, sorted} Unmodifiable. */
    Set<String> names();

    /**
     * {@return whether a tensor with this name exists}
     *
     * @param name a tensor name, for example {@code model.norm.weight}
     */
    boolean contains(String name);

    /**
     * The header entry of a tensor.
     *
     * @param name a tensor name
     * @return its dtype, shape and byte range
     * @throws MissingTensorException if there is no such tensor
     */
    TensorInfo info(String name);

    /**
     * The tensor's stored bytes: a read-only, little-endian, memory-mapped view (no copy). Stays valid after
     * {@link #close()}.
     *
     * @param name a tensor name
     * @return the bytes, positioned at 0
     * @throws MissingTensorException if there is no such tensor
     * @throws BayesLoraException if the tensor is 2 GB or larger (a ByteBuffer cannot hold it)
     */
    ByteBuffer rawBytes(String name);

    /**
     * Loads a tensor into a new CPU tensor of its stored dtype. The caller owns the result (see the class comment).
     *
     * @param name a tensor name
     * @return a new CPU tensor owned by the caller
     * @throws MissingTensorException if there is no such tensor
     */
    default Tensor tensor(String name) {
        return tensor(name, null, null);
    }

    /**
     * Loads a tensor, converted to {@code target} (null: keep the stored dtype) on {@code device} (null: CPU). Float
     * types convert as libtorch's {@code to()} does (round to nearest). The caller owns the result (see the class
     * comment).
     *
     * @param name a tensor name
     * @param target the dtype to convert to, or null to keep the stored one
     * @param device the device to load onto, or null for the CPU
     * @return a new tensor owned by the caller
     * @throws MissingTensorException if there is no such tensor
     * @throws BayesLoraException wrapping a libtorch failure (for example an unavailable device), with the tensor name
     */
    Tensor tensor(String name, ScalarType target, Device device);

    /** Releases the open files. Mapped views already handed out stay valid; loaded tensors are unaffected. */
    @Override
    void close();
}
