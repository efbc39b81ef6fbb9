package ai.bayeslora.core.model;

import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Named tensors a model is built from: a safetensors checkpoint (single or sharded) or an in-memory map. */
public interface WeightSource extends AutoCloseable {
    /** {@return every tensor name available} */
    Set<String> names();

    /**
     * {@return the stored shape of {@code name}; the name must exist}
     *
     * @param name an HF tensor name
     */
    long[] shape(String name);

    /**
     * Loads {@code name} converted to {@code dtype} on {@code device}; a new tensor owned by the caller.
     *
     * @param name an HF tensor name
     * @param dtype the dtype to convert to
     * @param device the device to load onto
     * @return the loaded tensor
     */
    Tensor load(String name, ScalarType dtype, Device device);

    /**
     * Where the weights come from, for messages (a folder or file path).
     *
     * @return a description such as the model folder's path
     */
    String describe();

    @Override
    void close();
}
