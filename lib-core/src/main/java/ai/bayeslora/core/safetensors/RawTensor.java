package ai.bayeslora.core.safetensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor given as raw little-endian bytes, for {@link SafetensorsWriter#writeRaw}: no libtorch needed. The byte
 * count must equal numel times the dtype size. Arrays are copied in and out, so the record is immutable.
 */
public record RawTensor(SafetensorsDType dtype, long[] shape, byte[] data) {

    /**
     * Copies the arrays and checks that the byte count matches shape and dtype.
     *
     * @param dtype the element type
     * @param shape the dimensions; copied
     * @param data the little-endian bytes, numel × dtype size of them; copied
     */
    public RawTensor {
        Objects.requireNonNull(dtype, "dtype");
        shape = Objects.requireNonNull(shape, "shape").clone();
        data = Objects.requireNonNull(data, "data").clone();
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            numel = Math.multiplyExact(numel, d);
        }
        if (Math.multiplyExact(numel, dtype.byteSize()) != data.length) {
            throw new IllegalArgumentException(dtype + Arrays.toString(shape) + " needs " + numel * dtype.byteSize()
                    + " bytes, got " + data.length);
        }
    }

    /** {@return a copy of the shape} */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** {@return a copy of the bytes} */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** {@return the number of data bytes, without copying them} */
    public int byteSize() {
        return data.length;
    }

    /** Package access to the bytes without copying. */
    byte[] bytes() {
        return data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTensor r && dtype == r.dtype && Arrays.equals(shape, r.shape)
                && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "RawTensor[" + dtype + Arrays.toString(shape) + ", " + data.length + " bytes]";
    }
}
