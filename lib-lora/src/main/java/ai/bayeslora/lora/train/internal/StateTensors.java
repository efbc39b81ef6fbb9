package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Copies of restored optimizer state, checked against the parameter they belong to. */
final class StateTensors {
    private StateTensors() {
    }

    /**
     * A copy of {@code state.get(key)} in {@code like}'s dtype and device, kept past every scope for the optimizer
     * ({@link NativeScope#keep}; it frees it with {@link NativeScope#release}); shape must match.
     */
    static Tensor retainedCopy(Map<String, Tensor> state, String key, Tensor like) {
        Tensor src = state.get(key);
        if (src == null) {
            throw new IllegalArgumentException("optimizer state '" + key + "' missing");
        }
        if (!Arrays.equals(Tensors.shape(src), Tensors.shape(like))) {
            throw new IllegalArgumentException("optimizer state '" + key + "' has shape "
                    + Tensors.shapeText(Tensors.shape(src)) + " but the parameter has "
                    + Tensors.shapeText(Tensors.shape(like)));
        }
        return NativeScope.noGrad(() ->
                NativeScope.keep(src.to(like.device(), like.scalar_type()).clone().contiguous()));
    }
}
