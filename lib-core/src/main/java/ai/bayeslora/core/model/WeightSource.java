package ai.bayeslora.core.model;

import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Named tensors a model is built from: a safetensors checkpoint (single or sharded) or an in-memory map. */
public interface WeightSource extends AutoCloseable {
    /** {@return every tensor name available} */
    Set<String> names();

    /** {@return the stored shape of {@code name}; the name must exist} */
    long[] shape(String name);

    /** Loads {@code name} converted to {@code dtype} on {@code device}; a new tensor owned by the caller. */
    Tensor load(String name, ScalarType dtype, Device device);

    /** Where the weights come from, for messages (a folder or file path). */
    String describe();

    @Override
    void close();
}
