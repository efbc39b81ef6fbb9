package ai.bayeslora.lora.internal;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.LoraAdapter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * The names and shapes of the tensors behind a flat θ [P] ({@link LoraAdapter#parameterValues()} order), so that a posterior can
 * check it is applied to the adapter it was collected on.
 *
 * @param names peft parameter names
 * @param shapes one shape per name
 */
public record ParameterLayout(List<String> names, List<List<Long>> shapes) {

    /** Copies; names and shapes must align. */
    public ParameterLayout {
        names = List.copyOf(names);
        shapes = shapes.stream().map(List::copyOf).toList();
        if (names.size() != shapes.size()) {
            throw new IllegalArgumentException(names.size() + " parameter names but " + shapes.size() + " shapes");
        }
    }

    /** The layout of an adapter's parameters. */
    public static ParameterLayout of(LoraAdapter adapter) {
        List<List<Long>> shapes = new ArrayList<>();
        for (Tensor t : adapter.parameters()) {
            shapes.add(Arrays.stream(Tensors.shape(t)).boxed().toList());
        }
        return new ParameterLayout(adapter.parameterNames(), shapes);
    }

    /** A single unnamed vector of {@code p} entries (moments of plain tensors). */
    public static ParameterLayout vector(long p) {
        return new ParameterLayout(List.of("theta"), List.of(List.of(p)));
    }

    /** P, the total number of entries. */
    public long parameterCount() {
        long p = 0;
        for (List<Long> s : shapes) {
            long n = 1;
            for (long d : s) {
                n = Math.multiplyExact(n, d);
            }
            p += n;
        }
        return p;
    }

    /** Why {@code other} differs from this layout, naming the first differing parameter; empty if equal. */
    public Optional<String> mismatch(ParameterLayout other) {
        if (equals(other)) {
            return Optional.empty();
        }
        int n = Math.min(names.size(), other.names.size());
        for (int i = 0; i < n; i++) {
            if (!names.get(i).equals(other.names.get(i)) || !shapes.get(i).equals(other.shapes.get(i))) {
                return Optional.of("parameter " + i + " is " + names.get(i) + " " + shapes.get(i) + " here but "
                        + other.names.get(i) + " " + other.shapes.get(i) + " there");
            }
        }
        return Optional.of(names.size() + " parameter tensors here but " + other.names.size() + " there");
    }
}
