package ai.bayeslora.core.model;

import ai.bayeslora.core.safetensors.Checkpoint;
import java.nio.file.Path;
import java.util.Set;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** {@link WeightSource} over a safetensors {@link Checkpoint} (single file or sharded folder). */
public final class CheckpointWeights implements WeightSource {
    private final Checkpoint checkpoint;

    private CheckpointWeights(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    /**
     * Opens a model folder's safetensors weights.
     *
     * @param modelDir a model folder with a single or sharded safetensors checkpoint
     * @return the weight source; close it after building the model
     */
    public static CheckpointWeights open(Path modelDir) {
        return new CheckpointWeights(Checkpoint.open(modelDir));
    }

    @Override
    public Set<String> names() {
        return checkpoint.names();
    }

    @Override
    public long[] shape(String name) {
        return checkpoint.info(name).shape();
    }

    @Override
    public Tensor load(String name, ScalarType dtype, Device device) {
        var stored = checkpoint.info(name).dtype();
        if (!stored.isFloatingPoint()) {
            // casting integers to weights would load a model that runs and means nothing
            throw new WeightValueException(checkpoint.path() + ": tensor '" + name + "' is stored as " + stored
                    + "; model weights must be a floating-point dtype (F32, F16, BF16, F64)");
        }
        Tensor t = checkpoint.tensor(name, dtype, device);
        if (!ai.bayeslora.core.Tensors.allFinite(t)) {
            throw new WeightValueException(checkpoint.path() + ": tensor '" + name + "' holds NaN or infinite "
                    + "values; every prediction of the model would be NaN");
        }
        return t;
    }

    @Override
    public String describe() {
        return checkpoint.path().toString();
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
