package ai.bayeslora.core.data;

import ai.bayeslora.core.NativeScope;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Copies a Java {@code long[]} into a new CPU int64 libtorch tensor. */
final class LongTensors {
    private LongTensors() {
    }

    /**
     * A new int64 CPU tensor of {@code shape} holding a copy of {@code data}. The staging buffer and the
     * {@code from_blob} view are freed before returning. The result belongs to the caller's innermost open scope if
     * there is one (freed when it closes), otherwise the caller must {@code close()} it ({@link NativeScope#ret}).
     */
    static Tensor of(long[] data, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(data.length + " values for shape " + java.util.Arrays.toString(shape));
        }
        try (NativeScope scope = NativeScope.open()) {
            LongPointer buffer = new LongPointer(data);
            Tensor view = torch.from_blob(buffer, shape, new TensorOptions(ScalarType.Long));
            return scope.ret(view.clone()); // the caller's scope, or the caller
        }
    }

}
