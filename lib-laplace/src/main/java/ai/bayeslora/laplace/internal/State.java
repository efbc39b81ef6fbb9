package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.Tensors;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/** Lookups in a loaded posterior state with shape checks; a mismatch is an {@link IllegalStateException} naming it. */
final class State {
    private State() {
    }

    static Tensor require(Map<String, Tensor> state, String name, long... shape) {
        Tensor t = state.get(name);
        if (t == null) {
            throw new IllegalStateException("tensor '" + name + "' missing from the posterior state");
        }
        if (shape.length > 0 && !Arrays.equals(Tensors.shape(t), shape)) {
            throw new IllegalStateException("tensor '" + name + "' has shape " + Tensors.shapeText(Tensors.shape(t))
                    + ", expected " + Tensors.shapeText(shape));
        }
        return t;
    }
}
