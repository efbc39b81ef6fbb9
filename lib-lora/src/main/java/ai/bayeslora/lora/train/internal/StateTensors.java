package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.Tensors;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** Copies of restored optimizer state, checked against the parameter they belong to. */
final class StateTensors {
    private StateTensors() {
    }

    /** A retained copy of {@code state.get(key)} in {@code like}'s dtype and device; shape must match. */
    @SuppressWarnings("try")
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
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor t = src.to(like.device(), like.scalar_type()).clone().contiguous();
            t.retainReference();
            return t;
        }
    }
}
