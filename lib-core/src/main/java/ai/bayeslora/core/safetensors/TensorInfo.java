package ai.bayeslora.core.safetensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's header entry: its name, element type, shape, and byte range {@code [begin, end)} relative to the start
 * of the file's data buffer. Instances made by the reader are validated ({@code end - begin == byteSize()}).
 *
 * <p>The shape array is copied in and out, so the record is immutable.
 */
public record TensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {

    /**
     * Copies {@code shape}; rejects nulls.
     *
     * @param name the tensor name
     * @param dtype the element type
     * @param shape the dimensions; copied
     * @param begin the first byte, relative to the data buffer
     * @param end one past the last byte, relative to the data buffer
     */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = Objects.requireNonNull(shape, "shape").clone();
    }

    /** {@return a copy of the shape; {@code []} for a scalar} */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /** {@return the number of elements: the product of the shape, 1 for a scalar} */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** {@return the bytes the tensor occupies: {@code numel() * dtype().byteSize()}} */
    public long byteSize() {
        return Math.multiplyExact(numel(), dtype.byteSize());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
