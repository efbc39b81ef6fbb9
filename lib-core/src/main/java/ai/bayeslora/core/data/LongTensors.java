package ai.bayeslora.core.data;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
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
     * {@code from_blob} view are freed before returning. The result belongs to the caller's innermost open
     * {@link PointerScope} if there is one (freed when it closes), otherwise the caller must {@code close()} it.
     */
    @SuppressWarnings("try") // the scope is used only for its side effect of collecting temporaries
    static Tensor of(long[] data, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(data.length + " values for shape " + java.util.Arrays.toString(shape));
        }
        Tensor result;
        try (PointerScope scope = new PointerScope()) {
            LongPointer buffer = new LongPointer(data);
            Tensor view = torch.from_blob(buffer, shape, new TensorOptions(ScalarType.Long));
            result = view.clone();
            result.retainReference(); // survives this scope
        }
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null && accepts(outer)) {
            outer.attach(result);
            result.releaseReference(); // now owned by the caller's scope only
        }
        return result;
    }

    private static boolean accepts(PointerScope scope) {
        Class<?>[] classes = scope.forClasses();
        if (classes == null || classes.length == 0) {
            return true;
        }
        for (Class<?> c : classes) {
            if (c != null && c.isAssignableFrom(Tensor.class)) {
                return true;
            }
        }
        return false;
    }
}
