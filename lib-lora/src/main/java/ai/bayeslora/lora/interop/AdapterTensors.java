package ai.bayeslora.lora.interop;

import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.internal.ParameterVectors;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Tensor forms of {@link LoraAdapter#parameterValues()} and {@link LoraAdapter#assign(double[])}: θ [P], all
 * parameters concatenated (A then B per module in model order, each row-major), as a tensor on the adapter's device.
 */
public final class AdapterTensors {
    private AdapterTensors() {
    }

    /**
     * {@return θ [P] as one new detached vector in {@code dtype} on the adapter's device} The caller owns it: it is
     * attached to no scope, not even one the caller has open, so the caller must {@code close()} it. In float64 it
     * holds the values of {@link LoraAdapter#parameterValues()}.
     *
     * @param adapter the adapter
     * @param dtype the vector's dtype, for example float64 for a posterior
     */
    public static Tensor flatten(LoraAdapter adapter, ScalarType dtype) {
        return ParameterVectors.flatten(adapter, dtype);
    }

    /**
     * Copies θ [P] into the adapter's parameters, without recording gradients; values are rounded to the parameters'
     * dtype, as by {@link LoraAdapter#assign(double[])}.
     *
     * @param adapter the adapter
     * @param flat θ [P], any floating dtype, on any device
     * @throws IllegalArgumentException if {@code flat} is not a vector of {@link LoraAdapter#parameterCount()} values
     */
    public static void assign(LoraAdapter adapter, Tensor flat) {
        ParameterVectors.assign(adapter, flat);
    }
}
